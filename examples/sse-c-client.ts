/**
 * Writing to and reading from an SseCOnlyBucket with the AWS SDK for JavaScript v3 (`@aws-sdk/client-s3`).
 *
 * Type-checked with the examples (`cd examples && npx tsc -p .`) and exercised offline by
 * test/buckets/sse-c-client.example.test.ts, which checks every request it sends against the bucket's policy.
 * docs/SSE-C.md quotes it.
 */
import { createHash, randomBytes } from 'crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CompletedPart,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

// --- snippet: keys ---
/** A new 256-bit SSE-C key from a cryptographically secure generator. Store it in your key store, never in S3. */
export function generateCustomerKey(): Buffer {
  return randomBytes(32);
}

/**
 * The three SSE-C headers for a request. The SDK would compute the MD5 itself; setting it keeps the headers
 * the same as in any other client. S3 uses the MD5 to check that the key arrived intact.
 */
export function sseC(key: Buffer) {
  if (key.length !== 32) throw new Error('An SSE-C key is 256 bits (32 bytes) for AES256');
  return {
    SSECustomerAlgorithm: 'AES256',
    SSECustomerKey: key.toString('base64'),
    SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
  };
}
// --- end snippet ---

// --- snippet: put and get ---
/** Upload one object, encrypted by S3 with your key. */
export async function putObject(s3: S3Client, bucket: string, key: string, body: Uint8Array, customerKey: Buffer) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...sseC(customerKey) }));
}

/** Read one object back: S3 needs the same key to decrypt it (HeadObject too). */
export async function getObject(s3: S3Client, bucket: string, key: string, customerKey: Buffer): Promise<Uint8Array> {
  const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...sseC(customerKey) }));
  return response.Body!.transformToByteArray();
}
// --- end snippet ---

// --- snippet: multipart ---
/**
 * A multipart upload: the SSE-C headers go on CreateMultipartUpload, on every UploadPart, and on
 * CompleteMultipartUpload, where S3 requires the algorithm header when a bucket policy requires SSE-C.
 * Every part but the last must be at least 5 MiB.
 */
export async function multipartUpload(s3: S3Client, bucket: string, key: string, parts: Uint8Array[], customerKey: Buffer) {
  const headers = sseC(customerKey);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...headers }));
  try {
    const completed: CompletedPart[] = [];
    for (const [index, body] of parts.entries()) {
      const PartNumber = index + 1;
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber, Body: body, ...headers }));
      completed.push({ ETag, PartNumber });
    }
    return await s3.send(new CompleteMultipartUploadCommand({
      Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: completed }, ...headers,
    }));
  } catch (error) {
    // Parts of an abandoned upload are stored and billed until aborted (the bucket also aborts them after 7 days).
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId }));
    throw error;
  }
}
// --- end snippet ---

// --- snippet: rotate ---
/**
 * Re-encrypt an object under a new key by copying it onto itself: the copy-source headers carry the old key,
 * the destination headers the new one. Objects over 5 GB need UploadPartCopy with the same two sets of headers.
 * With versioning, the previous version stays readable with the old key until you delete it.
 */
export async function rotateObjectKey(s3: S3Client, bucket: string, key: string, oldKey: Buffer, newKey: Buffer) {
  const source = sseC(oldKey);
  return s3.send(new CopyObjectCommand({
    Bucket: bucket,
    Key: key,
    CopySource: `${bucket}/${encodeURIComponent(key)}`,
    CopySourceSSECustomerAlgorithm: source.SSECustomerAlgorithm,
    CopySourceSSECustomerKey: source.SSECustomerKey,
    CopySourceSSECustomerKeyMD5: source.SSECustomerKeyMD5,
    ...sseC(newKey),
  }));
}
// --- end snippet ---
