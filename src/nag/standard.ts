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

/**
 * The encryption standard buckets are held to: what `S3EncryptionChecks` and `cdk-s3-encryption check` judge by.
 */
export interface EncryptionChecksStandardProps {
  /**
   * Which server-side encryption a bucket's default encryption may use.
   *
   * @default AllowedEncryption.ANY_SERVER_SIDE
   */
  readonly allowedEncryption?: AllowedEncryption;

  /**
   * Whether a bucket may require SSE-C (keys the client sends with every request). A bucket whose policy requires
   * SSE-C is a finding unless this is true; every other bucket must block SSE-C either way.
   *
   * @default false
   */
  readonly allowSseC?: boolean;

  /**
   * The KMS keys SSE-KMS and DSSE-KMS buckets may use: key ARNs (literal, or `key.keyArn` of a key in the app) or
   * alias ARNs.
   *
   * @default - any customer-managed key
   */
  readonly allowedKmsKeyArns?: string[];

  /**
   * Lowest TLS version a bucket's policy must allow: requests over older TLS must be denied. 1.2 or 1.3.
   *
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;

  /**
   * Whether every upload must send the `x-amz-server-side-encryption` header (`UploadHeaderRule.REQUIRED`). When
   * false, a bucket may let header-less uploads fall back to its default encryption
   * (`UploadHeaderRule.MATCH_IF_PRESENT`); uploads that name another mode must be denied either way.
   *
   * @default true
   */
  readonly requireUploadHeader?: boolean;

  /**
   * Whether each bucket's object events must be recorded by a CloudTrail trail of the app that validates and
   * encrypts its logs. Off by default because an organisation trail outside the app, which the pack cannot see,
   * often records them.
   *
   * @default false
   */
  readonly requireAuditTrail?: boolean;

  /**
   * Whether SSE-KMS buckets must use an S3 Bucket Key (DSSE-KMS buckets cannot).
   *
   * @default true
   */
  readonly requireBucketKey?: boolean;
}
