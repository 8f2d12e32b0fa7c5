import * as iam from 'aws-cdk-lib/aws-iam';
import { EncryptionMode } from './requirement';
import { ConditionKeys, StatementIds, StatementScope } from './statements';

// The statements that let CloudTrail deliver a trail's logs: the log bucket's policy and the trail key's policy.
// Like every other statement of the library, they are built here and nowhere else.

/** The CloudTrail service principal. */
export const CLOUDTRAIL_SERVICE = 'cloudtrail.amazonaws.com';

/** Condition keys of the CloudTrail statements. */
const CloudTrailConditionKeys = {
  SOURCE_ARN: 'aws:SourceArn',
  OBJECT_ACL: 's3:x-amz-acl',
  /** Encryption context CloudTrail (and S3 on its behalf) sends to KMS for a trail's log files. */
  CLOUDTRAIL_ENCRYPTION_CONTEXT: 'kms:EncryptionContext:aws:cloudtrail:arn',
  /** Encryption context CloudWatch Logs sends to KMS for an encrypted log group. */
  LOGS_ENCRYPTION_CONTEXT: 'kms:EncryptionContext:aws:logs:arn',
} as const;

/** Stable statement ids of the CloudTrail statements: part of the snapshot contract. */
export const CloudTrailStatementIds = {
  ALLOW_CLOUDTRAIL_ACL_CHECK: 'AllowCloudTrailAclCheck',
  ALLOW_CLOUDTRAIL_WRITE: 'AllowCloudTrailWrite',
  ALLOW_KEY_ADMINISTRATION: 'AllowKeyAdministration',
  ALLOW_CLOUDTRAIL_ENCRYPT: 'AllowCloudTrailEncryptForThisTrail',
  ALLOW_CLOUDTRAIL_DESCRIBE_KEY: 'AllowCloudTrailDescribeKey',
  ALLOW_ACCOUNT_DECRYPT: 'AllowAccountDecryptTrailLogs',
  ALLOW_LOGS_ENCRYPT: 'AllowCloudWatchLogsForTrailLogGroup',
} as const;

/** The canned ACL CloudTrail sends with every log file. */
const BUCKET_OWNER_FULL_CONTROL = 'bucket-owner-full-control';

/** The trail and where its logs go. */
export interface CloudTrailDelivery {
  /** ARN of the trail (`aws:SourceArn` of every request CloudTrail makes for it). */
  readonly trailArn: string;
  /** ARN of the log bucket. */
  readonly bucketArn: string;
  /** Account whose logs CloudTrail writes (`AWSLogs/<account>/`). */
  readonly account: string;
}

/** CloudTrail may read the log bucket's ACL, for this trail only. */
function allowCloudTrailAclCheck(delivery: CloudTrailDelivery): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: CloudTrailStatementIds.ALLOW_CLOUDTRAIL_ACL_CHECK,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(CLOUDTRAIL_SERVICE)],
    actions: ['s3:GetBucketAcl'],
    resources: [delivery.bucketArn],
    conditions: { StringEquals: { [CloudTrailConditionKeys.SOURCE_ARN]: delivery.trailArn } },
  });
}

/**
 * CloudTrail may write log files for this trail under `AWSLogs/<account>/`, handing the objects to the bucket
 * owner. `aws:SourceArn` stops another trail (the confused deputy) from writing here.
 */
function allowCloudTrailWrite(delivery: CloudTrailDelivery): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: CloudTrailStatementIds.ALLOW_CLOUDTRAIL_WRITE,
    effect: iam.Effect.ALLOW,
    principals: [new iam.ServicePrincipal(CLOUDTRAIL_SERVICE)],
    actions: ['s3:PutObject'],
    resources: [`${delivery.bucketArn}/AWSLogs/${delivery.account}/*`],
    conditions: {
      StringEquals: {
        [CloudTrailConditionKeys.OBJECT_ACL]: BUCKET_OWNER_FULL_CONTROL,
        [CloudTrailConditionKeys.SOURCE_ARN]: delivery.trailArn,
      },
    },
  });
}

/** The statements that let CloudTrail deliver to the log bucket. */
export function cloudTrailDeliveryStatements(delivery: CloudTrailDelivery): iam.PolicyStatement[] {
  return [allowCloudTrailAclCheck(delivery), allowCloudTrailWrite(delivery)];
}

/**
 * The upload statements of a trail's log bucket: what CloudTrail sends is allowed, nothing else.
 *
 * CloudTrail writes log files with `aws:kms` and the trail key, and digest files with SSE-S3 (CloudTrail User
 * Guide, "Encrypting CloudTrail log files with AWS KMS keys": "Digest files are encrypted with Amazon
 * S3-managed encryption keys"). A rule that demands one mode would stop one of the two deliveries, so:
 * - `DenyWrongEncryptionHeader`: an upload that sends `x-amz-server-side-encryption` must send `AES256` or
 *   `aws:kms` (a `Null = false` condition leaves header-less uploads to the bucket's default encryption, since
 *   a negated operator alone would deny them).
 * - `DenyWrongKmsKey`: an `aws:kms` or `aws:kms:dsse` upload must name the trail key ARN; one that names no key
 *   (S3 would use `aws/s3`) or another key is denied.
 */
export function cloudTrailLogUploadStatements(scope: StatementScope, trailKeyArn: string): iam.PolicyStatement[] {
  const principals = [scope.principal ?? new iam.AnyPrincipal()];
  return [
    new iam.PolicyStatement({
      sid: StatementIds.DENY_WRONG_ENCRYPTION_HEADER,
      effect: iam.Effect.DENY,
      principals,
      actions: ['s3:PutObject'],
      resources: scope.objectArns,
      conditions: {
        Null: { [ConditionKeys.SSE]: 'false' },
        StringNotEquals: { [ConditionKeys.SSE]: [EncryptionMode.SSE_S3, EncryptionMode.SSE_KMS] },
      },
    }),
    new iam.PolicyStatement({
      sid: StatementIds.DENY_WRONG_KMS_KEY,
      effect: iam.Effect.DENY,
      principals,
      actions: ['s3:PutObject'],
      resources: scope.objectArns,
      conditions: {
        StringEquals: { [ConditionKeys.SSE]: [EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS] },
        StringNotEquals: { [ConditionKeys.SSE_KMS_KEY_ID]: trailKeyArn },
      },
    }),
  ];
}

/**
 * Actions the account keeps on the trail key to administer it through IAM. Encrypt, GenerateDataKey and
 * ReEncryptTo are left out, so that nothing but CloudTrail (and CloudWatch Logs, for the trail's log group)
 * produces ciphertext under the key; Decrypt is granted separately, for trail logs only.
 */
const TRAIL_KEY_ADMIN_ACTIONS: readonly string[] = [
  'kms:CancelKeyDeletion',
  'kms:CreateAlias',
  'kms:CreateGrant',
  'kms:DeleteAlias',
  'kms:DescribeKey',
  'kms:DisableKey',
  'kms:DisableKeyRotation',
  'kms:EnableKey',
  'kms:EnableKeyRotation',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
  'kms:PutKeyPolicy',
  'kms:RetireGrant',
  'kms:RevokeGrant',
  'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** What the trail key protects, for its policy. */
export interface TrailKeyPolicyProps {
  /** ARN of the trail that may encrypt with the key. */
  readonly trailArn: string;
  /** Partition of the account. */
  readonly partition: string;
  /** Account that owns the trail and the key. */
  readonly account: string;
  /**
   * The trail's CloudWatch Logs log group, when its events also go there.
   *
   * @default - no log group
   */
  readonly logGroup?: {
    /** ARN of the log group, without the `:*` suffix. */
    readonly arn: string;
    /** Region of the log group (CloudWatch Logs' service principal is Regional). */
    readonly region: string;
  };
}

/** The encryption-context pattern of every trail of an account, as CloudTrail's documentation writes it. */
function cloudTrailEncryptionContextPattern(partition: string, account: string): string {
  return `arn:${partition}:cloudtrail:*:${account}:trail/*`;
}

/**
 * The trail key's policy:
 * - the account administers the key through IAM (no blanket `kms:*`, see {@link TRAIL_KEY_ADMIN_ACTIONS});
 * - CloudTrail may call `GenerateDataKey*` for this trail only (`aws:SourceArn`) and only for trail logs of this
 *   account (the `aws:cloudtrail:arn` encryption context);
 * - CloudTrail may describe the key (it checks the key when the trail is created or updated);
 * - the account may decrypt trail logs through IAM (with the CloudTrail encryption context, so the key is no
 *   general-purpose decryption oracle);
 * - CloudWatch Logs may use the key for the trail's log group only, when there is one.
 */
export function trailKeyPolicyStatements(props: TrailKeyPolicyProps): iam.PolicyStatement[] {
  const account = new iam.AccountRootPrincipal();
  const cloudTrail = new iam.ServicePrincipal(CLOUDTRAIL_SERVICE);
  const trailLogs = { [CloudTrailConditionKeys.CLOUDTRAIL_ENCRYPTION_CONTEXT]: cloudTrailEncryptionContextPattern(props.partition, props.account) };
  const statements = [
    new iam.PolicyStatement({
      sid: CloudTrailStatementIds.ALLOW_KEY_ADMINISTRATION,
      principals: [account],
      actions: [...TRAIL_KEY_ADMIN_ACTIONS],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: CloudTrailStatementIds.ALLOW_CLOUDTRAIL_ENCRYPT,
      principals: [cloudTrail],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { [CloudTrailConditionKeys.SOURCE_ARN]: props.trailArn },
        StringLike: trailLogs,
      },
    }),
    new iam.PolicyStatement({
      sid: CloudTrailStatementIds.ALLOW_CLOUDTRAIL_DESCRIBE_KEY,
      principals: [cloudTrail],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: CloudTrailStatementIds.ALLOW_ACCOUNT_DECRYPT,
      principals: [account],
      actions: ['kms:Decrypt'],
      resources: ['*'],
      conditions: { StringLike: trailLogs },
    }),
  ];
  if (props.logGroup) {
    statements.push(new iam.PolicyStatement({
      sid: CloudTrailStatementIds.ALLOW_LOGS_ENCRYPT,
      principals: [new iam.ServicePrincipal(`logs.${props.logGroup.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnEquals: { [CloudTrailConditionKeys.LOGS_ENCRYPTION_CONTEXT]: props.logGroup.arn } },
    }));
  }
  return statements;
}

/** What the trail's role may do in its CloudWatch Logs log group. */
export interface TrailLogGroupDelivery {
  /** ARN of the log group, without the `:*` suffix. */
  readonly logGroupArn: string;
  /** Account that owns the trail (the prefix of CloudTrail's log stream names). */
  readonly account: string;
}

/**
 * The trail role's permissions: create log streams and put events in the trail's log group. CloudTrail names
 * one stream per Region it records, `<account>_CloudTrail_<region>`, so the Region is the only wildcard.
 */
export function cloudTrailLogGroupStatements(delivery: TrailLogGroupDelivery): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({
    sid: 'AllowCloudTrailLogStreams',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [`${delivery.logGroupArn}:log-stream:${delivery.account}_CloudTrail_*`],
  })];
}
