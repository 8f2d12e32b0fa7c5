import { CfnElement, CfnResource, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { INDEXED_TYPES, ModelInput, ParameterSpec, ResourceInput, StackInput } from './app-model';
import { isIntrinsic } from './cfn-values';
import { cfnProperties, rawOverrides, renderProperties, toCloudFormation } from '../internal/cdk-internals';

// A CDK app as the model's input: one walk of the construct tree, rendering only the properties the rules read, or
// reading them from the stack's synthesized template when the synthesis that runs the pack has written it.

/**
 * A stack's template as this synthesis wrote it (parsed JSON). CDK's validation runs after the templates are written,
 * so they are exactly what will be deployed, escape-hatch overrides included; reading them costs a fraction of
 * resolving the stack's tokens again.
 */
export type SynthesizedTemplate = Record<string, unknown>;

/**
 * The input of the app that `scope` belongs to (the whole app, so that other stacks are seen too). `synthesized`
 * gives the written template of a stack, if there is one; other stacks are rendered from the tree.
 */
export function modelInputOf(scope: IConstruct, synthesized: (stack: Stack) => SynthesizedTemplate | undefined = () => undefined): ModelInput {
  const stacks = new Map<Stack, StackBuilder>();
  const builderOf = (stack: Stack): StackBuilder => {
    let builder = stacks.get(stack);
    if (!builder) {
      builder = new StackBuilder(stack, synthesized(stack));
      stacks.set(stack, builder);
    }
    return builder;
  };
  // An explicit stack instead of recursion: apps are deep enough to matter, and this is the one tree walk.
  const pending: IConstruct[] = [scope.node.root];
  while (pending.length > 0) {
    const construct = pending.pop()!;
    const children = construct.node.children;
    for (let i = children.length - 1; i >= 0; i--) pending.push(children[i]);
    if (CfnResource.isCfnResource(construct)) {
      if (INDEXED_TYPES.has(construct.cfnResourceType)) builderOf(construct.stack).addResource(construct);
      else builderOf(construct.stack).others.push(construct);
    } else if (CfnElement.isCfnElement(construct)) {
      builderOf(construct.stack).addElement(construct);
    }
  }
  return { stacks: [...stacks.values()].map((b) => b.build()) };
}

class StackBuilder {
  public readonly others: CfnResource[] = [];
  private readonly resources: ResourceInput[] = [];
  private readonly parameters = new Map<string, ParameterSpec>();
  private readonly conditions = new Map<string, unknown>();
  private readonly exports: Array<{ name: unknown; value: unknown }> = [];

  private readonly writtenResources?: Record<string, unknown>;

  constructor(private readonly stack: Stack, private readonly template?: SynthesizedTemplate) {
    if (template) {
      this.writtenResources = objectOf(template.Resources);
      this.readElements(template);
    }
  }

  public addResource(node: CfnResource): void {
    if (this.writtenResources && this.addWrittenResource(node, this.writtenResources)) return;
    let logicalId: string;
    let rawProperties: Record<string, unknown> = {};
    let renderError: string | undefined;
    const conditionId = node.cfnOptions.condition?.logicalId;
    let condition = conditionId === undefined ? undefined : String(node.stack.resolve(conditionId));
    try {
      const fast = renderReadProperties(node);
      if (fast) {
        logicalId = String(node.stack.resolve(node.logicalId));
        rawProperties = fast;
      } else {
        const rendered = node.stack.resolve(toCloudFormation(node));
        const [id, body] = Object.entries(rendered.Resources as Record<string, any>)[0];
        logicalId = id;
        rawProperties = body?.Properties ?? {};
        // An override may set the condition too (`addOverride('Condition', ...)`).
        condition = typeof body?.Condition === 'string' ? body.Condition : undefined;
      }
    } catch (e) {
      logicalId = String(node.stack.resolve(node.logicalId));
      renderError = (e as Error).message;
    }
    this.resources.push({ handle: node, logicalId, type: node.cfnResourceType, path: node.node.path, rawProperties, renderError, condition });
  }

  /** Takes the resource from the written template; false when it is not there as the tree has it (rendered instead). */
  private addWrittenResource(node: CfnResource, written: Record<string, unknown>): boolean {
    const logicalId = String(node.stack.resolve(node.logicalId));
    const entry = objectOf(written[logicalId]);
    if (entry?.Type !== node.cfnResourceType) return false;
    const condition = typeof entry.Condition === 'string' ? entry.Condition : undefined;
    const rawProperties = objectOf(entry.Properties) ?? {};
    this.resources.push({ handle: node, logicalId, type: node.cfnResourceType, path: node.node.path, rawProperties, condition });
    return true;
  }

  public addElement(element: CfnElement): void {
    // A written template's parameters, conditions and exports were read whole.
    if (this.template) return;
    // A missing aws-cdk-lib internal fails loudly (cdk-internals.ts); an element that cannot be resolved is skipped.
    const unresolved = toCloudFormation(element);
    let rendered: any;
    try {
      rendered = element.stack.resolve(unresolved);
    } catch {
      return;
    }
    this.readElements(rendered);
  }

  /** Parameters, conditions and exports of a template or of one rendered element. */
  private readElements(rendered: any): void {
    for (const [id, parameter] of Object.entries<any>(rendered?.Parameters ?? {})) {
      this.parameters.set(id, { default: parameter?.Default, allowedValues: parameter?.AllowedValues });
    }
    for (const [id, expression] of Object.entries<any>(rendered?.Conditions ?? {})) this.conditions.set(id, expression);
    for (const output of Object.values<any>(rendered?.Outputs ?? {})) {
      if (output?.Export?.Name !== undefined) this.exports.push({ name: output.Export.Name, value: output.Value });
    }
  }

  public build(): StackInput {
    const stack = this.stack;
    let otherTypes: Map<string, string> | undefined;
    return {
      id: stack.artifactId,
      path: stack.node.path,
      account: Token.isUnresolved(stack.account) ? undefined : stack.account,
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
      stackName: Token.isUnresolved(stack.stackName) ? stack.artifactId : stack.stackName,
      resources: this.resources,
      parameters: this.parameters,
      conditions: this.conditions,
      exports: this.exports,
      otherTypes: () => {
        otherTypes ??= new Map(this.others.map((c) => [String(stack.resolve(c.logicalId)), c.cfnResourceType]));
        return otherTypes;
      },
    };
  }
}

/**
 * The properties the rules read, per L1 class, by their L1 (camelCase) names. Rendering only these is several times
 * cheaper than rendering the whole resource (a bucket's lifecycle rules, tags, ...), and the pack renders every bucket.
 */
const READ_PROPERTIES: ReadonlyArray<[(new (...args: any[]) => CfnResource) & { CFN_RESOURCE_TYPE_NAME: string }, readonly string[]]> = [
  [s3.CfnBucket, ['bucketName', 'bucketEncryption', 'loggingConfiguration']],
  [s3.CfnBucketPolicy, ['bucket', 'policyDocument']],
  [kms.CfnKey, ['keyPolicy', 'enableKeyRotation', 'keySpec']],
];

/** The CloudFormation (PascalCase) names of the properties the rules read, by resource type. */
const READ_TEMPLATE_PROPERTIES = new Map(READ_PROPERTIES.map(([type, names]) =>
  [type.CFN_RESOURCE_TYPE_NAME, names.map((name) => name.charAt(0).toUpperCase() + name.slice(1))]));

/**
 * A parsed template as the model reads it: the resources of the types it indexes, with the properties the rules read
 * (the same ones the tree's rendering gives), and the parameters, conditions and outputs. The rest is let go at once,
 * so that a large template costs little memory for the length of a validation. Undefined when it is not a template.
 */
export function writtenTemplate(parsed: unknown): SynthesizedTemplate | undefined {
  const template = objectOf(parsed);
  if (!template) return undefined;
  const resources: Record<string, unknown> = {};
  for (const [logicalId, entry] of Object.entries(objectOf(template.Resources) ?? {})) {
    const type = objectOf(entry)?.Type;
    if (typeof type !== 'string' || !INDEXED_TYPES.has(type)) continue;
    const properties = objectOf(entry.Properties) ?? {};
    // `Properties: Fn::If [...]` (an escape-hatch override may write it) is kept whole, for the model to resolve.
    const read = isIntrinsic(properties) ? undefined : READ_TEMPLATE_PROPERTIES.get(type);
    const subset: Record<string, unknown> = read ? {} : properties;
    for (const name of read ?? []) if (name in properties) subset[name] = properties[name];
    resources[logicalId] = { Type: type, Condition: entry.Condition, Properties: subset };
  }
  return { Resources: resources, Parameters: template.Parameters, Conditions: template.Conditions, Outputs: template.Outputs };
}

/**
 * The CloudFormation properties the rules read, rendered as the template will have them, or undefined when the
 * resource must be rendered in full: a class not listed above (`CfnResource` of an included template's unknown
 * type, another copy of aws-cdk-lib) or a resource with escape-hatch overrides, which apply to the whole resource.
 */
function renderReadProperties(node: CfnResource): Record<string, unknown> | undefined {
  const entry = READ_PROPERTIES.find(([type]) => node instanceof type);
  const overrides = rawOverrides(node);
  if (!entry || overrides === null || typeof overrides !== 'object' || Object.keys(overrides).length > 0) return undefined;
  const all = cfnProperties(node);
  if (all === null || typeof all !== 'object') return undefined;
  const subset: Record<string, unknown> = {};
  for (const name of entry[1]) subset[name] = all[name];
  // What _toCloudFormation does to the properties: resolve, then render CloudFormation names and structures.
  return renderProperties(node, node.stack.resolve(subset)) ?? {};
}

function objectOf(value: unknown): Record<string, any> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, any> : undefined;
}
