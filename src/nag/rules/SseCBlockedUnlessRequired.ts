import { parse } from 'path';
import { couldNotEvaluate, defaultEncryptionOf, requiresSseC } from '../bucket-encryption';
import { ResourceHandle, RuleCompliance, RuleContext, RuleResult, verdict } from '../rule';

const SSE_C = 'SSE-C';
const NONE = 'NONE';

/**
 * SSE-C is blocked (`BlockedEncryptionTypes` `SSE-C`) on every bucket except one whose policy requires SSE-C, which
 * unblocks it explicitly (`NONE`) and is allowed only when the standard allows SSE-C.
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  const blocked = defaultEncryptionOf(bucket).blockedEncryptionTypes;
  const required = requiresSseC(model, bucket);
  if (typeof required === 'object') {
    return [couldNotEvaluate('uploads with and without SSE-C headers', required.uncertain)];
  }
  if (!required) {
    if (blocked?.includes(SSE_C)) return RuleCompliance.COMPLIANT;
    return [`SSE-C is not blocked (BlockedEncryptionTypes is ${blocked ? `[${blocked.join(', ')}]` : 'not set'}), and the bucket ` +
      'policy does not require SSE-C. Whoever may write can then store objects under keys the organisation never sees. ' +
      'Set BlockedEncryptionTypes.EncryptionType to [\'SSE-C\'] in the default encryption rule ' +
      '(blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C]; this library\'s buckets do it).'];
  }
  const reasons: string[] = [];
  if (!standard.allowSseC) {
    reasons.push('The bucket policy requires SSE-C (an upload without the customer-key headers is denied), and the ' +
      'standard does not allow SSE-C. Use a server-side mode the standard allows, or set allowSseC: true in the pack ' +
      'if this bucket is an approved exception.');
  }
  if (blocked?.includes(SSE_C)) {
    reasons.push('The bucket policy requires SSE-C, but BlockedEncryptionTypes blocks SSE-C: every upload is refused. ' +
      'Set BlockedEncryptionTypes.EncryptionType to [\'NONE\'] (SseCOnlyBucket does it).');
  } else if (!blocked?.includes(NONE)) {
    reasons.push('The bucket policy requires SSE-C, but BlockedEncryptionTypes does not say NONE: S3 blocks SSE-C on new ' +
      'buckets by default (since April 2026), so uploads may all be refused. Set BlockedEncryptionTypes.EncryptionType ' +
      'to [\'NONE\'] explicitly (SseCOnlyBucket does it).');
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });
