import { INDEXED_TYPES, ModelInput, ParameterSpec, ResourceInput, StackInput } from './app-model';

// Templates as the model's input, read as plain data: nothing of aws-cdk-lib, so that the check command starts fast
// and reads what CloudFormation reads, not what a CDK app could express.

/** A template to judge. */
export interface TemplateInput {
  /** Unique in the group: how the model tells the stacks apart. */
  readonly id: string;
  /** How findings name the stack. */
  readonly stackName: string;
  readonly template: Record<string, unknown>;
}

/** What rules are given for a template's resource: where it is, and its entry. */
export interface TemplateResource {
  readonly template: TemplateInput;
  readonly logicalId: string;
  readonly type: string;
  readonly entry: Record<string, unknown>;
}

/** The model input of templates judged together (policies of one may name buckets of another). */
export function templateModelInput(templates: readonly TemplateInput[]): { input: ModelInput; resources: TemplateResource[] } {
  const resources: TemplateResource[] = [];
  const stacks = templates.map((template): StackInput => {
    const indexed: ResourceInput[] = [];
    const others = new Map<string, string>();
    for (const [logicalId, entry] of entries(template.template.Resources)) {
      if (!isObject(entry) || typeof entry.Type !== 'string') continue;
      if (!INDEXED_TYPES.has(entry.Type)) {
        others.set(logicalId, entry.Type);
        continue;
      }
      const handle: TemplateResource = { template, logicalId, type: entry.Type, entry };
      resources.push(handle);
      indexed.push({
        handle,
        logicalId,
        type: entry.Type,
        path: `${template.stackName}/${logicalId}`,
        // `Properties: !If [...]` stays an intrinsic: the model resolves it like any other value.
        rawProperties: isObject(entry.Properties) ? entry.Properties : {},
        condition: typeof entry.Condition === 'string' ? entry.Condition : undefined,
      });
    }
    const parameters = new Map<string, ParameterSpec>();
    for (const [name, spec] of entries(template.template.Parameters)) {
      if (isObject(spec)) parameters.set(name, { default: spec.Default as ParameterSpec['default'], allowedValues: Array.isArray(spec.AllowedValues) ? spec.AllowedValues : undefined });
    }
    const conditions = new Map<string, unknown>(entries(template.template.Conditions));
    const exports = entries(template.template.Outputs).flatMap(([, output]) => (
      isObject(output) && isObject(output.Export) && output.Export.Name !== undefined ? [{ name: output.Export.Name, value: output.Value }] : []));
    return {
      id: template.id,
      path: template.stackName,
      stackName: template.stackName,
      resources: indexed,
      parameters,
      conditions,
      exports,
      otherTypes: () => others,
    };
  });
  return { input: { stacks }, resources };
}

/**
 * The reason of an acknowledgement of the rule in the resource's `Metadata.cdk_nag.rules_to_suppress` (as cdk-nag's
 * `writeSuppressionsToCloudFormation` writes them), `''` when it has none, undefined when there is none.
 */
export function templateAcknowledgement(resource: TemplateResource, ruleId: string): string | undefined {
  const metadata = resource.entry.Metadata;
  const nag = isObject(metadata) ? metadata.cdk_nag : undefined;
  const rules = isObject(nag) ? nag.rules_to_suppress : undefined;
  if (!Array.isArray(rules)) return undefined;
  for (const rule of rules) {
    if (!isObject(rule) || typeof rule.id !== 'string') continue;
    if (rule.id === ruleId || rule.id === `S3Encryption::${ruleId}`) return typeof rule.reason === 'string' ? rule.reason : '';
  }
  return undefined;
}

/** Own entries of a template section (logical IDs such as `constructor` are plain data). */
function entries(section: unknown): Array<[string, unknown]> {
  return isObject(section) ? Object.keys(section).map((k) => [k, section[k]]) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
