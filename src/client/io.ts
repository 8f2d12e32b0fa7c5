/**
 * The inputs and outputs of `S3EncryptionClient`'s operations. A module of its own so that the write and read paths
 * (`encrypt.ts`, `decrypt.ts`) can name them without importing `client.ts`, which imports them.
 */
import type { Readable } from 'node:stream';
import type { GetObjectCommandInput, GetObjectCommandOutput, PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { PlaintextBody } from './body';

/**
 * `PutObject` input with a plaintext `Body`. `ContentLength`, when given, is the plaintext length (as with the
 * plain S3 client); the client sends `ContentLength + 16`. Plaintext checksums (`ContentMD5`, `Checksum*`
 * values) are refused because S3 would check them against the ciphertext: use `ChecksumAlgorithm` instead.
 */
export type EncryptedPutObjectInput = Omit<PutObjectCommandInput, 'Body'> & {
  readonly Body: PlaintextBody;
  /** Encryption context bound to the wrapped data key (stored in `x-amz-t` or `x-amz-matdesc`, not secret). */
  readonly EncryptionContext?: Record<string, string>;
};

/** `GetObject` input. Ranged and part-number reads are not supported. */
export type DecryptGetObjectInput = GetObjectCommandInput & {
  /**
   * The encryption context the caller expects: it must equal the stored one without the client's reserved keys,
   * as in the other S3 Encryption Clients.
   * @default {}
   */
  readonly EncryptionContext?: Record<string, string>;
};

/** What a decrypting read returns besides the body. */
export type DecryptedObjectInfo = Omit<GetObjectCommandOutput, 'Body'> & {
  /** The plaintext length, when known before reading. */
  readonly ContentLength?: number;
  /** The stored encryption context without the client's reserved keys. */
  readonly EncryptionContext: Record<string, string>;
  /** `x-amz-cek-alg` (V2) or `x-amz-c` (V3, `115`) of the object. */
  readonly ContentAlgorithm: string;
  /** The wrapping algorithm of the object (full name, also for V3). */
  readonly WrapAlgorithm: string;
  /** The object's message format. */
  readonly Format: 'V2' | 'V3';
};

/** A decrypting read's result with a body of type `B`. */
export type DecryptedGetObjectOutput<B> = DecryptedObjectInfo & { readonly Body: B };

/** The prepared `PutObject` input: ciphertext body and encryption metadata. */
export type EncryptedPutObjectCommandInput = PutObjectCommandInput & {
  readonly Body: Buffer | Readable;
  readonly Metadata: Record<string, string>;
};
