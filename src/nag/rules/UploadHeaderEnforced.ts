import { parse } from 'path';
import { EncryptionMode } from '../../policy/requirement';
import { AppModel, BucketModel } from '../app-model';
import { couldNotEvaluate, defaultKeyArnOf, effectiveMode } from '../bucket-encryption';
import { concreteString } from '../cfn-values';
import { askDelivery, askLogDelivery, deniedBy, describeHeaders } from '../deliveries';
import {
  decideForBucket, describeRequest, ownerUploadsClass, rightHeaders, uploadsWithHeaderClass,
} from '../properties';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult, verdict } from '../rule';

/** Header values that ask for another mode than the bucket's (DSSE-KMS on an SSE-KMS bucket is stronger: allowed). */
function wrongValues(mode: string): string[] {
  switch (mode) {
    case EncryptionMode.SSE_S3: return [EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS];
    case EncryptionMode.SSE_KMS: return [EncryptionMode.SSE_S3];
    case EncryptionMode.DSSE_KMS: return [EncryptionMode.SSE_S3, EncryptionMode.SSE_KMS];
    default: return [];
  }
}

/**
 * The bucket's policies enforce its upload-header rule, consistently with its default encryption: every upload that
 * asks for another mode is denied, every one without a header too when the standard requires the header, and some
 * upload by the bucket's account encrypted as the default encryption says is not denied. The classes leave out AWS
 * services delivering logs, which send no header (their deliveries are checked one by one below).
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  if (bucket.deliveringTrails.length > 0) return trailLogBucket(model, bucket);
  const mode = effectiveMode(model, bucket);
  if (mode === undefined) {
    return ['The default encryption algorithm could not be resolved, so the upload-header rule cannot be checked ' +
      'against it. Set SSEAlgorithm to a literal value.'];
  }
  if (typeof mode === 'object') return [couldNotEvaluate('uploads', mode.uncertain)];
  // SSE-C: requiring the customer headers is what makes the mode; SseCBlockedUnlessRequired judges it.
  if (mode === EncryptionMode.SSE_C) return RuleCompliance.COMPLIANT;
  const keyArn = defaultKeyArnOf(model, bucket).arn;
  const reasons: string[] = [];
  const statementFor = `Deny s3:PutObject on ${bucket.arn}/* when StringNotEquals s3:x-amz-server-side-encryption '${mode}'`;

  const wrong = wrongValues(mode);
  if (wrong.length > 0) {
    const requestClass = uploadsWithHeaderClass(bucket, wrong, `asking for ${listOf(wrong, 'or')}`);
    const decision = decideForBucket(model, bucket, requestClass);
    if (decision.kind === 'uncertain') {reasons.push(couldNotEvaluate(requestClass.description, decision));} else if (decision.kind === 'counterexample') {
      reasons.push(`${describeRequest(decision.request)} is not denied, though the bucket's default encryption is '${mode}'. ` +
        `Add ${statementFor} (DenyWrongEncryptionHeader, as this library's bucket constructs write it).`);
    }
  }

  // S3 delivers server access logs without an SSE header: such a bucket cannot require one.
  reasons.push(...accessLogDeliveries(model, bucket));
  if (standard.requireUploadHeader && bucket.logSources.length === 0) {
    const requestClass = uploadsWithHeaderClass(bucket, [undefined], 'without an x-amz-server-side-encryption header');
    const decision = decideForBucket(model, bucket, requestClass);
    if (decision.kind === 'uncertain') {reasons.push(couldNotEvaluate(requestClass.description, decision));} else if (decision.kind === 'counterexample') {
      reasons.push(`${describeRequest(decision.request)} is not denied, and the standard requires the ` +
        `x-amz-server-side-encryption header (requireUploadHeader). Add ${statementFor} without a Null condition ` +
        '(UploadHeaderRule.REQUIRED), or set requireUploadHeader: false in the pack if header-less uploads may fall back ' +
        'to the default encryption.');
    }
  }

  const headers = rightHeaders(mode, keyArn);
  const right = ownerUploadsClass(bucket, headers, standard.minimumTlsVersion, 'encrypted as the default encryption says');
  const decision = decideForBucket(model, bucket, right);
  if (decision.kind === 'uncertain') {reasons.push(couldNotEvaluate(right.description, decision));} else if (decision.kind === 'proof') {
    reasons.push(`Every upload by the bucket's account encrypted as the default encryption says${describeHeaders({ sse: headers.sse, kmsKeyId: headers.keyId })} ` +
      'is denied: the upload-header rule contradicts the default encryption. Make the policy require the default\'s algorithm ' +
      `('${mode}'${keyArn ? ` and key ${keyArn}` : ''}), or change the default encryption to what the policy requires.`);
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });

/** S3's deliveries of the server access logs of other buckets of the app into this one must not be denied. */
function accessLogDeliveries(model: AppModel, bucket: BucketModel): string[] {
  const reasons: string[] = [];
  for (const source of new Set(bucket.logSources)) {
    const answer = askLogDelivery(model, bucket, source);
    if (answer.kind === 'uncertain') {
      reasons.push(couldNotEvaluate(`S3's delivery of the access logs of ${source.record.path}`, answer.reason));
    } else if (answer.kind === 'denied') {
      reasons.push(`S3's delivery of the server access logs of ${source.record.path} into this bucket is denied` +
        `${deniedBy(answer)}: log delivery sends no x-amz-server-side-encryption header, so a rule that requires the header ` +
        'stops the logs. Let header-less uploads fall back to the default encryption (a Null condition, ' +
        'UploadHeaderRule.MATCH_IF_PRESENT) and keep denying wrong headers.');
    }
  }
  return reasons;
}

/**
 * A trail's log bucket: CloudTrail writes log files with `aws:kms` and the trail key (when the trail has one) and
 * digest files without an SSE header, so those must not be denied. What else is denied is the key rule's business.
 */
function trailLogBucket(model: AppModel, bucket: BucketModel): RuleResult {
  const reasons: string[] = [];
  for (const trail of bucket.deliveringTrails) {
    const trailKey = concreteString(trail.properties.KMSKeyId);
    const trailKeyArn = trailKey === undefined ? undefined : model.keyByReference(trailKey)?.arn ?? trailKey;
    const deliveries = [
      ...(trailKeyArn ? [{ what: 'log files', headers: { sse: EncryptionMode.SSE_KMS, kmsKeyId: trailKeyArn } }] : []),
      { what: 'digest files', headers: {} },
    ];
    for (const { what, headers } of deliveries) {
      const answer = askDelivery(model, bucket, trail, headers);
      if (answer.kind === 'uncertain') {
        reasons.push(couldNotEvaluate(`CloudTrail's delivery of ${what} for trail ${trail.record.path}`, answer.reason));
      } else if (answer.kind === 'denied') {
        reasons.push(`CloudTrail's delivery of ${what} for trail ${trail.record.path}${describeHeaders(headers)} ` +
          `is denied${deniedBy(answer)}, so the trail would stop delivering. CloudTrail sends aws:kms with the trail key ` +
          'for log files and no SSE header for digest files: allow both (cloudTrailLogUploadStatements in this library, ' +
          'or a header rule with a Null condition), and deny other keys.');
      }
    }
  }
  return verdict(reasons);
}
