import { parse } from 'path';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/** At most one `AWS::S3::BucketPolicy` in the app names the bucket. */
export default Object.defineProperty((node: ResourceHandle, { model }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  if (bucket.policies.length <= 1) return RuleCompliance.COMPLIANT;
  return [`${bucket.policies.length} bucket policy resources name this bucket (${listOf(bucket.policies.map((p) => p.record.path))}). ` +
    'S3 keeps one policy per bucket, so each deployment of one replaces the other, and deleting one deletes both; the ' +
    'other rules evaluated their statements together, which the bucket will never have. Merge them into one policy ' +
    '(bucket.addToResourcePolicy on the one bucket construct).'];
}, 'name', { value: parse(__filename).name });
