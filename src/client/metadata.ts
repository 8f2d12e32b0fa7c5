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

/** V3 format metadata keys, named as the specification recommends. */
export const MetadataKeyV3 = {
  /** The content algorithm suite id (`115`). */
  CONTENT_CIPHER_V3: 'x-amz-c',
  /** base64 of the encrypted data key. */
  ENCRYPTED_DATA_KEY_V3: 'x-amz-3',
  /** JSON material description of a raw (AES or RSA) wrapping key. */
  MAT_DESC_V3: 'x-amz-m',
  /** JSON of the KMS encryption context (including `aws:x-amz-cek-alg`). */
  ENCRYPTION_CONTEXT_V3: 'x-amz-t',
  /** The wrapping algorithm, compressed: `02` AES/GCM, `12` kms+context, `22` RSA-OAEP-SHA1. */
  ENCRYPTED_DATA_KEY_ALGORITHM_V3: 'x-amz-w',
  /** base64 of the 28-byte key commitment. */
  KEY_COMMITMENT_V3: 'x-amz-d',
  /** base64 of the 28-byte message id (the HKDF salt). */
  MESSAGE_ID_V3: 'x-amz-i',
} as const;

/** Keys that only the V3 format uses. */
export const V3_METADATA_KEYS: readonly string[] = Object.values(MetadataKeyV3);
/** V3 keys that always stay in the object metadata, also when the rest goes to an instruction file. */
export const V3_OBJECT_ONLY_KEYS: readonly string[] = [MetadataKeyV3.CONTENT_CIPHER_V3, MetadataKeyV3.KEY_COMMITMENT_V3, MetadataKeyV3.MESSAGE_ID_V3];
/** V1/V2 keys that a V3 map must not carry. */
const V2_ONLY_KEYS: readonly string[] = [MetadataKey.ENCRYPTED_DATA_KEY_V2, MetadataKey.ENCRYPTED_DATA_KEY_V1, MetadataKey.CONTENT_IV,
  MetadataKey.MATERIAL_DESCRIPTION, MetadataKey.WRAP_ALGORITHM, MetadataKey.CONTENT_ALGORITHM, MetadataKey.TAG_LENGTH];

/** Content encryption algorithms (`x-amz-cek-alg`, `x-amz-c`). */
export const ContentAlgorithm = {
  /** Suite 115, ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY (V3 format, key-committing). */
  AES_GCM_HKDF_COMMIT: '115',
  AES_GCM: 'AES/GCM/NoPadding',
  /** Legacy, unauthenticated. */
  AES_CBC: 'AES/CBC/PKCS5Padding',
} as const;

/** Key wrapping algorithms (`x-amz-wrap-alg`). */
export const WrapAlgorithm = {
  KMS_CONTEXT: 'kms+context',
  /** Legacy: KMS without the content algorithm bound into the encryption context. */
  KMS: 'kms',
  /** Raw AES key (AES-GCM key wrapping). */
  AES_GCM: 'AES/GCM',
  /** Raw RSA key pair (RSA-OAEP with SHA-1). */
  RSA_OAEP_SHA1: 'RSA-OAEP-SHA1',
  /** Legacy raw-key wrappings of the V1 clients. */
  AES_WRAP: 'AESWrap',
  RSA_OAEP_SHA256_LEGACY: 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding',
} as const;

/** V3 compression of wrapping algorithms (`x-amz-w`). */
export const V3_WRAP_ALGORITHM_CODES: Readonly<Record<string, string>> = {
  '02': WrapAlgorithm.AES_GCM,
  '12': WrapAlgorithm.KMS_CONTEXT,
  '22': WrapAlgorithm.RSA_OAEP_SHA1,
};

/** The `x-amz-w` code of a wrapping algorithm. */
export function compressWrapAlgorithm(name: string): string {
  const code = Object.keys(V3_WRAP_ALGORITHM_CODES).find((k) => V3_WRAP_ALGORITHM_CODES[k] === name);
  if (code === undefined) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `the wrapping algorithm ${name} cannot be written in the V3 format`);
  }
  return code;
}

const KNOWN_V2_WRAP_ALGORITHMS: readonly string[] = Object.values(WrapAlgorithm);
/** Wrapping algorithms whose stored JSON is a material description (not a KMS encryption context). */
export const RAW_WRAP_ALGORITHMS: readonly string[] = [WrapAlgorithm.AES_GCM, WrapAlgorithm.RSA_OAEP_SHA1, WrapAlgorithm.AES_WRAP,
  WrapAlgorithm.RSA_OAEP_SHA256_LEGACY];

/** The encryption-context key that binds the content algorithm to the wrapped key (`kms+context`). */
export const EC_CONTENT_ALGORITHM_KEY = 'aws:x-amz-cek-alg';
/** The material-description key legacy `kms` wrapping stores the KMS key id under. */
export const EC_KMS_KEY_ID_KEY = 'kms_cmk_id';
/** Encryption-context keys the client owns; callers may not set them. */
export const RESERVED_CONTEXT_KEYS: readonly string[] = [EC_CONTENT_ALGORITHM_KEY, EC_KMS_KEY_ID_KEY];

export const GCM_IV_LENGTH = 12;
/** Length of the V3 message id and key commitment. */
export const MESSAGE_ID_LENGTH = 28;
export const KEY_COMMITMENT_LENGTH = 28;
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
  /** The full encryption context sent to KMS, including `aws:x-amz-cek-alg` (or a raw key's material description). */
  readonly encryptionContext: EncryptionContext;
  /** Plaintext length, when known. */
  readonly plaintextLength?: number;
  /** @default kms+context */
  readonly wrapAlgorithm?: string;
}

/** The V2 object-metadata map for an AES-GCM object (by default one whose data key KMS wrapped with `kms+context`). */
export function buildV2Metadata(input: V2MetadataInput): Record<string, string> {
  const metadata: Record<string, string> = {
    [MetadataKey.ENCRYPTED_DATA_KEY_V2]: Buffer.from(input.encryptedDataKey).toString('base64'),
    [MetadataKey.CONTENT_IV]: Buffer.from(input.iv).toString('base64'),
    [MetadataKey.CONTENT_ALGORITHM]: ContentAlgorithm.AES_GCM,
    [MetadataKey.WRAP_ALGORITHM]: input.wrapAlgorithm ?? WrapAlgorithm.KMS_CONTEXT,
    [MetadataKey.MATERIAL_DESCRIPTION]: serializeEncryptionContext(input.encryptionContext),
    [MetadataKey.TAG_LENGTH]: String(GCM_TAG_LENGTH_BITS),
  };
  if (input.plaintextLength !== undefined) {
    metadata[MetadataKey.UNENCRYPTED_CONTENT_LENGTH] = String(input.plaintextLength);
  }
  return metadata;
}

/** What `buildV3Metadata` needs. */
export interface V3MetadataInput {
  readonly encryptedDataKey: Uint8Array;
  /** Full wrapping algorithm name (`kms+context`, `AES/GCM`, `RSA-OAEP-SHA1`); written compressed. */
  readonly wrapAlgorithm: string;
  readonly messageId: Uint8Array;
  readonly keyCommitment: Uint8Array;
  /** For `kms+context`: the full context sent to KMS (with `aws:x-amz-cek-alg = 115`); for raw keys: the material description. */
  readonly encryptionContext: EncryptionContext;
}

/** The V3 metadata of a suite-115 object: `content` always goes to the object, `key` to the object or an instruction file. */
export function buildV3Metadata(input: V3MetadataInput): { readonly content: Record<string, string>; readonly key: Record<string, string> } {
  const content = {
    [MetadataKeyV3.CONTENT_CIPHER_V3]: ContentAlgorithm.AES_GCM_HKDF_COMMIT,
    [MetadataKeyV3.KEY_COMMITMENT_V3]: Buffer.from(input.keyCommitment).toString('base64'),
    [MetadataKeyV3.MESSAGE_ID_V3]: Buffer.from(input.messageId).toString('base64'),
  };
  const key: Record<string, string> = {
    [MetadataKeyV3.ENCRYPTED_DATA_KEY_V3]: Buffer.from(input.encryptedDataKey).toString('base64'),
    [MetadataKeyV3.ENCRYPTED_DATA_KEY_ALGORITHM_V3]: compressWrapAlgorithm(input.wrapAlgorithm),
  };
  if (input.wrapAlgorithm === WrapAlgorithm.KMS_CONTEXT) {
    key[MetadataKeyV3.ENCRYPTION_CONTEXT_V3] = serializeEncryptionContext(input.encryptionContext);
  } else if (Object.keys(input.encryptionContext).length > 0) {
    key[MetadataKeyV3.MAT_DESC_V3] = serializeEncryptionContext(input.encryptionContext);
  }
  return { content, key };
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
    setData(sorted, key, context[key]);
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

/** A V2 (or V1-shaped) object's parsed and validated metadata. */
export interface V2ContentMetadata {
  readonly format: 'V2';
  readonly contentAlgorithm: typeof ContentAlgorithm.AES_GCM | typeof ContentAlgorithm.AES_CBC;
  /** Full wrapping algorithm name. */
  readonly wrapAlgorithm: string;
  readonly encryptedDataKey: Buffer;
  readonly iv: Buffer;
  /** The stored encryption context / material description: exactly what KMS Decrypt is called with. */
  readonly encryptionContext: EncryptionContext;
  readonly unencryptedContentLength?: number;
}

/** A V3 object's parsed and validated metadata (suite 115). */
export interface V3ContentMetadata {
  readonly format: 'V3';
  readonly contentAlgorithm: typeof ContentAlgorithm.AES_GCM_HKDF_COMMIT;
  /** Full wrapping algorithm name (decompressed from `x-amz-w`). */
  readonly wrapAlgorithm: string;
  readonly encryptedDataKey: Buffer;
  readonly messageId: Buffer;
  readonly keyCommitment: Buffer;
  /** `x-amz-t` (KMS) or `x-amz-m` (raw keys), `{}` when absent. */
  readonly encryptionContext: EncryptionContext;
  readonly unencryptedContentLength?: number;
}

export type ContentMetadata = V2ContentMetadata | V3ContentMetadata;

/** True when the map carries any S3 Encryption Client key of any format version. */
export function hasEncryptionMetadata(metadata: Record<string, string>): boolean {
  const m = lowerCaseKeys(metadata);
  return [MetadataKey.ENCRYPTED_DATA_KEY_V1, ...Object.values(MetadataKey), ...V3_METADATA_KEYS].some((k) => k in m);
}

/**
 * True when the object metadata alone identifies a format (spec "Determining S3EC Object Status"): `x-amz-key` or
 * `x-amz-key-v2` with `x-amz-iv`, or `x-amz-3`, `x-amz-d` and `x-amz-i`. Otherwise the instruction file is read.
 */
export function isCompleteObjectMetadata(metadata: Record<string, string>): boolean {
  const m = lowerCaseKeys(metadata);
  const has = (k: string) => k in m;
  return ((has(MetadataKey.ENCRYPTED_DATA_KEY_V1) || has(MetadataKey.ENCRYPTED_DATA_KEY_V2)) && has(MetadataKey.CONTENT_IV))
    || (has(MetadataKeyV3.ENCRYPTED_DATA_KEY_V3) && has(MetadataKeyV3.KEY_COMMITMENT_V3) && has(MetadataKeyV3.MESSAGE_ID_V3));
}

/**
 * The format a metadata map claims by its data-key keys alone: `x-amz-key` (V1), `x-amz-key-v2` (V2), any V3 key
 * (V3); `undefined` when none or more than one (the parser then names the problem).
 */
export function claimedFormat(metadata: Record<string, string>): 'V1' | 'V2' | 'V3' | undefined {
  const m = lowerCaseKeys(metadata);
  const claims = [
    MetadataKey.ENCRYPTED_DATA_KEY_V1 in m && 'V1' as const,
    MetadataKey.ENCRYPTED_DATA_KEY_V2 in m && 'V2' as const,
    V3_METADATA_KEYS.some((k) => k in m) && 'V3' as const,
  ].filter((f): f is 'V1' | 'V2' | 'V3' => Boolean(f));
  return claims.length === 1 ? claims[0] : undefined;
}

/**
 * Parse and validate object metadata (or an instruction file's map, merged with the object's V3 content keys).
 * Throws `S3EncryptionClientError` with `NOT_ENCRYPTED`, `METADATA_INVALID` (naming the field) or `LEGACY_REFUSED`.
 */
export function parseContentMetadata(raw: Record<string, string> | undefined, policy: LegacyPolicy): ContentMetadata {
  const m = lowerCaseKeys(raw ?? {});
  const hasV1 = MetadataKey.ENCRYPTED_DATA_KEY_V1 in m;
  const v2Exclusive = [MetadataKey.ENCRYPTED_DATA_KEY_V2, MetadataKey.WRAP_ALGORITHM, MetadataKey.CONTENT_ALGORITHM, MetadataKey.TAG_LENGTH]
    .filter((k) => k in m);
  const v3Keys = V3_METADATA_KEYS.filter((k) => k in m);
  const sharedV1V2 = [MetadataKey.CONTENT_IV, MetadataKey.MATERIAL_DESCRIPTION].filter((k) => k in m);
  const hasV2 = MetadataKey.ENCRYPTED_DATA_KEY_V2 in m || (!hasV1 && v2Exclusive.length > 0);
  const formats = [hasV1 && 'V1 (x-amz-key)', hasV2 && `V2 (${v2Exclusive.join(', ')})`, v3Keys.length > 0 && `V3 (${v3Keys.join(', ')})`]
    .filter(Boolean);

  if (formats.length === 0) {
    if (sharedV1V2.length > 0) {
      throw invalid(`the metadata has ${sharedV1V2.join(', ')} but is missing ${MetadataKey.ENCRYPTED_DATA_KEY_V2} (the encrypted data key)`);
    }
    throw new S3EncryptionClientError('NOT_ENCRYPTED', 'the object has no S3 Encryption Client metadata (no x-amz-key-v2, x-amz-key or x-amz-3)');
  }
  if (formats.length > 1) {
    throw invalid(`the metadata mixes format versions ${formats.join(' and ')}; each object uses exactly one`);
  }
  if (v3Keys.length > 0) {
    return parseV3(m, v3Keys);
  }
  if (hasV1) {
    if (!policy.legacyWrapping || !policy.legacyContent) {
      throw new S3EncryptionClientError('LEGACY_REFUSED',
        'the object uses the legacy V1 format (x-amz-key); enable legacy modes (allowLegacy: true) to attempt it');
    }
    throw new S3EncryptionClientError('UNSUPPORTED_FORMAT',
      'the object uses the V1 format (x-amz-key), whose data key is wrapped with a raw AES or RSA key in the V1 way; this client does not read V1 objects');
  }

  const required = [MetadataKey.ENCRYPTED_DATA_KEY_V2, MetadataKey.CONTENT_IV, MetadataKey.MATERIAL_DESCRIPTION,
    MetadataKey.WRAP_ALGORITHM, MetadataKey.CONTENT_ALGORITHM];
  const missing = required.filter((k) => !(k in m));
  if (missing.length > 0) {
    throw invalid(`V2 metadata is missing ${missing.join(', ')}`);
  }

  // Content algorithm.
  const cekAlg = m[MetadataKey.CONTENT_ALGORITHM];
  let contentAlgorithm: V2ContentMetadata['contentAlgorithm'];
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
  const wrapAlgorithm = m[MetadataKey.WRAP_ALGORITHM];
  if (!KNOWN_V2_WRAP_ALGORITHMS.includes(wrapAlgorithm)) {
    throw invalid(`unknown wrapping algorithm ${JSON.stringify(wrapAlgorithm)} in ${MetadataKey.WRAP_ALGORITHM}`);
  }
  if (wrapAlgorithm === WrapAlgorithm.KMS && !policy.legacyWrapping) {
    throw new S3EncryptionClientError('LEGACY_REFUSED',
      `the object's data key uses the legacy wrapping algorithm "${WrapAlgorithm.KMS}" (KMS without the content algorithm in the encryption context), `
      + 'and the client is not configured to decrypt it; set allowLegacy (or enableLegacyWrappingAlgorithms) to read it');
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

  const encryptionContext = parseEncryptionContext(decodeS3MetadataValue(m[MetadataKey.MATERIAL_DESCRIPTION]), MetadataKey.MATERIAL_DESCRIPTION);
  const boundAlg = encryptionContext[EC_CONTENT_ALGORITHM_KEY];
  if (wrapAlgorithm === WrapAlgorithm.KMS_CONTEXT) {
    if (boundAlg === undefined) {
      throw invalid(`the encryption context in ${MetadataKey.MATERIAL_DESCRIPTION} lacks ${EC_CONTENT_ALGORITHM_KEY}, which ${WrapAlgorithm.KMS_CONTEXT} requires`);
    }
    if (boundAlg !== contentAlgorithm) {
      throw invalid(`${MetadataKey.CONTENT_ALGORITHM} says ${contentAlgorithm} but the encryption context binds ${EC_CONTENT_ALGORITHM_KEY} = ${boundAlg}; `
        + 'the metadata was altered');
    }
  } else if (wrapAlgorithm === WrapAlgorithm.KMS && boundAlg !== undefined) {
    // Only kms+context writes this key: a kms+context object relabelled as legacy "kms".
    throw invalid(`${MetadataKey.WRAP_ALGORITHM} says ${WrapAlgorithm.KMS} but the encryption context carries ${EC_CONTENT_ALGORITHM_KEY}; the metadata was altered`);
  }

  const unencryptedContentLength = parseLength(m);
  return { format: 'V2', contentAlgorithm, wrapAlgorithm, encryptedDataKey, iv, encryptionContext, unencryptedContentLength };
}

function parseV3(m: Record<string, string>, v3Keys: string[]): V3ContentMetadata {
  const mixed = V2_ONLY_KEYS.filter((k) => k in m);
  if (mixed.length > 0) {
    throw invalid(`the metadata mixes format versions V3 (${v3Keys.join(', ')}) and V1/V2 (${mixed.join(', ')}); each object uses exactly one`);
  }
  const required = [MetadataKeyV3.CONTENT_CIPHER_V3, MetadataKeyV3.ENCRYPTED_DATA_KEY_V3, MetadataKeyV3.ENCRYPTED_DATA_KEY_ALGORITHM_V3,
    MetadataKeyV3.KEY_COMMITMENT_V3, MetadataKeyV3.MESSAGE_ID_V3];
  const missing = required.filter((k) => !(k in m));
  if (missing.length > 0) {
    throw invalid(`V3 metadata is missing ${missing.join(', ')}`);
  }
  const suite = m[MetadataKeyV3.CONTENT_CIPHER_V3];
  if (suite !== ContentAlgorithm.AES_GCM_HKDF_COMMIT) {
    throw invalid(`${MetadataKeyV3.CONTENT_CIPHER_V3} must be "${ContentAlgorithm.AES_GCM_HKDF_COMMIT}" `
      + `(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, the only suite of the V3 format), found ${JSON.stringify(suite)}`);
  }
  const code = m[MetadataKeyV3.ENCRYPTED_DATA_KEY_ALGORITHM_V3];
  const wrapAlgorithm = V3_WRAP_ALGORITHM_CODES[code];
  if (wrapAlgorithm === undefined || !Object.prototype.hasOwnProperty.call(V3_WRAP_ALGORITHM_CODES, code)) {
    throw invalid(`unknown wrapping algorithm ${JSON.stringify(code)} in ${MetadataKeyV3.ENCRYPTED_DATA_KEY_ALGORITHM_V3} (expected 02, 12 or 22)`);
  }
  const encryptedDataKey = strictBase64(m[MetadataKeyV3.ENCRYPTED_DATA_KEY_V3], MetadataKeyV3.ENCRYPTED_DATA_KEY_V3);
  if (encryptedDataKey.length === 0) {
    throw invalid(`${MetadataKeyV3.ENCRYPTED_DATA_KEY_V3} is empty`);
  }
  const keyCommitment = strictBase64(m[MetadataKeyV3.KEY_COMMITMENT_V3], MetadataKeyV3.KEY_COMMITMENT_V3);
  if (keyCommitment.length !== KEY_COMMITMENT_LENGTH) {
    throw invalid(`${MetadataKeyV3.KEY_COMMITMENT_V3} must be ${KEY_COMMITMENT_LENGTH} bytes, found ${keyCommitment.length}`);
  }
  const messageId = strictBase64(m[MetadataKeyV3.MESSAGE_ID_V3], MetadataKeyV3.MESSAGE_ID_V3);
  if (messageId.length !== MESSAGE_ID_LENGTH) {
    throw invalid(`${MetadataKeyV3.MESSAGE_ID_V3} must be ${MESSAGE_ID_LENGTH} bytes, found ${messageId.length}`);
  }

  const isKms = wrapAlgorithm === WrapAlgorithm.KMS_CONTEXT;
  const contextKey = isKms ? MetadataKeyV3.ENCRYPTION_CONTEXT_V3 : MetadataKeyV3.MAT_DESC_V3;
  const otherKey = isKms ? MetadataKeyV3.MAT_DESC_V3 : MetadataKeyV3.ENCRYPTION_CONTEXT_V3;
  if (otherKey in m) {
    throw invalid(`${otherKey} must be absent for wrapping algorithm ${wrapAlgorithm} (it uses ${contextKey})`);
  }
  const encryptionContext = contextKey in m ? parseEncryptionContext(decodeS3MetadataValue(m[contextKey]), contextKey) : {};
  if (isKms) {
    const boundAlg = encryptionContext[EC_CONTENT_ALGORITHM_KEY];
    if (boundAlg === undefined) {
      throw invalid(`the encryption context in ${contextKey} lacks ${EC_CONTENT_ALGORITHM_KEY}, which ${WrapAlgorithm.KMS_CONTEXT} requires`);
    }
    if (boundAlg !== suite) {
      throw invalid(`${MetadataKeyV3.CONTENT_CIPHER_V3} says ${suite} but the encryption context binds ${EC_CONTENT_ALGORITHM_KEY} = ${boundAlg}; `
        + 'the metadata was altered');
    }
  }
  return {
    format: 'V3',
    contentAlgorithm: ContentAlgorithm.AES_GCM_HKDF_COMMIT,
    wrapAlgorithm,
    encryptedDataKey,
    messageId,
    keyCommitment,
    encryptionContext,
    unencryptedContentLength: parseLength(m),
  };
}

function parseLength(m: Record<string, string>): number | undefined {
  const lengthValue = m[MetadataKey.UNENCRYPTED_CONTENT_LENGTH];
  if (lengthValue === undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(lengthValue) || !Number.isSafeInteger(Number(lengthValue))) {
    throw invalid(`${MetadataKey.UNENCRYPTED_CONTENT_LENGTH} is not a byte count: ${JSON.stringify(lengthValue)}`);
  }
  return Number(lengthValue);
}

/** Parse the `x-amz-matdesc` JSON: an object whose values are all strings. */
export function parseEncryptionContext(json: string, field: string = MetadataKey.MATERIAL_DESCRIPTION): EncryptionContext {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw invalid(`${field} is not valid JSON`, e);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalid(`${field} must be a JSON object`);
  }
  const out: EncryptionContext = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw invalid(`${field} value for ${JSON.stringify(key)} is not a string`);
    }
    setData(out, key, value);
  }
  return out;
}

/** Set an own data property, also for keys such as `__proto__` that plain assignment would turn into a prototype change. */
function setData(target: EncryptionContext, key: string, value: string): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
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
    if (key === '__proto__') {
      // Plain-object code paths (ours, the AWS SDK's request serializers) would drop it silently, so the key would
      // not be bound to the data key as the caller believes.
      throw new S3EncryptionClientError('INVALID_ARGUMENT',
        `${where}: the encryption context key "__proto__" is not supported (JavaScript objects treat it as the prototype, not as data); rename it`);
    }
    out[key] = value;
  }
  return out;
}

/** The stored context without the client's reserved keys. */
export function userPartOfContext(context: EncryptionContext): EncryptionContext {
  const out: EncryptionContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (!RESERVED_CONTEXT_KEYS.includes(key)) setData(out, key, value);
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
    if (typeof value === 'string') Object.defineProperty(out, key.toLowerCase(), { value, enumerable: true, writable: true, configurable: true });
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
