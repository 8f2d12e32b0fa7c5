import { AppModel, BucketModel, isTrue, KeyModel } from './app-model';
import { concreteString, hasSymbol } from './cfn-values';
import { Decision } from './decide';
import { decideForBucket, ownerUploadsClass, ownerUploadsWithoutSseCClass } from './properties';
import { EncryptionMode, SSE_C_ALGORITHM } from '../policy/requirement';

// What a bucket's template says about its encryption, and what its policy makes of it.

/** The bucket's default encryption (`BucketEncryption.ServerSideEncryptionConfiguration`). */
export interface DefaultEncryption {
  /** Whether `BucketEncryption` has a rule with a default. */
  readonly configured: boolean;
  /** `SSEAlgorithm`, when it resolved to a string. */
  readonly algorithm?: string;
  /** `KMSMasterKeyID` as resolved: a string, or undefined when absent or not resolvable. */
  readonly kmsMasterKeyId?: string;
  /** Whether `KMSMasterKeyID` is present but could not be resolved. */
  readonly kmsMasterKeyUnresolved: boolean;
  /** `BucketKeyEnabled` of the rule. */
  readonly bucketKeyEnabled: boolean;
  /** `BlockedEncryptionTypes.EncryptionType` over all rules; undefined when no rule sets it. */
  readonly blockedEncryptionTypes?: readonly string[];
}

/** The server-side modes a default encryption can name. */
export const SERVER_SIDE_MODES: readonly string[] = [EncryptionMode.SSE_S3, EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS];

/** Whether an algorithm is a KMS one (DSSE-KMS counts as KMS). */
export function isKmsAlgorithm(algorithm: string | undefined): boolean {
  return algorithm === EncryptionMode.SSE_KMS || algorithm === EncryptionMode.DSSE_KMS;
}

/** Read the bucket's default encryption. */
export function defaultEncryptionOf(bucket: BucketModel): DefaultEncryption {
  const rules = bucket.properties.BucketEncryption?.ServerSideEncryptionConfiguration;
  const list: any[] = Array.isArray(rules) ? rules : [];
  const withDefault = list.find((r) => r?.ServerSideEncryptionByDefault !== undefined);
  const byDefault = withDefault?.ServerSideEncryptionByDefault;
  const blocked = list
    .map((r) => r?.BlockedEncryptionTypes?.EncryptionType)
    .filter((types) => types !== undefined);
  const keyId = byDefault?.KMSMasterKeyID;
  // A value from a parameter without a default (a symbol) is chosen at deployment: not resolved.
  const known = (value: unknown) => (hasSymbol(value) ? undefined : concreteString(value));
  return {
    configured: byDefault !== undefined,
    algorithm: known(byDefault?.SSEAlgorithm),
    kmsMasterKeyId: known(keyId),
    kmsMasterKeyUnresolved: keyId !== undefined && known(keyId) === undefined,
    bucketKeyEnabled: isTrue(withDefault?.BucketKeyEnabled),
    blockedEncryptionTypes: blocked.length > 0
      ? blocked.flatMap((types) => (Array.isArray(types) ? types : [types])).map((t) => String(t))
      : undefined,
  };
}

/** Whether S3 would use an AWS managed key for this `KMSMasterKeyID` (`aws/s3`, or none at all). */
export function isAwsManagedKeyReference(reference: string | undefined): boolean {
  return reference === undefined || /(^|:)alias\/aws\//.test(reference);
}

/**
 * The bucket's default key as an ARN, the form S3's key-id condition compares: a key of the app by its ARN; a
 * key ID or alias given as such, expanded to an ARN in the bucket's account and Region.
 */
export function defaultKeyArnOf(model: AppModel, bucket: BucketModel): { arn?: string; key?: KeyModel } {
  const reference = defaultEncryptionOf(bucket).kmsMasterKeyId;
  if (reference === undefined) return {};
  const key = model.keyByReference(reference);
  if (key) return { arn: key.arn, key };
  if (reference.startsWith('arn:')) return { arn: reference };
  const { partition, region, account } = bucket.record.stack;
  return { arn: `arn:${partition}:kms:${region}:${account}:${reference.startsWith('alias/') ? reference : `key/${reference}`}` };
}

/**
 * Whether the bucket's policy requires SSE-C: every upload by the bucket's account without the SSE-C headers is
 * denied (a proof), and one with them is not (a counterexample to "all denied").
 */
export function requiresSseC(model: AppModel, bucket: BucketModel): boolean | { uncertain: string } {
  // Several rules ask; the classes are built and decided once per bucket.
  return model.cached(bucket, 'requires SSE-C', (): boolean | { uncertain: string } => {
    const withoutHeaders = decideForBucket(model, bucket, ownerUploadsWithoutSseCClass(bucket, [undefined, ...SERVER_SIDE_MODES]));
    if (withoutHeaders.kind === 'uncertain') return { uncertain: uncertainReason(withoutHeaders) };
    if (withoutHeaders.kind === 'counterexample') return false;
    const withSseC = decideForBucket(model, bucket, ownerUploadsClass(bucket, { customerAlgorithm: SSE_C_ALGORITHM }, 1.3, 'with SSE-C headers',
      'SSE-C required: SSE-C uploads allowed', true));
    if (withSseC.kind === 'uncertain') return { uncertain: uncertainReason(withSseC) };
    return withSseC.kind === 'counterexample';
  });
}

/**
 * How the bucket's objects are encrypted: SSE-C when its policy requires it, else its default algorithm (SSE-S3
 * when it has none: S3 encrypts every new object with SSE-S3 since 2023). Undefined when the algorithm could not be
 * resolved; `uncertain` when the policy could not be evaluated.
 */
export function effectiveMode(model: AppModel, bucket: BucketModel): string | { uncertain: string } | undefined {
  const sseC = requiresSseC(model, bucket);
  if (typeof sseC === 'object') return sseC;
  if (sseC) return EncryptionMode.SSE_C;
  const encryption = defaultEncryptionOf(bucket);
  if (!encryption.configured) return EncryptionMode.SSE_S3;
  return encryption.algorithm;
}

/** What stood between the procedure and a verdict, as a finding says it. */
export function uncertainReason(decision: Decision & { kind: 'uncertain' }): string {
  return decision.statementId ? `statement ${decision.statementId}: ${decision.feature}` : decision.feature;
}

/** A finding for a property that could not be decided. */
export function couldNotEvaluate(what: string, reason: string | (Decision & { kind: 'uncertain' })): string {
  const why = typeof reason === 'string' ? reason : uncertainReason(reason);
  return `The bucket policy could not be evaluated for ${what}: ${why}. The pack decides by evaluating ` +
    'policies and does not guess: rewrite the statement with supported operators and resolvable values, or ' +
    'acknowledge the finding with the reason the policy is compliant.';
}
