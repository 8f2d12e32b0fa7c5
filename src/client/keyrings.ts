/**
 * Keyrings: where data keys come from and how they are wrapped (awslabs/aws-encryption-sdk-specification,
 * `s3-encryption/materials/`). `KmsKeyring` uses AWS KMS (`kms+context`); `RawAesKeyring` (`AES/GCM`) and
 * `RawRsaKeyring` (`RSA-OAEP-SHA1`) are for users who hold their own wrapping keys, as in AWS's clients.
 */
import { constants, createCipheriv, createDecipheriv, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { KMSClient } from '@aws-sdk/client-kms';
import { S3EncryptionClientError } from './errors';
import { DATA_KEY_LENGTH, EC_CONTENT_ALGORITHM_KEY, EC_KMS_KEY_ID_KEY, WrapAlgorithm, type EncryptionContext } from './metadata';
import { kmsCommands } from './sdk';
import type { AlgorithmSuite } from './suites';

/** Input of `Keyring.onEncrypt`. */
export interface KeyringEncryptRequest {
  readonly suite: AlgorithmSuite;
  /** The caller's encryption context (reserved keys already refused). */
  readonly encryptionContext: EncryptionContext;
  readonly abortSignal?: AbortSignal;
}

/** A fresh data key and how it is stored with the object. */
export interface WrappedDataKey {
  /** The plaintext data key (32 bytes). The caller zeroes it after use. */
  readonly dataKey: Buffer;
  readonly encryptedDataKey: Buffer;
  /** Full wrapping algorithm name. */
  readonly wrapAlgorithm: string;
  /** Stored with the object: the KMS encryption context, or a raw key's material description. */
  readonly storedContext: EncryptionContext;
}

/** Input of `Keyring.onDecrypt`. */
export interface KeyringDecryptRequest {
  readonly suite: AlgorithmSuite;
  readonly wrapAlgorithm: string;
  readonly encryptedDataKey: Buffer;
  /** The stored encryption context or material description. */
  readonly storedContext: EncryptionContext;
  readonly abortSignal?: AbortSignal;
}

/** Produces and unwraps data keys. */
export interface Keyring {
  /** Wrapping algorithms `onDecrypt` accepts. */
  readonly wrapAlgorithms: readonly string[];
  /** True when the caller's encryption context is bound to the data key (and compared on read). */
  readonly bindsEncryptionContext: boolean;
  onEncrypt(request: KeyringEncryptRequest): Promise<WrappedDataKey>;
  /** The plaintext data key (32 bytes). Throws `KEY_UNWRAP_FAILED` when the key cannot be unwrapped. */
  onDecrypt(request: KeyringDecryptRequest): Promise<Buffer>;
}

/** Options of `KmsKeyring`. */
export interface KmsKeyringOptions {
  /** Your `KMSClient` from `@aws-sdk/client-kms`. */
  readonly kmsClient: KMSClient;
  /** Key id, key ARN, alias name or alias ARN; every Decrypt names it. */
  readonly kmsKeyId: string;
  /** Unwrap data keys of legacy `kms` wrapping (no content algorithm in the context). @default false */
  readonly enableLegacyWrappingAlgorithms?: boolean;
}

/** Data keys from AWS KMS `GenerateDataKey`, bound to the encryption context plus `aws:x-amz-cek-alg`. */
export class KmsKeyring implements Keyring {
  public readonly bindsEncryptionContext = true;
  public readonly wrapAlgorithms: readonly string[];
  private readonly kms: KMSClient;
  private readonly kmsKeyId: string;

  constructor(options: KmsKeyringOptions) {
    if (typeof options?.kmsClient?.send !== 'function') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'kmsClient must be a KMSClient from @aws-sdk/client-kms');
    }
    if (typeof options.kmsKeyId !== 'string' || options.kmsKeyId.trim() === '') {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'kmsKeyId must name the KMS key that wraps data keys (key id, key ARN or alias)');
    }
    this.kms = options.kmsClient;
    this.kmsKeyId = options.kmsKeyId;
    this.wrapAlgorithms = options.enableLegacyWrappingAlgorithms
      ? [WrapAlgorithm.KMS_CONTEXT, WrapAlgorithm.KMS] : [WrapAlgorithm.KMS_CONTEXT];
  }

  public async onEncrypt(request: KeyringEncryptRequest): Promise<WrappedDataKey> {
    const storedContext: EncryptionContext = { ...request.encryptionContext, [EC_CONTENT_ALGORITHM_KEY]: request.suite.contentAlgorithm };
    const { GenerateDataKeyCommand } = kmsCommands();
    const generated = await this.kms.send(new GenerateDataKeyCommand({
      KeyId: this.kmsKeyId,
      KeySpec: 'AES_256',
      EncryptionContext: storedContext,
    }), { abortSignal: request.abortSignal as never });
    if (!generated.Plaintext || generated.Plaintext.length !== DATA_KEY_LENGTH
      || !generated.CiphertextBlob || generated.CiphertextBlob.length === 0) {
      generated.Plaintext?.fill(0);
      throw new S3EncryptionClientError('KMS_RESPONSE_INVALID',
        `KMS GenerateDataKey did not return a ${DATA_KEY_LENGTH}-byte plaintext data key and its ciphertext blob`);
    }
    const dataKey = Buffer.from(generated.Plaintext);
    generated.Plaintext.fill(0);
    return { dataKey, encryptedDataKey: Buffer.from(generated.CiphertextBlob), wrapAlgorithm: WrapAlgorithm.KMS_CONTEXT, storedContext };
  }

  public async onDecrypt(request: KeyringDecryptRequest): Promise<Buffer> {
    const { DecryptCommand } = kmsCommands();
    let plaintext: Uint8Array | undefined;
    try {
      const response = await this.kms.send(new DecryptCommand({
        KeyId: this.kmsKeyId,
        CiphertextBlob: request.encryptedDataKey,
        EncryptionContext: request.storedContext,
      }), { abortSignal: request.abortSignal as never });
      plaintext = response.Plaintext;
    } catch (e) {
      if (request.abortSignal?.aborted) throw e;
      const err = e as { name?: string; message?: string };
      const where = request.suite.format === 'V3' ? 'x-amz-3' : 'x-amz-key-v2';
      const contextKey = request.suite.format === 'V3' ? 'x-amz-t' : 'x-amz-matdesc';
      throw new S3EncryptionClientError('KEY_UNWRAP_FAILED',
        `AWS KMS did not decrypt the data key (${err.name ?? 'Error'}: ${err.message ?? String(e)}). The wrapped key (${where}) or the `
        + `encryption context (${contextKey}) was altered, the data key was wrapped under another KMS key than ${this.kmsKeyId}, `
        + 'or the caller may not use kms:Decrypt', { cause: e });
    }
    if (!plaintext || plaintext.length !== DATA_KEY_LENGTH) {
      plaintext?.fill(0);
      throw new S3EncryptionClientError('KEY_UNWRAP_FAILED', `AWS KMS returned a data key of ${plaintext?.length ?? 0} bytes, expected ${DATA_KEY_LENGTH}`);
    }
    const key = Buffer.from(plaintext);
    plaintext.fill(0);
    return key;
  }
}

/** The AAD / tail that binds a raw-wrapped data key to its content algorithm, as AWS's clients write it. */
function contentAlgorithmBytes(suite: AlgorithmSuite): Buffer {
  return Buffer.from(suite.contentAlgorithm, 'utf8');
}

function checkMaterialDescription(description: EncryptionContext | undefined): EncryptionContext {
  const out: EncryptionContext = {};
  for (const [key, value] of Object.entries(description ?? {})) {
    if (typeof value !== 'string' || key === '__proto__' || key === EC_KMS_KEY_ID_KEY) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', `materialDescription: ${JSON.stringify(key)} must map to a string and not be a reserved key`);
    }
    out[key] = value;
  }
  return out;
}

function refuseContext(request: KeyringEncryptRequest): void {
  if (Object.keys(request.encryptionContext).length > 0) {
    // AWS's raw keyrings neither store nor bind a per-request context; refusing beats ignoring it.
    throw new S3EncryptionClientError('INVALID_ARGUMENT',
      'EncryptionContext is only bound to the data key by the KMS keyring; a raw AES or RSA keyring stores its materialDescription instead');
  }
}

function unwrapFailed(algorithm: string, cause?: unknown): S3EncryptionClientError {
  return new S3EncryptionClientError('KEY_UNWRAP_FAILED',
    `the data key (${algorithm}) does not unwrap with this keyring's key: the wrapped key or the content algorithm was altered, or another key wrapped it`,
    cause === undefined ? undefined : { cause });
}

/** Options of `RawAesKeyring`. */
export interface RawAesKeyringOptions {
  /** A 32-byte AES-256 wrapping key. Keep it secret; losing it loses every object. */
  readonly wrappingKey: Uint8Array;
  /** Stored with every object (`x-amz-matdesc` / `x-amz-m`), to tell keys apart. Not secret, not authenticated. @default {} */
  readonly materialDescription?: EncryptionContext;
}

/**
 * Wraps data keys with a raw AES-256 key (`AES/GCM`): a 12-byte random IV, then AES-GCM of the data key with the
 * content algorithm (`115` or `AES/GCM/NoPadding`) as AAD, then the tag.
 */
export class RawAesKeyring implements Keyring {
  public readonly bindsEncryptionContext = false;
  public readonly wrapAlgorithms: readonly string[] = [WrapAlgorithm.AES_GCM];
  private readonly key: Buffer;
  private readonly description: EncryptionContext;

  constructor(options: RawAesKeyringOptions) {
    if (!(options?.wrappingKey instanceof Uint8Array) || options.wrappingKey.length !== 32) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'wrappingKey must be a 32-byte AES-256 key (Uint8Array)');
    }
    this.key = Buffer.from(options.wrappingKey);
    this.description = checkMaterialDescription(options.materialDescription);
  }

  public async onEncrypt(request: KeyringEncryptRequest): Promise<WrappedDataKey> {
    refuseContext(request);
    const dataKey = randomBytes(DATA_KEY_LENGTH);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: 16 });
    cipher.setAAD(contentAlgorithmBytes(request.suite));
    const encryptedDataKey = Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return { dataKey, encryptedDataKey, wrapAlgorithm: WrapAlgorithm.AES_GCM, storedContext: { ...this.description } };
  }

  public async onDecrypt(request: KeyringDecryptRequest): Promise<Buffer> {
    const blob = request.encryptedDataKey;
    if (blob.length !== 12 + DATA_KEY_LENGTH + 16) throw unwrapFailed(WrapAlgorithm.AES_GCM);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, blob.subarray(0, 12), { authTagLength: 16 });
      decipher.setAAD(contentAlgorithmBytes(request.suite));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 16)), decipher.final()]);
    } catch (e) {
      throw unwrapFailed(WrapAlgorithm.AES_GCM, e);
    }
  }
}

/** Options of `RawRsaKeyring`. */
export interface RawRsaKeyringOptions {
  /** RSA public key (to write). PEM string or `KeyObject`. */
  readonly publicKey?: string | KeyObject;
  /** RSA private key (to read). PEM string or `KeyObject`. */
  readonly privateKey?: string | KeyObject;
  /** Stored with every object (`x-amz-matdesc` / `x-amz-m`). @default {} */
  readonly materialDescription?: EncryptionContext;
}

/**
 * Wraps data keys with an RSA key pair (`RSA-OAEP-SHA1`): RSA-OAEP (SHA-1, MGF1-SHA-1) of one length byte, the
 * data key and the content algorithm, as AWS's clients write it.
 */
export class RawRsaKeyring implements Keyring {
  public readonly bindsEncryptionContext = false;
  public readonly wrapAlgorithms: readonly string[] = [WrapAlgorithm.RSA_OAEP_SHA1];
  private readonly publicKey?: string | KeyObject;
  private readonly privateKey?: string | KeyObject;
  private readonly description: EncryptionContext;

  constructor(options: RawRsaKeyringOptions) {
    if (!options || (options.publicKey === undefined && options.privateKey === undefined)) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'RawRsaKeyring needs a publicKey (to write), a privateKey (to read), or both');
    }
    this.publicKey = options.publicKey;
    this.privateKey = options.privateKey;
    this.description = checkMaterialDescription(options.materialDescription);
  }

  public async onEncrypt(request: KeyringEncryptRequest): Promise<WrappedDataKey> {
    refuseContext(request);
    if (this.publicKey === undefined) {
      throw new S3EncryptionClientError('INVALID_ARGUMENT', 'this RawRsaKeyring has no publicKey, so it cannot write');
    }
    const dataKey = randomBytes(DATA_KEY_LENGTH);
    const pseudo = Buffer.concat([Buffer.from([DATA_KEY_LENGTH]), dataKey, contentAlgorithmBytes(request.suite)]);
    const encryptedDataKey = publicEncrypt({ key: this.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, pseudo);
    pseudo.fill(0);
    return { dataKey, encryptedDataKey, wrapAlgorithm: WrapAlgorithm.RSA_OAEP_SHA1, storedContext: { ...this.description } };
  }

  public async onDecrypt(request: KeyringDecryptRequest): Promise<Buffer> {
    if (this.privateKey === undefined) {
      throw new S3EncryptionClientError('KEY_UNWRAP_FAILED', 'this RawRsaKeyring has no privateKey, so it cannot read');
    }
    let pseudo: Buffer;
    try {
      pseudo = privateDecrypt({ key: this.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, request.encryptedDataKey);
    } catch (e) {
      throw unwrapFailed(WrapAlgorithm.RSA_OAEP_SHA1, e);
    }
    const expected = contentAlgorithmBytes(request.suite);
    try {
      const tail = pseudo.subarray(1 + DATA_KEY_LENGTH);
      if (pseudo[0] !== DATA_KEY_LENGTH || tail.length !== expected.length || !timingSafeEqual(tail, expected)) {
        throw unwrapFailed(WrapAlgorithm.RSA_OAEP_SHA1);
      }
      return Buffer.from(pseudo.subarray(1, 1 + DATA_KEY_LENGTH));
    } finally {
      pseudo.fill(0);
    }
  }
}
