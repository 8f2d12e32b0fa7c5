/**
 * S3 Encryption Client content metadata (format V2), as specified in awslabs/aws-encryption-sdk-specification,
 * `s3-encryption/data-format/content-metadata.md` and `metadata-strategy.md`.
 *
 * Everything here is pure: it turns materials into the string map stored as S3 user metadata and back, and
 * refuses anything malformed, inconsistent or legacy before a key or a byte of content is touched.
 */
import { S3EncryptionClientError } from './errors';

/** Metadata keys (stored by S3 as `x-amz-meta-<key>`; the SDK strips the prefix). */
export const MetadataKey = {
  /** V1 format: the encrypted data key (raw AES/RSA wrapping). */
  ENCRYPTED_DATA_KEY_V1: 'x-amz-key',
  /** V2 format: base64 of the encrypted data key (for KMS, the `CiphertextBlob`). */
  ENCRYPTED_DATA_KEY_V2: 'x-amz-key-v2',
  /** base64 of the content IV (12 bytes for AES-GCM, 16 for AES-CBC). */
  CONTENT_IV: 'x-amz-iv',
  /** JSON of the material description, or for KMS the encryption context. */
  MATERIAL_DESCRIPTION: 'x-amz-matdesc',
  /** The key wrapping algorithm. */
  WRAP_ALGORITHM: 'x-amz-wrap-alg',
  /** The content encryption algorithm. */
  CONTENT_ALGORITHM: 'x-amz-cek-alg',
  /** The GCM tag length in bits; present for AES-GCM only. */
  TAG_LENGTH: 'x-amz-tag-len',
  /** The plaintext length in bytes (optional in V2). */
  UNENCRYPTED_CONTENT_LENGTH: 'x-amz-unencrypted-content-length',
} as const;

/** Keys that only the V3 format uses. */
export const V3_METADATA_KEYS: readonly string[] = ['x-amz-c', 'x-amz-3', 'x-amz-m', 'x-amz-t', 'x-amz-w', 'x-amz-d', 'x-amz-i'];

/** Content encryption algorithms (`x-amz-cek-alg`). */
export const ContentAlgorithm = {
  AES_GCM: 'AES/GCM/NoPadding',
  /** Legacy, unauthenticated. */
  AES_CBC: 'AES/CBC/PKCS5Padding',
} as const;

/** Key wrapping algorithms (`x-amz-wrap-alg`). */
export const WrapAlgorithm = {
  KMS_CONTEXT: 'kms+context',
  /** Legacy: KMS without the content algorithm bound into the encryption context. */
  KMS: 'kms',
} as const;

/** Wrapping algorithms of other keyrings (raw AES or RSA keys), which a KMS-only client cannot unwrap. */
const RAW_KEY_WRAP_ALGORITHMS = ['AES/GCM', 'AESWrap', 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding', 'RSA-OAEP-SHA1'];

/** The encryption-context key that binds the content algorithm to the wrapped key (`kms+context`). */
export const EC_CONTENT_ALGORITHM_KEY = 'aws:x-amz-cek-alg';
/** The material-description key legacy `kms` wrapping stores the KMS key id under. */
export const EC_KMS_KEY_ID_KEY = 'kms_cmk_id';
/** Encryption-context keys the client owns; callers may not set them. */
export const RESERVED_CONTEXT_KEYS: readonly string[] = [EC_CONTENT_ALGORITHM_KEY, EC_KMS_KEY_ID_KEY];

export const GCM_IV_LENGTH = 12;
export const GCM_TAG_LENGTH = 16;
export const GCM_TAG_LENGTH_BITS = 128;
export const CBC_IV_LENGTH = 16;
export const DATA_KEY_LENGTH = 32;
/** AES-GCM with a 96-bit IV encrypts at most 2^39 - 256 bits under one key and IV (NIST SP 800-38D). */
export const GCM_MAX_PLAINTEXT_LENGTH = 2 ** 36 - 32;
/** S3 limits user-defined metadata to 2 KB: the UTF-8 bytes of every key and value together. */
export const S3_USER_METADATA_LIMIT = 2048;

export type EncryptionContext = Record<string, string>;

/** What `buildV2Metadata` needs. */
export interface V2MetadataInput {
  readonly encryptedDataKey: Uint8Array;
  readonly iv: Uint8Array;
  /** The full encryption context sent to KMS, including `aws:x-amz-cek-alg`. */
  readonly encryptionContext: EncryptionContext;
  /** Plaintext length, when known. */
  readonly plaintextLength?: number;
}

/** The V2 object-metadata map for an AES-GCM object whose data key KMS wrapped with `kms+context`. */
export function buildV2Metadata(input: V2MetadataInput): Record<string, string> {
  const metadata: Record<string, string> = {
    [MetadataKey.ENCRYPTED_DATA_KEY_V2]: Buffer.from(input.encryptedDataKey).toString('base64'),
    [MetadataKey.CONTENT_IV]: Buffer.from(input.iv).toString('base64'),
    [MetadataKey.CONTENT_ALGORITHM]: ContentAlgorithm.AES_GCM,
    [MetadataKey.WRAP_ALGORITHM]: WrapAlgorithm.KMS_CONTEXT,
    [MetadataKey.MATERIAL_DESCRIPTION]: serializeEncryptionContext(input.encryptionContext),
    [MetadataKey.TAG_LENGTH]: String(GCM_TAG_LENGTH_BITS),
  };
  if (input.plaintextLength !== undefined) {
    metadata[MetadataKey.UNENCRYPTED_CONTENT_LENGTH] = String(input.plaintextLength);
  }
  return metadata;
}

/**
 * JSON of an encryption context, keys sorted, with every non-ASCII character written as a `\uXXXX` escape.
 *
 * Any JSON parser reads the same strings back, and the value stays plain US-ASCII, so S3 stores it as sent
 * (HTTP header values cannot carry raw UTF-8, and S3 would otherwise RFC 2047-encode the value).
 */
export function serializeEncryptionContext(context: EncryptionContext): string {
  const sorted: EncryptionContext = {};
  for (const key of Object.keys(context).sort()) {
    sorted[key] = context[key];
  }
  return JSON.stringify(sorted).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Undo the RFC 2047 encoded-word form (`=?UTF-8?B?...?=` / `=?UTF-8?Q?...?=`) S3 uses for metadata values
 * that were stored with non-US-ASCII characters (the "double encoding" of the metadata-strategy spec).
 * Values that are not entirely encoded words are returned untouched.
 */
export function decodeS3MetadataValue(value: string): string {
  const word = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;
  const trimmed = value.trim();
  if (!/^(=\?[^?]+\?[bBqQ]\?[^?]*\?=\s*)+$/.test(trimmed)) {
    return value;
  }
  let out = '';
  for (const m of trimmed.matchAll(word)) {
    const charset = m[1].toLowerCase();
    if (charset !== 'utf-8' && charset !== 'us-ascii' && charset !== 'iso-8859-1') {
      return value;
    }
    const encoding: BufferEncoding = charset === 'iso-8859-1' ? 'latin1' : 'utf8';
    if (m[2].toLowerCase() === 'b') {
      out += Buffer.from(m[3], 'base64').toString(encoding);
    } else {
      const bytes = m[3].replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_s, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      out += Buffer.from(bytes, 'latin1').toString(encoding);
    }
  }
  return out;
}

/** Settings that decide which legacy modes `parseContentMetadata` accepts. */
export interface LegacyPolicy {
  /** Accept `x-amz-wrap-alg = kms` (KMS without the content algorithm in the context). */
  readonly legacyWrapping: boolean;
  /** Accept `x-amz-cek-alg = AES/CBC/PKCS5Padding` (unauthenticated content). */
  readonly legacyContent: boolean;
}

/** A V2 object's parsed and validated metadata. */
export interface ContentMetadata {
  readonly format: 'V2';
  readonly contentAlgorithm: typeof ContentAlgorithm.AES_GCM | typeof ContentAlgorithm.AES_CBC;
  readonly wrapAlgorithm: typeof WrapAlgorithm.KMS_CONTEXT | typeof WrapAlgorithm.KMS;
  readonly encryptedDataKey: Buffer;
  readonly iv: Buffer;
  /** The stored encryption context / material description: exactly what KMS Decrypt is called with. */
  readonly encryptionContext: EncryptionContext;
  readonly unencryptedContentLength?: number;
}

/** True when the map carries any S3 Encryption Client key of any format version. */
export function hasEncryptionMetadata(metadata: Record<string, string>): boolean {
  const m = lowerCaseKeys(metadata);
  return MetadataKey.ENCRYPTED_DATA_KEY_V1 in m || MetadataKey.ENCRYPTED_DATA_KEY_V2 in m || V3_METADATA_KEYS.some((k) => k in m);
}

/**
 * Parse and validate object metadata (or an instruction file's map). Throws `S3EncryptionClientError` with
 * `NOT_ENCRYPTED`, `METADATA_INVALID`, `LEGACY_REFUSED` or `UNSUPPORTED_FORMAT`.
 */
export function parseContentMetadata(raw: Record<string, string> | undefined, policy: LegacyPolicy): ContentMetadata {
  const m = lowerCaseKeys(raw ?? {});
  const hasV1 = MetadataKey.ENCRYPTED_DATA_KEY_V1 in m;
  const hasV2 = MetadataKey.ENCRYPTED_DATA_KEY_V2 in m;
  const v3Keys = V3_METADATA_KEYS.filter((k) => k in m);
  const formats = [hasV1 && 'V1 (x-amz-key)', hasV2 && 'V2 (x-amz-key-v2)', v3Keys.length > 0 && `V3 (${v3Keys.join(', ')})`].filter(Boolean);

  if (formats.length === 0) {
    throw new S3EncryptionClientError('NOT_ENCRYPTED', 'the object has no S3 Encryption Client metadata (no x-amz-key-v2, x-amz-key or x-amz-3)');
  }
  if (formats.length > 1) {
    throw invalid(`the metadata mixes format versions ${formats.join(' and ')}; each object uses exactly one`);
  }
  if (v3Keys.length > 0) {
    throw new S3EncryptionClientError('UNSUPPORTED_FORMAT',
      'the object uses the V3 (key-committing) format, which this client does not read yet; read it with an S3 Encryption Client that supports V3');
  }
  if (hasV1) {
    if (!policy.legacyWrapping || !policy.legacyContent) {
      throw new S3EncryptionClientError('LEGACY_REFUSED',
        'the object uses the legacy V1 format (x-amz-key); enable legacy modes (allowLegacy: true) to attempt it');
    }
    throw new S3EncryptionClientError('UNSUPPORTED_FORMAT',
      'the object uses the V1 format (x-amz-key), whose data key is wrapped with a raw AES or RSA key; this client unwraps data keys with AWS KMS only');
  }

  const required = [MetadataKey.ENCRYPTED_DATA_KEY_V2, MetadataKey.CONTENT_IV, MetadataKey.MATERIAL_DESCRIPTION,
    MetadataKey.WRAP_ALGORITHM, MetadataKey.CONTENT_ALGORITHM];
  const missing = required.filter((k) => !(k in m));
  if (missing.length > 0) {
    throw invalid(`V2 metadata is missing ${missing.join(', ')}`);
  }

  // Content algorithm.
  const cekAlg = m[MetadataKey.CONTENT_ALGORITHM];
  let contentAlgorithm: ContentMetadata['contentAlgorithm'];
  if (cekAlg === ContentAlgorithm.AES_GCM) {
    contentAlgorithm = ContentAlgorithm.AES_GCM;
  } else if (cekAlg === ContentAlgorithm.AES_CBC) {
    if (!policy.legacyContent) {
      throw new S3EncryptionClientError('LEGACY_REFUSED',
        `the object is encrypted with the legacy unauthenticated content algorithm ${ContentAlgorithm.AES_CBC} (ALG_AES_256_CBC_IV16_NO_KDF), `
        + 'and the client is not configured to decrypt it; set allowLegacy (or enableLegacyUnauthenticatedModes) to read it, then re-encrypt it');
    }
    contentAlgorithm = ContentAlgorithm.AES_CBC;
  } else {
    throw invalid(`unknown content algorithm ${JSON.stringify(cekAlg)} in ${MetadataKey.CONTENT_ALGORITHM}`);
  }

  // Tag length: present (128) for GCM, absent for CBC.
  const tagLen = m[MetadataKey.TAG_LENGTH];
  if (contentAlgorithm === ContentAlgorithm.AES_GCM) {
    if (tagLen !== String(GCM_TAG_LENGTH_BITS)) {
      throw invalid(`${MetadataKey.TAG_LENGTH} must be "${GCM_TAG_LENGTH_BITS}" for ${ContentAlgorithm.AES_GCM}, found ${JSON.stringify(tagLen)}`);
    }
  } else if (tagLen !== undefined) {
    throw invalid(`${MetadataKey.TAG_LENGTH} must be absent for ${ContentAlgorithm.AES_CBC}`);
  }

  // Wrapping algorithm.
  const wrapAlg = m[MetadataKey.WRAP_ALGORITHM];
  let wrapAlgorithm: ContentMetadata['wrapAlgorithm'];
  if (wrapAlg === WrapAlgorithm.KMS_CONTEXT) {
    wrapAlgorithm = WrapAlgorithm.KMS_CONTEXT;
  } else if (wrapAlg === WrapAlgorithm.KMS) {
    if (!policy.legacyWrapping) {
      throw new S3EncryptionClientError('LEGACY_REFUSED',
        `the object's data key uses the legacy wrapping algorithm "${WrapAlgorithm.KMS}" (KMS without the content algorithm in the encryption context), `
        + 'and the client is not configured to decrypt it; set allowLegacy (or enableLegacyWrappingAlgorithms) to read it');
    }
    wrapAlgorithm = WrapAlgorithm.KMS;
  } else if (RAW_KEY_WRAP_ALGORITHMS.includes(wrapAlg)) {
    throw new S3EncryptionClientError('UNSUPPORTED_FORMAT',
      `the object's data key is wrapped with ${wrapAlg}, a raw AES or RSA key; this client unwraps data keys with AWS KMS only`);
  } else {
    throw invalid(`unknown wrapping algorithm ${JSON.stringify(wrapAlg)} in ${MetadataKey.WRAP_ALGORITHM}`);
  }

  const encryptedDataKey = strictBase64(m[MetadataKey.ENCRYPTED_DATA_KEY_V2], MetadataKey.ENCRYPTED_DATA_KEY_V2);
  if (encryptedDataKey.length === 0) {
    throw invalid(`${MetadataKey.ENCRYPTED_DATA_KEY_V2} is empty`);
  }
  const iv = strictBase64(m[MetadataKey.CONTENT_IV], MetadataKey.CONTENT_IV);
  const ivLength = contentAlgorithm === ContentAlgorithm.AES_GCM ? GCM_IV_LENGTH : CBC_IV_LENGTH;
  if (iv.length !== ivLength) {
    throw invalid(`${MetadataKey.CONTENT_IV} must be ${ivLength} bytes for ${contentAlgorithm}, found ${iv.length}`);
  }

  const encryptionContext = parseEncryptionContext(decodeS3MetadataValue(m[MetadataKey.MATERIAL_DESCRIPTION]));
  const boundAlg = encryptionContext[EC_CONTENT_ALGORITHM_KEY];
  if (wrapAlgorithm === WrapAlgorithm.KMS_CONTEXT) {
    if (boundAlg === undefined) {
      throw invalid(`the encryption context in ${MetadataKey.MATERIAL_DESCRIPTION} lacks ${EC_CONTENT_ALGORITHM_KEY}, which ${WrapAlgorithm.KMS_CONTEXT} requires`);
    }
    if (boundAlg !== contentAlgorithm) {
      throw invalid(`${MetadataKey.CONTENT_ALGORITHM} says ${contentAlgorithm} but the encryption context binds ${EC_CONTENT_ALGORITHM_KEY} = ${boundAlg}; `
        + 'the metadata was altered');
    }
  } else if (boundAlg !== undefined) {
    // Only kms+context writes this key: a kms+context object relabelled as legacy "kms".
    throw invalid(`${MetadataKey.WRAP_ALGORITHM} says ${WrapAlgorithm.KMS} but the encryption context carries ${EC_CONTENT_ALGORITHM_KEY}; the metadata was altered`);
  }

  let unencryptedContentLength: number | undefined;
  const lengthValue = m[MetadataKey.UNENCRYPTED_CONTENT_LENGTH];
  if (lengthValue !== undefined) {
    if (!/^(0|[1-9][0-9]*)$/.test(lengthValue) || !Number.isSafeInteger(Number(lengthValue))) {
      throw invalid(`${MetadataKey.UNENCRYPTED_CONTENT_LENGTH} is not a byte count: ${JSON.stringify(lengthValue)}`);
    }
    unencryptedContentLength = Number(lengthValue);
  }

  return { format: 'V2', contentAlgorithm, wrapAlgorithm, encryptedDataKey, iv, encryptionContext, unencryptedContentLength };
}

/** Parse the `x-amz-matdesc` JSON: an object whose values are all strings. */
export function parseEncryptionContext(json: string): EncryptionContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw invalid(`${MetadataKey.MATERIAL_DESCRIPTION} is not valid JSON`, e);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid(`${MetadataKey.MATERIAL_DESCRIPTION} must be a JSON object`);
  }
  const out: EncryptionContext = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw invalid(`${MetadataKey.MATERIAL_DESCRIPTION} value for ${JSON.stringify(key)} is not a string`);
    }
    out[key] = value;
  }
  return out;
}

/** Validate a caller's encryption context: string values, no reserved keys. */
export function validateUserEncryptionContext(context: EncryptionContext | undefined, where: string): EncryptionContext {
  const out: EncryptionContext = {};
  for (const [key, value] of Object.entries(context ?? {})) {
    if (typeof value !== 'string') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `${where}: encryption context value for ${JSON.stringify(key)} must be a string`);
    }
    if (key.length === 0) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `${where}: encryption context keys must not be empty`);
    }
    if (RESERVED_CONTEXT_KEYS.includes(key)) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `${where}: ${key} is a reserved encryption context key of the S3 Encryption Client`);
    }
    out[key] = value;
  }
  return out;
}

/** The stored context without the client's reserved keys. */
export function userPartOfContext(context: EncryptionContext): EncryptionContext {
  const out: EncryptionContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (!RESERVED_CONTEXT_KEYS.includes(key)) out[key] = value;
  }
  return out;
}

/** Same keys, same values. */
export function contextsEqual(a: EncryptionContext, b: EncryptionContext): boolean {
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** Size S3 counts against its user-defined metadata limit. */
export function userMetadataSize(metadata: Record<string, string>): number {
  let size = 0;
  for (const [key, value] of Object.entries(metadata)) {
    size += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  return size;
}

export function lowerCaseKeys(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === 'string') out[key.toLowerCase()] = value;
  }
  return out;
}

function strictBase64(value: string, key: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw invalid(`${key} is not valid base64`);
  }
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) {
    throw invalid(`${key} is not canonical base64`);
  }
  return bytes;
}

function invalid(message: string, cause?: unknown): S3EncryptionClientError {
  return new S3EncryptionClientError('METADATA_INVALID', message, cause === undefined ? undefined : { cause });
}
