/**
 * The read path up to the first ciphertext byte: fetch the object, locate and parse its metadata, check the suite
 * against the commitment policy and the keyring, compare the encryption context, unwrap the data key and (V3)
 * verify the key commitment; returns the body and the decrypting stream to pipe it through.
 */
import type { Readable } from 'node:stream';
import type { GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { responseBodyToReadable } from './body';
import { S3EncryptionClientError } from './errors';
import type { DecryptedObjectInfo, DecryptGetObjectInput } from './io';
import type { DefaultMaterialsManager } from './materials';
import { claimedFormat, contextsEqual, parseContentMetadata, userPartOfContext, validateUserEncryptionContext, type ContentMetadata } from './metadata';
import { s3Commands } from './sdk';
import { locateMetadata } from './strategy';
import { abortedOr, aborted, discard, throwIfAborted } from './streams';
import {
  ALG_AES_256_CBC_IV16_NO_KDF, ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, ALG_AES_256_GCM_IV12_TAG16_NO_KDF, contentDecryptStream,
  type AlgorithmSuite, type ContentDecryptStream,
} from './suites';

/** What the read path needs from the client. */
export interface DecryptEnv {
  readonly s3: S3Client;
  readonly materials: DefaultMaterialsManager;
  readonly legacyWrapping: boolean;
  readonly legacyContent: boolean;
}

/** An object ready to stream: nothing has been decrypted yet. */
export interface OpenedObject {
  readonly info: DecryptedObjectInfo;
  readonly body: Readable;
  readonly decrypt: ContentDecryptStream;
  /** Stops forwarding the caller's abort signal to the streams. */
  readonly release: () => void;
  /** True when the plaintext length comes from the response's Content-Length (not from metadata alone). */
  readonly lengthFromResponse: boolean;
}

export async function openDecryptedObject(env: DecryptEnv, input: DecryptGetObjectInput, signal: AbortSignal | undefined): Promise<OpenedObject> {
  if (!input || typeof input !== 'object') {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', 'getObject needs an input object');
  }
  const { EncryptionContext: expectedInput, ...s3Input } = input;
  if (s3Input.Range !== undefined || s3Input.PartNumber !== undefined) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT',
      'ranged and part-number reads are not supported: AES-GCM authenticates the whole object, so the client reads it whole');
  }
  const expected = validateUserEncryptionContext(expectedInput, 'getObject');
  throwIfAborted(signal);
  const { GetObjectCommand } = s3Commands();
  let response: GetObjectCommandOutput;
  try {
    response = await env.s3.send(new GetObjectCommand(s3Input), { abortSignal: signal as never });
  } catch (e) {
    throw abortedOr(e, signal);
  }
  const body = responseBodyToReadable(response.Body);
  if (signal?.aborted) {
    discard(body);
    throw aborted(signal);
  }
  // A stalled download ends when the caller aborts: the body stream errors with ABORTED.
  const onAbort = () => body.destroy(aborted(signal));
  signal?.addEventListener('abort', onAbort, { once: true });
  const release = () => signal?.removeEventListener('abort', onAbort);
  try {
    if (response.ContentRange !== undefined) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'S3 returned a partial object (Content-Range) for a whole-object request');
    }
    const rawMetadata = await locateMetadata(env.s3, s3Input, response.Metadata ?? {}, signal);
    env.materials.checkDecryptionFormat(claimedFormat(rawMetadata));
    const meta = parseContentMetadata(rawMetadata, { legacyWrapping: env.legacyWrapping, legacyContent: env.legacyContent });
    const suite = suiteOf(meta);
    // The policy is checked before any key is unwrapped or any content decrypted.
    env.materials.checkDecryptionSuite(suite);
    env.materials.checkWrapAlgorithm(meta.wrapAlgorithm);
    const plaintextLength = checkLengths(meta, suite, response.ContentLength);

    const keyring = env.materials.keyring;
    const stored = keyring.bindsEncryptionContext ? userPartOfContext(meta.encryptionContext) : {};
    if (keyring.bindsEncryptionContext && (meta.wrapAlgorithm !== 'kms' || expectedInput !== undefined) && !contextsEqual(stored, expected)) {
      throw new S3EncryptionClientError('ENCRYPTION_CONTEXT_MISMATCH',
        `the object's encryption context ${JSON.stringify(stored)} is not the expected ${JSON.stringify(expected)}`);
    }
    if (!keyring.bindsEncryptionContext && Object.keys(expected).length > 0) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'EncryptionContext is only checked with the KMS keyring; a raw keyring stores no context');
    }

    const dataKey = await env.materials.decryptDataKey(suite, meta.wrapAlgorithm, meta.encryptedDataKey, meta.encryptionContext, signal);
    let decrypt: ContentDecryptStream;
    try {
      decrypt = meta.format === 'V3'
        ? contentDecryptStream(suite, dataKey, meta.messageId, meta.keyCommitment, plaintextLength)
        : contentDecryptStream(suite, dataKey, meta.iv, undefined, plaintextLength);
    } finally {
      dataKey.fill(0);
    }
    const { Body: _ignored, ...rest } = response;
    const info: DecryptedObjectInfo = {
      ...rest,
      ContentLength: plaintextLength,
      EncryptionContext: stored,
      ContentAlgorithm: meta.contentAlgorithm,
      WrapAlgorithm: meta.wrapAlgorithm,
      Format: meta.format,
    };
    return { info, body, decrypt, release, lengthFromResponse: response.ContentLength !== undefined };
  } catch (e) {
    release();
    discard(body);
    throw abortedOr(e, signal);
  }
}

function suiteOf(meta: ContentMetadata): AlgorithmSuite {
  if (meta.format === 'V3') return ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY;
  return meta.contentAlgorithm === ALG_AES_256_CBC_IV16_NO_KDF.contentAlgorithm ? ALG_AES_256_CBC_IV16_NO_KDF : ALG_AES_256_GCM_IV12_TAG16_NO_KDF;
}

/** Check the stored lengths against each other before any decryption; return the plaintext length if known. */
function checkLengths(meta: ContentMetadata, suite: AlgorithmSuite, contentLength: number | undefined): number | undefined {
  const declared = meta.unencryptedContentLength;
  if (suite.tagLength > 0) {
    if (contentLength === undefined) return declared;
    if (contentLength < suite.tagLength) {
      throw new S3EncryptionClientError('AUTHENTICATION_FAILED',
        `the object is ${contentLength} bytes, shorter than the ${suite.tagLength}-byte AES-GCM tag: it is truncated`);
    }
    const plaintextLength = contentLength - suite.tagLength;
    if (declared !== undefined && declared !== plaintextLength) {
      throw new S3EncryptionClientError('METADATA_INVALID',
        `x-amz-unencrypted-content-length says ${declared} bytes but the ciphertext holds ${plaintextLength}: the object or its metadata was altered`);
    }
    return plaintextLength;
  }
  // Legacy CBC: PKCS#7 always adds 1 to 16 bytes of padding.
  if (contentLength !== undefined) {
    if (contentLength === 0 || contentLength % 16 !== 0) {
      throw new S3EncryptionClientError('AUTHENTICATION_FAILED',
        `an AES-CBC object must be a positive multiple of 16 bytes, this one is ${contentLength}`);
    }
    if (declared !== undefined && (declared >= contentLength || declared < contentLength - 16)) {
      throw new S3EncryptionClientError('METADATA_INVALID',
        `x-amz-unencrypted-content-length says ${declared} bytes, impossible for ${contentLength} bytes of AES-CBC ciphertext`);
    }
  }
  return declared;
}
