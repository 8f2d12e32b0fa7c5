/**
 * Content encryption for the S3 Encryption Client V2 format, on Node's `crypto` (OpenSSL).
 *
 * AES-256-GCM with a 96-bit IV, a 128-bit tag appended to the ciphertext, no AAD
 * (ALG_AES_256_GCM_IV12_TAG16_NO_KDF), and read-only legacy AES-256-CBC with PKCS#7 padding
 * (ALG_AES_256_CBC_IV16_NO_KDF).
 */
import { createCipheriv, createDecipheriv, type Decipher, type DecipherGCM, type CipherGCM } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3EncryptionClientError } from './errors';
import { CBC_IV_LENGTH, DATA_KEY_LENGTH, GCM_IV_LENGTH, GCM_MAX_PLAINTEXT_LENGTH, GCM_TAG_LENGTH } from './metadata';

const EMPTY = Buffer.alloc(0);

function checkKeyAndIv(key: Uint8Array, iv: Uint8Array, ivLength: number): void {
  if (key.length !== DATA_KEY_LENGTH) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `the data key must be ${DATA_KEY_LENGTH} bytes (AES-256), got ${key.length}`);
  }
  if (iv.length !== ivLength) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `the IV must be ${ivLength} bytes, got ${iv.length}`);
  }
}

/** AES-256-GCM encryption in one call: ciphertext with the 16-byte tag appended. */
export function encryptGcm(key: Uint8Array, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Buffer {
  checkKeyAndIv(key, iv, GCM_IV_LENGTH);
  if (plaintext.length > GCM_MAX_PLAINTEXT_LENGTH) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT', `AES-GCM encrypts at most ${GCM_MAX_PLAINTEXT_LENGTH} bytes under one IV`);
  }
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_LENGTH });
  if (aad) cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/**
 * AES-256-GCM encryption as a stream: plaintext in, ciphertext out, the 16-byte tag pushed last.
 *
 * With `expectedLength`, the stream fails (`CONTENT_LENGTH_MISMATCH`) as soon as the input runs over that
 * length, or at its end when it falls short, so an upload never completes with a body other than declared.
 */
export class GcmEncryptStream extends Transform {
  private readonly cipher: CipherGCM;
  private readonly expectedLength?: number;
  private bytesIn = 0;

  constructor(key: Uint8Array, iv: Uint8Array, expectedLength?: number, aad?: Uint8Array) {
    super();
    checkKeyAndIv(key, iv, GCM_IV_LENGTH);
    this.cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_LENGTH });
    if (aad) this.cipher.setAAD(aad);
    this.expectedLength = expectedLength;
  }

  /** Plaintext bytes consumed so far. */
  public get plaintextLength(): number {
    return this.bytesIn;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytesIn += chunk.length;
    if (this.expectedLength !== undefined && this.bytesIn > this.expectedLength) {
      callback(new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH',
        `the body is longer than the declared ContentLength of ${this.expectedLength} bytes`));
      return;
    }
    if (this.bytesIn > GCM_MAX_PLAINTEXT_LENGTH) {
      callback(new S3EncryptionClientError('INVALID_ARGUMENT', `AES-GCM encrypts at most ${GCM_MAX_PLAINTEXT_LENGTH} bytes under one IV`));
      return;
    }
    callback(null, this.cipher.update(chunk));
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectedLength !== undefined && this.bytesIn !== this.expectedLength) {
      callback(new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH',
        `the body ended after ${this.bytesIn} bytes, but ContentLength declared ${this.expectedLength}`));
      return;
    }
    const last = this.cipher.final();
    if (last.length > 0) this.push(last);
    callback(null, this.cipher.getAuthTag());
  }
}

/** Common checks of the decrypting streams. */
abstract class DecryptStream extends Transform {
  private readonly expectedPlaintextLength?: number;
  private bytesOut = 0;

  constructor(expectedPlaintextLength?: number) {
    super();
    this.expectedPlaintextLength = expectedPlaintextLength;
  }

  /** Plaintext bytes released so far (authenticated only once the stream has ended). */
  public get plaintextLength(): number {
    return this.bytesOut;
  }

  protected emitPlaintext(data: Buffer): S3EncryptionClientError | undefined {
    if (data.length === 0) return undefined;
    this.bytesOut += data.length;
    if (this.expectedPlaintextLength !== undefined && this.bytesOut > this.expectedPlaintextLength) {
      return new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH',
        `the object decrypts to more than the ${this.expectedPlaintextLength} bytes recorded in x-amz-unencrypted-content-length`);
    }
    this.push(data);
    return undefined;
  }

  protected checkFinalLength(): S3EncryptionClientError | undefined {
    if (this.expectedPlaintextLength !== undefined && this.bytesOut !== this.expectedPlaintextLength) {
      return new S3EncryptionClientError('CONTENT_LENGTH_MISMATCH',
        `the object decrypted to ${this.bytesOut} bytes, but x-amz-unencrypted-content-length records ${this.expectedPlaintextLength}`);
    }
    return undefined;
  }
}

/**
 * AES-256-GCM decryption as a stream. Input is ciphertext with the tag appended; the last 16 bytes seen are
 * held back as the candidate tag.
 *
 * GCM authenticates only at the end: plaintext chunks are pushed as they are decrypted, and only the stream's
 * `'end'` event means they were authentic. On a bad tag the stream emits `'error'` with
 * `AUTHENTICATION_FAILED` and never `'end'`. Consumers that must not see unauthenticated plaintext withhold
 * it until `'end'` (the client's buffered and file reads do).
 */
export class GcmDecryptStream extends DecryptStream {
  private readonly decipher: DecipherGCM;
  private tail: Buffer = EMPTY;

  constructor(key: Uint8Array, iv: Uint8Array, expectedPlaintextLength?: number, aad?: Uint8Array) {
    super(expectedPlaintextLength);
    checkKeyAndIv(key, iv, GCM_IV_LENGTH);
    this.decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_LENGTH });
    if (aad) this.decipher.setAAD(aad);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let err: S3EncryptionClientError | undefined;
    if (chunk.length >= GCM_TAG_LENGTH) {
      if (this.tail.length > 0) err = this.emitPlaintext(this.decipher.update(this.tail));
      if (!err) err = this.emitPlaintext(this.decipher.update(chunk.subarray(0, chunk.length - GCM_TAG_LENGTH)));
      this.tail = Buffer.from(chunk.subarray(chunk.length - GCM_TAG_LENGTH));
    } else {
      const combined = Buffer.concat([this.tail, chunk]);
      const cut = combined.length - GCM_TAG_LENGTH;
      if (cut > 0) {
        err = this.emitPlaintext(this.decipher.update(combined.subarray(0, cut)));
        this.tail = Buffer.from(combined.subarray(cut));
      } else {
        this.tail = combined;
      }
    }
    callback(err);
  }

  override _flush(callback: TransformCallback): void {
    if (this.tail.length < GCM_TAG_LENGTH) {
      callback(new S3EncryptionClientError('AUTHENTICATION_FAILED',
        `the ciphertext is shorter than the ${GCM_TAG_LENGTH}-byte AES-GCM tag: the object is truncated or not an AES-GCM object`));
      return;
    }
    this.decipher.setAuthTag(this.tail);
    let last: Buffer;
    try {
      last = this.decipher.final();
    } catch (e) {
      callback(new S3EncryptionClientError('AUTHENTICATION_FAILED',
        'AES-GCM authentication failed: the ciphertext, its tag, the IV (x-amz-iv) or message id (x-amz-i), or the data key is not what was written; '
        + 'the plaintext must be discarded', { cause: e }));
      return;
    }
    callback(this.emitPlaintext(last) ?? this.checkFinalLength());
  }
}

/**
 * Legacy AES-256-CBC (PKCS#7) decryption as a stream. Unauthenticated: a wrong padding at the end is the only
 * check, and most tampering goes undetected. Used only when legacy modes are explicitly enabled.
 */
export class CbcDecryptStream extends DecryptStream {
  private readonly decipher: Decipher;

  constructor(key: Uint8Array, iv: Uint8Array, expectedPlaintextLength?: number) {
    super(expectedPlaintextLength);
    checkKeyAndIv(key, iv, CBC_IV_LENGTH);
    this.decipher = createDecipheriv('aes-256-cbc', key, iv);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(this.emitPlaintext(this.decipher.update(chunk)));
  }

  override _flush(callback: TransformCallback): void {
    let last: Buffer;
    try {
      last = this.decipher.final();
    } catch (e) {
      callback(new S3EncryptionClientError('AUTHENTICATION_FAILED',
        'legacy AES-CBC decryption failed (bad length or padding): the ciphertext, the IV or the data key is not what was written', { cause: e }));
      return;
    }
    callback(this.emitPlaintext(last) ?? this.checkFinalLength());
  }
}
