import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { couldNotEvaluate } from '../bucket-encryption';
import { ask, describeProbe, Probe } from '../probes';
import { listOf, RuleContext, RuleResult, verdict } from '../rule';

/** Requests without TLS, to the bucket and to its objects. */
export const PLAIN_HTTP_PROBES: readonly Probe[] = [
  { action: 's3:GetObject', target: 'object', transport: 'http' },
  { action: 's3:PutObject', target: 'object', transport: 'http' },
  { action: 's3:ListBucket', target: 'bucket', transport: 'http' },
];

/** The bucket's policies deny every request made without TLS, to the bucket and to its objects, for everyone. */
export default Object.defineProperty((node: CfnResource, { model }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return NagRuleCompliance.NOT_APPLICABLE;
  const reasons: string[] = [];
  const allowed: string[] = [];
  for (const probe of PLAIN_HTTP_PROBES) {
    const answer = ask(model, bucket, probe);
    if (answer.kind === 'uncertain') reasons.push(couldNotEvaluate(describeProbe(bucket, probe), answer));
    else if (answer.kind === 'notDenied') allowed.push(describeProbe(bucket, probe));
  }
  if (allowed.length > 0) {
    reasons.unshift(`The bucket policy does not deny ${listOf(allowed)} for every principal. ` +
      `Deny s3:* on ${bucket.arn} and ${bucket.arn}/* to Principal {"AWS":"*"} when aws:SecureTransport is false ` +
      '(enforceSSL: true on s3.Bucket; every bucket construct of this library does it).');
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });
