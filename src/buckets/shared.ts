import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { validateBucketName } from './bucket-name';
import { checkArray, checkBoolean, checkEnum, checkNumber, checkObject, checkString, describeValue, PropSite } from './validation';
import { validationError } from '../errors';
import { ALLOWED_TLS_VERSIONS, DEFAULT_MINIMUM_TLS_VERSION, EncryptionRequirement, UploadHeaderRule } from '../policy/requirement';
import { bucketScope, encryptionStatements } from '../policy/statements';

// What every bucket of this library shares, the bucket constructs and the log bucket of EncryptionAuditTrail alike.
// A leaf: it imports nothing from src/audit, and src/audit imports src/buckets only through it, so the two cannot
// form an import cycle again (ESLint's import/no-cycle checks it).

export { isCustomStackName } from './bucket-name';
export { checkBucketPolicySize, checkKeyPolicySize, checkStackQuotas } from './quotas';
export { checkBoolean, checkDuration, checkEnum, checkObject, checkPropsObject, checkString, describeValue } from './validation';

/** The cdk-nag compliance packs the library is checked against besides AwsSolutions, by the prefix of their rule IDs. */
export const COMPLIANCE_NAG_PACKS: readonly string[] = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** Parts of abandoned multipart uploads are stored (and billed) until aborted; no object is ever expired. */
export const ABORT_INCOMPLETE_MULTIPART_UPLOADS: s3.LifecycleRule = {
  id: 'AbortIncompleteMultipartUploads',
  abortIncompleteMultipartUploadAfter: Duration.days(7),
};

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
  checkBucketPropTypes({ scope, where }, props);
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
  validateBucketName(scope, where, props.bucketName);
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
    lifecycleRules: props.lifecycleRules ?? [ABORT_INCOMPLETE_MULTIPART_UPLOADS],
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    // S3 blocks SSE-C on new buckets unless told otherwise (since April 2026), so both choices are written out.
    blockedEncryptionTypes: blocked ?? [kind.blocksSseC ? s3.BlockedEncryptionType.SSE_C : s3.BlockedEncryptionType.NONE],
    enforceSSL: false,
    minimumTLSVersion: undefined,
  };
}

const BOOLEAN_BUCKET_PROPS = [
  'enforceSSL', 'bucketKeyEnabled', 'autoDeleteObjects', 'versioned', 'objectLockEnabled', 'abacStatus', 'eventBridgeEnabled',
  'transferAcceleration', 'notificationsSkipDestinationValidation',
] as const;
const STRING_BUCKET_PROPS = ['bucketName', 'bucketNamePrefix', 'websiteIndexDocument', 'websiteErrorDocument', 'serverAccessLogsPrefix'] as const;
const ARRAY_BUCKET_PROPS = [
  'lifecycleRules', 'websiteRoutingRules', 'metrics', 'cors', 'inventories', 'intelligentTieringConfigurations', 'replicationRules',
] as const;
const OBJECT_BUCKET_PROPS: ReadonlyArray<[string, string, readonly string[]]> = [
  ['encryptionKey', 'a kms.IKey', ['keyArn']],
  ['serverAccessLogsBucket', 'an s3.IBucket', ['bucketName']],
  ['notificationsHandlerRole', 'an iam.IRole', ['roleArn']],
  ['replicationRole', 'an iam.IRole', ['roleArn']],
  ['websiteRedirect', 'an s3.RedirectTarget', ['hostName']],
  ['objectLockDefaultRetention', 'an s3.ObjectLockRetention', []],
  ['targetObjectKeyFormat', 'an s3.TargetObjectKeyFormat', []],
  ['auditing', 'a BucketAuditing (BucketAuditing.sharedTrail(), .trail(trail) or .none(reason))', ['kind']],
];
const ENUM_BUCKET_PROPS: ReadonlyArray<[string, readonly unknown[], string]> = [
  ['encryption', Object.values(s3.BucketEncryption), 's3.BucketEncryption'],
  ['removalPolicy', Object.values(RemovalPolicy), 'RemovalPolicy'],
  ['accessControl', Object.values(s3.BucketAccessControl), 's3.BucketAccessControl'],
  ['objectOwnership', Object.values(s3.ObjectOwnership), 's3.ObjectOwnership'],
  ['bucketNamespace', Object.values(s3.BucketNamespace), 's3.BucketNamespace'],
  ['transitionDefaultMinimumObjectSize', Object.values(s3.TransitionDefaultMinimumObjectSize), 's3.TransitionDefaultMinimumObjectSize'],
];

/**
 * Check the type of every prop of `s3.BucketProps` (and `auditing`) that the bucket constructs pass on or read, so
 * that a wrong type from JavaScript or jsii ends in a `ValidationError` naming the prop, and a truthy value that is
 * not `true` never switches anything on.
 */
function checkBucketPropTypes(site: PropSite, props: s3.BucketProps): void {
  const all = props as unknown as Record<string, unknown>;
  // Public access first: any value but false is refused as public access, whatever its type.
  refusePublicAccessProps(site.scope, site.where, props);
  for (const prop of BOOLEAN_BUCKET_PROPS) checkBoolean(site, prop, all[prop]);
  for (const prop of STRING_BUCKET_PROPS) checkString(site, prop, all[prop]);
  for (const prop of ARRAY_BUCKET_PROPS) checkArray(site, prop, all[prop]);
  for (const [prop, expected, members] of OBJECT_BUCKET_PROPS) checkObject(site, prop, all[prop], expected, false, members);
  for (const [prop, values, name] of ENUM_BUCKET_PROPS) checkEnum(site, prop, all[prop], values, name);
  checkNumber(site, 'minimumTLSVersion', props.minimumTLSVersion, { hint: '1.2 (the default) or 1.3' });
  checkArray(site, 'blockedEncryptionTypes', props.blockedEncryptionTypes, (item, itemProp) => {
    if (item === null || typeof item !== 'object' || typeof (item as s3.BlockedEncryptionType).name !== 'string') {
      throw validationError(site.scope, 'InvalidPropType',
        `${itemProp} on ${site.where} must be an s3.BlockedEncryptionType, but got ${describeValue(item)}. ` +
        'Pass [s3.BlockedEncryptionType.SSE_C] or [s3.BlockedEncryptionType.NONE], or remove the prop.');
    }
  });
}

/** ACLs that grant access to everyone, or to every AWS account. */
const PUBLIC_ACLS: readonly string[] = [
  s3.BucketAccessControl.PUBLIC_READ, s3.BucketAccessControl.PUBLIC_READ_WRITE, s3.BucketAccessControl.AUTHENTICATED_READ,
];

/**
 * Refuse every prop that would make a bucket of this library public: `publicReadAccess` (any value but `false`,
 * since s3.Bucket treats any truthy value as true), `blockPublicAccess` that does not block all four kinds, and
 * public canned ACLs.
 */
function refusePublicAccessProps(scope: IConstruct | undefined, where: string, props: s3.BucketProps): void {
  const publicRead = (props as { publicReadAccess?: unknown }).publicReadAccess;
  if (publicRead !== undefined && publicRead !== false) {
    throw validationError(scope, 'PublicReadAccessNotAllowed',
      `publicReadAccess cannot be set on ${where} (got ${describeValue(publicRead)}): an encrypted bucket's objects are not ` +
      'for anonymous readers. Remove the prop, and serve public content through CloudFront with origin access control.');
  }
  const bpa = props.blockPublicAccess as unknown;
  if (bpa !== undefined) {
    if (bpa === null || typeof bpa !== 'object') {
      throw validationError(scope, 'InvalidPropType',
        `blockPublicAccess on ${where} must be s3.BlockPublicAccess.BLOCK_ALL, but got ${describeValue(bpa)}. ` +
        'Remove the prop (all public access is blocked by default).');
    }
    const settings = bpa as Record<string, unknown>;
    const open = ['blockPublicAcls', 'blockPublicPolicy', 'ignorePublicAcls', 'restrictPublicBuckets'].filter((s) => settings[s] !== true);
    if (open.length > 0) {
      throw validationError(scope, 'PublicAccessNotBlocked',
        `blockPublicAccess on ${where} leaves ${open.join(', ')} off, which lets a policy or ACL make the bucket public. ` +
        'Remove the prop (s3.BlockPublicAccess.BLOCK_ALL is the default), or pass BLOCK_ALL.');
    }
  }
  const acl = props.accessControl as unknown;
  if (typeof acl === 'string' && PUBLIC_ACLS.includes(acl)) {
    throw validationError(scope, 'PublicAclNotAllowed',
      `accessControl '${acl}' on ${where} grants access to everyone or to every AWS account. Remove the prop; ` +
      'ACLs are disabled by the default ObjectOwnership.BUCKET_OWNER_ENFORCED.');
  }
}

/** The error of `grantPublicAccess()` on a bucket of this library. */
export function publicAccessRefused(bucket: IConstruct, keyPrefix: string | undefined, allowedActions: string[]): Error {
  const what = `${allowedActions.length > 0 ? allowedActions.join(', ') : 's3:GetObject'} on '${keyPrefix ?? '*'}'`;
  return validationError(bucket, 'PublicAccessNotAllowed',
    `grantPublicAccess (${what}) is not allowed on bucket '${bucket.node.path}': the buckets of this library block all ` +
    'public access, and an Allow to everyone would make encrypted objects readable by anyone. Grant access to ' +
    'specific principals (grantRead, grantWrite), or serve public content through CloudFront with origin access control.');
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

/** A KMS key the construct creates for a bucket: rotated, a 30-day deletion window, kept when the stack is deleted. */
export function newBucketKey(scope: IConstruct, id: string, description: string, alias: string | undefined): kms.Key {
  return new kms.Key(scope, id, {
    description,
    enableKeyRotation: true,
    pendingWindow: Duration.days(30),
    removalPolicy: RemovalPolicy.RETAIN,
    alias,
  });
}

/**
 * Grant KMS `actions` on a bucket's key under `conditions`: in the principal's policy, and in the key's policy too
 * when the principal is in another account.
 */
export function grantOnBucketKey(key: kms.IKey, grantee: iam.IGrantable, actions: string[],
  conditions: Record<string, Record<string, unknown>>): iam.Grant {
  return iam.Grant.addToPrincipalOrResource({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    resource: key,
    resourceSelfArns: ['*'],
    conditions,
  });
}
