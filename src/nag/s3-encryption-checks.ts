import { readFileSync } from 'fs';
import {
  CfnResource, IPolicyValidationContext, PolicyValidationPluginReport, PolicyViolation, Reference, Stack, Token, Tokenization, Validations,
} from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { AppModel } from './app-model';
import { modelInputOf, SynthesizedTemplate, writtenTemplate } from './cdk-input';
import { concreteString } from './cfn-values';
import { PolicyDocumentJson, PolicyRequest } from './evaluator';
import { ParameterAssumption, PropertyExplanation, SuppressedFinding } from './findings';
import { assumptionsNote, explanationsOf, judge, Judgement, PACK_NAME, RULE_IDS, ScenarioContext, standardOf } from './judge';
import { verdictsOf } from './properties';
import { AllowedEncryption, EncryptionChecksStandardProps } from './standard';
import { checkBoolean, checkEnum, checkNumber, checkPropsObject, checkStringArray } from '../buckets/validation';
import { validationError } from '../errors';
import { ALLOWED_TLS_VERSIONS } from '../policy/requirement';

export * from './standard';

/**
 * Props for `S3EncryptionChecks`: the encryption standard buckets are held to, and how templates are judged.
 */
export interface S3EncryptionChecksProps extends NagPackProps, EncryptionChecksStandardProps {
  /**
   * Values of template parameters, by logical ID, to judge every stack that has the parameter with (as
   * `cdk-s3-encryption check --parameters Name=Value`). Each value must be one of the parameter's `AllowedValues`,
   * if it has them.
   *
   * @default - a parameter with `AllowedValues` is judged at each of them, one with a default at its default (the
   * findings say so), one without either as an unknown value
   */
  readonly parameterValues?: { [name: string]: string };
}

/**
 * A cdk-nag rule pack that holds every S3 bucket of an app (not only this library's) to an encryption standard,
 * deciding each property of the bucket's policies over a whole class of requests (a proof, or the request that gets
 * through) rather than matching one JSON shape.
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
  public static readonly RULE_IDS: string[] = [...RULE_IDS];

  /** The name of the pack, the prefix of its rule IDs. */
  public readonly name: string;

  private readonly props: S3EncryptionChecksProps;
  private readonly verboseFindings: boolean;
  /** One context per way the templates may be deployed (one when there is no choice), for the current validation. */
  private contexts?: ScenarioContext[];
  private findings: PackFinding[] = [];
  private lastAssumptions: ParameterAssumption[] = [];
  /** The scenarios of the last validation, whose decisions `explanations()` reads (built on demand: most callers never ask). */
  private lastScenarios: ScenarioContext[] = [];
  /** The templates the synthesis that runs `validate` has written, by stack construct path. */
  private writtenTemplates = new Map<string, SynthesizedTemplate>();

  constructor(scope?: IConstruct, props: S3EncryptionChecksProps = {}) {
    super(scope, props);
    this.name = PACK_NAME;
    this.packName = PACK_NAME;
    this.props = props;
    this.verboseFindings = props.verbose ?? false;
    checkProps(props);
    checkParameterValues(props.parameterValues);
  }

  /**
   * Called by CDK's validation once synthesis has written the templates.
   *
   * Every resource of the app is checked with the properties its stack's written template has, which is what will be
   * deployed. Stacks whose template is not in `context` (nested stacks, stacks of other stages) are rendered from the
   * tree, as `validateScope` does.
   */
  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    this.writtenTemplates = readWrittenTemplates(context.stackTemplates);
    try {
      return super.validate(context);
    } finally {
      this.writtenTemplates = new Map();
    }
  }

  /**
   * Validate a construct tree: every resource under `scope` is checked; the whole app is read to find the
   * policies, keys and trails that apply to it.
   */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    const written = this.writtenTemplates;
    const input = modelInputOf(scope, written.size === 0 ? undefined : (stack) => written.get(stack.node.path));
    const scenarios = AppModel.scenarios(input, this.props.parameterValues);
    const problems = scenarios[0].model.parameterValueProblems();
    if (problems.length > 0) {
      throw validationError(scope, 'S3EncryptionChecksParameterValues', `S3EncryptionChecks: parameterValues: ${problems.join('; ')}. ` +
        'Give values of parameters the templates declare, within their AllowedValues.');
    }
    this.contexts = scenarios.map(({ model, scenario }) => ({
      model, standard: standardOf(this.props, (entry) => resolveKeyArn(entry, model)), label: scenario.label,
    }));
    this.lastAssumptions = scenarios[0].model.assumptions();
    this.findings = [];
    try {
      super.validateScope(scope);
      this.lastScenarios = this.contexts;
      return this.report();
    } finally {
      this.contexts = undefined;
    }
  }

  /**
   * Every property the last validation decided, per bucket and key: the class of requests it covers and the proof
   * or counterexample (what `cdk-s3-encryption check --explain` prints).
   */
  public explanations(): PropertyExplanation[] {
    return this.lastScenarios.flatMap(({ model, label }) => explanationsOf(model, label))
      .map(({ handle: _handle, ...explanation }) => explanation);
  }

  /**
   * The counterexamples the last validation found in bucket policies, each with the policy it was decided on and the
   * bucket's account: what the tests give an independent engine to confirm.
   *
   * @internal
   */
  public _bucketCounterexamples(): Array<{ request: PolicyRequest; policy: PolicyDocumentJson; account: string; property: string }> {
    return this.lastScenarios.flatMap(({ model }) => verdictsOf(model).flatMap(({ subject, propertyClass, decision }) => {
      const bucket = model.bucket(subject.record.handle);
      if (decision.kind !== 'counterexample' || bucket === undefined) return [];
      const policy = model.mergedPolicy(bucket).document;
      return [{ request: decision.request, policy, account: subject.record.stack.account, property: propertyClass.property }];
    }));
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
    const contexts = this.contexts ?? contextsFor(node, this.props);
    const judgements: Judgement[] = judge(node, node.cfnResourceType, contexts, {
      acknowledgement: (ruleId) => acknowledgementOf(node, ruleId),
      assumed: assumptionsNote(this.lastAssumptions, Stack.of(node).node.path),
      verbose: this.verboseFindings,
    });
    for (const j of judgements) {
      this.findings.push({
        ruleId: j.ruleId, constructPath: node.node.path, description: j.description, severity: j.severity, suppressedBecause: j.suppressedBecause,
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

interface PackFinding {
  readonly ruleId: string;
  readonly constructPath: string;
  readonly description: string;
  readonly severity: 'error' | 'warning';
  readonly suppressedBecause?: string;
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

/**
 * The templates CDK's validation names, parsed, by stack construct path. One that cannot be read is left out: its
 * stack is rendered from the tree instead, as `validateScope` does.
 */
function readWrittenTemplates(stacks: IPolicyValidationContext['stackTemplates'] | undefined): Map<string, SynthesizedTemplate> {
  const templates = new Map<string, SynthesizedTemplate>();
  for (const { stackConstructPath, templatePath } of Array.isArray(stacks) ? stacks : []) {
    try {
      const template = writtenTemplate(JSON.parse(readFileSync(templatePath, 'utf8')));
      if (template) templates.set(stackConstructPath, template);
    } catch {
      // Rendered from the tree instead.
    }
  }
  return templates;
}

/** A context for a node checked outside `validateScope` (cdk-nag only calls `checkResource` from there). */
function contextsFor(node: IConstruct, props: S3EncryptionChecksProps): ScenarioContext[] {
  const model = AppModel.build(modelInputOf(node));
  return [{ model, standard: standardOf(props, (entry) => resolveKeyArn(entry, model)) }];
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

/** `parameterValues` must map parameter logical IDs to strings (JavaScript and other jsii languages may pass anything). */
function checkParameterValues(values: unknown): void {
  if (values === undefined) return;
  const fix = 'Pass an object of parameter logical IDs to string values, e.g. { MinTls: "1.2" }.';
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw validationError(undefined, 'S3EncryptionChecksParameterValues', `S3EncryptionChecks: parameterValues must be an object, not ${JSON.stringify(values)}. ${fix}`);
  }
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== 'string') {
      throw validationError(undefined, 'S3EncryptionChecksParameterValues',
        `S3EncryptionChecks: parameterValues.${name} must be a string, not ${JSON.stringify(value)}. ${fix}`);
    }
  }
}

/** A literal ARN as is; a token (`key.keyArn`) resolved in the stack of the resource it references. */
function resolveKeyArn(entry: string, model: AppModel): string | undefined {
  if (!Token.isUnresolved(entry)) return entry;
  const token = Tokenization.reverseString(entry).firstToken;
  if (!token || !Reference.isReference(token) || !CfnResource.isCfnResource(token.target)) return undefined;
  const stack = model.stackById(Stack.of(token.target).artifactId);
  return stack === undefined ? undefined : concreteString(model.resolveIn(stack, Stack.of(token.target).resolve(entry)));
}
