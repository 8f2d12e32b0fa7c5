/**
 * How an object is encrypted at rest.
 */
export enum EncryptionMode {
  /** SSE-S3: keys owned and managed by Amazon S3 (`AES256`). */
  SSE_S3 = 'AES256',
  /** SSE-KMS: a KMS key (`aws:kms`). */
  SSE_KMS = 'aws:kms',
  /** DSSE-KMS: two layers of encryption with a KMS key (`aws:kms:dsse`). */
  DSSE_KMS = 'aws:kms:dsse',
  /** SSE-C: a key the customer sends with every request. */
  SSE_C = 'SSE-C',
}

/**
 * What an upload must say about its encryption.
 */
export enum UploadHeaderRule {
  /**
   * Every upload must send `x-amz-server-side-encryption` with the bucket's mode (and, for SSE-KMS,
   * the key id). No header, no upload.
   */
  REQUIRED = 'REQUIRED',
  /**
   * An upload without an encryption header is allowed and gets the bucket's default encryption; an upload
   * that names another mode (or, for SSE-KMS, another key or no key) is denied. For clients that rely on
   * default encryption, such as CDK asset publishing and AWS service log delivery.
   */
  MATCH_IF_PRESENT = 'MATCH_IF_PRESENT',
}

/** Condition keys used by the statements. */
export const ConditionKeys = {
  SECURE_TRANSPORT: 'aws:SecureTransport',
  TLS_VERSION: 's3:TlsVersion',
  SSE: 's3:x-amz-server-side-encryption',
  SSE_KMS_KEY_ID: 's3:x-amz-server-side-encryption-aws-kms-key-id',
  SSE_CUSTOMER_ALGORITHM: 's3:x-amz-server-side-encryption-customer-algorithm',
  PRINCIPAL_IS_AWS_SERVICE: 'aws:PrincipalIsAWSService',
} as const;

/** The algorithm S3 accepts for SSE-C. */
export const SSE_C_ALGORITHM = 'AES256';

/** TLS versions a bucket may require as its floor. */
export const ALLOWED_TLS_VERSIONS: readonly number[] = [1.2, 1.3];

/** The TLS floor when none is given. */
export const DEFAULT_MINIMUM_TLS_VERSION = 1.2;

/**
 * An encryption requirement: what the statements of `src/policy/` enforce.
 */
export interface EncryptionRequirement {
  /** How objects must be encrypted. */
  readonly mode: EncryptionMode;
  /**
   * ARN of the KMS key that SSE-KMS and DSSE-KMS uploads must name.
   *
   * @default - no key is pinned
   */
  readonly kmsKeyArn?: string;
  /**
   * What an upload must say about its encryption.
   *
   * @default UploadHeaderRule.REQUIRED
   */
  readonly headerRule?: UploadHeaderRule;
  /**
   * Lowest TLS version a request may use.
   *
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;
}
