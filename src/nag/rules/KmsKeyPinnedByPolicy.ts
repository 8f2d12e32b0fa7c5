import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { EncryptionMode } from '../../policy/requirement';
import { AppModel, BucketModel } from '../app-model';
import {
  couldNotEvaluate, defaultEncryptionOf, defaultKeyArnOf, isKmsAlgorithm, requiresSseC, upload,
} from '../bucket-encryption';
import { concreteString } from '../cfn-values';
import { ask, describeHeaders, describeProbe, foreignKeyArn, UploadHeaders } from '../probes';
import { listOf, RuleContext, RuleResult, verdict } from '../rule';

/**
 * The bucket's policies pin its KMS key: an SSE-KMS or DSSE-KMS upload that names another key, or no key (S3 would
 * use the AWS managed key), is denied. For a trail's log bucket, the key pinned is the trail's.
 */
export default Object.defineProperty((node: CfnResource, { model }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return NagRuleCompliance.NOT_APPLICABLE;
  const encryption = defaultEncryptionOf(bucket);
  if (isKmsAlgorithm(encryption.algorithm) && requiresSseC(model, bucket) !== true) {
    const keyArn = defaultKeyArnOf(model, bucket).arn;
    return pinned(model, bucket, keyArn ? `the bucket's key ${keyArn}` : 'the bucket\'s key');
  }
  const trailKeys = bucket.deliveringTrails
    .map((t) => concreteString(t.properties.KMSKeyId))
    .filter((k): k is string => k !== undefined)
    .map((k) => model.keyByReference(k)?.arn ?? k);
  if (trailKeys.length > 0) return pinned(model, bucket, `the trail key ${listOf([...new Set(trailKeys)])}`);
  return NagRuleCompliance.NOT_APPLICABLE;
}, 'name', { value: parse(__filename).name });

function pinned(model: AppModel, bucket: BucketModel, keyDescription: string): RuleResult {
  const wrong: UploadHeaders[] = [
    { sse: EncryptionMode.SSE_KMS, kmsKeyId: foreignKeyArn(bucket) },
    { sse: EncryptionMode.DSSE_KMS, kmsKeyId: foreignKeyArn(bucket) },
    { sse: EncryptionMode.SSE_KMS },
    { sse: EncryptionMode.DSSE_KMS },
  ];
  const reasons: string[] = [];
  const accepted: string[] = [];
  for (const headers of wrong) {
    const probe = upload(headers);
    const answer = ask(model, bucket, probe);
    if (answer.kind === 'uncertain') reasons.push(couldNotEvaluate(describeProbe(bucket, probe), answer));
    else if (answer.kind === 'notDenied') accepted.push(describeHeaders(headers).trim());
  }
  if (accepted.length > 0) {
    reasons.unshift(`Uploads ${listOf(accepted)} are not denied, so objects can be encrypted under another key than ` +
      `${keyDescription} (or, without a key id, under the AWS managed key aws/s3). Deny s3:PutObject on ${bucket.arn}/* ` +
      'when StringNotEquals s3:x-amz-server-side-encryption-aws-kms-key-id <key ARN> (DenyWrongKmsKey, as this ' +
      'library writes it).');
  }
  return verdict(reasons);
}
