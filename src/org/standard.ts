import { EncryptionMode, UploadHeaderRule } from '../policy/requirement';

/**
 * The encryption standard an organisation guardrail holds buckets to.
 */
export interface EncryptionStandardProps {
  /**
   * Server-side encryption every object must have: `EncryptionMode.SSE_S3`, `SSE_KMS` or `DSSE_KMS`.
   *
   * `SSE_C` is not a standard for a whole estate: use `SseCOnlyBucket` for the buckets that need it.
   */
  readonly encryptionMode: EncryptionMode;

  /**
   * What an upload must say about its encryption.
   *
   * Defaults to `MATCH_IF_PRESENT` (an upload without an encryption header gets the bucket's default
   * encryption; one that names another method or key is denied), unlike the bucket constructs: a guardrail
   * applies to buckets whose writers nobody listed, such as AWS services delivering logs and CDK asset
   * publishing, which rely on default encryption. Choose `REQUIRED` only when every writer is known to send
   * the header.
   *
   * @default UploadHeaderRule.MATCH_IF_PRESENT
   */
  readonly uploadHeaderRule?: UploadHeaderRule;

  /**
   * Lowest TLS version a request may use: 1.2 or 1.3.
   *
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;
}
