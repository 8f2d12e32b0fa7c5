/**
 * The metadata strategy: where the encryption metadata of an object lives (awslabs/aws-encryption-sdk-specification,
 * `s3-encryption/data-format/metadata-strategy.md`). Object metadata by default; optionally an instruction file,
 * `<key>.instruction`, a JSON object of strings. In V3, `x-amz-c`, `x-amz-d` and `x-amz-i` always stay in the
 * object metadata; `x-amz-3`, `x-amz-w` and `x-amz-t`/`x-amz-m` go to the instruction file.
 */
import type { Readable } from 'node:stream';
import type { GetObjectCommandInput, GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { responseBodyToReadable } from './body';
import { S3EncryptionClientError } from './errors';
import type { EncryptionMaterials } from './materials';
import { V3_OBJECT_ONLY_KEYS, buildV2Metadata, buildV3Metadata, hasEncryptionMetadata, isCompleteObjectMetadata, lowerCaseKeys } from './metadata';
import { s3Commands } from './sdk';

/** Where `putObject` stores encryption metadata. */
export enum MetadataStrategy {
  /** In the object's user metadata (`x-amz-meta-x-amz-*`). The default. */
  OBJECT_METADATA = 'OBJECT_METADATA',
  /** In an instruction file `<key>.instruction` next to the object (V3: all but `x-amz-c`, `x-amz-d`, `x-amz-i`). */
  INSTRUCTION_FILE = 'INSTRUCTION_FILE',
}

export const INSTRUCTION_FILE_SUFFIX = '.instruction';
/** Largest instruction file read. */
const INSTRUCTION_FILE_LIMIT = 64 * 1024;

/** What `putObject` stores: object metadata, and with the instruction-file strategy the instruction file's map. */
export interface StoredMetadata {
  readonly objectMetadata: Record<string, string>;
  readonly instructionFile?: Record<string, string>;
}

/** Metadata for the object and, with the instruction-file strategy, the instruction file's map. */
export function buildObjectMetadata(strategy: MetadataStrategy, materials: EncryptionMaterials, nonce: Uint8Array,
  keyCommitment: Uint8Array | undefined, plaintextLength: number | undefined): StoredMetadata {
  if (materials.suite.format === 'V3') {
    const { content, key } = buildV3Metadata({
      encryptedDataKey: materials.encryptedDataKey,
      wrapAlgorithm: materials.wrapAlgorithm,
      messageId: nonce,
      keyCommitment: keyCommitment!,
      encryptionContext: materials.storedContext,
    });
    return strategy === MetadataStrategy.INSTRUCTION_FILE
      ? { objectMetadata: content, instructionFile: key }
      : { objectMetadata: { ...content, ...key } };
  }
  const v2 = buildV2Metadata({
    encryptedDataKey: materials.encryptedDataKey,
    iv: nonce,
    encryptionContext: materials.storedContext,
    plaintextLength,
    wrapAlgorithm: materials.wrapAlgorithm,
  });
  return strategy === MetadataStrategy.INSTRUCTION_FILE ? { objectMetadata: {}, instructionFile: v2 } : { objectMetadata: v2 };
}

/**
 * The metadata map to parse for an object: its own metadata when that identifies a format; otherwise its
 * instruction file (merged with the V3 keys that stay on the object). Throws `NOT_ENCRYPTED` when there is
 * neither, and `METADATA_INVALID` when the instruction file is malformed or carries a key that must stay on the object.
 */
export async function locateMetadata(s3: S3Client, s3Input: GetObjectCommandInput, objectMetadata: Record<string, string>,
  abortSignal?: AbortSignal): Promise<Record<string, string>> {
  const m = lowerCaseKeys(objectMetadata);
  if (isCompleteObjectMetadata(m)) return m;
  const instruction = await readInstructionFile(s3, s3Input, abortSignal);
  if (instruction === undefined) {
    if (hasEncryptionMetadata(m)) return m; // incomplete: the parser names what is missing
    throw new S3EncryptionClientError('NOT_ENCRYPTED',
      'the object has no S3 Encryption Client metadata and no readable instruction file: it was not written by an S3 Encryption Client');
  }
  const fromInstruction = lowerCaseKeys(instruction);
  const misplaced = V3_OBJECT_ONLY_KEYS.filter((k) => k in fromInstruction);
  if (misplaced.length > 0) {
    throw new S3EncryptionClientError('METADATA_INVALID',
      `the instruction file carries ${misplaced.join(', ')}, which the V3 format keeps in the object metadata only`);
  }
  const merged: Record<string, string> = { ...fromInstruction };
  for (const key of V3_OBJECT_ONLY_KEYS) {
    if (key in m) merged[key] = m[key];
  }
  return merged;
}

async function readInstructionFile(s3: S3Client, s3Input: GetObjectCommandInput,
  abortSignal?: AbortSignal): Promise<Record<string, string> | undefined> {
  const { GetObjectCommand } = s3Commands();
  let response: GetObjectCommandOutput;
  try {
    response = await s3.send(new GetObjectCommand({
      Bucket: s3Input.Bucket,
      Key: `${s3Input.Key}${INSTRUCTION_FILE_SUFFIX}`,
      ExpectedBucketOwner: s3Input.ExpectedBucketOwner,
      RequestPayer: s3Input.RequestPayer,
    }), { abortSignal: abortSignal as never });
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    if (err.name === 'NoSuchKey' || err.name === 'NotFound' || status === 404 || status === 403) return undefined;
    throw e;
  }
  const text = await readSmall(responseBodyToReadable(response.Body), INSTRUCTION_FILE_LIMIT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new S3EncryptionClientError('METADATA_INVALID', 'the instruction file is not valid JSON', { cause: e });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)
    || Object.values(parsed as Record<string, unknown>).some((v) => typeof v !== 'string')) {
    throw new S3EncryptionClientError('METADATA_INVALID', 'the instruction file must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
}

async function readSmall(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > limit) {
      stream.on('error', () => undefined);
      stream.destroy();
      throw new S3EncryptionClientError('METADATA_INVALID', `the instruction file is larger than ${limit} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
