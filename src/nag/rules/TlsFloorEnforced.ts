import { parse } from 'path';
import { couldNotEvaluate } from '../bucket-encryption';
import { decideForBucket, describeRequest, outdatedTlsClass } from '../properties';
import { ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/**
 * The bucket's policies deny every request over TLS older than the standard's floor, to the bucket and its objects,
 * for everyone (the same class as TlsOnlyEnforced, over each TLS version below the floor).
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  const requestClass = outdatedTlsClass(bucket, standard.minimumTlsVersion);
  const decision = decideForBucket(model, bucket, requestClass);
  switch (decision.kind) {
    case 'proof': return RuleCompliance.COMPLIANT;
    case 'uncertain': return [couldNotEvaluate(requestClass.description, decision)];
    case 'counterexample':
      return [`${describeRequest(decision.request)} is not denied, below the standard's TLS ${standard.minimumTlsVersion} ` +
        `floor. Deny s3:* on ${bucket.arn} and ${bucket.arn}/* to Principal {"AWS":"*"} when NumericLessThan ` +
        `s3:TlsVersion ${standard.minimumTlsVersion} (minimumTLSVersion on s3.Bucket and this library's buckets).`];
  }
}, 'name', { value: parse(__filename).name });
