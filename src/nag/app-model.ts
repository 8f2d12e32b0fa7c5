import {
  CfnValue, concreteString, evaluateCondition, isIntrinsic, parameterSymbol, partitionOf, PLACEHOLDER_ACCOUNT,
  PLACEHOLDER_REGION, resolveValue, ValueHost, ValueScope,
} from './cfn-values';
import { PolicyDocumentJson, PolicyStatementJson } from './evaluator';
import { ParameterAssumption } from './findings';

// The app as the rule pack sees it: every bucket, bucket policy, KMS key, alias and trail of every stack, with
// their values resolved (see cfn-values.ts), built once per validation and then only read. Each rule looks up
// the resource it checks here instead of scanning the tree, so a validation is linear in the size of the app.
//
// The model reads stacks as plain data (`ModelInput`): from a CDK app (cdk-input.ts, for the rule pack) or from
// templates (template-input.ts, for the check command, which loads neither aws-cdk-lib nor cdk-nag).

/** The resource types the pack reads. */
export const ResourceTypes = {
  BUCKET: 'AWS::S3::Bucket',
  BUCKET_POLICY: 'AWS::S3::BucketPolicy',
  KEY: 'AWS::KMS::Key',
  ALIAS: 'AWS::KMS::Alias',
  TRAIL: 'AWS::CloudTrail::Trail',
} as const;

/** The resource types the model indexes: the others are only known by type. */
export const INDEXED_TYPES: ReadonlySet<string> = new Set(Object.values(ResourceTypes));

/** A resource of an indexed type, as read from an app or a template. */
export interface ResourceInput {
  /** What rules are given for it and look it up by: the `CfnResource`, or the template's resource entry. */
  readonly handle: object;
  readonly logicalId: string;
  readonly type: string;
  /** How findings name it: the construct path, or `<stack>/<logicalId>`. */
  readonly path: string;
  /** Properties as the template has them (intrinsics left in); `{}` when the resource could not be rendered. */
  readonly rawProperties: Record<string, unknown>;
  /** Why the resource could not be rendered, if it could not. */
  readonly renderError?: string;
  /** The template condition the resource is created under (`Condition`), if any. */
  readonly condition?: string;
}

/** A stack, as read from an app or a template. */
export interface StackInput {
  /** Unique among the input's stacks: the stack's artifact ID, or the template's stack name. */
  readonly id: string;
  /** How findings and assumptions name the stack: its construct path, or the template's stack name. */
  readonly path: string;
  /** Account and Region, when known at synthesis. */
  readonly account?: string;
  readonly region?: string;
  readonly stackName: string;
  /** The resources of indexed types, in template order. */
  readonly resources: readonly ResourceInput[];
  readonly parameters: ReadonlyMap<string, ParameterSpec>;
  /** Template conditions by logical ID: their expressions. */
  readonly conditions: ReadonlyMap<string, unknown>;
  /** Outputs with an `Export.Name`. */
  readonly exports: ReadonlyArray<{ readonly name: unknown; readonly value: unknown }>;
  /** Types of the other resources, by logical ID (computed on first need). */
  otherTypes(): ReadonlyMap<string, string>;
}

/** Everything the model reads. */
export interface ModelInput {
  readonly stacks: readonly StackInput[];
}

/** A stack of the app and what the resolver needs of it. */
export interface StackModel extends ValueScope {
  readonly input: StackInput;
  /** `StackInput.id`. */
  readonly id: string;
  /** `StackInput.path`. */
  readonly path: string;
  /** Whether the account and Region are known at synthesis (not environment-agnostic). */
  readonly accountKnown: boolean;
  readonly regionKnown: boolean;
  /** Indexed resources by logical ID. */
  readonly resources: Map<string, ResourceRecord>;
  /** Parameters by logical ID. */
  readonly parameters: ReadonlyMap<string, ParameterSpec>;
  /** Template conditions by logical ID: their expressions. */
  readonly conditions: ReadonlyMap<string, unknown>;
}

/** What the template says of a parameter. */
export interface ParameterSpec {
  readonly default?: CfnValue;
  readonly allowedValues?: readonly unknown[];
}

/**
 * One way the template may be deployed: values for parameters with `AllowedValues`, and truth values for the
 * `Fn::Equals` that depend on values chosen at deployment. Every condition follows from them.
 */
export interface Scenario {
  /** `<stack artifact id>/<parameter>` → value. */
  readonly parameters: ReadonlyMap<string, string>;
  /** Resolved `Fn::Equals` operands (JSON) → truth. */
  readonly atoms: ReadonlyMap<string, boolean>;
  /** How a finding names the scenario: `parameter MinTls = 1.0, condition UseKms true`. */
  readonly label?: string;
  /** Values the user gave for parameters, by logical ID, in every stack that has the parameter. */
  readonly given?: ReadonlyMap<string, string>;
}

const NO_SCENARIO: Scenario = { parameters: new Map(), atoms: new Map() };
/** At most this many ways of deploying a template are judged; the rest are named as not judged. */
const MAX_SCENARIOS = 64;

/** A resource of an indexed type, in its stack. */
export interface ResourceRecord extends ResourceInput {
  readonly stack: StackModel;
}

/** A bucket policy resource and its resolved document. */
export interface BucketPolicyModel {
  readonly record: ResourceRecord;
  /** The resolved `PolicyDocument`. */
  readonly document: unknown;
}

/** A bucket: its name, ARN, resolved properties, the policies that apply to it and the trails that write to it. */
export interface BucketModel {
  readonly record: ResourceRecord;
  /** The bucket's name: its `BucketName`, or a placeholder named after its stack and logical ID. */
  readonly name: string;
  readonly arn: string;
  /** Properties, resolved. */
  readonly properties: Record<string, any>;
  /** Every `AWS::S3::BucketPolicy` of the app whose `Bucket` is this bucket, in tree order. */
  readonly policies: BucketPolicyModel[];
  /** Trails of the app that deliver their log files to this bucket. */
  readonly deliveringTrails: TrailModel[];
  /** Buckets of the app whose server access logs S3 delivers to this bucket. */
  readonly logSources: BucketModel[];
}

/** A KMS key of the app. */
export interface KeyModel {
  readonly record: ResourceRecord;
  readonly keyId: string;
  readonly arn: string;
  readonly properties: Record<string, any>;
}

/** A CloudTrail trail of the app. */
export interface TrailModel {
  readonly record: ResourceRecord;
  readonly name: string;
  readonly arn: string;
  readonly properties: Record<string, any>;
  readonly account: string;
  readonly region: string;
  readonly isMultiRegion: boolean;
  readonly isOrganization: boolean;
}

/** A merged policy of a bucket: all statements of all its policies, or why they could not be read. */
export interface MergedPolicy {
  readonly document: PolicyDocumentJson;
  /** Why a policy could not be read (an unresolved document, a `Statement` that is not a list). */
  readonly problem?: string;
}

interface ExportRecord {
  readonly stack: StackModel;
  readonly value: unknown;
}

/**
 * The index of an app. Build it with {@link AppModel.build}; afterwards it is only read (lookups memoise
 * resolved values, which changes nothing a caller can observe).
 */
export class AppModel implements ValueHost {
  /** Build the index of the input's stacks. */
  public static build(input: ModelInput, scenario: Scenario = NO_SCENARIO): AppModel {
    return new AppModel(input, scenario);
  }

  /**
   * The ways the app's templates may be deployed that make a difference to the resources the pack reads: every
   * combination of the `AllowedValues` of the parameters they use, and of the template conditions that depend on
   * values chosen at deployment. One model per scenario; a single model (without a label) when there is no choice.
   */
  public static scenarios(input: ModelInput, parameterValues: Record<string, string> = {}): Array<{ model: AppModel; scenario: Scenario }> {
    const given = new Map(Object.entries(parameterValues));
    const base = new AppModel(input, { ...NO_SCENARIO, given });
    const choices = base.parameterChoices();
    if (choices.length === 0 && base.unknownAtoms().length === 0) return [{ model: base, scenario: base.scenario }];
    let assignments: Array<Map<string, string>> = [new Map()];
    for (const { key, values } of choices) {
      assignments = assignments.flatMap((a) => values.map((v) => new Map([...a, [key, v]])));
      if (assignments.length > MAX_SCENARIOS) assignments = assignments.slice(0, MAX_SCENARIOS);
    }
    const out: Array<{ model: AppModel; scenario: Scenario }> = [];
    for (const parameters of assignments) {
      const first = new AppModel(input, { parameters, atoms: new Map(), given });
      const atoms = first.unknownAtoms().slice(0, 5);
      let atomAssignments: Array<Map<string, boolean>> = [new Map()];
      for (const atom of atoms) atomAssignments = atomAssignments.flatMap((a) => [new Map([...a, [atom, true]]), new Map([...a, [atom, false]])]);
      for (const atomValues of atomAssignments) {
        if (out.length >= MAX_SCENARIOS) break;
        const model = atoms.length === 0 ? first : new AppModel(input, { parameters, atoms: atomValues, given });
        out.push({ model, scenario: model.scenario });
      }
    }
    // Name each scenario by what varies between them: parameter values and condition values.
    const labels = out.map(({ model, scenario }) => [
      ...[...scenario.parameters].map(([k, v]) => `parameter ${k.split('/').pop()} = ${JSON.stringify(v)}`),
      ...model.conditionValues().map(([name, value]) => `condition ${name} ${value}`),
    ]);
    const common = labels[0].filter((part) => labels.every((l) => l.includes(part)));
    return out.map(({ model }, i) => {
      const label = labels[i].filter((part) => !common.includes(part)).join(', ');
      model.scenarioLabel = label === '' ? undefined : label;
      return { model, scenario: { ...model.scenario, label: model.scenarioLabel } };
    });
  }

  /** How findings name this model's scenario, when the app has several. */
  public scenarioLabel?: string;

  private readonly stacks: StackModel[] = [];
  private readonly records: ResourceRecord[] = [];
  private readonly recordsByHandle = new Map<object, ResourceRecord>();
  /** Indexed records by logical ID over all stacks, to follow references before synthesis. */
  private readonly byLogicalId = new Map<string, ResourceRecord[]>();
  private readonly rawExports: Array<{ stack: StackModel; name: unknown; value: unknown }> = [];
  private exportsByName?: Map<string, ExportRecord>;
  private readonly resolvedProperties = new Map<ResourceRecord, Record<string, any>>();

  private readonly buckets = new Map<object, BucketModel>();
  private readonly bucketsByName = new Map<string, BucketModel[]>();
  private readonly keys = new Map<object, KeyModel>();
  private readonly keysByReference = new Map<string, KeyModel>();
  private readonly trails = new Map<object, TrailModel>();
  private readonly mergedPolicies = new Map<BucketModel, MergedPolicy>();
  private readonly memo = new WeakMap<object, Map<string, unknown>>();
  private readonly conditionMemo = new Map<string, boolean | undefined>();
  private readonly unknown = new Set<string>();

  private constructor(input: ModelInput, private readonly scenario: Scenario) {
    for (const stack of input.stacks) this.addStack(stack);
    this.indexKeys();
    this.indexBuckets();
    this.indexTrails();
  }

  /**
   * What is wrong with the parameter values a user gave: a name no stack has as a parameter, or a value outside the
   * parameter's `AllowedValues`. Empty when they are all usable.
   */
  public parameterValueProblems(): string[] {
    const problems: string[] = [];
    for (const [name, value] of this.scenario.given ?? []) {
      const specs = this.stacks.flatMap((stack) => {
        const spec = stack.parameters.get(name);
        return spec ? [{ stack, spec }] : [];
      });
      if (specs.length === 0) {
        problems.push(`no template has a parameter named ${name}`);
        continue;
      }
      for (const { stack, spec } of specs) {
        if (!Array.isArray(spec.allowedValues) || spec.allowedValues.length === 0) continue;
        const allowed = spec.allowedValues.map((v) => concreteString(v));
        if (!allowed.includes(value)) {
          problems.push(`${JSON.stringify(value)} is not one of the AllowedValues of parameter ${name} in ${stack.path} ` +
            `(${allowed.map((v) => JSON.stringify(v)).join(', ')})`);
        }
      }
    }
    return problems;
  }

  /** The bucket a resource is, if it is one (by its `ResourceInput.handle`). */
  public bucket(handle: object): BucketModel | undefined {
    return this.buckets.get(handle);
  }

  /** The KMS key a resource is, if it is one. */
  public key(handle: object): KeyModel | undefined {
    return this.keys.get(handle);
  }

  /** The trail a resource is, if it is one. */
  public trail(handle: object): TrailModel | undefined {
    return this.trails.get(handle);
  }

  /** The record of an indexed resource (any type, policies too), if the handle is one. */
  public record(handle: object): ResourceRecord | undefined {
    return this.recordsByHandle.get(handle);
  }

  /** Every indexed resource that exists in this model's scenario, in input order. */
  public existingRecords(): ResourceRecord[] {
    return this.records.filter((r) => this.exists(r));
  }

  /** Every KMS key of the app. */
  public allKeys(): KeyModel[] {
    return [...this.keys.values()];
  }

  /** Every trail of the app. */
  public allTrails(): TrailModel[] {
    return [...this.trails.values()];
  }

  /** The names of the app's buckets (placeholders for those named at deployment). */
  public allBucketNames(): string[] {
    return [...this.bucketsByName.keys()];
  }

  /** Every bucket of the app with this name. */
  public bucketsNamed(name: string): BucketModel[] {
    return this.bucketsByName.get(name) ?? [];
  }

  /**
   * The key of the app that a resolved key reference names: a key ARN, key ID, alias name (`alias/x`) or alias
   * ARN, as `KMSMasterKeyID` or `KMSKeyId` may hold it.
   */
  public keyByReference(reference: string): KeyModel | undefined {
    return this.keysByReference.get(reference);
  }

  /** All statements of all the bucket's policies as one document. */
  public mergedPolicy(bucket: BucketModel): MergedPolicy {
    let merged = this.mergedPolicies.get(bucket);
    if (!merged) {
      merged = mergePolicies(bucket.policies);
      this.mergedPolicies.set(bucket, merged);
    }
    return merged;
  }

  /**
   * A value derived from `owner` (a bucket, key or trail of this model), computed once per validation. Derived
   * values are functions of the model, so caching them changes no answer.
   */
  public cached<T>(owner: object, key: string, compute: () => T): T {
    let values = this.memo.get(owner);
    if (!values) {
      values = new Map();
      this.memo.set(owner, values);
    }
    if (values.has(key)) return values.get(key) as T;
    const value = compute();
    values.set(key, value);
    return value;
  }

  /** The stack model of an input stack, by its ID. */
  public stackById(id: string): StackModel | undefined {
    return this.stacks.find((s) => s.id === id);
  }

  /** Resolve a template value of a stack. */
  public resolveIn(stack: StackModel, value: unknown): CfnValue {
    return resolveValue(value, stack, this);
  }

  // ---------------------------------------------------------------------------------------------------------
  // ValueHost

  /** `Ref` of a logical ID (see `ValueHost`). */
  public ref(scope: ValueScope, logicalId: string, depth: number): CfnValue | undefined {
    const stack = scope as StackModel;
    const record = stack.resources.get(logicalId);
    if (record) return this.physicalRef(record, depth);
    if (stack.parameters.has(logicalId)) {
      const chosen = this.scenario.parameters.get(`${stack.id}/${logicalId}`) ?? this.scenario.given?.get(logicalId);
      if (chosen !== undefined) return chosen;
      const fallback = stack.parameters.get(logicalId)!.default;
      // A parameter without a default is a symbol: any value, the same wherever it is used.
      return fallback === undefined ? parameterSymbol(logicalId) : resolveValue(fallback, stack, this, depth);
    }
    if (stack.input.otherTypes().has(logicalId)) return placeholderName(stack, logicalId);
    const elsewhere = this.uniqueElsewhere(logicalId);
    return elsewhere ? this.physicalRef(elsewhere, depth) : undefined;
  }

  /** `Fn::GetAtt` of a logical ID (see `ValueHost`). */
  public getAtt(scope: ValueScope, logicalId: string, attribute: string, depth: number): CfnValue | undefined {
    const stack = scope as StackModel;
    const record = stack.resources.get(logicalId) ?? (stack.input.otherTypes().has(logicalId) ? undefined : this.uniqueElsewhere(logicalId));
    if (record) return this.attributeOf(record, attribute, depth);
    const type = stack.input.otherTypes().get(logicalId);
    if (type !== undefined && attribute === 'Arn') return genericArn(stack, type, logicalId);
    return undefined;
  }

  /** The truth of a template condition in this model's scenario (see `ValueHost`). */
  public condition(scope: ValueScope, name: string, depth: number): boolean | undefined {
    const stack = scope as StackModel;
    const key = `${stack.id}/${name}`;
    if (this.conditionMemo.has(key)) return this.conditionMemo.get(key);
    if (!stack.conditions.has(name)) return undefined;
    this.conditionMemo.set(key, undefined); // a condition that refers to itself stays unknown
    const value = evaluateCondition(stack.conditions.get(name), stack, this, (atom) => {
      if (this.scenario.atoms.has(atom)) return this.scenario.atoms.get(atom);
      this.unknown.add(atom);
      return undefined;
    }, depth);
    this.conditionMemo.set(key, value);
    return value;
  }

  /** Parameters with `AllowedValues` that the indexed resources or the conditions use, and their values. */
  private parameterChoices(): Array<{ key: string; values: string[] }> {
    const out: Array<{ key: string; values: string[] }> = [];
    for (const stack of this.stacks) {
      // Most stacks of CDK apps have no parameter with AllowedValues: nothing to walk for.
      const candidates = [...stack.parameters].filter(([name, spec]) =>
        !this.scenario.given?.has(name) && Array.isArray(spec.allowedValues) && spec.allowedValues.length > 0);
      if (candidates.length === 0) continue;
      const used = namesUsedBy(stack);
      for (const [name, spec] of candidates) {
        if (!used.has(name)) continue;
        const values = (spec.allowedValues ?? []).map((v) => concreteString(v)).filter((v): v is string => v !== undefined);
        if (values.length > 0) out.push({ key: `${stack.id}/${name}`, values });
      }
    }
    return out;
  }

  /** The `Fn::Equals` of every condition that depend on values chosen at deployment. */
  private unknownAtoms(): string[] {
    for (const stack of this.stacks) for (const name of stack.conditions.keys()) this.condition(stack, name, 0);
    return [...this.unknown];
  }

  /** Conditions used by the indexed resources (`Condition`, `Fn::If`) and their values in this scenario. */
  private conditionValues(): Array<[string, boolean | undefined]> {
    const out: Array<[string, boolean | undefined]> = [];
    for (const stack of this.stacks) {
      const used = referencedConditions([...stack.resources.values()]);
      for (const name of used) out.push([name, this.condition(stack, name, 0)]);
    }
    return out;
  }

  /** Parameters the indexed resources use that are judged at their default (see `ParameterAssumption`). */
  public assumptions(): ParameterAssumption[] {
    const out: ParameterAssumption[] = [];
    for (const stack of this.stacks) {
      const candidates = [...stack.parameters].filter(([name, spec]) => spec.default !== undefined &&
        !this.scenario.given?.has(name) && !this.scenario.parameters.has(`${stack.id}/${name}`));
      if (candidates.length === 0) continue;
      const used = namesUsedBy(stack);
      for (const [name, spec] of candidates) {
        if (!used.has(name)) continue;
        const value = concreteString(resolveValue(spec.default, stack, this));
        if (value !== undefined) out.push({ stack: stack.path, parameter: name, value });
      }
    }
    return out;
  }

  /** Whether a record exists in this scenario (its `Condition` is not false). */
  public exists(record: ResourceRecord): boolean {
    return record.condition === undefined || this.condition(record.stack, record.condition, 0) !== false;
  }

  /** The value exported under a name (see `ValueHost`). */
  public importValue(name: string, depth: number): CfnValue | undefined {
    const exported = this.exportMap().get(name);
    return exported ? resolveValue(exported.value, exported.stack, this, depth) : undefined;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Building

  private addStack(input: StackInput): void {
    const regionKnown = input.region !== undefined;
    const region = input.region ?? PLACEHOLDER_REGION;
    const stack: StackModel = {
      input,
      id: input.id,
      path: input.path,
      account: input.account ?? PLACEHOLDER_ACCOUNT,
      region,
      partition: partitionOf(region),
      stackName: input.stackName,
      accountKnown: input.account !== undefined,
      regionKnown,
      resources: new Map(),
      parameters: input.parameters,
      conditions: input.conditions,
    };
    this.stacks.push(stack);
    for (const resource of input.resources) {
      const record: ResourceRecord = { ...resource, stack };
      stack.resources.set(record.logicalId, record);
      this.records.push(record);
      this.recordsByHandle.set(record.handle, record);
      const sameId = this.byLogicalId.get(record.logicalId);
      if (sameId) sameId.push(record);
      else this.byLogicalId.set(record.logicalId, [record]);
    }
    for (const { name, value } of input.exports) this.rawExports.push({ stack, name, value });
  }

  private exportMap(): Map<string, ExportRecord> {
    if (!this.exportsByName) {
      this.exportsByName = new Map();
      for (const { stack, name, value } of this.rawExports) {
        const resolved = concreteString(resolveValue(name, stack, this));
        if (resolved !== undefined && !this.exportsByName.has(resolved)) this.exportsByName.set(resolved, { stack, value });
      }
    }
    return this.exportsByName;
  }

  /** Before synthesis a reference to another stack is a plain `Ref`; follow it if the logical ID is unambiguous. */
  private uniqueElsewhere(logicalId: string): ResourceRecord | undefined {
    const candidates = this.byLogicalId.get(logicalId);
    return candidates?.length === 1 ? candidates[0] : undefined;
  }

  /** Properties of an indexed resource, resolved (memoised). */
  public propertiesOf(record: ResourceRecord): Record<string, any> {
    let props = this.resolvedProperties.get(record);
    if (!props) {
      const resolved = resolveValue(record.rawProperties, record.stack, this);
      // `Properties: !If [c, {...}, !Ref AWS::NoValue]` can resolve to nothing, or stay an intrinsic: no properties known.
      props = resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved) && !isIntrinsic(resolved)
        ? resolved as Record<string, any> : {};
      this.resolvedProperties.set(record, props);
    }
    return props;
  }

  private physicalRef(record: ResourceRecord, depth: number): CfnValue | undefined {
    switch (record.type) {
      case ResourceTypes.BUCKET: return this.bucketName(record, depth);
      case ResourceTypes.KEY: return keyIdOf(record);
      case ResourceTypes.TRAIL: return this.trailName(record, depth);
      case ResourceTypes.ALIAS: return resolveValue(record.rawProperties.AliasName, record.stack, this, depth);
      default: return placeholderName(record.stack, record.logicalId);
    }
  }

  private attributeOf(record: ResourceRecord, attribute: string, depth: number): CfnValue | undefined {
    const { partition, region, account } = record.stack;
    const suffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    switch (`${record.type}.${attribute}`) {
      case `${ResourceTypes.BUCKET}.Arn`: return `arn:${partition}:s3:::${this.bucketName(record, depth)}`;
      case `${ResourceTypes.BUCKET}.DomainName`: return `${this.bucketName(record, depth)}.s3.${suffix}`;
      case `${ResourceTypes.BUCKET}.RegionalDomainName`: return `${this.bucketName(record, depth)}.s3.${region}.${suffix}`;
      case `${ResourceTypes.BUCKET}.DualStackDomainName`: return `${this.bucketName(record, depth)}.s3.dualstack.${region}.${suffix}`;
      case `${ResourceTypes.KEY}.Arn`: return `arn:${partition}:kms:${region}:${account}:key/${keyIdOf(record)}`;
      case `${ResourceTypes.KEY}.KeyId`: return keyIdOf(record);
      case `${ResourceTypes.TRAIL}.Arn`: return `arn:${partition}:cloudtrail:${region}:${account}:trail/${this.trailName(record, depth)}`;
      default: return undefined;
    }
  }

  private bucketName(record: ResourceRecord, depth: number): string {
    return concreteString(resolveValue(record.rawProperties.BucketName, record.stack, this, depth))
      ?? placeholderName(record.stack, record.logicalId);
  }

  private trailName(record: ResourceRecord, depth: number): string {
    return concreteString(resolveValue(record.rawProperties.TrailName, record.stack, this, depth))
      ?? placeholderName(record.stack, record.logicalId);
  }

  private indexKeys(): void {
    for (const record of this.records) {
      if (record.type !== ResourceTypes.KEY || !this.exists(record)) continue;
      const key: KeyModel = {
        record,
        keyId: keyIdOf(record),
        arn: this.attributeOf(record, 'Arn', 0) as string,
        properties: this.propertiesOf(record),
      };
      this.keys.set(record.handle, key);
      this.keysByReference.set(key.arn, key);
      this.keysByReference.set(key.keyId, key);
    }
    for (const record of this.records) {
      if (record.type !== ResourceTypes.ALIAS) continue;
      const props = this.propertiesOf(record);
      const aliasName = concreteString(props.AliasName);
      const target = concreteString(props.TargetKeyId);
      const key = target !== undefined ? this.keysByReference.get(target) : undefined;
      if (aliasName === undefined || key === undefined) continue;
      const { partition, region, account } = record.stack;
      this.keysByReference.set(aliasName, key);
      this.keysByReference.set(`arn:${partition}:kms:${region}:${account}:${aliasName}`, key);
    }
  }

  private indexBuckets(): void {
    for (const record of this.records) {
      if (record.type !== ResourceTypes.BUCKET || !this.exists(record)) continue;
      const name = this.bucketName(record, 0);
      const bucket: BucketModel = {
        record,
        name,
        arn: `arn:${record.stack.partition}:s3:::${name}`,
        properties: this.propertiesOf(record),
        policies: [],
        deliveringTrails: [],
        logSources: [],
      };
      this.buckets.set(record.handle, bucket);
      const sameName = this.bucketsByName.get(name);
      if (sameName) sameName.push(bucket);
      else this.bucketsByName.set(name, [bucket]);
    }
    for (const source of this.buckets.values()) {
      const destination = concreteString(source.properties.LoggingConfiguration?.DestinationBucketName);
      if (destination === undefined) continue;
      for (const bucket of this.bucketsNamed(destination)) bucket.logSources.push(source);
    }
    for (const record of this.records) {
      if (record.type !== ResourceTypes.BUCKET_POLICY || !this.exists(record)) continue;
      const props = this.propertiesOf(record);
      const name = concreteString(props.Bucket);
      if (name === undefined) continue;
      for (const bucket of this.bucketsNamed(name)) bucket.policies.push({ record, document: props.PolicyDocument });
    }
  }

  private indexTrails(): void {
    for (const record of this.records) {
      if (record.type !== ResourceTypes.TRAIL || !this.exists(record)) continue;
      const props = this.propertiesOf(record);
      const name = this.trailName(record, 0);
      const trail: TrailModel = {
        record,
        name,
        arn: this.attributeOf(record, 'Arn', 0) as string,
        properties: props,
        account: record.stack.account,
        region: record.stack.region,
        isMultiRegion: isTrue(props.IsMultiRegionTrail),
        isOrganization: isTrue(props.IsOrganizationTrail),
      };
      this.trails.set(record.handle, trail);
      const logBucket = concreteString(props.S3BucketName);
      if (logBucket !== undefined) {
        for (const bucket of this.bucketsNamed(logBucket)) bucket.deliveringTrails.push(trail);
      }
    }
  }
}

/** Whether a resolved CloudFormation boolean is true (`true` or `"true"`). */
export function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** A name for a resource whose physical name is chosen at deployment: unique in the app, stable across runs. */
function placeholderName(stack: StackModel, logicalId: string): string {
  return `${stack.id}-${logicalId}`.toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
}

function keyIdOf(record: ResourceRecord): string {
  return placeholderName(record.stack, record.logicalId);
}

/** An ARN for a resource type the pack does not index (IAM roles in principals, topics, ...). */
function genericArn(stack: StackModel, type: string, logicalId: string): string {
  const [, service = 'unknown', resource = 'resource'] = type.split('::');
  const name = placeholderName(stack, logicalId);
  const lower = service.toLowerCase();
  if (lower === 'iam') return `arn:${stack.partition}:iam::${stack.account}:${resource.toLowerCase()}/${name}`;
  return `arn:${stack.partition}:${lower}:${stack.region}:${stack.account}:${resource.toLowerCase()}/${name}`;
}

function mergePolicies(policies: BucketPolicyModel[]): MergedPolicy {
  const statements: PolicyStatementJson[] = [];
  const problems: string[] = [];
  for (const policy of policies) {
    const document = policy.document as any;
    const where = policy.record.path;
    if (document === null || typeof document !== 'object' || isIntrinsic(document) || !('Statement' in document)) {
      problems.push(`the PolicyDocument of ${where} could not be resolved`);
      continue;
    }
    const list = (Array.isArray(document.Statement) ? document.Statement : [document.Statement])
      // An Allow never undoes a Deny: a statement that is an Allow whichever way it resolves does not matter here.
      .filter((s: unknown) => !onlyAllows(s));
    if (list.some((s: unknown) => s === null || typeof s !== 'object' || isIntrinsic(s))) {
      problems.push(`a statement of ${where} could not be resolved (Fn::If or another intrinsic)`);
    }
    statements.push(...list);
  }
  return {
    document: { Version: '2012-10-17', Statement: statements },
    problem: problems.length > 0 ? problems.join('; ') : undefined,
  };
}

/** Names the stack's indexed resources and conditions refer to (the same for every scenario: read once per input). */
function namesUsedBy(stack: StackModel): Set<string> {
  let used = NAMES_USED.get(stack.input);
  if (!used) {
    used = referencedNames(stack.input.resources.map((r) => r.rawProperties), [...stack.conditions.values()]);
    NAMES_USED.set(stack.input, used);
  }
  return used;
}

const NAMES_USED = new WeakMap<StackInput, Set<string>>();

/** Names a template value refers to with `Ref` or `${Name}` in `Fn::Sub`. */
function referencedNames(...values: unknown[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {v.forEach(walk);} else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Ref' && typeof x === 'string') {out.add(x);} else if (k === 'Fn::Sub') {
          const text = Array.isArray(x) ? x[0] : x;
          if (typeof text === 'string') for (const m of text.matchAll(/\$\{([^}!.]+)\}/g)) out.add(m[1]);
          walk(x);
        } else {walk(x);}
      }
    }
  };
  values.forEach(walk);
  return out;
}

/** Conditions the records are created under or choose values with (`Fn::If`). */
function referencedConditions(records: ResourceRecord[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {v.forEach(walk);} else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Fn::If' && Array.isArray(x) && typeof x[0] === 'string') out.add(x[0]);
        walk(x);
      }
    }
  };
  for (const record of records) {
    if (record.condition) out.add(record.condition);
    walk(record.rawProperties);
  }
  return out;
}

/** Whether an unresolved statement is an Allow (or nothing) in every branch of its `Fn::If`s. */
function onlyAllows(statement: unknown): boolean {
  if (statement === null || typeof statement !== 'object' || !isIntrinsic(statement)) return false;
  const branches = (statement as Record<string, unknown>)['Fn::If'];
  if (!Array.isArray(branches) || branches.length !== 3) return false;
  return branches.slice(1).every((b) => isNoValue(b) || onlyAllows(b) ||
    (b !== null && typeof b === 'object' && !isIntrinsic(b) && (b as { Effect?: unknown }).Effect === 'Allow'));
}

function isNoValue(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as { Ref?: unknown }).Ref === 'AWS::NoValue';
}
