import { Annotations, CfnResource, IAspect, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { EncryptionStandardProps } from './standard';
import { isKmsMode, ResolvedStandard, resolveStandard, validateKeyArns } from './validation';
import { EncryptionAuditTrail } from '../audit/encryption-audit-trail';
import { SecureBucket } from '../buckets/secure-bucket';
import { checkArray, checkObject, checkPropsObject, checkString } from '../buckets/validation';
import { validationError } from '../errors';
import { EncryptionMode } from '../policy/requirement';
import { bucketScope, encryptionStatements } from '../policy/statements';

/**
 * What `EnforceBucketEncryption` does with a bucket that falls short of the standard.
 */
export enum EnforcementMode {
  /** Add what the standard requires: default encryption, policy statements, SSE-C blocked. */
  REMEDIATE = 'REMEDIATE',
  /** Change nothing; add an error annotation to the bucket naming what is missing (synthesis then fails). */
  REPORT = 'REPORT',
}

/**
 * Props for `EnforceBucketEncryption`.
 */
export interface EnforceBucketEncryptionProps extends EncryptionStandardProps {
  /**
   * Fix buckets, or only report them.
   *
   * @default EnforcementMode.REMEDIATE
   */
  readonly mode?: EnforcementMode;

  /**
   * ARN of the KMS key for a KMS `encryptionMode`: the key set as default encryption where a bucket has none,
   * and the only key uploads may name. Required for `SSE_KMS` and `DSSE_KMS`, not allowed for `SSE_S3`.
   *
   * The Aspect does not grant anyone the use of the key: writers and readers of a remediated bucket need
   * `kms:GenerateDataKey` and `kms:Decrypt` on it, which `s3.Bucket` grants do not include for a key they were
   * not given.
   *
   * @default - none
   */
  readonly kmsKeyArn?: string;

  /**
   * Constructs whose buckets are left alone (the construct itself and everything under it).
   *
   * @default - none
   */
  readonly exclude?: IConstruct[];
}

/**
 * An Aspect that holds every S3 bucket in its scope to an encryption standard: `s3.Bucket`s and bare
 * `CfnBucket`s (including those of `CfnInclude`d templates). The library's own buckets (`EncryptedBucket`,
 * `KmsEncryptedBucket`, `SseCOnlyBucket`, `ClientSideEncryptedBucket`, and the log bucket of an
 * `EncryptionAuditTrail`) meet their standard by construction and are skipped.
 *
 * In `REMEDIATE` mode it adds, where missing: default encryption of the standard's mode (with the key and an S3
 * Bucket Key for SSE-KMS); `BlockedEncryptionTypes` SSE-C; and the policy statements of the bucket constructs
 * (TLS only, TLS floor, upload-header rule, KMS key), appended to the bucket's existing policy, wherever that is
 * (an `s3.Bucket`'s policy, an L1 `CfnBucketPolicy` in any stack of the app), or in a new one. It never
 * replaces or removes anything: a default encryption of another mode or key, SSE-C explicitly unblocked, a
 * statement with one of the standard's Sids but other content, or more than one bucket policy for the bucket
 * is reported as an error instead. Statements are recognised by Sid, so applying the Aspect again adds nothing.
 *
 * In `REPORT` mode it changes nothing and adds an error annotation to every bucket that falls short, naming
 * what is missing.
 *
 * @example
 * Aspects.of(app).add(new EnforceBucketEncryption({ encryptionMode: EncryptionMode.SSE_S3 }));
 */
export class EnforceBucketEncryption implements IAspect {
  private readonly props: EnforceBucketEncryptionProps;
  private readonly mode: EnforcementMode;
  private standard?: ResolvedStandard;

  constructor(props: EnforceBucketEncryptionProps) {
    // Checked on the first visit, where there is a construct to attach a ValidationError to.
    this.props = props;
    this.mode = (props !== null && typeof props === 'object' ? props.mode : undefined) ?? EnforcementMode.REMEDIATE;
  }

  public visit(node: IConstruct): void {
    const standard = this.standard ?? (this.standard = this.validate(node));
    if (this.isExcluded(node)) return;
    if (isL2Bucket(node)) {
      if (isLibraryBucket(node)) return;
      this.enforce(node, node.node.defaultChild as s3.CfnBucket, node, standard);
    } else if (isCfnBucket(node)) {
      const parent = node.node.scope;
      // The L2 visit handles the bucket of an s3.Bucket.
      if (parent !== undefined && isL2Bucket(parent) && parent.node.defaultChild === node) return;
      this.enforce(node, node, undefined, standard);
    }
  }

  private validate(scope: IConstruct): ResolvedStandard {
    const where = 'EnforceBucketEncryption';
    const site = { scope, where };
    checkPropsObject(site, this.props, true);
    checkString(site, 'kmsKeyArn', this.props.kmsKeyArn);
    checkArray(site, 'exclude', this.props.exclude, (item, itemProp) => checkObject(site, itemProp, item, 'a construct', true, ['node']));
    const standard = resolveStandard(scope, where, this.props);
    if (!Object.values(EnforcementMode).includes(this.mode)) {
      throw validationError(scope, 'UnknownEnforcementMode',
        `mode '${this.mode}' on ${where} is not a mode: use EnforcementMode.REMEDIATE (the default) or REPORT.`);
    }
    if (isKmsMode(standard.mode) && this.props.kmsKeyArn === undefined) {
      throw validationError(scope, 'KmsKeyArnRequired',
        `kmsKeyArn is required on ${where} with encryptionMode ${standard.mode}: without it a bucket would get the AWS ` +
        'managed key aws/s3, which no key policy of yours controls. Pass the ARN of the customer-managed key.');
    }
    if (!isKmsMode(standard.mode) && this.props.kmsKeyArn !== undefined) {
      throw validationError(scope, 'KmsKeyNeedsKmsMode',
        `kmsKeyArn is set on ${where}, whose encryptionMode is ${standard.mode}: SSE-S3 uses keys that S3 owns. ` +
        'Remove the prop, or set encryptionMode to EncryptionMode.SSE_KMS or DSSE_KMS.');
    }
    validateKeyArns(scope, where, 'kmsKeyArn', this.props.kmsKeyArn === undefined ? [] : [this.props.kmsKeyArn]);
    return standard;
  }

  private isExcluded(node: IConstruct): boolean {
    const excluded = this.props.exclude ?? [];
    return excluded.length > 0 && node.node.scopes.some((scope) => excluded.includes(scope));
  }

  /** Bring one bucket up to the standard, or report what it lacks. */
  private enforce(target: IConstruct, bucket: s3.CfnBucket, l2: L2Bucket | undefined, standard: ResolvedStandard): void {
    const remediate = this.mode === EnforcementMode.REMEDIATE;
    const missing: string[] = [];
    const conflicts: string[] = [];

    const encryption = this.checkDefaultEncryption(bucket, standard);
    conflicts.push(...encryption.conflicts);
    if (encryption.missing.length > 0) {
      missing.push(...encryption.missing);
      if (remediate) encryption.fix();
    }

    const policy = this.checkPolicy(bucket, l2, standard);
    conflicts.push(...policy.conflicts);
    if (policy.missing.length > 0) {
      missing.push(`bucket policy statements ${policy.missing.map((s) => s.sid).join(', ')}`);
      if (remediate) policy.fix();
    }

    const name = `${target.node.path}`;
    if (!remediate && missing.length > 0) {
      Annotations.of(target).addError(
        `[EnforceBucketEncryption] Bucket ${name} does not meet the ${standard.mode} encryption standard: missing ` +
        `${missing.join('; ')}. Apply EnforceBucketEncryption with mode REMEDIATE, or add them to the bucket.`);
    }
    for (const conflict of conflicts) {
      Annotations.of(target).addError(`[EnforceBucketEncryption] Bucket ${name}: ${conflict}`);
    }
  }

  private checkDefaultEncryption(bucket: s3.CfnBucket, standard: ResolvedStandard) {
    const missing: string[] = [];
    const conflicts: string[] = [];
    const stack = Stack.of(bucket);
    const wanted = this.defaultRule(standard);
    let fix = () => {};
    const current = bucket.bucketEncryption;
    if (current === undefined) {
      missing.push(`default encryption ${standard.mode}`, 'SSE-C blocked (BlockedEncryptionTypes SSE-C)');
      fix = () => { bucket.bucketEncryption = { serverSideEncryptionConfiguration: [wanted] }; };
      return { missing, conflicts, fix };
    }
    // The L1 holds its properties in camelCase (CfnInclude converts them too); tokens are left as they are.
    const config = Token.isUnresolved(current) ? undefined : (current as s3.CfnBucket.BucketEncryptionProperty).serverSideEncryptionConfiguration;
    const rule = Array.isArray(config) && config.length === 1 && !Token.isUnresolved(config[0])
      ? config[0] as s3.CfnBucket.ServerSideEncryptionRuleProperty : undefined;
    const byDefault = rule?.serverSideEncryptionByDefault as s3.CfnBucket.ServerSideEncryptionByDefaultProperty | undefined;
    if (rule === undefined || Token.isUnresolved(byDefault) || Token.isUnresolved(byDefault?.sseAlgorithm)) {
      conflicts.push('its default encryption cannot be inspected (an intrinsic function, or not exactly one rule): ' +
        `make it one rule with SSEAlgorithm ${standard.mode}${isKmsMode(standard.mode) ? ' and the standard\'s key' : ''}.`);
      return { missing, conflicts, fix };
    }
    const additions: { -readonly [K in keyof s3.CfnBucket.ServerSideEncryptionRuleProperty]?: s3.CfnBucket.ServerSideEncryptionRuleProperty[K] } = {};
    const algorithm = byDefault?.sseAlgorithm;
    if (algorithm === undefined) {
      missing.push(`default encryption ${standard.mode}`);
      additions.serverSideEncryptionByDefault = wanted.serverSideEncryptionByDefault;
    } else if (algorithm !== standard.mode) {
      conflicts.push(`its default encryption is ${algorithm}, the standard is ${standard.mode}. EnforceBucketEncryption never ` +
        'replaces a bucket\'s encryption: change it on the bucket, or exclude the bucket.');
    } else if (isKmsMode(standard.mode)) {
      const key = JSON.stringify(stack.resolve(this.props.kmsKeyArn));
      const keyId = byDefault?.kmsMasterKeyId;
      if (keyId === undefined) {
        conflicts.push(`its default encryption ${algorithm} has no KMSMasterKeyID (S3 uses the AWS managed key aws/s3), and ` +
          'the standard names a customer-managed key. Set the key on the bucket; EnforceBucketEncryption does not switch keys.');
      } else if (JSON.stringify(stack.resolve(keyId)) !== key) {
        conflicts.push(`its default encryption uses key ${JSON.stringify(stack.resolve(keyId))}, the standard's key is ${key}. ` +
          'EnforceBucketEncryption does not switch keys: change the key on the bucket, or exclude the bucket.');
      }
    }
    if (standard.mode === EncryptionMode.SSE_KMS && algorithm === standard.mode && rule.bucketKeyEnabled === undefined) {
      // Not part of the standard, but it cuts KMS requests by up to 99% and weakens nothing.
      additions.bucketKeyEnabled = true;
    }
    const blocked = rule.blockedEncryptionTypes as s3.CfnBucket.BlockedEncryptionTypesProperty | undefined;
    if (blocked === undefined) {
      missing.push('SSE-C blocked (BlockedEncryptionTypes SSE-C)');
      additions.blockedEncryptionTypes = wanted.blockedEncryptionTypes;
    } else if (Token.isUnresolved(blocked) || !(blocked.encryptionType ?? []).includes('SSE-C')) {
      const types = Token.isUnresolved(blocked) ? stack.resolve(blocked) : stack.resolve(blocked.encryptionType ?? []);
      conflicts.push(`its BlockedEncryptionTypes ${JSON.stringify(types)} does not block SSE-C. ` +
        'EnforceBucketEncryption does not override an explicit choice: block SSE-C on the bucket, use SseCOnlyBucket, or exclude the bucket.');
    }
    if (Object.keys(additions).length > 0) {
      fix = () => {
        bucket.bucketEncryption = { ...current, serverSideEncryptionConfiguration: [{ ...rule, ...additions }] };
      };
    }
    return { missing, conflicts, fix };
  }

  private defaultRule(standard: ResolvedStandard): s3.CfnBucket.ServerSideEncryptionRuleProperty {
    return {
      serverSideEncryptionByDefault: {
        sseAlgorithm: standard.mode,
        ...(isKmsMode(standard.mode) ? { kmsMasterKeyId: this.props.kmsKeyArn } : {}),
      },
      // DSSE-KMS does not support S3 Bucket Keys.
      ...(standard.mode === EncryptionMode.SSE_KMS ? { bucketKeyEnabled: true } : {}),
      blockedEncryptionTypes: { encryptionType: ['SSE-C'] },
    };
  }

  private checkPolicy(bucket: s3.CfnBucket, l2: L2Bucket | undefined, standard: ResolvedStandard) {
    const stack = Stack.of(bucket);
    const bucketArn = l2 ? l2.bucketArn : bucket.attrArn;
    const wanted = encryptionStatements(bucketScope(bucketArn), {
      mode: standard.mode,
      kmsKeyArn: this.props.kmsKeyArn,
      headerRule: standard.headerRule,
      minimumTlsVersion: standard.minimumTlsVersion,
    });
    const conflicts: string[] = [];
    const policies = bucketPoliciesOf(bucket);
    if (policies.length > 1) {
      conflicts.push(`${policies.length} bucket policies (${policies.map((p) => p.node.path).join(', ')}) target it, and S3 keeps ` +
        'only one: merge them into one, then apply EnforceBucketEncryption again.');
      return { missing: [] as iam.PolicyStatement[], conflicts, fix: () => {} };
    }
    const policy = policies[0];
    const existing = new Map<string, unknown>();
    const document = policy === undefined ? undefined : policy.policyDocument;
    const rendered = document instanceof iam.PolicyDocument ? document.toJSON() : document;
    const statements = rendered === undefined ? [] : stack.resolve(rendered)?.Statement;
    for (const statement of Array.isArray(statements) ? statements : statements ? [statements] : []) {
      if (typeof statement?.Sid === 'string') existing.set(statement.Sid, statement);
    }
    const missing: iam.PolicyStatement[] = [];
    for (const statement of wanted) {
      const sid = statement.sid!;
      if (!existing.has(sid)) {
        missing.push(statement);
      } else if (canonical(existing.get(sid)) !== canonical(stack.resolve(statement.toStatementJson()))) {
        conflicts.push(`its bucket policy has a statement with Sid ${sid} that is not the standard's. EnforceBucketEncryption ` +
          'does not replace statements: rename or remove that statement, or make it the standard\'s.');
      }
    }
    const fix = () => {
      if (policy === undefined && l2 !== undefined) {
        for (const statement of missing) l2.addToResourcePolicy(statement);
      } else if (policy === undefined) {
        newBucketPolicy(bucket, missing);
      } else if (document instanceof iam.PolicyDocument) {
        document.addStatements(...missing);
      } else {
        const current = Token.isUnresolved(document) ? stack.resolve(document) : document;
        const list = current?.Statement ?? current?.statement;
        policy.policyDocument = {
          ...current,
          Statement: [...(Array.isArray(list) ? list : list ? [list] : []), ...missing.map((s) => s.toStatementJson())],
        };
      }
    };
    return { missing, conflicts, fix };
  }
}

/** An `s3.Bucket` (or a subclass): a construct whose default child is a `CfnBucket` and which has a policy. */
type L2Bucket = IConstruct & Pick<s3.IBucket, 'bucketArn' | 'addToResourcePolicy'>;

function isCfnBucket(node: IConstruct | undefined): node is s3.CfnBucket {
  return node !== undefined && CfnResource.isCfnResource(node) && node.cfnResourceType === s3.CfnBucket.CFN_RESOURCE_TYPE_NAME;
}

function isL2Bucket(node: IConstruct): node is L2Bucket {
  return isCfnBucket(node.node.defaultChild) && typeof (node as any).addToResourcePolicy === 'function';
}

/**
 * The library's bucket constructs meet their own standard by construction. The log bucket of an
 * `EncryptionAuditTrail` has the rule CloudTrail can satisfy (its key, or SSE-S3 for digest files), which the
 * standard's header rule would break.
 */
function isLibraryBucket(node: IConstruct): boolean {
  if (SecureBucket.isSecureBucket(node)) return true;
  const parent = node.node.scope;
  return parent !== undefined && EncryptionAuditTrail.isEncryptionAuditTrail(parent) && parent.logBucket === node;
}

/**
 * Every `CfnBucketPolicy` in the app whose `Bucket` is this bucket: a reference to it (`Ref`, from any stack, or
 * from an included template), its literal name, or an expression that resolves to its `Ref` in its own stack.
 */
function bucketPoliciesOf(bucket: s3.CfnBucket): s3.CfnBucketPolicy[] {
  const stack = Stack.of(bucket);
  const name = typeof bucket.bucketName === 'string' && !Token.isUnresolved(bucket.bucketName) ? bucket.bucketName : undefined;
  const ref = JSON.stringify({ Ref: stack.resolve(bucket.logicalId) });
  return bucket.node.root.node.findAll().filter((node): node is s3.CfnBucketPolicy => {
    if (!(node instanceof s3.CfnBucketPolicy)) return false;
    const value = node.bucket;
    if (!Token.isUnresolved(value)) return name !== undefined && value === name;
    const fragments = Tokenization.reverseString(value);
    const token = fragments.firstToken;
    if (fragments.length === 1 && token !== undefined && Reference.isReference(token)) return token.target === bucket;
    // A logical ID means this bucket only within its own stack.
    return Stack.of(node) === stack && JSON.stringify(stack.resolve(value)) === ref;
  });
}

function newBucketPolicy(bucket: s3.CfnBucket, statements: iam.PolicyStatement[]): s3.CfnBucketPolicy {
  const scope = bucket.node.scope!;
  let id = `${bucket.node.id}EncryptionPolicy`;
  for (let i = 2; scope.node.tryFindChild(id) !== undefined; i++) id = `${bucket.node.id}EncryptionPolicy${i}`;
  return new s3.CfnBucketPolicy(scope, id, {
    bucket: bucket.ref,
    policyDocument: new iam.PolicyDocument({ statements }),
  });
}

/** A statement in a canonical form, to compare what a template says with what the builders produce. */
function canonical(statement: any): string {
  const list = (v: unknown) => (Array.isArray(v) ? v : [v]).map((x) => JSON.stringify(x)).sort();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(statement ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (['Action', 'NotAction', 'Resource', 'NotResource'].includes(key)) {
      out[key] = list(value);
    } else if (key === 'Condition') {
      out[key] = Object.fromEntries(Object.entries(value as Record<string, Record<string, unknown>>).sort(([a], [b]) => a.localeCompare(b))
        .map(([op, keys]) => [op, Object.fromEntries(Object.entries(keys).sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => [k, list(v).map((x) => x.replace(/^"(.*)"$/, '$1'))]))]));
    } else {
      out[key] = value;
    }
  }
  return JSON.stringify(out);
}
