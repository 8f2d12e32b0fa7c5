import { AppModel, BucketModel, isTrue, KeyModel } from './app-model';
import { concreteString } from './cfn-values';
import { Answer, ask, Caller, UploadHeaders } from './probes';
import { EncryptionMode } from '../policy/requirement';
import { SSE_C_ALGORITHM } from '../policy/statements';

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
  return {
    configured: byDefault !== undefined,
    algorithm: concreteString(byDefault?.SSEAlgorithm),
    kmsMasterKeyId: concreteString(keyId),
    kmsMasterKeyUnresolved: keyId !== undefined && concreteString(keyId) === undefined,
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

/** Whether the bucket's policy requires SSE-C: an upload without the SSE-C headers is denied, one with them is not. */
export function requiresSseC(model: AppModel, bucket: BucketModel): boolean | { uncertain: string } {
  const withoutHeaders = ask(model, bucket, { action: 's3:PutObject', target: 'object', headers: {}, caller: Caller.OWNER });
  if (withoutHeaders.kind === 'uncertain') return { uncertain: withoutHeaders.reason };
  if (withoutHeaders.kind === 'notDenied') return false;
  const withSseC = ask(model, bucket, {
    action: 's3:PutObject', target: 'object', headers: { customerAlgorithm: SSE_C_ALGORITHM }, caller: Caller.OWNER,
  });
  if (withSseC.kind === 'uncertain') return { uncertain: withSseC.reason };
  return withSseC.kind === 'notDenied';
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

/** The headers of an upload encrypted as the bucket's mode says. */
export function rightUpload(mode: string, keyArn: string | undefined): UploadHeaders {
  if (mode === EncryptionMode.SSE_C) return { customerAlgorithm: SSE_C_ALGORITHM };
  return isKmsAlgorithm(mode) ? { sse: mode, kmsKeyId: keyArn } : { sse: mode };
}

/**
 * Uploads that ask for another server-side mode than the bucket's: any KMS mode on an SSE-S3 bucket, SSE-S3 on a
 * KMS bucket, and SSE-KMS (single layer) on a DSSE-KMS bucket. DSSE-KMS on an SSE-KMS bucket is stronger and not
 * asked about.
 */
export function wrongUploads(mode: string, keyArn: string | undefined): UploadHeaders[] {
  switch (mode) {
    case EncryptionMode.SSE_S3: return [{ sse: EncryptionMode.SSE_KMS }, { sse: EncryptionMode.DSSE_KMS }];
    case EncryptionMode.SSE_KMS: return [{ sse: EncryptionMode.SSE_S3 }];
    case EncryptionMode.DSSE_KMS: return [{ sse: EncryptionMode.SSE_S3 }, { sse: EncryptionMode.SSE_KMS, kmsKeyId: keyArn }];
    default: return [];
  }
}

/** Shorthand: an upload probe. */
export function upload(headers: UploadHeaders, caller: Caller = Caller.EVERYONE): { action: string; target: 'object'; headers: UploadHeaders; caller: Caller } {
  return { action: 's3:PutObject', target: 'object', headers, caller };
}

/** A finding for an answer that could not be decided. */
export function couldNotEvaluate(what: string, answer: Answer & { kind: 'uncertain' }): string {
  return `The bucket policy could not be evaluated for ${what}: ${answer.reason}. The pack decides by evaluating ` +
    'policies and does not guess: rewrite the statement with supported operators and resolvable values, or ' +
    'acknowledge the finding with the reason the policy is compliant.';
}
