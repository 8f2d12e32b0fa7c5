// The encryption standard's vocabulary, free of cdk-nag and aws-cdk-lib so that the check command can load it alone.

/**
 * Which server-side encryption a bucket's default encryption may use.
 */
export enum AllowedEncryption {
  /** SSE-S3 (`AES256`), SSE-KMS (`aws:kms`) or DSSE-KMS (`aws:kms:dsse`). */
  ANY_SERVER_SIDE = 'ANY_SERVER_SIDE',
  /** SSE-KMS or DSSE-KMS with a customer-managed key. DSSE-KMS counts as KMS (cdk-nag's own rule says it does not). */
  KMS_ONLY = 'KMS_ONLY',
}
