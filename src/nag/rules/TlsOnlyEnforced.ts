import { parse } from 'path';
import { couldNotEvaluate } from '../bucket-encryption';
import { decideForBucket, describeRequest, plainHttpClass } from '../properties';
import { ResourceHandle, RuleCompliance, RuleContext, RuleResult } from '../rule';

/**
 * The bucket's policies deny every request made without TLS, to the bucket and to its objects, for everyone: every S3
 * action that reaches S3 over the network, any object key, any principal (the bucket's account, other accounts, AWS
 * services, anonymous) and any value of every condition key the policies mention.
 */
export default Object.defineProperty((node: ResourceHandle, { model }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  const requestClass = plainHttpClass(bucket);
  const decision = decideForBucket(model, bucket, requestClass);
  switch (decision.kind) {
    case 'proof': return RuleCompliance.COMPLIANT;
    case 'uncertain': return [couldNotEvaluate(requestClass.description, decision)];
    case 'counterexample':
      return [`${describeRequest(decision.request)} is not denied. Deny s3:* on ${bucket.arn} and ${bucket.arn}/* to ` +
        'Principal {"AWS":"*"} when aws:SecureTransport is false, with no exemption (enforceSSL: true on s3.Bucket; every ' +
        'bucket construct of this library does it).'];
  }
}, 'name', { value: parse(__filename).name });
