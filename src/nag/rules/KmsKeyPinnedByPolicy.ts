import { parse } from 'path';
import { AppModel, BucketModel } from '../app-model';
import { couldNotEvaluate, defaultEncryptionOf, defaultKeyArnOf, isKmsAlgorithm, requiresSseC } from '../bucket-encryption';
import { concreteString } from '../cfn-values';
import { decideForBucket, describeRequest, otherKeyUploadsClass } from '../properties';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/**
 * The bucket's policies pin its KMS key: every SSE-KMS or DSSE-KMS upload that names another key, or no key (S3 would
 * use the AWS managed key), is denied, whoever sends it (AWS services delivering logs aside). For a trail's log
 * bucket, the key pinned is the trail's.
 */
export default Object.defineProperty((node: ResourceHandle, { model }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  const encryption = defaultEncryptionOf(bucket);
  if (isKmsAlgorithm(encryption.algorithm) && requiresSseC(model, bucket) !== true) {
    const keyArn = defaultKeyArnOf(model, bucket).arn;
    return pinned(model, bucket, keyArn ? [keyArn] : [], keyArn ? `the bucket's key ${keyArn}` : 'the bucket\'s key');
  }
  const trailKeys = bucket.deliveringTrails
    .map((t) => concreteString(t.properties.KMSKeyId))
    .filter((k): k is string => k !== undefined)
    .map((k) => model.keyByReference(k)?.arn ?? k);
  const distinct = [...new Set(trailKeys)];
  if (distinct.length > 0) return pinned(model, bucket, distinct, `the trail key ${listOf(distinct)}`);
  return RuleCompliance.NOT_APPLICABLE;
}, 'name', { value: parse(__filename).name });

function pinned(model: AppModel, bucket: BucketModel, keyArns: string[], keyDescription: string): RuleResult {
  const requestClass = otherKeyUploadsClass(bucket, keyArns);
  const decision = decideForBucket(model, bucket, requestClass);
  switch (decision.kind) {
    case 'proof': return RuleCompliance.COMPLIANT;
    case 'uncertain': return [couldNotEvaluate(requestClass.description, decision)];
    case 'counterexample':
      return [`${describeRequest(decision.request)} is not denied, so objects can be encrypted under another key than ` +
        `${keyDescription} (or, without a key id, under the AWS managed key aws/s3). Deny s3:PutObject on ${bucket.arn}/* ` +
        'when StringNotEquals s3:x-amz-server-side-encryption-aws-kms-key-id <key ARN> (DenyWrongKmsKey, as this ' +
        'library writes it).'];
  }
}
