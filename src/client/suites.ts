/**
 * Algorithm suites and their content ciphers (awslabs/aws-encryption-sdk-specification, `s3-encryption/`
 * `key-derivation.md`, `key-commitment.md`, `data-format/content-metadata.md`).
 *
 * - `ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY` (suite 115, format V3): HKDF-SHA512 over the data key with a
 *   28-byte random message id as salt gives a content key (info = suite id || "DERIVEKEY") and a 28-byte key
 *   commitment (info = suite id || "COMMITKEY"); AES-256-GCM with an IV of twelve 0x01 bytes and the suite id
 *   as AAD.
 * - `ALG_AES_256_GCM_IV12_TAG16_NO_KDF` (suite 114, format V2): AES-256-GCM under the data key, random 12-byte IV.
 * - `ALG_AES_256_CBC_IV16_NO_KDF` (suite 112, legacy, read only).
 */
import { hkdfSync, timingSafeEqual } from 'node:crypto';
import { CbcDecryptStream, GcmDecryptStream, GcmEncryptStream, encryptGcm } from './crypto';
import { S3EncryptionClientError } from './errors';

/** What distinguishes the suites the client knows. */
export interface AlgorithmSuite {
  /** The suite id of the specification. */
  readonly id: number;
  /** AWS's name of the suite. */
  readonly name: string;
  /** Value of `x-amz-cek-alg` (V2) / `x-amz-c` (V3) and of `aws:x-amz-cek-alg` in a KMS encryption context. */
  readonly contentAlgorithm: string;
  /** Message format this suite is written in. */
  readonly format: 'V2' | 'V3';
  /** Key-committing (HKDF + commitment)? */
  readonly committing: boolean;
  /** Unauthenticated legacy suite (decrypt only, behind an opt-in)? */
  readonly legacy: boolean;
  /** Length of the per-object random value stored with the object: the IV (V2) or the message id (V3). */
  readonly nonceLength: number;
  /** Length of the key commitment (0 when not committing). */
  readonly commitmentLength: number;
  /** Length of the authentication tag appended to the ciphertext (0 when none). */
  readonly tagLength: number;
}

export const ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY: AlgorithmSuite = {
  id: 0x0073,
  name: 'ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY',
  contentAlgorithm: '115',
  format: 'V3',
  committing: true,
  legacy: false,
  nonceLength: 28,
  commitmentLength: 28,
  tagLength: 16,
};

export const ALG_AES_256_GCM_IV12_TAG16_NO_KDF: AlgorithmSuite = {
  id: 0x0072,
  name: 'ALG_AES_256_GCM_IV12_TAG16_NO_KDF',
  contentAlgorithm: 'AES/GCM/NoPadding',
  format: 'V2',
  committing: false,
  legacy: false,
  nonceLength: 12,
  commitmentLength: 0,
  tagLength: 16,
};

export const ALG_AES_256_CBC_IV16_NO_KDF: AlgorithmSuite = {
  id: 0x0070,
  name: 'ALG_AES_256_CBC_IV16_NO_KDF',
  contentAlgorithm: 'AES/CBC/PKCS5Padding',
  format: 'V2',
  committing: false,
  legacy: true,
  nonceLength: 16,
  commitmentLength: 0,
  tagLength: 0,
};

export const ALGORITHM_SUITES: readonly AlgorithmSuite[] = [
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, ALG_AES_256_GCM_IV12_TAG16_NO_KDF, ALG_AES_256_CBC_IV16_NO_KDF,
];

/** The suite whose content-algorithm string is `value`, if any. */
export function suiteByContentAlgorithm(value: string): AlgorithmSuite | undefined {
  return ALGORITHM_SUITES.find((s) => s.contentAlgorithm === value);
}

const DATA_KEY_BYTES = 32;
/** The IV of every suite-115 object: the key is fresh per object, so a constant IV is safe. */
export const COMMITTING_IV = Buffer.alloc(12, 0x01);

function suiteIdBytes(suite: AlgorithmSuite): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(suite.id);
  return out;
}

function hkdf(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array, label: string, length: number): Buffer {
  if (dataKey.length !== DATA_KEY_BYTES) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `the data key must be ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  }
  if (messageId.length !== suite.nonceLength) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `the message id must be ${suite.nonceLength} bytes, got ${messageId.length}`);
  }
  const info = Buffer.concat([suiteIdBytes(suite), Buffer.from(label, 'utf8')]);
  return Buffer.from(hkdfSync('sha512', dataKey, messageId, info, length));
}

/** The key commitment of a committing suite: HKDF-SHA512(data key, salt = message id, info = id || "COMMITKEY"). */
export function deriveCommitment(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array): Buffer {
  return hkdf(suite, dataKey, messageId, 'COMMITKEY', suite.commitmentLength);
}

/** The content key of a committing suite: HKDF-SHA512(data key, salt = message id, info = id || "DERIVEKEY"). */
export function deriveEncryptionKey(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array): Buffer {
  return hkdf(suite, dataKey, messageId, 'DERIVEKEY', DATA_KEY_BYTES);
}

/**
 * Check a stored key commitment against the data key and message id, in constant time, before the content key
 * is derived. Throws `KEY_COMMITMENT_MISMATCH`.
 */
export function verifyCommitment(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array, stored: Uint8Array): void {
  const derived = deriveCommitment(suite, dataKey, messageId);
  // Lengths are checked at parse time; timingSafeEqual needs equal lengths, so compare against a same-size view.
  const ok = stored.length === derived.length && timingSafeEqual(derived, stored);
  derived.fill(0);
  if (!ok) {
    throw new S3EncryptionClientError('KEY_COMMITMENT_MISMATCH',
      'the key commitment (x-amz-d) does not match the data key and message id (x-amz-i): the object, its wrapped data key or its '
      + 'metadata was altered, or the data key is not the one it was written with. No content was decrypted');
  }
}

/** A content cipher ready for one object: the per-object values are bound in. */
export interface ContentEncryptor {
  /** Ciphertext and tag of an in-memory plaintext. */
  encrypt(plaintext: Uint8Array): Buffer;
  /** A stream that encrypts, checks the plaintext length against `expectedLength`, and appends the tag. */
  encryptStream(expectedLength: number | undefined): GcmEncryptStream;
}

/** Decrypts one object as a stream (see `GcmDecryptStream` for when plaintext is authentic). */
export type ContentDecryptStream = GcmDecryptStream | CbcDecryptStream;

/**
 * The content encryptor of `suite` for one object. For suite 115, `nonce` is the message id and the content key is
 * derived from `dataKey`; for suite 114, `nonce` is the IV and `dataKey` is the content key. The caller zeroes
 * `dataKey` afterwards: the cipher keeps its own copy.
 */
export function contentEncryptor(suite: AlgorithmSuite, dataKey: Uint8Array, nonce: Uint8Array): ContentEncryptor {
  if (suite.legacy) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `${suite.name} is a legacy suite and is never used to encrypt`);
  }
  const { key, iv, aad } = contentParameters(suite, dataKey, nonce);
  return {
    encrypt: (plaintext) => {
      try {
        return encryptGcm(key, iv, plaintext, aad);
      } finally {
        key.fill(0);
      }
    },
    encryptStream: (expectedLength) => {
      try {
        return new GcmEncryptStream(key, iv, expectedLength, aad);
      } finally {
        key.fill(0);
      }
    },
  };
}

/**
 * The content decrypting stream of `suite` for one object. For a committing suite the stored commitment is
 * verified (constant time) before the content key is derived.
 */
export function contentDecryptStream(suite: AlgorithmSuite, dataKey: Uint8Array, nonce: Uint8Array,
  commitment: Uint8Array | undefined, expectedPlaintextLength: number | undefined): ContentDecryptStream {
  if (suite.committing) {
    if (!commitment) {
      throw new S3EncryptionClientError('METADATA_INVALID', `${suite.name} needs a key commitment (x-amz-d)`);
    }
    verifyCommitment(suite, dataKey, nonce, commitment);
  }
  const { key, iv, aad } = contentParameters(suite, dataKey, nonce);
  try {
    return suite.tagLength > 0
      ? new GcmDecryptStream(key, iv, expectedPlaintextLength, aad)
      : new CbcDecryptStream(key, iv, expectedPlaintextLength);
  } finally {
    key.fill(0);
  }
}

function contentParameters(suite: AlgorithmSuite, dataKey: Uint8Array, nonce: Uint8Array): { key: Buffer; iv: Buffer; aad?: Buffer } {
  if (suite.committing) {
    return { key: deriveEncryptionKey(suite, dataKey, nonce), iv: COMMITTING_IV, aad: suiteIdBytes(suite) };
  }
  return { key: Buffer.from(dataKey), iv: Buffer.from(nonce) };
}

