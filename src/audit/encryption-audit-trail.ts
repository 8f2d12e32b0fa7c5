import { createHash } from 'crypto';
import { ArnFormat, CfnOutput, Duration, Fn, Lazy, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import {
  AuditedObjects, combineReadWriteTypes, conditionValueCount, managementEventSelector, MAX_SELECTOR_CONDITION_VALUES,
  s3ObjectSelectors,
} from './selectors';
import { checkTrailQuota } from './trail-quota';
import {
  ABORT_INCOMPLETE_MULTIPART_UPLOADS, acknowledgeOnBucket, checkBoolean, checkBucketPolicySize, checkDuration, checkEnum, checkKeyPolicySize,
  checkObject, checkPropsObject, checkStackQuotas, checkString, isCustomStackName, COMPLIANCE_NAG_PACKS, NagAcknowledgement,
  publicAccessRefused, secureBucketProps,
} from '../buckets/shared';
import { validationError } from '../errors';
import {
  cloudTrailDeliveryStatements, cloudTrailLogGroupStatements, cloudTrailLogUploadStatements, CLOUDTRAIL_SERVICE,
  trailKeyPolicyStatements,
} from '../policy/cloudtrail';
import { bucketScope, transportStatements } from '../policy/statements';

/**
 * Which object events of a bucket a trail records.
 */
export interface BucketAuditOptions {
  /**
   * Which S3 object events to record: reads (`GetObject`, `HeadObject`, ...), writes (`PutObject`,
   * `DeleteObject`, multipart uploads, ...) or both. `NONE` is refused: use `BucketAuditing.none(reason)`.
   *
   * Data events are billed per event, so read-heavy buckets cost most with `ALL` and `READ_ONLY`.
   *
   * @default cloudtrail.ReadWriteType.ALL
   * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
   */
  readonly readWriteType?: cloudtrail.ReadWriteType;
}

/**
 * Props for `EncryptionAuditTrail`.
 */
export interface EncryptionAuditTrailProps {
  /**
   * Name of the trail. It is fixed at synthesis so that the log bucket's and the key's policies can name the
   * trail's ARN (`aws:SourceArn`) without a dependency cycle between the trail and its bucket and key.
   *
   * @default - a name unique to the stack and construct path
   */
  readonly trailName?: string;

  /**
   * Whether the trail records events of every Region (the buckets' object events are recorded wherever the
   * buckets are). A multi-Region trail counts against the quota of 5 trails in every Region.
   *
   * @default true
   */
  readonly isMultiRegionTrail?: boolean;

  /**
   * Whether the trail records management events (read and write), which include every KMS call
   * (`GenerateDataKey`, `Decrypt`, ...) that S3 makes with the buckets' keys. Turn it off only when another trail
   * already records management events: the first copy of management events is free, every further copy is billed.
   *
   * @default true
   */
  readonly includeManagementEvents?: boolean;

  /**
   * Age at which log files move to `transitionStorageClass`. Logs are kept: nothing is deleted unless
   * `expireLogsAfter` is set.
   *
   * @default Duration.days(90)
   */
  readonly transitionLogsAfter?: Duration;

  /**
   * Storage class that older log files move to. Glacier Instant Retrieval keeps them readable by Athena and
   * `aws cloudtrail validate-logs` without a restore.
   *
   * @default s3.StorageClass.GLACIER_INSTANT_RETRIEVAL
   */
  readonly transitionStorageClass?: s3.StorageClass;

  /**
   * Age at which log files are deleted (and deleted or overwritten versions, that long after they became
   * noncurrent). Deleting audit logs is a decision for your retention policy, so it is off unless you set it.
   * Must be later than `transitionLogsAfter`.
   *
   * @default - log files are kept
   */
  readonly expireLogsAfter?: Duration;

  /**
   * Also deliver the trail's events to a CloudWatch Logs log group (encrypted with the trail key), for metric
   * filters and alarms. CloudWatch Logs bills ingestion per GB, which with data events can exceed the cost of
   * the trail itself.
   *
   * @default false
   */
  readonly cloudWatchLogs?: boolean;

  /**
   * How long the CloudWatch Logs log group keeps events, when `cloudWatchLogs` is on.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly cloudWatchLogsRetention?: logs.RetentionDays;
}

const AUDIT_TRAIL_SYMBOL = Symbol.for('cdk-s3-encryption.EncryptionAuditTrail');

/** A trail name CloudTrail accepts: 3 to 128 letters, digits, `.`, `_`, `-`, starting and ending alphanumeric. */
const TRAIL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-])){1,126}[A-Za-z0-9]$/;

/**
 * One CloudTrail trail that records the S3 object events of the buckets registered with it and the KMS calls
 * made with their keys.
 *
 * A trail per bucket would run into CloudTrail's quota of 5 trails per Region, so the buckets of a stack share
 * one: `EncryptionAuditTrail.of(stack)`, which the bucket constructs of this library register with unless told
 * otherwise (`BucketAuditing`). Underneath is an `AWS::CloudTrail::Trail` with advanced event selectors (the L2
 * `cloudtrail.Trail` has none): one for management events, read and write, and one per read/write option for
 * the buckets' objects (`resources.ARN StartsWith <bucket ARN>/`).
 *
 * Log files are validated (digest files), encrypted with a KMS key the trail creates (rotated, retained) that
 * only this trail may encrypt with, and delivered to a bucket that is secured like an `EncryptedBucket` (TLS
 * only, TLS 1.2 floor, public access blocked, versioned, retained) and accepts only what CloudTrail writes.
 *
 * @example
 * const trail = EncryptionAuditTrail.of(this);
 * trail.addBucket(existingBucket, { readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY });
 */
export class EncryptionAuditTrail extends Construct {
  /** Construct id of the stack's shared trail, at the root of the stack. */
  public static readonly SHARED_TRAIL_ID = 'EncryptionAuditTrail';

  /**
   * The shared trail of the stack that `scope` belongs to, created on first use.
   */
  public static of(scope: IConstruct): EncryptionAuditTrail {
    checkObject({ scope: undefined, where: 'EncryptionAuditTrail.of(scope)' }, 'scope', scope, 'a construct', true, ['node']);
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(EncryptionAuditTrail.SHARED_TRAIL_ID);
    if (existing === undefined) return new EncryptionAuditTrail(stack, EncryptionAuditTrail.SHARED_TRAIL_ID);
    if (!EncryptionAuditTrail.isEncryptionAuditTrail(existing)) {
      throw validationError(existing, 'SharedTrailIdTaken',
        `The construct id '${EncryptionAuditTrail.SHARED_TRAIL_ID}' at the root of stack '${stack.node.path}' belongs to ` +
        'a construct that is not an EncryptionAuditTrail. Rename that construct: this id is reserved for the shared trail.');
    }
    return existing;
  }

  /** Whether `x` is an `EncryptionAuditTrail` (also across copies of this library). */
  public static isEncryptionAuditTrail(x: any): x is EncryptionAuditTrail {
    return x !== null && typeof x === 'object' && AUDIT_TRAIL_SYMBOL in x;
  }

  /** Name of the trail. */
  public readonly trailName: string;

  /** ARN of the trail, built from its name (`arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`). */
  public readonly trailArn: string;

  /** The bucket the trail delivers its log files to. */
  public readonly logBucket: s3.IBucket;

  /** The KMS key the trail's log files (and its log group, if any) are encrypted with. */
  public readonly encryptionKey: kms.IKey;

  /** The CloudWatch Logs log group, when `cloudWatchLogs` is on. */
  public readonly logGroup?: logs.ILogGroup;

  /** The `AWS::CloudTrail::Trail` resource. */
  public readonly cfnTrail: cloudtrail.CfnTrail;

  private readonly includeManagementEvents: boolean;
  private readonly audited = new Map<string, AuditedObjects>();
  /** Buckets of other stacks (same account and Region) whose ARNs come from one shared list per stack. */
  private readonly remote = new Map<Stack, RemoteBuckets>();

  constructor(scope: Construct, id: string, givenProps: EncryptionAuditTrailProps = {}) {
    super(scope, id);
    Object.defineProperty(this, AUDIT_TRAIL_SYMBOL, { value: true });
    const stack = Stack.of(this);
    const props = checkPropsObject({ scope: this, where: `EncryptionAuditTrail '${this.node.path}'` }, givenProps);
    checkPropTypes(this, props);
    this.includeManagementEvents = props.includeManagementEvents ?? true;
    this.trailName = props.trailName ?? defaultTrailName(this);
    validateProps(this, this.trailName, props);
    // Built from the fixed name, not Fn::GetAtt: the key and bucket policies name the trail, the trail names them.
    this.trailArn = stack.formatArn({
      service: 'cloudtrail', resource: 'trail', resourceName: this.trailName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });

    const logGroupName = `/aws/cloudtrail/${this.trailName}`;
    const logGroupArn = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const key = new kms.Key(this, 'Key', {
      description: `Encrypts the log files of CloudTrail trail ${this.trailName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
      policy: new iam.PolicyDocument({
        statements: trailKeyPolicyStatements({
          trailArn: this.trailArn,
          partition: stack.partition,
          account: stack.account,
          logGroup: props.cloudWatchLogs ? { arn: logGroupArn, region: stack.region } : undefined,
        }),
      }),
    });
    this.encryptionKey = key;

    const bucket = this.createLogBucket(props, key);
    this.logBucket = bucket;

    let cloudWatch: { logGroupArn: string; roleArn: string; policy: iam.ManagedPolicy } | undefined;
    if (props.cloudWatchLogs) {
      const logGroup = new logs.LogGroup(this, 'LogGroup', {
        logGroupName,
        encryptionKey: key,
        retention: props.cloudWatchLogsRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.logGroup = logGroup;
      const role = new iam.Role(this, 'LogsRole', {
        assumedBy: new iam.ServicePrincipal(CLOUDTRAIL_SERVICE),
        description: `Lets CloudTrail trail ${this.trailName} deliver events to ${logGroupName}`,
      });
      // A managed policy, not an inline one: the NIST, HIPAA and PCI packs refuse inline IAM policies.
      const statements = cloudTrailLogGroupStatements({ logGroupArn, account: stack.account });
      const policy = new iam.ManagedPolicy(this, 'LogsPolicy', { statements, roles: [role] });
      // Acknowledged for this one resource ARN only (cdk-nag names each wildcard finding), not for IAM5 as a whole.
      Validations.of(policy.node.defaultChild as IConstruct).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flattenForNag(stack.resolve(statements[0].resources[0]))}]`,
        reason: 'The only wildcard is the Region suffix of CloudTrail\'s log stream names (<account>_CloudTrail_<region>) ' +
          'in this trail\'s own log group: a multi-Region trail writes one stream per Region, including Regions AWS ' +
          'adds later. Actions are CreateLogStream and PutLogEvents only.',
      });
      cloudWatch = { logGroupArn: logGroup.logGroupArn, roleArn: role.roleArn, policy };
    }

    const isMultiRegionTrail = props.isMultiRegionTrail ?? true;
    this.cfnTrail = new cloudtrail.CfnTrail(this, 'Resource', {
      trailName: this.trailName,
      isLogging: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: key.keyArn,
      enableLogFileValidation: true,
      isMultiRegionTrail,
      includeGlobalServiceEvents: true,
      cloudWatchLogsLogGroupArn: cloudWatch?.logGroupArn,
      cloudWatchLogsRoleArn: cloudWatch?.roleArn,
      // Rendered at synthesis, so that buckets registered after this constructor are recorded too.
      advancedEventSelectors: Lazy.any({ produce: () => this.renderSelectors() }),
    });
    // CloudTrail checks the bucket policy (and the role's permissions) when the trail is created.
    this.cfnTrail.node.addDependency(bucket.policy!);
    if (cloudWatch) this.cfnTrail.node.addDependency(cloudWatch.policy);

    if (!props.cloudWatchLogs) {
      for (const pack of COMPLIANCE_NAG_PACKS) {
        Validations.of(this.cfnTrail).acknowledge({
          id: `${pack}-CloudTrailCloudWatchLogsEnabled`,
          reason: 'Events are delivered to an encrypted, versioned, retained S3 bucket with log file validation; ' +
            'CloudWatch Logs delivery is opt-in (cloudWatchLogs: true) because it bills ingestion per GB, which for ' +
            'S3 data events can exceed the cost of the trail. Turn it on where alarms on trail events are required.',
        });
      }
    }

    checkTrailQuota(this, (c) => EncryptionAuditTrail.isEncryptionAuditTrail(c));
    checkKeyPolicySize(key, `the key of EncryptionAuditTrail '${this.node.path}'`);
    checkBucketPolicySize(bucket, `the log bucket of EncryptionAuditTrail '${this.node.path}'`);
    checkStackQuotas(this);
  }

  /**
   * Record the S3 object events of `bucket` (any `IBucket`, of this stack or imported).
   *
   * Registering the same bucket again widens what is recorded: read-only plus write-only is all.
   */
  public addBucket(bucket: s3.IBucket, options: BucketAuditOptions = {}): void {
    const where = `EncryptionAuditTrail '${this.node.path}'`;
    const site = { scope: this, where };
    checkObject(site, 'the bucket of addBucket(bucket)', bucket, 'an s3.IBucket', true, ['bucketArn', 'node']);
    checkObject(site, `the options of addBucket(bucket, options) for bucket '${bucket.node.path}'`, options, 'an object (BucketAuditOptions)');
    const readWriteType = this.checkedReadWriteType(options ?? {}, `bucket '${bucket.node.path}'`);
    const isLogBucket = bucket === this.logBucket || bucket.bucketArn === this.logBucket.bucketArn;
    if (isLogBucket && readWriteType !== cloudtrail.ReadWriteType.READ_ONLY) {
      throw validationError(this, 'LogBucketWriteEvents',
        `readWriteType '${readWriteType}' on the log bucket of ${where} would record the trail's own log deliveries, ` +
        'each of which is a write event that produces another log file. Use ReadWriteType.READ_ONLY to record who ' +
        'reads the logs, or do not register the log bucket.');
    }
    const trailStack = Stack.of(this);
    const bucketStack = Stack.of(bucket);
    if (bucketStack !== trailStack) {
      if (bucketStack.account !== trailStack.account || bucketStack.region !== trailStack.region) {
        throw validationError(this, 'CrossEnvironmentRegistration',
          `Bucket '${bucket.node.path}' (account ${shownEnv(bucketStack.account)}, Region ${shownEnv(bucketStack.region)}) ` +
          `cannot be registered with ${where} (account ${shownEnv(trailStack.account)}, Region ${shownEnv(trailStack.region)}): ` +
          'a trail is deployed with its stack, and a stack cannot refer to a bucket of another account or Region. Register ' +
          'the bucket with a trail of its own account and Region (BucketAuditing.sharedTrail(), the default, creates one ' +
          'in its stack), or use BucketAuditing.none(reason) if an organisation trail records it.');
      }
      if (!bucketStack.nested && !trailStack.nested) {
        const name = portableBucketName(bucket);
        if (name !== undefined) {
          // A name known without a reference to the other stack: no export needed.
          this.record(`arn:${trailStack.partition}:s3:::${name}/`, readWriteType);
        } else {
          this.recordRemote(bucket, bucketStack, readWriteType);
        }
        return;
      }
    }
    this.record(`${bucket.bucketArn}/`, readWriteType);
  }

  /**
   * A bucket of another stack whose name is known only at deployment: its ARN goes into one list per stack and
   * trail, exported once (one Output, not one per bucket), and the trail picks each ARN out of the imported list.
   */
  private recordRemote(bucket: s3.IBucket, bucketStack: Stack, readWriteType: cloudtrail.ReadWriteType): void {
    let remote = this.remote.get(bucketStack);
    if (remote === undefined) {
      // At most 128 + 16 + 100 characters: CloudFormation allows 255 in an export name.
      const exportName = `${bucketStack.stackName}:AuditedBuckets:${Names.uniqueResourceName(this, { maxLength: 100 })}`;
      const entries = new Map<s3.IBucket, RemoteBucket>();
      new CfnOutput(bucketStack, `AuditedBucketsFor${Names.uniqueId(this)}`, {
        description: `Object ARN prefixes of the buckets of this stack that trail ${this.trailName} records`,
        exportName,
        value: Lazy.string({ produce: () => Fn.join(',', [...entries.values()].map((e) => e.objectArnPrefix)) }),
      });
      Stack.of(this).addStackDependency(bucketStack, `EncryptionAuditTrail '${this.node.path}' records buckets of '${bucketStack.node.path}'`);
      checkStackQuotas(bucketStack);
      remote = { exportName, entries };
      this.remote.set(bucketStack, remote);
    }
    const previous = remote.entries.get(bucket);
    remote.entries.set(bucket, {
      objectArnPrefix: `${bucket.bucketArn}/`,
      readWriteType: previous ? combineReadWriteTypes(previous.readWriteType, readWriteType) : readWriteType,
    });
  }

  /** What the selectors list: this stack's prefixes, then each other stack's, picked out of its imported list. */
  private auditedObjects(): AuditedObjects[] {
    const objects = [...this.audited.values()];
    for (const { exportName, entries } of this.remote.values()) {
      [...entries.values()].forEach((entry, i) => objects.push({
        objectArnPrefix: Fn.select(i, Fn.split(',', Fn.importValue(exportName))),
        readWriteType: entry.readWriteType,
      }));
    }
    return objects;
  }

  private checkedReadWriteType(options: BucketAuditOptions, what: string): cloudtrail.ReadWriteType {
    const readWriteType = options.readWriteType ?? cloudtrail.ReadWriteType.ALL;
    if (!Object.values(cloudtrail.ReadWriteType).includes(readWriteType) || readWriteType === cloudtrail.ReadWriteType.NONE) {
      throw validationError(this, 'UnsupportedReadWriteType',
        `readWriteType '${readWriteType}' for ${what} on EncryptionAuditTrail '${this.node.path}' records nothing. ` +
        'Use ReadWriteType.ALL (the default), READ_ONLY or WRITE_ONLY, or do not register the bucket ' +
        '(BucketAuditing.none(reason) on this library\'s bucket constructs).');
    }
    return readWriteType;
  }

  private record(objectArnPrefix: string, readWriteType: cloudtrail.ReadWriteType): void {
    const previous = this.audited.get(objectArnPrefix);
    this.audited.set(objectArnPrefix, {
      objectArnPrefix,
      readWriteType: previous ? combineReadWriteTypes(previous.readWriteType, readWriteType) : readWriteType,
    });
  }

  private createLogBucket(props: EncryptionAuditTrailProps, key: kms.IKey): s3.Bucket {
    const bucket = new TrailLogBucket(this, 'LogBucket', secureBucketProps(this, 'LogBucket', {
      // The default applies to uploads without an SSE header only. CloudTrail sends `aws:kms` with the trail key for
      // log files (the policy below pins that key) and writes digest files with SSE-S3. A KMS default would make S3
      // call the trail key without CloudTrail's encryption context for a header-less digest, which the key policy
      // refuses, so the default is SSE-S3.
      encryption: s3.BucketEncryption.S3_MANAGED,
      lifecycleRules: logLifecycleRules(props),
    }, { className: 'EncryptionAuditTrail', blocksSseC: true }));

    // Secured like an EncryptedBucket: the same transport statements, from the same builders. The upload rule is
    // the one CloudTrail can satisfy: a REQUIRED AES256 header (EncryptedBucket's default) would deny every log
    // file, and a KMS-only rule would deny the SSE-S3 digest files, either of which silently stops delivery.
    const scope = bucketScope(bucket.bucketArn);
    for (const statement of [
      ...transportStatements(scope),
      ...cloudTrailLogUploadStatements(scope, key.keyArn),
      ...cloudTrailDeliveryStatements({ trailArn: this.trailArn, bucketArn: bucket.bucketArn, account: Stack.of(this).account }),
    ]) {
      bucket.addToResourcePolicy(statement);
    }
    acknowledgeOnBucket(bucket, logBucketAcknowledgements());
    return bucket;
  }

  private renderSelectors(): cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] {
    const selectors = [
      ...(this.includeManagementEvents ? [managementEventSelector()] : []),
      ...s3ObjectSelectors(this.auditedObjects()),
    ];
    if (selectors.length === 0) {
      throw validationError(this, 'TrailRecordsNothing',
        `EncryptionAuditTrail '${this.node.path}' has includeManagementEvents: false and no registered buckets, so it ` +
        'would record nothing. Register buckets with addBucket(), keep management events, or remove the trail.');
    }
    const values = conditionValueCount(selectors);
    if (values > MAX_SELECTOR_CONDITION_VALUES) {
      throw validationError(this, 'TooManySelectorValues',
        `EncryptionAuditTrail '${this.node.path}' needs ${values} condition values in its advanced event selectors ` +
        `(${this.audited.size + [...this.remote.values()].reduce((n, r) => n + r.entries.size, 0)} buckets), and CloudTrail allows ${MAX_SELECTOR_CONDITION_VALUES} per trail. Split the ` +
        'buckets: give some of them a second trail (new EncryptionAuditTrail(...), then BucketAuditing.trail(trail) on ' +
        'the bucket constructs or trail.addBucket()), or move some of them to another stack, which has its own shared trail.');
    }
    return selectors;
  }
}

/** A resolved CloudFormation value as cdk-nag names it in a finding id (`Ref` as `<name>`, joins concatenated). */
function flattenForNag(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, any>;
    if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flattenForNag).join(v['Fn::Join'][0]);
    if (v.Ref) return `<${v.Ref}>`;
    if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
  }
  return JSON.stringify(value);
}

interface RemoteBucket {
  readonly objectArnPrefix: string;
  readonly readWriteType: cloudtrail.ReadWriteType;
}

interface RemoteBuckets {
  readonly exportName: string;
  readonly entries: Map<s3.IBucket, RemoteBucket>;
}

/** The log bucket: an s3.Bucket that refuses public access like the bucket constructs. */
class TrailLogBucket extends s3.Bucket {
  public grantPublicAccess(keyPrefix?: string, ...allowedActions: string[]): iam.Grant {
    throw publicAccessRefused(this, keyPrefix, allowedActions);
  }
}

function shownEnv(value: string): string {
  return Token.isUnresolved(value) ? '(unresolved: chosen at deployment)' : value;
}

/**
 * The bucket's name when it is known at synthesis up to pseudo parameters (a literal `bucketName`, the fixed name of
 * a KmsEncryptedBucket, an imported bucket), so that another stack of the same environment can write its ARN without
 * a reference; `undefined` when it needs one (a name CloudFormation generates).
 */
function portableBucketName(bucket: s3.IBucket): string | undefined {
  const cfn = bucket.node.defaultChild;
  const name = cfn instanceof s3.CfnBucket ? cfn.bucketName : (cfn === undefined ? bucket.bucketName : undefined);
  if (typeof name !== 'string') return undefined;
  return onlyPseudoParameters(Stack.of(bucket).resolve(name)) ? name : undefined;
}

function onlyPseudoParameters(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every(onlyPseudoParameters);
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  const keys = Object.keys(v);
  if (keys.length !== 1) return false;
  if (keys[0] === 'Ref') return typeof v.Ref === 'string' && v.Ref.startsWith('AWS::');
  if (keys[0] === 'Fn::Join') return onlyPseudoParameters(v['Fn::Join']);
  return false;
}

/**
 * The default trail name: unique to the construct path, and to the stack name when it is not the one CDK derives from
 * that path (two deployments of one app under different stack names in one account and Region would otherwise get
 * the same trail). Names of stacks with the default stack name are unchanged.
 */
function defaultTrailName(trail: Construct): string {
  const stackName = Stack.of(trail).stackName;
  if (!isCustomStackName(Stack.of(trail))) return Names.uniqueResourceName(trail, { maxLength: 128, separator: '-' });
  const hash = createHash('sha256').update(stackName).digest('hex').slice(0, 8);
  return `${Names.uniqueResourceName(trail, { maxLength: 119, separator: '-' })}-${hash}`;
}

function checkPropTypes(scope: IConstruct, props: EncryptionAuditTrailProps): void {
  const site = { scope, where: `EncryptionAuditTrail '${scope.node.path}'` };
  checkString(site, 'trailName', props.trailName);
  checkBoolean(site, 'isMultiRegionTrail', props.isMultiRegionTrail);
  checkBoolean(site, 'includeManagementEvents', props.includeManagementEvents);
  checkBoolean(site, 'cloudWatchLogs', props.cloudWatchLogs);
  for (const prop of ['transitionLogsAfter', 'expireLogsAfter'] as const) {
    const duration = checkDuration(site, prop, props[prop]);
    if (duration !== undefined) {
      const ms = duration.toMilliseconds({ integral: false });
      if (!(ms > 0 && ms % 86_400_000 === 0)) {
        throw validationError(scope, 'PropOutOfRange',
          `${prop} on ${site.where} must be a whole number of days above 0 (S3 lifecycle rules count in days), but is ` +
          `${duration.toHumanString()}. Pass e.g. Duration.days(90).`);
      }
    }
  }
  checkObject(site, 'transitionStorageClass', props.transitionStorageClass, 'an s3.StorageClass (e.g. s3.StorageClass.GLACIER_INSTANT_RETRIEVAL)', false, ['value']);
  checkEnum(site, 'cloudWatchLogsRetention', props.cloudWatchLogsRetention,
    Object.values(logs.RetentionDays).filter((v) => typeof v === 'number'), 'logs.RetentionDays');
}

function validateProps(scope: IConstruct, trailName: string, props: EncryptionAuditTrailProps): void {
  const where = `EncryptionAuditTrail '${scope.node.path}'`;
  if (!Token.isUnresolved(trailName) && (!TRAIL_NAME.test(trailName) || /^\d+\.\d+\.\d+\.\d+$/.test(trailName))) {
    throw validationError(scope, 'InvalidTrailName',
      `trailName '${trailName}' on ${where} is not a CloudTrail trail name: use 3 to 128 letters, digits, '.', '_' or '-', ` +
      'starting and ending with a letter or digit, with no two of \'._-\' in a row and not in IP address form.');
  }
  if (props.cloudWatchLogsRetention !== undefined && !props.cloudWatchLogs) {
    throw validationError(scope, 'CloudWatchLogsRetentionWithoutLogs',
      `cloudWatchLogsRetention on ${where} has no effect without cloudWatchLogs: true. Set cloudWatchLogs: true, or remove the prop.`);
  }
  const transition = props.transitionLogsAfter ?? Duration.days(90);
  if (props.expireLogsAfter !== undefined && props.expireLogsAfter.toDays() <= transition.toDays()) {
    throw validationError(scope, 'ExpirationBeforeTransition',
      `expireLogsAfter (${props.expireLogsAfter.toDays()} days) on ${where} must be later than transitionLogsAfter ` +
      `(${transition.toDays()} days): S3 refuses a lifecycle rule that expires objects before it transitions them.`);
  }
}

function logLifecycleRules(props: EncryptionAuditTrailProps): s3.LifecycleRule[] {
  const transitionAfter = props.transitionLogsAfter ?? Duration.days(90);
  const storageClass = props.transitionStorageClass ?? s3.StorageClass.GLACIER_INSTANT_RETRIEVAL;
  const rules: s3.LifecycleRule[] = [
    ABORT_INCOMPLETE_MULTIPART_UPLOADS,
    {
      id: 'TransitionOldLogs',
      transitions: [{ storageClass, transitionAfter }],
      noncurrentVersionTransitions: [{ storageClass, transitionAfter }],
    },
  ];
  if (props.expireLogsAfter !== undefined) {
    rules.push({
      id: 'ExpireOldLogs',
      expiration: props.expireLogsAfter,
      noncurrentVersionExpiration: props.expireLogsAfter,
    });
  }
  return rules;
}

function logBucketAcknowledgements(): NagAcknowledgement[] {
  const logging = 'This bucket receives the trail\'s own log files. CloudTrail records changes to it (bucket policy, ' +
    'ACL, configuration) as management events, and reads of its objects with addBucket(trail.logBucket, ' +
    '{ readWriteType: READ_ONLY }); server access logs would need a further bucket, which would need one in turn.';
  const replication = 'Replication is a resilience choice that needs a second bucket, usually in another account; ' +
    'an organisation trail or a log-archive account is where that copy belongs. The bucket is versioned and retained.';
  const kmsDefault = 'CloudTrail writes every log file with SSE-KMS under the trail key, and the bucket policy denies ' +
    'any other KMS key. The default encryption (SSE-S3) applies only to header-less writes such as digest files, ' +
    'which CloudTrail encrypts with SSE-S3 by design; a KMS default would stop their delivery.';
  return [
    { id: 'AwsSolutions-S1', reason: logging },
    ...COMPLIANCE_NAG_PACKS.flatMap((pack) => [
      { id: `${pack}-S3BucketLoggingEnabled`, reason: logging },
      { id: `${pack}-S3BucketReplicationEnabled`, reason: replication },
      { id: `${pack}-S3DefaultEncryptionKMS`, reason: kmsDefault },
    ]),
  ];
}
