import { parse } from 'path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { couldNotEvaluate } from '../bucket-encryption';
import { ask, describeProbe, Probe } from '../probes';
import { listOf, RuleContext, RuleResult, verdict } from '../rule';

const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'];

/** The bucket's policies deny requests over TLS older than the standard's floor, to the bucket and its objects. */
export default Object.defineProperty((node: CfnResource, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return NagRuleCompliance.NOT_APPLICABLE;
  const reasons: string[] = [];
  const allowed: string[] = [];
  for (const version of TLS_VERSIONS.filter((v) => Number(v) < standard.minimumTlsVersion)) {
    const probes: Probe[] = [
      { action: 's3:GetObject', target: 'object', transport: version },
      { action: 's3:PutObject', target: 'object', transport: version },
      { action: 's3:ListBucket', target: 'bucket', transport: version },
    ];
    for (const probe of probes) {
      const answer = ask(model, bucket, probe);
      if (answer.kind === 'uncertain') reasons.push(couldNotEvaluate(describeProbe(bucket, probe), answer));
      else if (answer.kind === 'notDenied') allowed.push(describeProbe(bucket, probe));
    }
  }
  if (allowed.length > 0) {
    reasons.unshift(`The bucket policy does not deny ${listOf(allowed)}, below the standard's TLS ${standard.minimumTlsVersion} ` +
      `floor. Deny s3:* on ${bucket.arn} and ${bucket.arn}/* to Principal {"AWS":"*"} when ` +
      `NumericLessThan s3:TlsVersion ${standard.minimumTlsVersion} (minimumTLSVersion on s3.Bucket and this library's buckets).`);
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });
