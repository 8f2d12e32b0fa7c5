import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagAcknowledgementsFor } from './nag-acknowledgements';
import { checkBucketPolicySize, checkStackQuotas } from './quotas';
import { acknowledgeOnBucket } from './shared';
import { BucketAuditing, registerBucketAuditing } from '../audit/bucket-auditing';
import { EncryptionMode, UploadHeaderRule } from '../policy/requirement';

/**
 * A bucket construct of this library (`EncryptedBucket`, `KmsEncryptedBucket`, `SseCOnlyBucket`,
 * `ClientSideEncryptedBucket`): an `s3.IBucket` whose policy enforces an encryption requirement by construction.
 * Recognise one with `SecureBucket.isSecureBucket(x)`.
 *
 * The requirement is the mode, the upload header rule, the TLS floor and, for SSE-KMS and DSSE-KMS, the key every
 * upload must name: `encryptionKey` of `s3.IBucket` (S3-owned keys for SSE-S3, none for SSE-C; the envelope key of a
 * `ClientSideEncryptedBucket` is its `envelopeKey`).
 */
export interface ISecureBucket extends s3.IBucket {
  /** How objects in the bucket are encrypted by S3. */
  readonly encryptionMode: EncryptionMode;

  /**
   * What an upload must say about its encryption. Always `REQUIRED` for SSE-C: S3 has no customer key to fall
   * back to, so every upload must send the SSE-C headers.
   */
  readonly uploadHeaderRule: UploadHeaderRule;

  /** Lowest TLS version a request may use. */
  readonly minimumTlsVersion: number;
}

const SECURE_BUCKET_SYMBOL = Symbol.for('cdk-s3-encryption.SecureBucket');

/**
 * Recognises the bucket constructs of this library.
 */
export class SecureBucket {
  /**
   * Whether `x` is a bucket construct of this library (an `ISecureBucket`), also across copies of this library.
   */
  public static isSecureBucket(x: any): x is ISecureBucket {
    return x !== null && typeof x === 'object' && SECURE_BUCKET_SYMBOL in x;
  }

  private constructor() {}
}

/**
 * Props every bucket construct of this library accepts on top of `s3.BucketProps`.
 */
export interface SecureBucketProps extends s3.BucketProps {
  /**
   * Which CloudTrail trail records the bucket's object events.
   *
   * @default BucketAuditing.sharedTrail() - the stack's EncryptionAuditTrail, created on first use
   */
  readonly auditing?: BucketAuditing;
}

/**
 * The last step of every bucket construct: acknowledge the cdk-nag findings that do not apply, then register
 * the bucket with its audit trail.
 */
export function finishSecureBucket(bucket: s3.Bucket & ISecureBucket, props: SecureBucketProps): void {
  Object.defineProperty(bucket, SECURE_BUCKET_SYMBOL, { value: true });
  const mode = bucket.encryptionMode;
  acknowledgeOnBucket(bucket, nagAcknowledgementsFor(props, mode));
  checkBucketPolicySize(bucket, `bucket '${bucket.node.path}'`);
  checkStackQuotas(bucket);
  registerBucketAuditing(bucket, props.auditing);
}
