import { parse } from 'path';
import { EncryptionMode } from '../../policy/requirement';
import { defaultEncryptionOf, requiresSseC } from '../bucket-encryption';
import { ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/**
 * An SSE-KMS bucket has an S3 Bucket Key (when the standard requires one); a DSSE-KMS bucket does not ask for one,
 * since DSSE-KMS does not support Bucket Keys.
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  const encryption = defaultEncryptionOf(bucket);
  if (requiresSseC(model, bucket) === true) return RuleCompliance.NOT_APPLICABLE;
  if (encryption.algorithm === EncryptionMode.DSSE_KMS) {
    return encryption.bucketKeyEnabled
      ? ['BucketKeyEnabled is true on a DSSE-KMS bucket, and DSSE-KMS does not support S3 Bucket Keys. Remove ' +
        'BucketKeyEnabled (bucketKeyEnabled on s3.Bucket), or use SSE-KMS if a Bucket Key is wanted.']
      : RuleCompliance.COMPLIANT;
  }
  if (encryption.algorithm !== EncryptionMode.SSE_KMS || !standard.requireBucketKey) return RuleCompliance.NOT_APPLICABLE;
  if (encryption.bucketKeyEnabled) return RuleCompliance.COMPLIANT;
  return ['The SSE-KMS bucket has no S3 Bucket Key, so every object operation calls KMS: up to 99% more KMS requests, ' +
    'cost, and risk of hitting the account\'s KMS request quota. Set BucketKeyEnabled: true (bucketKeyEnabled on ' +
    's3.Bucket; KmsEncryptedBucket turns it on), or set requireBucketKey: false in the pack.'];
}, 'name', { value: parse(__filename).name });
