import { parse } from 'path';
import { isTrue } from '../app-model';
import { defaultEncryptionOf, defaultKeyArnOf, isKmsAlgorithm, requiresSseC } from '../bucket-encryption';
import { concreteString } from '../cfn-values';
import { ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/** The customer-managed key of an SSE-KMS or DSSE-KMS bucket has automatic rotation on, when the key is in the app. */
export default Object.defineProperty((node: ResourceHandle, { model }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  if (!isKmsAlgorithm(defaultEncryptionOf(bucket).algorithm) || requiresSseC(model, bucket) === true) {
    return RuleCompliance.NOT_APPLICABLE;
  }
  const { key } = defaultKeyArnOf(model, bucket);
  if (!key) return RuleCompliance.NOT_APPLICABLE;
  const keySpec = concreteString(key.properties.KeySpec);
  if (keySpec !== undefined && keySpec !== 'SYMMETRIC_DEFAULT') return RuleCompliance.NOT_APPLICABLE;
  if (isTrue(key.properties.EnableKeyRotation)) return RuleCompliance.COMPLIANT;
  return [`The bucket's key ${key.record.path} does not rotate (EnableKeyRotation is not true). ` +
    'Set enableKeyRotation: true on the key (KmsEncryptedBucket creates its key with rotation on).'];
}, 'name', { value: parse(__filename).name });
