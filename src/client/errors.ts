/**
 * Why an S3 encryption client operation failed. Stable: callers may switch on it.
 *
 * - `SDK_MISSING`: `@aws-sdk/client-s3` or `@aws-sdk/client-kms` is not installed.
 * - `INVALID_ARGUMENT`: the request cannot be encrypted as given (reserved metadata or context key, unknown
 *   body length, a plaintext checksum, a ranged get...). Nothing was sent.
 * - `NOT_ENCRYPTED`: the object carries no S3 Encryption Client metadata (and no instruction file).
 * - `METADATA_INVALID`: the encryption metadata is malformed or inconsistent (missing or extra key, bad base64,
 *   wrong IV or tag length, content algorithm that disagrees with the encryption context, length mismatch).
 *   Treat as tampering.
 * - `LEGACY_REFUSED`: the object uses a legacy mode (AES/CBC content, `kms` wrapping without context, the V1
 *   format) and the client was not configured to allow it.
 * - `UNSUPPORTED_FORMAT`: a valid S3 Encryption Client object this client cannot read (its data key is wrapped
 *   in a way the configured keyring does not unwrap).
 * - `ENCRYPTION_CONTEXT_MISMATCH`: the encryption context stored with the object is not the one the caller
 *   expects.
 * - `KEY_UNWRAP_FAILED`: AWS KMS refused to decrypt the wrapped data key (tampered `x-amz-key-v2` or
 *   `x-amz-matdesc`, another KMS key, no permission).
 * - `AUTHENTICATION_FAILED`: AES-GCM authentication failed: the ciphertext, its tag, the IV or the data key
 *   is not what was written. No plaintext is returned (see the delayed-authentication caveat).
 * - `KMS_RESPONSE_INVALID`: KMS answered GenerateDataKey without a 32-byte plaintext key or a ciphertext blob.
 * - `CONTENT_LENGTH_MISMATCH`: the body produced a different number of bytes than declared.
 * - `BUFFER_LIMIT_EXCEEDED`: the object is larger than the authenticated buffer allows.
 * - `COMMITMENT_POLICY_VIOLATION`: the object's algorithm suite is not allowed by the client's commitment policy
 *   (a V2 or legacy object under `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`). The message names the policy.
 * - `KEY_COMMITMENT_MISMATCH`: the key commitment (`x-amz-d`) does not match the data key and message id; checked
 *   in constant time before any content is decrypted. Treat as tampering.
 * - `BODY_STREAM_FAILED`: the plaintext body stream of a `putObject` failed (before or during the upload); the
 *   original error is the `cause`. Nothing was stored by this client.
 * - `ABORTED`: the caller's `abortSignal` fired; the `cause` is the signal's reason.
 */
export type S3EncryptionErrorCode =
  | 'SDK_MISSING'
  | 'INVALID_ARGUMENT'
  | 'NOT_ENCRYPTED'
  | 'METADATA_INVALID'
  | 'LEGACY_REFUSED'
  | 'UNSUPPORTED_FORMAT'
  | 'ENCRYPTION_CONTEXT_MISMATCH'
  | 'KEY_UNWRAP_FAILED'
  | 'AUTHENTICATION_FAILED'
  | 'KMS_RESPONSE_INVALID'
  | 'CONTENT_LENGTH_MISMATCH'
  | 'BUFFER_LIMIT_EXCEEDED'
  | 'COMMITMENT_POLICY_VIOLATION'
  | 'KEY_COMMITMENT_MISMATCH'
  | 'BODY_STREAM_FAILED'
  | 'ABORTED';

/**
 * The one error class the client throws (or emits on a stream) for its own failures. Errors from S3 itself
 * (NoSuchKey, AccessDenied on the object) are passed through unchanged.
 */
export class S3EncryptionClientError extends Error {
  /** Stable machine-readable reason. */
  public readonly code: S3EncryptionErrorCode;

  constructor(code: S3EncryptionErrorCode, message: string, options?: { cause?: unknown }) {
    super(`[${code}] ${message}`, options);
    this.name = 'S3EncryptionClientError';
    this.code = code;
  }
}

/** True when `err` is an `S3EncryptionClientError`, optionally with the given code. */
export function isS3EncryptionClientError(err: unknown, code?: S3EncryptionErrorCode): err is S3EncryptionClientError {
  return err instanceof S3EncryptionClientError && (code === undefined || err.code === code);
}
