import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, DefaultStackSynthesizer, Errors, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { InputError, lineOf, TemplateSource, templatesAt } from './templates';
import { AllowedEncryption, S3EncryptionChecks, S3EncryptionChecksProps } from '../nag/s3-encryption-checks';

// The library side of the `check` command: load templates into a CDK app with CfnInclude, run the rule pack,
// and map its findings back to (template file, logical ID). No argv, no output formatting, no process exit.

export { InputError } from './templates';

/** The encryption standard: the rule pack's props, without its logging options. */
export type CheckStandard = Pick<S3EncryptionChecksProps,
'allowedEncryption' | 'allowSseC' | 'allowedKmsKeyArns' | 'minimumTlsVersion' | 'requireUploadHeader' | 'requireAuditTrail' |
'requireBucketKey'>;

/** The keys a standard (and so a `--config` file) may have. */
export const STANDARD_KEYS: ReadonlyArray<keyof CheckStandard> = [
  'allowedEncryption', 'allowSseC', 'allowedKmsKeyArns', 'minimumTlsVersion', 'requireUploadHeader', 'requireAuditTrail',
  'requireBucketKey',
];

/** One finding: a rule a resource of a template breaks. */
export interface Finding {
  /** `S3Encryption-<Rule>`. */
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  /** What is wrong and how to fix it. */
  readonly message: string;
  /** The template file. */
  readonly file: string;
  /** Logical ID of the resource in the template. */
  readonly logicalId: string;
  /** Stack artifact ID (cloud assembly) or file name. */
  readonly stackName: string;
  /** Line of the resource in the file, when found. */
  readonly line?: number;
}

/** A finding an acknowledgement suppressed, with its reason: reported, but not counted. */
export interface SuppressedFinding extends Finding {
  readonly reason: string;
}

/** A parameter judged at its default (no `AllowedValues`, no `--parameters` value). */
export interface Assumption {
  readonly file: string;
  readonly stackName: string;
  readonly parameter: string;
  readonly value: string;
}

/** A property decided about a bucket or key (`--explain`). */
export interface Explanation {
  readonly file: string;
  readonly stackName: string;
  readonly logicalId: string;
  readonly line?: number;
  /** The property, e.g. `TLS only`. */
  readonly property: string;
  /** The requests it covers. */
  readonly covers: string;
  /** `proof`, `counterexample` or `could not evaluate`. */
  readonly verdict: string;
  /** The counterexample, or what could not be evaluated. */
  readonly detail?: string;
  /** Whether the verdict is what the standard wants; undefined when it only says what the bucket is. */
  readonly compliant?: boolean;
  readonly requestsDecided: number;
  /** The way of deploying the template the verdict holds for, when there are several. */
  readonly scenario?: string;
}

/** What `checkTemplates` found. */
export interface CheckReport {
  /** Every template checked. */
  readonly templates: ReadonlyArray<{ readonly file: string; readonly stackName: string; readonly resources: number }>;
  readonly findings: Finding[];
  /** Findings acknowledged in the templates, with the reasons. */
  readonly suppressed: SuppressedFinding[];
  /** Parameters judged at their defaults. */
  readonly assumptions: Assumption[];
  /** With `explain`: every property decided, per bucket and key. */
  readonly explanations?: Explanation[];
  /** Every rule of the pack, found or not. */
  readonly ruleIds: string[];
}

/** Progress of a check, for long runs. */
export interface CheckProgress {
  /** `loaded`: one more template is in the app; `checked`: the pack has evaluated all templates loaded so far. */
  readonly phase: 'loaded' | 'checked';
  readonly done: number;
  readonly total: number;
  readonly file?: string;
}

export interface CheckOptions {
  /** Called as templates are loaded and evaluated. */
  readonly onProgress?: (progress: CheckProgress) => void;
  /** Findings say why the rule exists, too. @default false */
  readonly verbose?: boolean;
  /** Values of template parameters by logical ID (`--parameters Name=Value`). */
  readonly parameters?: Record<string, string>;
  /** Report every property decided, per bucket and key. @default false */
  readonly explain?: boolean;
}

/**
 * Check CloudFormation templates against an encryption standard with the `S3EncryptionChecks` rule pack.
 *
 * Each path is a template file (JSON or YAML) or a cloud assembly directory (every stack, nested stacks too).
 * The templates of one path are loaded into one CDK app, each as a stack, so that policies in one stack that
 * name buckets of another are found. Throws `InputError` for input it cannot read.
 */
export function checkTemplates(paths: string[], standard: CheckStandard = {}, options: CheckOptions = {}): CheckReport {
  validateStandard(standard);
  const groups = paths.map((input) => templatesAt(input));
  const total = groups.reduce((sum, group) => sum + group.length, 0);
  const given = options.parameters ?? {};
  for (const name of Object.keys(given)) {
    if (!groups.flat().some((source) => hasParameter(source, name))) {
      throw new InputError('--parameters', `no template has a parameter named ${name}`);
    }
  }
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const assumptions: Assumption[] = [];
  const explanations: Explanation[] = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-s3-encryption-check-'));
  let done = 0;
  try {
    for (const group of groups) {
      const app = new App({ outdir: path.join(workDir, 'out') });
      const locations = new Map<string, { source: TemplateSource; logicalId: string }>();
      const stackSources = new Map<string, TemplateSource>();
      const usedIds = new Set<string>();
      for (const source of group) {
        const stackId = uniqueId(source.stackName, usedIds);
        stackSources.set(stackId, source);
        includeTemplate(app, source, stackId, workDir, locations);
        options.onProgress?.({ phase: 'loaded', done: ++done, total, file: source.file });
      }
      // Each group's pack gets the values of the parameters its templates declare (the others are another group's).
      const parameterValues = Object.fromEntries(Object.entries(given).filter(([name]) => group.some((source) => hasParameter(source, name))));
      const pack = new S3EncryptionChecks(undefined, { ...standard, verbose: options.verbose ?? false, parameterValues });
      const report = validate(pack, app);
      options.onProgress?.({ phase: 'checked', done, total });
      const locate = (constructPath: string) => {
        const location = locations.get(constructPath);
        const source = location?.source ?? group[0];
        const logicalId = location?.logicalId ?? constructPath.split('/').pop()!;
        return { file: source.file, stackName: source.stackName, logicalId, line: lineOf(source, logicalId) };
      };
      for (const violation of report.violations) {
        for (const resource of violation.violatingResources) {
          findings.push({
            ruleId: violation.ruleName,
            level: violation.severity === 'warning' ? 'warning' : 'error',
            message: violation.description,
            ...locate(resource.constructPath ?? ''),
          });
        }
      }
      for (const finding of pack.suppressedFindings()) {
        suppressed.push({
          ruleId: finding.ruleId,
          level: finding.severity === 'warning' ? 'warning' : 'error',
          message: finding.description,
          reason: finding.reason,
          ...locate(finding.constructPath),
        });
      }
      for (const assumption of pack.parameterAssumptions()) {
        const source = stackSources.get(assumption.stack);
        if (source) assumptions.push({ file: source.file, stackName: source.stackName, parameter: assumption.parameter, value: assumption.value });
      }
      if (options.explain) {
        for (const explanation of pack.explanations()) {
          const { constructPath, ...rest } = explanation;
          explanations.push({ ...locate(constructPath), ...rest });
        }
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const byLocation = (a: Finding, b: Finding) =>
    a.file.localeCompare(b.file) || a.logicalId.localeCompare(b.logicalId) || a.ruleId.localeCompare(b.ruleId);
  findings.sort(byLocation);
  suppressed.sort(byLocation);
  return {
    templates: groups.flat().map((s) => ({ file: s.file, stackName: s.stackName, resources: Object.keys(s.template.Resources).length })),
    findings,
    suppressed,
    assumptions,
    ...(options.explain ? { explanations } : {}),
    ruleIds: [...S3EncryptionChecks.RULE_IDS],
  };
}

function hasParameter(source: TemplateSource, name: string): boolean {
  const parameters = source.template.Parameters;
  return parameters !== null && typeof parameters === 'object' && Object.prototype.hasOwnProperty.call(parameters, name);
}

/** Run the pack; a value it refuses (a parameter value outside AllowedValues) is the user's input error. */
function validate(pack: S3EncryptionChecks, app: App) {
  try {
    return pack.validateScope(app);
  } catch (e) {
    if (Errors.isValidationError(e) && (e as Error).name === 'S3EncryptionChecksParameterValues') {
      throw new InputError('--parameters', (e as Error).message.replace(/^S3EncryptionChecks: parameterValues: /, '').replace(/\. Give values.*$/s, ''));
    }
    throw e;
  }
}

/** Reject a standard the pack would not understand, naming the key (the config file's, too). */
export function validateStandard(standard: Record<string, unknown>, source = 'the standard'): void {
  for (const key of Object.keys(standard)) {
    if (!(STANDARD_KEYS as readonly string[]).includes(key)) {
      throw new InputError(source, `unknown key '${key}': the standard has ${STANDARD_KEYS.join(', ')}`);
    }
  }
  const check = (key: keyof CheckStandard, ok: (v: unknown) => boolean, what: string) => {
    if (standard[key] !== undefined && !ok(standard[key])) {
      throw new InputError(source, `${key} must be ${what}, not ${JSON.stringify(standard[key])}`);
    }
  };
  check('allowedEncryption', (v) => Object.values(AllowedEncryption).includes(v as AllowedEncryption),
    Object.values(AllowedEncryption).join(' or '));
  check('allowSseC', (v) => typeof v === 'boolean', 'true or false');
  check('allowedKmsKeyArns', (v) => Array.isArray(v) && v.every((arn) => typeof arn === 'string' && arn.startsWith('arn:')),
    'a list of KMS key or alias ARNs');
  check('minimumTlsVersion', (v) => v === 1.2 || v === 1.3, '1.2 or 1.3');
  check('requireUploadHeader', (v) => typeof v === 'boolean', 'true or false');
  check('requireAuditTrail', (v) => typeof v === 'boolean', 'true or false');
  check('requireBucketKey', (v) => typeof v === 'boolean', 'true or false');
}

function uniqueId(name: string, used: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9-]/g, '-') || 'Template';
  let id = base;
  for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
  used.add(id);
  return id;
}

/**
 * Load one template into the app as a stack of `CfnResource`s. CfnInclude reads a file, so the long-form JSON
 * is written to the work directory first (the original may be YAML with short forms).
 */
function includeTemplate(app: App, source: TemplateSource, id: string, workDir: string,
  locations: Map<string, { source: TemplateSource; logicalId: string }>): void {
  // The template is checked as it is: no bootstrap parameter or rule of our own next to its own.
  const stack = new Stack(app, id, { synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
  const file = path.join(workDir, `${id}.template.json`);
  fs.writeFileSync(file, JSON.stringify(source.template));
  let include: CfnInclude;
  try {
    include = new CfnInclude(stack, 'Template', { templateFile: file });
  } catch (e) {
    throw new InputError(source.file, `CloudFormation cannot be read into a CDK app: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const logicalId of Object.keys(source.template.Resources)) {
    let resource: CfnResource;
    try {
      resource = include.getResource(logicalId);
    } catch {
      continue;
    }
    locations.set(resource.node.path, { source, logicalId });
    acknowledgeFromMetadata(resource);
  }
}

/**
 * Acknowledgements written into a template (`Metadata.cdk_nag.rules_to_suppress`, as cdk-nag writes them with
 * `writeSuppressionsToCloudFormation`) are honoured, so a finding acknowledged in the app stays acknowledged here.
 */
function acknowledgeFromMetadata(resource: CfnResource): void {
  const rules = (resource.cfnOptions.metadata?.cdk_nag as { rules_to_suppress?: unknown } | undefined)?.rules_to_suppress;
  if (!Array.isArray(rules)) return;
  for (const rule of rules) {
    if (rule && typeof rule.id === 'string' && typeof rule.reason === 'string') {
      Validations.of(resource).acknowledge({ id: rule.id, reason: rule.reason });
    }
  }
}
