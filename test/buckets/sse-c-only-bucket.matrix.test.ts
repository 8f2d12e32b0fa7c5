import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SseCOnlyBucket } from '../../src/buckets/sse-c-only-bucket';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';
import {
  bucketPolicySids, completeMultipartUpload, copyInto, createMultipartUpload, del, get, list, put, requestDeniedOnlyBy, S3Request, simulate,
  uploadPart, Verdict,
} from '../harness/simulate';

/*
 * How S3 authorises the multipart and copy requests below, stated here and in docs/SSE-C.md:
 * - CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload and CopyObject are all authorised
 *   as s3:PutObject on the destination object.
 * - An SSE-C multipart upload sends the three SSE-C headers on CreateMultipartUpload and again on every
 *   UploadPart and UploadPartCopy (S3 needs the key to encrypt each part, and rejects a part whose key differs
 *   from the upload's), so the parts carry s3:x-amz-server-side-encryption-customer-algorithm.
 * - CompleteMultipartUpload carries x-amz-server-side-encryption-customer-algorithm when a bucket policy requires
 *   SSE-C: the S3 API reference (CompleteMultipartUpload, request header
 *   x-amz-server-side-encryption-customer-algorithm) says the header is "required only when the object was created
 *   using a checksum algorithm or if your bucket policy requires the use of SSE-C". A client that leaves it off is
 *   denied by DenyMissingSseC, which is what the "without the algorithm header" row shows.
 * - CopyObject's copy-source SSE-C headers (x-amz-copy-source-server-side-encryption-customer-*) have no IAM
 *   condition key; only the destination's SSE-C headers reach the policy.
 * - SSE-C on a read (GetObject, HeadObject) has no IAM condition key either: S3 itself refuses to return an SSE-C
 *   object without the matching key, so the policy only holds reads to TLS.
 */

function templateFor(minimumTLSVersion: number) {
  const stack = new Stack(new App(), 'Matrix', { env: TEST_ENV });
  new SseCOnlyBucket(stack, 'Bucket', { minimumTLSVersion });
  return Template.fromStack(stack).toJSON() as any;
}

const templates = { 1.2: templateFor(1.2), 1.3: templateFor(1.3) };
const bucketName = new CfnResolver(templates[1.2]).bucketName('Bucket83908E77');

const sseC = { sseCustomerAlgorithm: 'AES256' };
const http = { secureTransport: false };
const tls13 = { tls: '1.3' };
const kmsKeyId = 'arn:aws:kms:eu-west-1:111111111111:key/abc';
/** UploadPartCopy is authorised as PutObject on the destination and carries a copy source, like CopyObject. */
const uploadPartCopy = copyInto;

const matrix: Array<[string, S3Request, Verdict, Verdict]> = [
  // what                                                       request                                             TLS floor 1.2  TLS floor 1.3
  ['PutObject SSE-C AES256, TLS 1.2', put(sseC), 'allowed', 'denied'],
  ['PutObject SSE-C AES256, TLS 1.3', put({ ...sseC, ...tls13 }), 'allowed', 'allowed'],
  ['PutObject with no SSE headers', put(tls13), 'denied', 'denied'], // no customer key, no upload
  ['PutObject AES256 (SSE-S3)', put({ sse: 'AES256', ...tls13 }), 'denied', 'denied'],
  ['PutObject aws:kms', put({ sse: 'aws:kms', ...tls13 }), 'denied', 'denied'],
  ['PutObject aws:kms with a key id', put({ sse: 'aws:kms', kmsKeyId, ...tls13 }), 'denied', 'denied'],
  ['PutObject aws:kms:dsse', put({ sse: 'aws:kms:dsse', ...tls13 }), 'denied', 'denied'],
  ['PutObject SSE-C plus an AES256 server-side header', put({ ...sseC, sse: 'AES256', ...tls13 }), 'denied', 'denied'],
  ['PutObject SSE-C plus an aws:kms server-side header', put({ ...sseC, sse: 'aws:kms', ...tls13 }), 'denied', 'denied'],
  ['PutObject SSE-C with algorithm aws:kms', put({ sseCustomerAlgorithm: 'aws:kms', ...tls13 }), 'denied', 'denied'],
  ['PutObject SSE-C with algorithm AES128', put({ sseCustomerAlgorithm: 'AES128', ...tls13 }), 'denied', 'denied'],
  ['PutObject SSE-C with algorithm aes256 (lower case)', put({ sseCustomerAlgorithm: 'aes256', ...tls13 }), 'denied', 'denied'],
  ['PutObject SSE-C over HTTP', put({ ...sseC, ...http }), 'denied', 'denied'],
  ['PutObject SSE-C, TLS 1.0', put({ ...sseC, tls: '1.0' }), 'denied', 'denied'],
  ['PutObject SSE-C, TLS 1.1', put({ ...sseC, tls: '1.1' }), 'denied', 'denied'],

  ['CopyObject into the bucket with destination SSE-C headers', copyInto({ ...sseC, ...tls13 }), 'allowed', 'allowed'],
  // Also what IAM sees for a copy that sends only the copy-source SSE-C headers: they have no condition key.
  ['CopyObject into the bucket without destination SSE-C headers', copyInto(tls13), 'denied', 'denied'],
  ['CopyObject into the bucket with AES256', copyInto({ sse: 'AES256', ...tls13 }), 'denied', 'denied'],
  ['CopyObject in place to rotate the key (new key as destination SSE-C)',
    copyInto({ ...sseC, ...tls13, copySource: `${bucketName}/data/object.bin` }), 'allowed', 'allowed'],
  ['CopyObject in place without destination SSE-C headers',
    copyInto({ ...tls13, copySource: `${bucketName}/data/object.bin` }), 'denied', 'denied'],
  ['CopyObject into the bucket over HTTP', copyInto({ ...sseC, ...http }), 'denied', 'denied'],
  ['CopyObject into the bucket, TLS 1.1', copyInto({ ...sseC, tls: '1.1' }), 'denied', 'denied'],

  ['CreateMultipartUpload SSE-C', createMultipartUpload({ ...sseC, ...tls13 }), 'allowed', 'allowed'],
  ['CreateMultipartUpload SSE-C, TLS 1.2', createMultipartUpload(sseC), 'allowed', 'denied'],
  ['CreateMultipartUpload with no SSE headers', createMultipartUpload(tls13), 'denied', 'denied'],
  ['CreateMultipartUpload AES256', createMultipartUpload({ sse: 'AES256', ...tls13 }), 'denied', 'denied'],
  ['CreateMultipartUpload SSE-C over HTTP', createMultipartUpload({ ...sseC, ...http }), 'denied', 'denied'],
  ['UploadPart with the SSE-C headers', uploadPart({ ...sseC, ...tls13 }), 'allowed', 'allowed'],
  ['UploadPart with the SSE-C headers, TLS 1.2', uploadPart(sseC), 'allowed', 'denied'],
  ['UploadPart without the SSE-C headers', uploadPart(tls13), 'denied', 'denied'], // S3 would reject the part anyway
  ['UploadPart over HTTP', uploadPart({ ...sseC, ...http }), 'denied', 'denied'],
  ['UploadPart, TLS 1.1', uploadPart({ ...sseC, tls: '1.1' }), 'denied', 'denied'],
  ['UploadPartCopy with destination SSE-C headers', uploadPartCopy({ ...sseC, ...tls13 }), 'allowed', 'allowed'],
  ['UploadPartCopy without destination SSE-C headers', uploadPartCopy(tls13), 'denied', 'denied'],
  ['CompleteMultipartUpload with the algorithm header', completeMultipartUpload({ ...sseC, ...tls13 }), 'allowed', 'allowed'],
  ['CompleteMultipartUpload without the algorithm header', completeMultipartUpload(tls13), 'denied', 'denied'],
  ['CompleteMultipartUpload over HTTP', completeMultipartUpload({ ...sseC, ...http }), 'denied', 'denied'],

  ['GetObject, TLS 1.2', get(), 'allowed', 'denied'],
  ['GetObject, TLS 1.3', get(tls13), 'allowed', 'allowed'],
  ['GetObject over HTTP', get(http), 'denied', 'denied'],
  ['GetObject, TLS 1.0', get({ tls: '1.0' }), 'denied', 'denied'],
  ['GetObject, TLS 1.1', get({ tls: '1.1' }), 'denied', 'denied'],
  ['ListBucket, TLS 1.2', list(), 'allowed', 'denied'],
  ['ListBucket, TLS 1.3', list(tls13), 'allowed', 'allowed'],
  ['ListBucket over HTTP', list(http), 'denied', 'denied'],
  ['ListBucket, TLS 1.1', list({ tls: '1.1' }), 'denied', 'denied'],
  ['DeleteObject, TLS 1.3', del(tls13), 'allowed', 'allowed'],
  ['DeleteObject over HTTP', del(http), 'denied', 'denied'],
  ['DeleteObject, TLS 1.1', del({ tls: '1.1' }), 'denied', 'denied'],
];

describe('SseCOnlyBucket request matrix (verdicts from @cloud-copilot/iam-simulate)', () => {
  // The verdicts come from the statements, and the table exercises each of them: removing one lets in a row it denied.
  test.each(([1.2, 1.3] as const).flatMap((floor) => bucketPolicySids(templates[floor]).map((sid) => [floor, sid] as const)))(
    'TLS floor %s: every statement decides a row (%s)', async (floor, sid) => {
      const denied = matrix.filter((row) => row[floor === 1.2 ? 2 : 3] === 'denied').map(([, request]) => request);
      expect(await requestDeniedOnlyBy(templates[floor], sid, denied)).toBeDefined();
    });

  test('the in-place copy rows copy from this bucket', () => {
    expect(bucketName).toBe('bucket83908e77');
  });

  test.each(matrix)('%s: TLS floor 1.2 %#', async (_what, request, floor12) => {
    expect(await simulate(templates[1.2], request)).toBe(floor12);
  });

  test.each(matrix)('%s: TLS floor 1.3 %#', async (_what, request, _floor12, floor13) => {
    expect(await simulate(templates[1.3], request)).toBe(floor13);
  });
});
