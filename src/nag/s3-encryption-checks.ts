import {
  CfnResource, PolicyValidationPluginReport, PolicyViolation, Reference, Stack, Token, Tokenization, Validations,
} from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, NagPackProps, NagRuleCompliance } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AppModel, ResourceTypes } from './app-model';
import { concreteString } from './cfn-values';
import { ParameterAssumption, SuppressedFinding } from './findings';
import { RuleContext, S3EncryptionRule, Standard } from './rule';
import BucketKeyEnabled from './rules/BucketKeyEnabled';
import DefaultEncryptionAllowed from './rules/DefaultEncryptionAllowed';
import KmsKeyCustomerManaged from './rules/KmsKeyCustomerManaged';
import KmsKeyPinnedByPolicy from './rules/KmsKeyPinnedByPolicy';
import KmsKeyPolicyRestricted from './rules/KmsKeyPolicyRestricted';
import KmsKeyRotated from './rules/KmsKeyRotated';
import ObjectEventsAudited from './rules/ObjectEventsAudited';
import SingleBucketPolicy from './rules/SingleBucketPolicy';
import SseCBlockedUnlessRequired from './rules/SseCBlockedUnlessRequired';
import TlsFloorEnforced from './rules/TlsFloorEnforced';
import TlsOnlyEnforced from './rules/TlsOnlyEnforced';
import TrailsWithinQuota from './rules/TrailsWithinQuota';
import UploadHeaderEnforced from './rules/UploadHeaderEnforced';
import { checkBoolean, checkEnum, checkNumber, checkPropsObject, checkStringArray } from '../buckets/validation';
import { ALLOWED_TLS_VERSIONS, DEFAULT_MINIMUM_TLS_VERSION, EncryptionMode } from '../policy/requirement';

/**
 * Which server-side encryption a bucket's default encryption may use.
 */
export enum AllowedEncryption {
  /** SSE-S3 (`AES256`), SSE-KMS (`aws:kms`) or DSSE-KMS (`aws:kms:dsse`). */
  ANY_SERVER_SIDE = 'ANY_SERVER_SIDE',
  /** SSE-KMS or DSSE-KMS with a customer-managed key. DSSE-KMS counts as KMS (cdk-nag's own rule says it does not). */
  KMS_ONLY = 'KMS_ONLY',
}

/**
 * Props for `S3EncryptionChecks`: the encryption standard buckets are held to.
 */
export interface S3EncryptionChecksProps extends NagPackProps {
  /**
   * Which server-side encryption a bucket's default encryption may use.
   *
   * @default AllowedEncryption.ANY_SERVER_SIDE
   */
  readonly allowedEncryption?: AllowedEncryption;

  /**
   * Whether a bucket may require SSE-C (keys the client sends with every request). A bucket whose policy requires
   * SSE-C is a finding unless this is true; every other bucket must block SSE-C either way.
   *
   * @default false
   */
  readonly allowSseC?: boolean;

  /**
   * The KMS keys SSE-KMS and DSSE-KMS buckets may use: key ARNs (literal, or `key.keyArn` of a key in the app) or
   * alias ARNs.
   *
   * @default - any customer-managed key
   */
  readonly allowedKmsKeyArns?: string[];

  /**
   * Lowest TLS version a bucket's policy must allow: requests over older TLS must be denied. 1.2 or 1.3.
   *
   * @default 1.2
   */
  readonly minimumTlsVersion?: number;

  /**
   * Whether every upload must send the `x-amz-server-side-encryption` header (`UploadHeaderRule.REQUIRED`). When
   * false, a bucket may let header-less uploads fall back to its default encryption
   * (`UploadHeaderRule.MATCH_IF_PRESENT`); uploads that name another mode must be denied either way.
   *
   * @default true
   */
  readonly requireUploadHeader?: boolean;

  /**
   * Whether each bucket's object events must be recorded by a CloudTrail trail of the app that validates and
   * encrypts its logs. Off by default because an organisation trail outside the app, which the pack cannot see,
   * often records them.
   *
   * @default false
   */
  readonly requireAuditTrail?: boolean;

  /**
   * Whether SSE-KMS buckets must use an S3 Bucket Key (DSSE-KMS buckets cannot).
   *
   * @default true
   */
  readonly requireBucketKey?: boolean;
}

/** A rule with the text of its findings. */
interface RuleDefinition {
  readonly rule: S3EncryptionRule;
  /** The resource type the rule checks. */
  readonly resourceType: string;
  readonly level: NagMessageLevel;
  /** What is wrong: the first sentence of every finding. */
  readonly info: string;
  /** Why the rule exists (added to findings with `verbose: true`). */
  readonly explanation: string;
}

const RULES: readonly RuleDefinition[] = [
  {
    rule: DefaultEncryptionAllowed,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The bucket\'s default encryption is missing or not allowed by the standard.',
    explanation: 'Default encryption is what S3 applies to every upload that does not ask for a mode, and the one ' +
      'setting auditors (Security Hub S3.4/S3.17, Config s3-default-encryption-kms) read.',
  },
  {
    rule: TlsOnlyEnforced,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The bucket\'s policy does not deny requests made without TLS.',
    explanation: 'Without TLS, object data and credentials cross the network in the clear (Security Hub S3.5, ' +
      'Control Tower CT.S3.PR.8).',
  },
  {
    rule: TlsFloorEnforced,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The bucket\'s policy does not deny requests over TLS older than the standard\'s floor.',
    explanation: 'TLS 1.0 and 1.1 have known weaknesses; s3:TlsVersion lets the bucket refuse them.',
  },
  {
    rule: UploadHeaderEnforced,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The bucket\'s policy does not enforce its upload-header rule, or contradicts its default encryption.',
    explanation: 'The upload-header rule is what proves, per request, that every object is encrypted as the standard ' +
      'says; a rule that contradicts the default encryption denies the uploads that use it.',
  },
  {
    rule: KmsKeyCustomerManaged,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The SSE-KMS/DSSE-KMS bucket does not encrypt with an allowed customer-managed key.',
    explanation: 'The AWS managed key aws/s3 cannot be restricted by a key policy, rotated on your schedule, or ' +
      'separated per bucket; a standard may also name the keys buckets must use.',
  },
  {
    rule: KmsKeyPinnedByPolicy,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The bucket\'s policy does not pin its KMS key.',
    explanation: 'A writer can name any key (or none, falling back to aws/s3) in the upload; only a Deny on ' +
      's3:x-amz-server-side-encryption-aws-kms-key-id keeps every object under the bucket\'s key.',
  },
  {
    rule: KmsKeyRotated,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'The bucket\'s KMS key does not rotate.',
    explanation: 'Automatic rotation limits how much data one key version protects (Security Hub KMS.4).',
  },
  {
    rule: BucketKeyEnabled,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.WARN,
    info: 'The bucket\'s S3 Bucket Key setting does not fit its encryption.',
    explanation: 'Without a Bucket Key, SSE-KMS calls KMS for every object operation: cost, and the account\'s KMS ' +
      'request quota shared by every bucket. DSSE-KMS does not support Bucket Keys.',
  },
  {
    rule: SseCBlockedUnlessRequired,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'SSE-C is not blocked on the bucket, or not set up consistently for an SSE-C bucket.',
    explanation: 'SSE-C objects are encrypted under keys the organisation never sees, and are lost with them; S3 lets ' +
      'buckets block SSE-C (BlockedEncryptionTypes).',
  },
  {
    rule: SingleBucketPolicy,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'Several bucket policy resources name the bucket.',
    explanation: 'S3 keeps one policy per bucket: the last deployed replaces the others, so the statements the other ' +
      'rules evaluated are not what the bucket has.',
  },
  {
    rule: ObjectEventsAudited,
    resourceType: ResourceTypes.BUCKET,
    level: NagMessageLevel.ERROR,
    info: 'No valid trail of the app records the bucket\'s object events.',
    explanation: 'Object-level events (who read or wrote which object, with which key) are the audit record of an ' +
      'encryption standard (Security Hub S3.22/S3.23); unvalidated or unencrypted logs are not evidence.',
  },
  {
    rule: KmsKeyPolicyRestricted,
    resourceType: ResourceTypes.KEY,
    level: NagMessageLevel.ERROR,
    info: 'The KMS key\'s policy grants cryptographic operations to everyone.',
    explanation: 'A key any principal may use to decrypt protects nothing, whatever the bucket policy says.',
  },
  {
    rule: TrailsWithinQuota,
    resourceType: ResourceTypes.TRAIL,
    level: NagMessageLevel.ERROR,
    info: 'The app creates more CloudTrail trails in one account and Region than CloudTrail allows.',
    explanation: 'CloudTrail allows 5 trails per Region (multi-Region trails count in every Region); the sixth fails ' +
      'to deploy.',
  },
];

const PACK_NAME = 'S3Encryption';

/**
 * A cdk-nag rule pack that holds every S3 bucket of an app (not only this library's) to an encryption standard,
 * deciding by evaluating the bucket's policies against canonical requests rather than matching one JSON shape.
 *
 * Policies are found wherever they are: `s3.Bucket` policies, `CfnBucketPolicy` resources naming the bucket by
 * `Ref`, literal name or an export of another stack, and included templates; ARNs may be written with `Ref`,
 * `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` or literal names, and bucket names may be tokens.
 *
 * Rule IDs are `S3Encryption-<Rule>` (see docs/RULES.md). Acknowledge a finding with
 * `Validations.of(construct).acknowledge({ id: 'S3Encryption-<Rule>', reason })`.
 *
 * @example
 * Validations.of(app).addPlugins(new S3EncryptionChecks(app, { allowedEncryption: AllowedEncryption.KMS_ONLY }));
 */
export class S3EncryptionChecks extends NagPack {
  /** The IDs of the pack's rules, `S3Encryption-<Rule>`. */
  public static readonly RULE_IDS: string[] = RULES.map((r) => `${PACK_NAME}-${r.rule.name}`);

  /** The name of the pack, the prefix of its rule IDs. */
  public readonly name: string;

  private readonly props: S3EncryptionChecksProps;
  private readonly verboseFindings: boolean;
  /** One context per way the templates may be deployed (one when there is no choice), for the current validation. */
  private contexts?: Array<RuleContext & { label?: string }>;
  private findings: PackFinding[] = [];
  private lastAssumptions: ParameterAssumption[] = [];

  constructor(scope?: IConstruct, props: S3EncryptionChecksProps = {}) {
    super(scope, props);
    this.name = PACK_NAME;
    this.packName = PACK_NAME;
    this.props = props;
    this.verboseFindings = props.verbose ?? false;
    checkProps(props);
  }

  /**
   * Validate a construct tree: every resource under `scope` is checked; the whole app is read to find the
   * policies, keys and trails that apply to it.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const scenarios = AppModel.scenarios(scope);
    this.contexts = scenarios.map(({ model, scenario }) => ({ model, standard: standardOf(this.props, model), label: scenario.label }));
    this.lastAssumptions = scenarios[0].model.assumptions();
    this.findings = [];
    try {
      super.validateScope(scope);
      return this.report();
    } finally {
      this.contexts = undefined;
    }
  }

  /**
   * The findings of the last validation that an acknowledgement suppressed (`Validations.of(x).acknowledge`, or
   * `Metadata.cdk_nag.rules_to_suppress` in a checked template), with the reasons. Reasons shorter than 10
   * characters do not suppress.
   */
  public suppressedFindings(): SuppressedFinding[] {
    return this.findings.filter((f) => f.suppressedBecause !== undefined).map((f) => ({
      ruleId: f.ruleId, constructPath: f.constructPath, description: f.description, reason: f.suppressedBecause!, severity: f.severity,
    }));
  }

  /** Parameters the last validation judged at their default values (no `AllowedValues`, no value given). */
  public parameterAssumptions(): ParameterAssumption[] {
    return [...this.lastAssumptions];
  }

  protected checkResource(node: CfnResource): void {
    const contexts: Array<RuleContext & { label?: string }> = this.contexts ?? [contextFor(node, this.props)];
    for (const definition of RULES) {
      if (definition.resourceType !== node.cfnResourceType) continue;
      const perScenario = contexts.map((context) => ({ label: context.label, reasons: reasonsOf(definition, node, context) }));
      const failing = perScenario.filter((r) => r.reasons.length > 0);
      if (failing.length === 0) continue;
      // The same finding in every scenario needs no scenario; otherwise each says when it holds.
      const alike = failing.length === perScenario.length && failing.every((r) => r.reasons.join(' ') === failing[0].reasons.join(' '));
      const reasons = alike ? failing[0].reasons : failing.map((r) => `When ${r.label ?? 'deployed as written'}: ${r.reasons.join(' ')}`);
      const ruleId = `${PACK_NAME}-${definition.rule.name}`;
      const assumed = assumptionsNote(this.lastAssumptions, node);
      const acknowledgement = acknowledgementOf(node, ruleId);
      const tooShort = acknowledgement !== undefined && acknowledgement.trim().length < MIN_REASON_LENGTH;
      const description = [
        definition.info, ...reasons, ...(assumed ? [assumed] : []),
        ...(tooShort ? [`(Acknowledged with the reason ${JSON.stringify(acknowledgement)}, which does not suppress: a reason needs at least ${MIN_REASON_LENGTH} characters.)`] : []),
        ...(this.verboseFindings ? [`Why: ${definition.explanation}`] : []),
      ].join(' ');
      this.findings.push({
        ruleId,
        constructPath: node.node.path,
        description,
        severity: definition.level === NagMessageLevel.ERROR ? 'error' : 'warning',
        suppressedBecause: acknowledgement !== undefined && !tooShort ? acknowledgement : undefined,
      });
    }
  }

  /** The report: unsuppressed findings grouped by rule and text (each resource keeps its own text). */
  private report(): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    const groups = new Map<string, PolicyViolation>();
    for (const finding of this.findings) {
      if (finding.suppressedBecause !== undefined) continue;
      const key = `${finding.ruleId}\u0000${finding.description}`;
      let group = groups.get(key);
      if (!group) {
        group = { ruleName: finding.ruleId, description: finding.description, severity: finding.severity, violatingResources: [] };
        groups.set(key, group);
        violations.push(group);
      }
      group.violatingResources.push({ constructPath: finding.constructPath, locations: ['Properties'] });
    }
    return { success: violations.length === 0, violations };
  }
}

/** cdk-nag's rule for acknowledgement reasons: at least this many characters. */
const MIN_REASON_LENGTH = 10;

interface PackFinding {
  readonly ruleId: string;
  readonly constructPath: string;
  readonly description: string;
  readonly severity: 'error' | 'warning';
  readonly suppressedBecause?: string;
}

/** Run one rule on one node in one context; a rule that throws is a finding, not a crash. */
function reasonsOf(definition: RuleDefinition, node: CfnResource, context: RuleContext): string[] {
  let result;
  try {
    result = definition.rule(node, context);
  } catch (e) {
    // Rules do not throw on configuration problems; this is a bug, reported as a finding rather than a crash.
    result = [`The rule failed: ${(e as Error).message}. Please report it; acknowledge the finding meanwhile.`];
  }
  if (result === NagRuleCompliance.COMPLIANT || result === NagRuleCompliance.NOT_APPLICABLE) return [];
  return Array.isArray(result) ? result : [''];
}

/** A sentence naming the parameter defaults a finding on this node was judged with, if any. */
function assumptionsNote(assumptions: readonly ParameterAssumption[], node: CfnResource): string | undefined {
  const stackPath = Stack.of(node).node.path;
  const here = assumptions.filter((a) => a.stack === stackPath);
  if (here.length === 0) return undefined;
  return `(Judged with ${here.map((a) => `parameter ${a.parameter} = ${JSON.stringify(a.value)}, its default`).join(', ')}; ` +
    'a deployment may pass other values: give them with --parameters, or AllowedValues to have each judged.)';
}

/**
 * The reason of an acknowledgement of `ruleId` on the node or one of its scopes, if any: `S3Encryption-<Rule>` as
 * cdk-nag honours it, and `S3Encryption::S3Encryption-<Rule>`, the form the CDK report prints.
 */
function acknowledgementOf(node: IConstruct, ruleId: string): string | undefined {
  const ids = [ruleId, `${PACK_NAME}::${ruleId}`];
  for (let current: IConstruct | undefined = node; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data || typeof entry.data !== 'object') continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        if (ids.includes(key.replace(/^annotation::/i, ''))) return typeof reason === 'string' ? reason : '';
      }
    }
  }
  return undefined;
}

/** A context for a node checked outside `validateScope` (cdk-nag only calls `checkResource` from there). */
function contextFor(node: IConstruct, props: S3EncryptionChecksProps): RuleContext {
  const model = AppModel.build(node);
  return { model, standard: standardOf(props, model) };
}

function checkProps(props: S3EncryptionChecksProps): void {
  // The pack is not a construct: its errors have no scope, like those of static factories.
  const site = { scope: undefined, where: 'S3EncryptionChecks' };
  checkPropsObject(site, props);
  checkNumber(site, 'minimumTlsVersion', props.minimumTlsVersion, { allowed: ALLOWED_TLS_VERSIONS, hint: '1.2 (the default) or 1.3' });
  checkEnum(site, 'allowedEncryption', props.allowedEncryption, Object.values(AllowedEncryption), 'AllowedEncryption');
  checkStringArray(site, 'allowedKmsKeyArns', props.allowedKmsKeyArns);
  for (const prop of ['allowSseC', 'requireUploadHeader', 'requireAuditTrail', 'requireBucketKey', 'verbose'] as const) {
    checkBoolean(site, prop, props[prop]);
  }
}

/** The standard of the props, with the allowed key ARNs resolved against the app. */
function standardOf(props: S3EncryptionChecksProps, model: AppModel): Standard {
  const kmsOnly = props.allowedEncryption === AllowedEncryption.KMS_ONLY;
  let allowedKmsKeyArns: Set<string> | undefined;
  const unresolvedKmsKeyArns: string[] = [];
  if (props.allowedKmsKeyArns !== undefined) {
    allowedKmsKeyArns = new Set();
    for (const entry of props.allowedKmsKeyArns) {
      const arn = resolveKeyArn(entry, model);
      if (arn === undefined) unresolvedKmsKeyArns.push(entry);
      else allowedKmsKeyArns.add(arn);
    }
  }
  return {
    allowedAlgorithms: kmsOnly
      ? [EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS]
      : [EncryptionMode.SSE_S3, EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS],
    allowSseC: props.allowSseC ?? false,
    allowedKmsKeyArns,
    unresolvedKmsKeyArns,
    minimumTlsVersion: props.minimumTlsVersion ?? DEFAULT_MINIMUM_TLS_VERSION,
    requireUploadHeader: props.requireUploadHeader ?? true,
    requireAuditTrail: props.requireAuditTrail ?? false,
    requireBucketKey: props.requireBucketKey ?? true,
  };
}

/** A literal ARN as is; a token (`key.keyArn`) resolved in the stack of the resource it references. */
function resolveKeyArn(entry: string, model: AppModel): string | undefined {
  if (!Token.isUnresolved(entry)) return entry;
  const token = Tokenization.reverseString(entry).firstToken;
  if (!token || !Reference.isReference(token) || !CfnResource.isCfnResource(token.target)) return undefined;
  const stack = model.stackOf(token.target);
  return concreteString(model.resolveIn(stack, Stack.of(token.target).resolve(entry)));
}
