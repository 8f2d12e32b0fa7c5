import { parse } from 'path';
import { EncryptionMode } from '../../policy/requirement';
import { defaultEncryptionOf, requiresSseC } from '../bucket-encryption';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/**
 * The bucket's default encryption is one the standard allows. A bucket without `BucketEncryption` gets SSE-S3: S3 has
 * encrypted every new object with SSE-S3 since January 2023 (and Security Hub retired S3.4 for that reason), so it
 * passes wherever SSE-S3 is allowed.
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  if (bucket.record.renderError !== undefined) {
    return [`The bucket's template could not be rendered (${bucket.record.renderError}), so no rule can read it. Fix the ` +
      'error that synthesis would report, then check again.'];
  }
  const encryption = defaultEncryptionOf(bucket);
  const allowed = listOf(standard.allowedAlgorithms.map((a) => `'${a}'`), 'or');
  if (!encryption.configured) {
    if (standard.allowedAlgorithms.includes(EncryptionMode.SSE_S3)) return RuleCompliance.COMPLIANT;
    if (bucket.deliveringTrails.length > 0) return RuleCompliance.COMPLIANT;
    if (standard.allowSseC && requiresSseC(model, bucket) === true) return RuleCompliance.COMPLIANT;
    return ['The bucket has no default encryption (no BucketEncryption with ServerSideEncryptionByDefault), so S3 ' +
      'encrypts its objects with SSE-S3 (S3\'s default since January 2023), which the standard does not allow ' +
      `(allowed: ${listOf(standard.allowedAlgorithms.map((a) => `'${a}'`))}). Encrypt with a customer-managed KMS key ` +
      '(KmsEncryptedBucket, or encryption: BucketEncryption.KMS with an encryptionKey).'];
  }
  const algorithm = encryption.algorithm;
  if (algorithm === undefined) {
    return ['The default encryption algorithm (SSEAlgorithm) could not be resolved to a value (a parameter without a ' +
      'default or AllowedValues lets the deployment choose any algorithm). ' +
      `Set it to a literal ${allowed}, or give the parameter AllowedValues so that each value is judged.`];
  }
  if (standard.allowedAlgorithms.includes(algorithm)) return RuleCompliance.COMPLIANT;
  if (algorithm === EncryptionMode.SSE_S3) {
    // CloudTrail writes digest files with SSE-S3 by design, and its log files with the trail key.
    if (bucket.deliveringTrails.length > 0) return RuleCompliance.COMPLIANT;
    // S3 requires a default; on a bucket whose policy denies every upload without SSE-C, no object gets it.
    if (standard.allowSseC && requiresSseC(model, bucket) === true) return RuleCompliance.COMPLIANT;
  }
  return [`The default encryption is '${algorithm}', which the standard does not allow (allowed: ${listOf(standard.allowedAlgorithms.map((a) => `'${a}'`))}). ` +
    (algorithm === EncryptionMode.SSE_S3
      ? 'Encrypt with a customer-managed KMS key instead (KmsEncryptedBucket, or encryption: BucketEncryption.KMS with an encryptionKey).'
      : `Set SSEAlgorithm to ${allowed}.`)];
}, 'name', { value: parse(__filename).name });
