import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagAcknowledgementsFor } from './nag-acknowledgements';
import { checkBucketPolicySize, checkStackQuotas } from './quotas';
import { acknowledgeOnBucket } from './shared';
import { BucketAuditing, registerBucketAuditing } from '../audit/bucket-auditing';
import { EncryptionMode } from '../policy/requirement';

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
export function finishSecureBucket(bucket: s3.Bucket, props: SecureBucketProps, mode: EncryptionMode): void {
  acknowledgeOnBucket(bucket, nagAcknowledgementsFor(props, mode));
  checkBucketPolicySize(bucket, `bucket '${bucket.node.path}'`);
  checkStackQuotas(bucket);
  registerBucketAuditing(bucket, props.auditing);
}
