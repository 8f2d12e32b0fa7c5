/**
 * The write path: validate a put, get materials for the suite the commitment policy writes, build the metadata
 * (object metadata or instruction file) and the ciphertext body.
 */
import { Readable, pipeline as pipelineCallback } from 'node:stream';
import { chunkedView, normalizePlaintextBody, type NormalizedBody } from './body';
import { S3EncryptionClientError } from './errors';
import type { EncryptedPutObjectCommandInput, EncryptedPutObjectInput } from './io';
import type { DefaultMaterialsManager } from './materials';
import { GCM_MAX_PLAINTEXT_LENGTH, S3_USER_METADATA_LIMIT, userMetadataSize, validateUserEncryptionContext } from './metadata';
import { buildObjectMetadata, type MetadataStrategy } from './strategy';
import { bodyFailed, discard, throwIfAborted } from './streams';
import { contentEncryptor, deriveCommitment } from './suites';

/** In-memory bodies up to this size are encrypted in one call and sent as a Buffer (which the SDK can retry). */
export const ONE_SHOT_ENCRYPTION_LIMIT = 16 * 1024 * 1024;
/** Chunk size used to stream a large in-memory body through the cipher. */
export const STREAM_CHUNK_SIZE = 64 * 1024;

/** What the write path needs from the client. */
export interface EncryptEnv {
  readonly materials: DefaultMaterialsManager;
  readonly strategy: MetadataStrategy;
  readonly random: (size: number) => Uint8Array;
}

/** A put ready to send. */
export interface PreparedPut {
  readonly input: EncryptedPutObjectCommandInput;
  /** Instruction file to write after the object (instruction-file strategy). */
  readonly instruction?: Record<string, string>;
  /** The caller's body stream (for its errors), when it is a stream. */
  readonly source?: Readable;
}

export async function prepareEncryptedPut(env: EncryptEnv, input: EncryptedPutObjectInput, requireLength: boolean,
  signal: AbortSignal | undefined, callerSignal: AbortSignal | undefined): Promise<PreparedPut> {
  if (!input || typeof input !== 'object') {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', 'putObject needs an input object');
  }
  throwIfAborted(callerSignal);
  const { Body: plaintextBody, EncryptionContext: userContext, ContentLength: declaredLength, Metadata: userMetadata, ...rest } = input;
  // Listen to a caller's stream at once: it may fail (a missing file) while KMS is still being asked for a key.
  let sourceError: unknown;
  const source = plaintextBody instanceof Readable ? plaintextBody : undefined;
  const onSourceError = (e: unknown) => { if (sourceError === undefined) sourceError = e; };
  source?.on('error', onSourceError);
  try {
    for (const key of Object.keys(rest)) {
      if ((key === 'ContentMD5' || (key.startsWith('Checksum') && key !== 'ChecksumAlgorithm')) && (rest as Record<string, unknown>)[key] !== undefined) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT',
          `${key} would describe the plaintext, but S3 checks it against the ciphertext; use ChecksumAlgorithm to have the SDK checksum the ciphertext`);
      }
    }
    for (const key of Object.keys(userMetadata ?? {})) {
      if (key.toLowerCase().startsWith('x-amz-')) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT', `Metadata key ${key}: the x-amz- prefix is reserved for S3 Encryption Client metadata`);
      }
    }
    const context = validateUserEncryptionContext(userContext, 'putObject');
    const body = normalizePlaintextBody(plaintextBody);
    const plaintextLength = plaintextLengthOf(body, declaredLength);
    if (requireLength && plaintextLength === undefined) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        'ContentLength (the plaintext length in bytes) is required for a stream Body: PutObject needs the length up front, and the ciphertext is '
        + 'ContentLength + 16 bytes. For a stream of unknown length, pass encryptPutObjectInput() to @aws-sdk/lib-storage Upload (multipart)');
    }
    if (plaintextLength !== undefined && plaintextLength > GCM_MAX_PLAINTEXT_LENGTH) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `AES-GCM encrypts at most ${GCM_MAX_PLAINTEXT_LENGTH} bytes under one data key and IV`);
    }

    // Materials: a fresh data key from the keyring, bound to the suite the commitment policy writes.
    const materials = await env.materials.getEncryptionMaterials(context, signal);
    const { dataKey, suite } = materials;
    try {
      if (sourceError !== undefined) throw bodyFailed(sourceError);
      throwIfAborted(callerSignal);
      const nonce = Buffer.from(env.random(suite.nonceLength));
      if (nonce.length !== suite.nonceLength || nonce.every((b) => b === 0)) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT',
          `the random source returned ${nonce.length === suite.nonceLength ? 'an all-zero' : 'a wrong-length'} ${suite.committing ? 'message id' : 'IV'}`);
      }
      const keyCommitment = suite.committing ? deriveCommitment(suite, dataKey, nonce) : undefined;
      const stored = buildObjectMetadata(env.strategy, materials, nonce, keyCommitment, plaintextLength);
      const metadata = { ...(userMetadata ?? {}), ...stored.objectMetadata };
      const metadataSize = userMetadataSize(metadata);
      if (metadataSize > S3_USER_METADATA_LIMIT) {
        throw new S3EncryptionClientError('INVALID_ARGUMENT',
          `the object metadata would be ${metadataSize} bytes, over S3's ${S3_USER_METADATA_LIMIT}-byte limit for user-defined metadata; `
          + 'use a shorter encryption context, fewer Metadata entries, or metadataStrategy INSTRUCTION_FILE');
      }

      const encryptor = contentEncryptor(suite, dataKey, nonce);
      let ciphertext: Buffer | Readable;
      if (body.kind === 'bytes' && body.bytes.length <= ONE_SHOT_ENCRYPTION_LIMIT) {
        ciphertext = encryptor.encrypt(body.bytes);
      } else {
        const stream = body.kind === 'bytes' ? chunkedView(body.bytes, STREAM_CHUNK_SIZE) : body.stream;
        const encrypt = encryptor.encryptStream(plaintextLength);
        pipelineCallback(stream, encrypt, () => { /* errors surface on the encrypting stream */ });
        ciphertext = encrypt;
      }
      return {
        input: {
          ...rest,
          Body: ciphertext,
          ContentLength: plaintextLength === undefined ? undefined : plaintextLength + suite.tagLength,
          Metadata: metadata,
        },
        instruction: stored.instructionFile,
        source,
      };
    } finally {
      dataKey.fill(0); // the cipher holds its own (derived) key
    }
  } catch (e) {
    if (source) discard(source);
    throw e;
  } finally {
    source?.off('error', onSourceError);
    if (source) source.on('error', () => { /* reported through the encrypting stream or sourceError */ });
  }
}

function plaintextLengthOf(body: NormalizedBody, declared: number | undefined): number | undefined {
  if (declared !== undefined && (!Number.isSafeInteger(declared) || declared < 0)) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', 'ContentLength must be a non-negative integer');
  }
  const known = body.kind === 'bytes' ? body.bytes.length : body.length;
  if (known !== undefined && declared !== undefined && known !== declared) {
    throw new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH', `ContentLength is ${declared} but the body is ${known} bytes`);
  }
  return known ?? declared;
}
