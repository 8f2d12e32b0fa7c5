import { InputProblem, readInputs, ReadTemplate, SourcePosition } from './templates';
import { AppModel } from '../nag/app-model';
import { PropertyExplanation } from '../nag/findings';
import { assumptionsNote, explanationsOf, judge, PACK_NAME, RULE_IDS, ScenarioContext, standardOf } from '../nag/judge';
import { AllowedEncryption, EncryptionChecksStandardProps } from '../nag/standard';
import { templateAcknowledgement, TemplateInput, templateModelInput, TemplateResource } from '../nag/template-input';

// The library side of the `check` command: read the templates, judge them with the pack's rules (without cdk-nag or
// aws-cdk-lib: the model reads templates as data), and say where each finding is. No argv, no output formatting.

/** Input the command cannot use at all: a bad option value. Unreadable files are reported, not thrown. */
export class InputError extends Error {
  constructor(public readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** The keys a standard (and so a `--config` file) may have. */
export const STANDARD_KEYS: ReadonlyArray<keyof EncryptionChecksStandardProps> = [
  'allowedEncryption', 'allowSseC', 'allowedKmsKeyArns', 'minimumTlsVersion', 'requireUploadHeader', 'requireAuditTrail',
  'requireBucketKey',
];

/** The rule of findings about a template the pack could not read far enough to judge. */
export const TEMPLATE_RULE_ID = `${PACK_NAME}-TemplateEvaluated`;

/** Where something is: a template file and, when found, the line and column. */
export interface FileLocation {
  /** The template file. */
  readonly file: string;
  /** Line in the file, when found. */
  readonly line?: number;
  /** Column in the file, when found. */
  readonly column?: number;
}

/** A resource of a template. */
export interface ResourceLocation extends FileLocation {
  /** Logical ID of the resource in the template. */
  readonly logicalId: string;
  /** Stack display name or artifact ID (cloud assembly), or the file name. */
  readonly stackName: string;
}

/** One finding: a rule a resource of a template breaks. */
export interface Finding extends ResourceLocation {
  /** `S3Encryption-<Rule>`. */
  readonly ruleId: string;
  readonly level: 'error' | 'warning';
  /** What is wrong and how to fix it. */
  readonly message: string;
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

/** A property decided about a bucket or key (`--explain`): the pack's explanation, located in its template. */
export type Explanation = Omit<PropertyExplanation, 'constructPath'> & ResourceLocation;

/** A file that could not be read: reported with the others, and the run exits 2. */
export interface ReadError extends FileLocation {
  readonly message: string;
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
  /** Files (and parts of cloud assemblies) that could not be read. */
  readonly errors: ReadError[];
  /** With `explain`: every property decided, per bucket and key. */
  readonly explanations?: Explanation[];
  /** Every rule of the pack, found or not. */
  readonly ruleIds: string[];
}

/** Progress of a check, for long runs. */
export interface CheckProgress {
  /** `loaded`: one more template is read; `checked`: every template read so far is judged. */
  readonly phase: 'loaded' | 'checked';
  readonly done: number;
  readonly total: number;
  readonly file?: string;
}

export interface CheckOptions {
  /** Called as templates are read and judged. */
  readonly onProgress?: (progress: CheckProgress) => void;
  /** Findings say why the rule exists, too. @default false */
  readonly verbose?: boolean;
  /** Values of template parameters by logical ID (`--parameters Name=Value`). */
  readonly parameters?: Record<string, string>;
  /** Report every property decided, per bucket and key. @default false */
  readonly explain?: boolean;
  /** Largest file read, in bytes. @default the reader's */
  readonly maxTemplateBytes?: number;
  /** Let an internal error through (with its stack) instead of reporting the input as not judged. @default false */
  readonly debug?: boolean;
}

/**
 * Check CloudFormation templates against an encryption standard with the `S3EncryptionChecks` rules.
 *
 * Each path is a template file (JSON or YAML) or a cloud assembly directory (every stack, nested stacks too). The
 * templates of one path are judged together, so that policies in one stack that name buckets of another are found.
 * A file that cannot be read is an entry of `errors`; the others are judged all the same. Throws `InputError` only for
 * option values it cannot use (`--parameters` naming no parameter, or a value outside its `AllowedValues`).
 */
export function checkTemplates(paths: string[], standard: EncryptionChecksStandardProps = {}, options: CheckOptions = {}): CheckReport {
  validateStandard(standard as Record<string, unknown>);
  const { groups, problems } = readInputs(paths, { maxTemplateBytes: options.maxTemplateBytes });
  const total = groups.reduce((sum, group) => sum + group.length, 0);
  let done = 0;
  for (const group of groups) for (const template of group) options.onProgress?.({ phase: 'loaded', done: ++done, total, file: template.file });
  const given = options.parameters ?? {};
  checkParameterNames(given, groups.flat());

  const report: CheckReport = {
    templates: groups.flat().map((t) => ({ file: t.file, stackName: t.stackName, resources: sectionSize(t.template.Resources) })),
    findings: [],
    suppressed: [],
    assumptions: [],
    errors: problems.map(readError),
    ...(options.explain ? { explanations: [] } : {}),
    ruleIds: [...RULE_IDS, TEMPLATE_RULE_ID],
  };
  done = 0;
  for (const group of groups) {
    try {
      judgeGroup(group, standard, given, options, report);
    } catch (e) {
      // A bug of ours on one input must not hide the others: the input is reported as not judged, the run exits 2.
      if (options.debug || e instanceof InputError) throw e;
      report.errors.push({
        file: group[0].file,
        message: `could not be judged: internal error (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); please report it, ` +
          'with --debug for the stack',
      });
    }
    done += group.length;
    options.onProgress?.({ phase: 'checked', done, total });
  }
  const byLocation = (a: Finding, b: Finding) =>
    a.file.localeCompare(b.file) || a.logicalId.localeCompare(b.logicalId) || a.ruleId.localeCompare(b.ruleId);
  report.findings.sort(byLocation);
  report.suppressed.sort(byLocation);
  return report;
}

/** Judge the templates of one path together, adding what they give to the report. */
function judgeGroup(group: readonly ReadTemplate[], standard: EncryptionChecksStandardProps, given: Record<string, string>, options: CheckOptions,
  report: CheckReport): void {
  const used = new Set<string>();
  const sources = new Map<TemplateInput, ReadTemplate>();
  const inputs = group.map((read): TemplateInput => {
    let id = read.stackName;
    for (let i = 2; used.has(id); i++) id = `${read.stackName}-${i}`;
    used.add(id);
    const input = { id, stackName: read.stackName, template: read.template };
    sources.set(input, read);
    return input;
  });
  const { input, resources } = templateModelInput(inputs);
  const parameterValues = Object.fromEntries(Object.entries(given).filter(([name]) => group.some((t) => hasParameter(t.template, name))));
  const scenarios = AppModel.scenarios(input, parameterValues);
  const problems = scenarios[0].model.parameterValueProblems();
  if (problems.length > 0) throw new InputError('--parameters', problems.join('; '));
  const contexts: ScenarioContext[] = scenarios.map(({ model, scenario }) => ({ model, standard: standardOf(standard), label: scenario.label }));
  const assumptions = scenarios[0].model.assumptions();
  const where = (template: TemplateInput, logicalId: string) => {
    const read = sources.get(template)!;
    const position = read.locate(['Resources', logicalId]);
    return { file: read.file, stackName: read.stackName, logicalId, ...position };
  };

  for (const resource of resources) {
    const stackPath = resource.template.stackName;
    for (const j of judge(resource, resource.type, contexts, {
      acknowledgement: (ruleId) => templateAcknowledgement(resource, ruleId),
      assumed: assumptionsNote(assumptions, stackPath),
      verbose: options.verbose ?? false,
    })) {
      const finding: Finding = { ruleId: j.ruleId, level: j.severity, message: j.description, ...where(resource.template, resource.logicalId) };
      if (j.suppressedBecause === undefined) report.findings.push(finding);
      else report.suppressed.push({ ...finding, reason: j.suppressedBecause });
    }
  }
  for (const template of inputs) report.findings.push(...unexpanded(template, where));
  for (const a of assumptions) {
    const template = inputs.find((t) => t.stackName === a.stack);
    if (!template) continue;
    report.assumptions.push({ file: sources.get(template)!.file, stackName: template.stackName, parameter: a.parameter, value: a.value });
  }
  if (report.explanations) {
    for (const { model, label } of contexts) {
      for (const { handle, constructPath: _path, ...explanation } of explanationsOf(model, label)) {
        const resource = handle as TemplateResource;
        report.explanations.push({ ...where(resource.template, resource.logicalId), ...explanation });
      }
    }
  }
}

/** `Fn::ForEach` loops left in `Resources` (their collection was not known) that would create resources the pack judges. */
function unexpanded(template: TemplateInput, where: (t: TemplateInput, logicalId: string) => Omit<Finding, 'ruleId' | 'level' | 'message'>): Finding[] {
  const resources = template.template.Resources;
  if (resources === null || typeof resources !== 'object') return [];
  return Object.keys(resources).filter((key) => key.startsWith('Fn::ForEach::')).flatMap((key) => {
    const body = JSON.stringify((resources as Record<string, unknown>)[key]);
    const types = JUDGED_TYPES.filter((type) => body.includes(`"${type}"`));
    if (types.length === 0) return [];
    return [{
      ruleId: TEMPLATE_RULE_ID,
      level: 'error' as const,
      message: `Could not evaluate ${key}: its collection is not a list the template gives (a literal list, or a parameter with a default), ` +
        `so the ${types.join(' and ')} resources it creates cannot be judged. Give the collection literally, or check the template ` +
        'as CloudFormation transforms it.',
      ...where(template, key),
    }];
  });
}

const JUDGED_TYPES = ['AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::KMS::Key', 'AWS::CloudTrail::Trail'];

function readError(problem: InputProblem): ReadError {
  return { file: problem.file, ...positionOf(problem.position), message: problem.message };
}

function positionOf(position: SourcePosition | undefined): { line?: number; column?: number } {
  return position ? { line: position.line, column: position.column } : {};
}

function sectionSize(section: unknown): number {
  return section !== null && typeof section === 'object' ? Object.keys(section).length : 0;
}

function hasParameter(template: Record<string, unknown>, name: string): boolean {
  const parameters = template.Parameters;
  return parameters !== null && typeof parameters === 'object' && Object.prototype.hasOwnProperty.call(parameters, name);
}

/**
 * `--parameters` must name parameters of the templates (of any path: each group gets those its templates declare).
 * Their values are checked against `AllowedValues` by the model, as the pack's `parameterValues` are.
 */
function checkParameterNames(given: Record<string, string>, templates: readonly ReadTemplate[]): void {
  for (const name of Object.keys(given)) {
    if (!templates.some((t) => hasParameter(t.template, name))) throw new InputError('--parameters', `no template has a parameter named ${name}`);
  }
}

/** Reject a standard the pack would not understand, naming the key (the config file's, too). */
export function validateStandard(standard: Record<string, unknown>, source = 'the standard'): void {
  for (const key of Object.keys(standard)) {
    if (!(STANDARD_KEYS as readonly string[]).includes(key)) {
      throw new InputError(source, `unknown key '${key}': the standard has ${STANDARD_KEYS.join(', ')}`);
    }
  }
  const check = (key: keyof EncryptionChecksStandardProps, ok: (v: unknown) => boolean, what: string) => {
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
