import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
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

/** What `checkTemplates` found. */
export interface CheckReport {
  /** Every template checked. */
  readonly templates: ReadonlyArray<{ readonly file: string; readonly stackName: string; readonly resources: number }>;
  readonly findings: Finding[];
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
  const pack = new S3EncryptionChecks(undefined, { ...standard, verbose: options.verbose ?? false });
  const findings: Finding[] = [];
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-s3-encryption-check-'));
  let done = 0;
  try {
    for (const group of groups) {
      const app = new App({ outdir: path.join(workDir, 'out') });
      const locations = new Map<string, { source: TemplateSource; logicalId: string }>();
      const usedIds = new Set<string>();
      for (const source of group) {
        includeTemplate(app, source, uniqueId(source.stackName, usedIds), workDir, locations);
        options.onProgress?.({ phase: 'loaded', done: ++done, total, file: source.file });
      }
      const report = pack.validateScope(app);
      options.onProgress?.({ phase: 'checked', done, total });
      for (const violation of report.violations) {
        for (const resource of violation.violatingResources) {
          const constructPath = resource.constructPath ?? '';
          const location = locations.get(constructPath);
          const source = location?.source ?? group[0];
          const logicalId = location?.logicalId ?? resource.resourceLogicalId ?? constructPath.split('/').pop()!;
          findings.push({
            ruleId: violation.ruleName,
            level: violation.severity === 'warning' ? 'warning' : 'error',
            message: violation.description,
            file: source.file,
            logicalId,
            stackName: source.stackName,
            line: lineOf(source, logicalId),
          });
        }
      }
    }
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.logicalId.localeCompare(b.logicalId) || a.ruleId.localeCompare(b.ruleId));
  return {
    templates: groups.flat().map((s) => ({ file: s.file, stackName: s.stackName, resources: Object.keys(s.template.Resources).length })),
    findings,
    ruleIds: [...S3EncryptionChecks.RULE_IDS],
  };
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
