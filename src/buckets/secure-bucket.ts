import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { nagAcknowledgementsFor } from './nag-acknowledgements';
import { BucketAuditing, registerBucketAuditing } from '../audit/bucket-auditing';
import { validationError } from '../errors';
import { ALLOWED_TLS_VERSIONS, DEFAULT_MINIMUM_TLS_VERSION, EncryptionMode, EncryptionRequirement, UploadHeaderRule } from '../policy/requirement';
import { bucketScope, encryptionStatements } from '../policy/statements';

/**
 * Props every bucket construct of this library accepts on top of `s3.BucketProps`.
 */
export interface SecureBucketProps extends s3.BucketProps {
  /**
   * Which CloudTrail trail records the bucket's object events.
   *
   * @default BucketAuditing.sharedTrail() - the stack's EncryptionAuditTrail, created on first use
   */
  readonly auditing?: BucketAuditing;
}

/** What a bucket construct guarantees, used to validate props and name it in errors. */
export interface BucketKind {
  /** Construct class name, for error messages. */
  readonly className: string;
  /** Whether SSE-C uploads are blocked (every kind but SSE-C only). */
  readonly blocksSseC: boolean;
}

/**
 * Validate the props every bucket construct shares and return the props for `s3.Bucket` with the shared
 * secure defaults filled in where the user gave nothing.
 *
 * `enforceSSL` and `minimumTLSVersion` are not passed on: the construct writes its own statements for them
 * (with stable Sids) from `src/policy/`, so s3.Bucket must not add a second copy.
 */
export function secureBucketProps(scope: IConstruct, id: string, props: s3.BucketProps, kind: BucketKind): s3.BucketProps {
  const where = `${kind.className} '${id}'`;
  if (props.enforceSSL === false) {
    throw validationError(scope, 'EnforceSslRequired',
      `enforceSSL cannot be false on ${where}: it denies every request made without TLS. ` +
      'Remove the prop, or use s3.Bucket if plain HTTP access is really needed.');
  }
  if (props.minimumTLSVersion !== undefined && !ALLOWED_TLS_VERSIONS.includes(props.minimumTLSVersion)) {
    throw validationError(scope, 'UnsupportedMinimumTlsVersion',
      `minimumTLSVersion ${props.minimumTLSVersion} is not allowed on ${where}: use 1.2 (the default) or 1.3. ` +
      'Anything lower weakens the guarantee, and no other TLS versions exist.');
  }
  if (props.publicReadAccess === true) {
    throw validationError(scope, 'PublicReadAccessNotAllowed',
      `publicReadAccess cannot be true on ${where}: an encrypted bucket's objects are not for anonymous readers. ` +
      'Remove the prop, and serve public content through CloudFront with origin access control.');
  }
  const blocked = props.blockedEncryptionTypes;
  if (kind.blocksSseC && blocked !== undefined) {
    const names = blocked.map((type) => type.name);
    if (!names.includes(s3.BlockedEncryptionType.SSE_C.name)) {
      throw validationError(scope, 'SseCMustBeBlocked',
        `blockedEncryptionTypes [${names.join(', ')}] on ${where} would allow SSE-C uploads, which this bucket does not accept. ` +
        'Remove the prop (SSE-C is blocked by default) or pass [s3.BlockedEncryptionType.SSE_C]; use SseCOnlyBucket for SSE-C.');
    }
  }
  if (!kind.blocksSseC && blocked !== undefined) {
    const names = blocked.map((type) => type.name);
    if (names.length === 0 || names.includes(s3.BlockedEncryptionType.SSE_C.name)) {
      throw validationError(scope, 'SseCMustNotBeBlocked',
        `blockedEncryptionTypes [${names.join(', ')}] on ${where} does not let SSE-C uploads in, and they are the only ` +
        'uploads this bucket accepts. Remove the prop (SSE-C is unblocked by default) or pass [s3.BlockedEncryptionType.NONE].');
    }
  }
  return {
    ...props,
    blockPublicAccess: props.blockPublicAccess ?? s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: props.objectOwnership ?? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: props.versioned ?? true,
    // Parts of abandoned multipart uploads are stored (and billed) until aborted; no object is ever expired.
    lifecycleRules: props.lifecycleRules ?? [{
      id: 'AbortIncompleteMultipartUploads',
      abortIncompleteMultipartUploadAfter: Duration.days(7),
    }],
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    // S3 blocks SSE-C on new buckets unless told otherwise (since April 2026), so both choices are written out.
    blockedEncryptionTypes: blocked ?? [kind.blocksSseC ? s3.BlockedEncryptionType.SSE_C : s3.BlockedEncryptionType.NONE],
    enforceSSL: false,
    minimumTLSVersion: undefined,
  };
}

/** Why a bucket whose default encryption is SSE-S3 refuses server-side KMS props, in its own words. */
export interface S3ManagedOnlyReasons {
  /** Completes "encryption X is not allowed on <bucket>", with the fix. */
  readonly encryption: string;
  /** Completes "encryptionKey is not allowed on <bucket>", with the fix. */
  readonly encryptionKey: string;
}

/**
 * Refuse `encryption` other than `S3_MANAGED`, `encryptionKey` and `bucketKeyEnabled` on a bucket whose default
 * encryption must be SSE-S3 (EncryptedBucket, SseCOnlyBucket, ClientSideEncryptedBucket).
 */
export function refuseServerSideKms(scope: IConstruct, where: string, props: s3.BucketProps, reasons: S3ManagedOnlyReasons): void {
  if (props.encryption !== undefined && props.encryption !== s3.BucketEncryption.S3_MANAGED) {
    throw validationError(scope, 'EncryptionMustBeS3Managed', `encryption ${props.encryption} is not allowed on ${where}${reasons.encryption}`);
  }
  if (props.encryptionKey !== undefined) {
    throw validationError(scope, 'EncryptionKeyNotAllowed', `encryptionKey is not allowed on ${where}${reasons.encryptionKey}`);
  }
  if (props.bucketKeyEnabled !== undefined) {
    throw validationError(scope, 'BucketKeyNotApplicable',
      `bucketKeyEnabled is not allowed on ${where}: S3 Bucket Keys apply to SSE-KMS only. ` +
      'Remove the prop, or use KmsEncryptedBucket, where Bucket Keys are on by default.');
  }
}

/** The upload header rule a construct was given, checked; `REQUIRED` when none was. */
export function uploadHeaderRuleOf(scope: IConstruct, id: string, className: string, rule: UploadHeaderRule | undefined): UploadHeaderRule {
  if (rule !== undefined && !Object.values(UploadHeaderRule).includes(rule)) {
    throw validationError(scope, 'UnknownUploadHeaderRule',
      `uploadHeaderRule '${rule}' on ${className} '${id}' is not a rule: use UploadHeaderRule.REQUIRED (the default) ` +
      'or UploadHeaderRule.MATCH_IF_PRESENT.');
  }
  return rule ?? UploadHeaderRule.REQUIRED;
}

/** The TLS floor for the props: what the user passed, or 1.2. */
export function minimumTlsVersionOf(props: s3.BucketProps): number {
  return props.minimumTLSVersion ?? DEFAULT_MINIMUM_TLS_VERSION;
}

/** Add the requirement's statements to the bucket's policy. */
export function addEncryptionPolicy(bucket: s3.Bucket, requirement: EncryptionRequirement): void {
  for (const statement of encryptionStatements(bucketScope(bucket.bucketArn), requirement)) {
    bucket.addToResourcePolicy(statement);
  }
}

/**
 * The last step of every bucket construct: acknowledge the cdk-nag findings that do not apply, then register
 * the bucket with its audit trail.
 */
export function finishSecureBucket(bucket: s3.Bucket, props: SecureBucketProps, mode: EncryptionMode): void {
  acknowledgeOnBucket(bucket, nagAcknowledgementsFor(props, mode));
  registerBucketAuditing(bucket, props.auditing);
}

/** A cdk-nag finding acknowledged inside a construct, with the reason a reviewer reads. */
export interface NagAcknowledgement {
  /** Rule ID, e.g. `AwsSolutions-S1`. */
  readonly id: string;
  /** Why the finding does not apply. */
  readonly reason: string;
}

/**
 * Acknowledge cdk-nag findings on the bucket resource only, never on the whole tree.
 *
 * Writes the one metadata entry that `Validations.of(resource).acknowledge()` would write per rule, with all
 * the rules in it: `acknowledge()` captures a stack trace for each rule, which made constructing a bucket three
 * times slower than the rest of its work. cdk-nag reads every rule ID of every entry.
 */
export function acknowledgeOnBucket(bucket: s3.Bucket, acknowledgements: NagAcknowledgement[]): void {
  if (acknowledgements.length === 0) return;
  const resource = bucket.node.defaultChild as IConstruct;
  resource.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    Object.fromEntries(acknowledgements.map((a) => [`Annotation::${a.id}`, a.reason])));
}
