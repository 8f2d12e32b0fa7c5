/**
 * Test harness: runs three independent checkers over every stack of an already-built CDK app.
 *
 * 1. `cfn-schema`: CDK's built-in CloudFormation schema validation (the "CloudFormation Validate" plugin that
 *    `App.synth()` runs on every stack). Its report is read from `validation-report.json` in the assembly
 *    directory. With `'@aws-cdk/core:strictCfnValidateErrors': true` (use {@link strictApp}) `synth()` throws a
 *    `ValidationFailed` error for any schema issue; the harness catches exactly that error and turns the report
 *    into findings.
 * 2. `cfn-guard`: cfn-guard 3 with the AWS Control Tower S3 rules shipped in `@cdklabs/cdk-validator-cfnguard`,
 *    run once per rule file over all synthesized templates.
 * 3. `cdk-nag`: cdk-nag 3 packs, run with `pack.validateScope(scope)` (acknowledgements are honoured by cdk-nag).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, CfnElement, CfnResource, CloudFormationValidatePlugin, PolicyValidationPluginReport, Stack, Stage } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';

export type ExternalChecker = 'cfn-schema' | 'cfn-guard' | 'cdk-nag';
export const ALL_CHECKERS: readonly ExternalChecker[] = ['cfn-schema', 'cfn-guard', 'cdk-nag'];

export interface ExternalFinding {
  readonly checker: ExternalChecker;
  /** `F3002`/`W3030` (schema), `CT.S3.PR.1` (guard), `AwsSolutions-S1` (cdk-nag). */
  readonly ruleId: string;
  /** Logical ID for `cfn-schema` and `cfn-guard`; construct path for `cdk-nag`. */
  readonly resource: string;
  readonly message: string;
  /** Hierarchical ID (construct path) of the stack, when known. */
  readonly stack?: string;
  readonly logicalId?: string;
  readonly constructPath?: string;
  /** Severity as reported by the checker (`warning`/`error` for schema and cdk-nag). */
  readonly severity?: string;
}

export type GuardStatus = 'PASS' | 'FAIL' | 'SKIP';

/** Outcome of one guard rule file against one template. */
export interface GuardRuleFileResult {
  /** Rule file name without extension, e.g. `ct-s3-pr-1`. */
  readonly ruleFile: string;
  /** Control ID, e.g. `CT.S3.PR.1` (the guard rule name when the file names none). */
  readonly ruleId: string;
  readonly stack: string;
  readonly templatePath: string;
  readonly status: GuardStatus;
}

export type NagPackName = 'AwsSolutions' | 'NIST80053R5' | 'HIPAASecurity' | 'PCIDSS321';
export const ALL_NAG_PACKS: readonly NagPackName[] = ['AwsSolutions', 'NIST80053R5', 'HIPAASecurity', 'PCIDSS321'];

/** Anything with cdk-nag 3's `validateScope`, e.g. a `NagPack` such as this library's `S3EncryptionChecks`. */
export interface ScopeValidator {
  readonly name: string;
  validateScope(scope: IConstruct): PolicyValidationPluginReport;
}

export interface ExternalChecksOptions {
  /** @default all three */
  readonly checkers?: readonly ExternalChecker[];
  /**
   * Guard rule files: control IDs (`CT.S3.PR.1`), file names (`ct-s3-pr-1`) or paths to `.guard` files.
   * @default every Control Tower S3 rule file ({@link controlTowerS3RuleFiles})
   */
  readonly guardRules?: readonly string[];
  /** @default ALL_NAG_PACKS */
  readonly nagPacks?: ReadonlyArray<NagPackName | ScopeValidator>;
  /** Passed to the built-in packs. @default false */
  readonly nagVerbose?: boolean;
  /**
   * Refuse to run the schema check on an app without `'@aws-cdk/core:strictCfnValidateErrors': true`.
   * @default true
   */
  readonly requireStrict?: boolean;
}

export interface ExternalChecksReport {
  readonly findings: ExternalFinding[];
  /** One entry per guard rule file and template (empty if `cfn-guard` did not run). */
  readonly guard: GuardRuleFileResult[];
}

export const STRICT_CFN_VALIDATE_ERRORS = '@aws-cdk/core:strictCfnValidateErrors';
const CFN_VALIDATE_PLUGIN_NAME = 'CloudFormation Validate';

/**
 * An `App` whose synthesis fails on any CloudFormation schema violation. `appMode: inmemory` makes the thrown
 * error carry the full report (CDK only does that by itself when `NODE_ENV=test`). The outdir is a fresh temp dir.
 */
export function strictApp(props: AppProps = {}): App {
  return new App({
    outdir: props.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-s3-enc-')),
    ...props,
    context: {
      [STRICT_CFN_VALIDATE_ERRORS]: true,
      [cxapi.CDK_APP_MODE_CONTEXT]: 'inmemory',
      ...props.context,
    },
  });
}

/** Findings of all requested checkers, as one flat array. */
export function externalChecks(scope: App | Stage, options: ExternalChecksOptions = {}): ExternalFinding[] {
  return runExternalChecks(scope, options).findings;
}

/** Findings plus the PASS/FAIL/SKIP status of every guard rule file. */
export function runExternalChecks(scope: App | Stage, options: ExternalChecksOptions = {}): ExternalChecksReport {
  const checkers = new Set(options.checkers ?? ALL_CHECKERS);
  const { assembly, schemaReport } = synthesize(scope, checkers.has('cfn-schema'), options.requireStrict ?? true);
  const stacks = assembly.stacksRecursively;

  const findings: ExternalFinding[] = [];
  let guard: GuardRuleFileResult[] = [];
  if (checkers.has('cfn-schema')) {
    findings.push(...schemaFindings(schemaReport, scope));
  }
  if (checkers.has('cfn-guard')) {
    const result = runGuard(stacks, resolveGuardRuleFiles(options.guardRules), constructPathIndex(scope));
    findings.push(...result.findings);
    guard = result.statuses;
  }
  if (checkers.has('cdk-nag')) {
    findings.push(...nagFindings(scope, options.nagPacks ?? ALL_NAG_PACKS, options.nagVerbose ?? false));
  }
  return { findings, guard };
}

// ---------------------------------------------------------------------------------------------------------
// Synthesis and CDK's schema validation
// ---------------------------------------------------------------------------------------------------------

interface ValidationReportJson {
  readonly pluginReports?: Array<{
    readonly pluginName: string;
    readonly violations?: Array<{
      readonly ruleName: string;
      readonly description: string;
      readonly severity?: string;
      readonly violatingConstructs?: Array<{
        readonly constructPath?: string;
        readonly cloudFormationResource?: { readonly templatePath?: string; readonly logicalId?: string; readonly propertyPaths?: string[] };
      }>;
    }>;
  }>;
}

function synthesize(scope: App | Stage, wantSchema: boolean, requireStrict: boolean) {
  const root = scope.node.root;
  if (!App.isApp(root)) {
    if (wantSchema) {
      throw new Error('externalChecks: cfn-schema needs a scope inside an App (CDK validates templates only when an App synthesizes)');
    }
    return { assembly: scope.synth(), schemaReport: undefined };
  }
  if (wantSchema) assertSchemaValidationEnabled(root, requireStrict);

  let rootAssembly: cxapi.CloudAssembly;
  try {
    rootAssembly = root.synth();
  } catch (e) {
    // Strict mode: CDK writes all templates and validation-report.json, then throws `ValidationFailed`.
    if ((e as Error).name !== 'ValidationFailed' || !fs.existsSync(path.join(root.outdir, cxapi.VALIDATION_REPORT_FILE))) throw e;
    rootAssembly = new cxapi.CloudAssembly(root.outdir);
  }
  const reportFile = path.join(rootAssembly.directory, cxapi.VALIDATION_REPORT_FILE);
  const schemaReport: ValidationReportJson | undefined = fs.existsSync(reportFile)
    ? JSON.parse(fs.readFileSync(reportFile, 'utf8'))
    : undefined;
  // Nested stages were synthesized (and cached) before validation ran, so this does not synthesize again.
  const assembly = scope === root ? rootAssembly : scope.synth();
  return { assembly, schemaReport };
}

function assertSchemaValidationEnabled(root: App, requireStrict: boolean) {
  if (requireStrict && !isTrue(root.node.tryGetContext(STRICT_CFN_VALIDATE_ERRORS))) {
    throw new Error(`externalChecks: the app lacks context '${STRICT_CFN_VALIDATE_ERRORS}: true'; create it with strictApp()`);
  }
  if (process.env.CDK_VALIDATION === 'false') {
    throw new Error('externalChecks: CDK_VALIDATION=false turns off CDK\'s CloudFormation schema validation');
  }
  if (!root._builtinCloudFormationValidation && !root._validationPlugins.some((p) => p instanceof CloudFormationValidatePlugin)) {
    throw new Error('externalChecks: the app was created with builtinCloudFormationValidation: false');
  }
}

function isTrue(v: unknown) {
  return v !== undefined && v !== false && v !== 'false';
}

function schemaFindings(report: ValidationReportJson | undefined, scope: IConstruct): ExternalFinding[] {
  const prefix = scope.node.path ? `${scope.node.path}/` : '';
  const out: ExternalFinding[] = [];
  for (const plugin of report?.pluginReports ?? []) {
    if (plugin.pluginName !== CFN_VALIDATE_PLUGIN_NAME) continue;
    for (const v of plugin.violations ?? []) {
      for (const c of v.violatingConstructs ?? []) {
        if (c.constructPath !== undefined && !c.constructPath.startsWith(prefix)) continue;
        const logicalId = c.cloudFormationResource?.logicalId;
        out.push({
          checker: 'cfn-schema',
          ruleId: v.ruleName,
          resource: logicalId ?? c.constructPath ?? '',
          message: v.description,
          stack: c.constructPath ? stackPathOf(scope, c.constructPath) : undefined,
          logicalId,
          constructPath: c.constructPath,
          severity: v.severity,
        });
      }
    }
  }
  return out;
}

function stackPathOf(scope: IConstruct, constructPath: string): string | undefined {
  const node = findByPath(scope.node.root, constructPath);
  try {
    return node ? Stack.of(node).node.path : undefined;
  } catch {
    return undefined;
  }
}

function findByPath(root: IConstruct, constructPath: string): IConstruct | undefined {
  let cur: IConstruct | undefined = root;
  for (const id of constructPath.split('/')) {
    cur = cur?.node.tryFindChild(id);
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------------------
// cfn-guard with the Control Tower S3 rules
// ---------------------------------------------------------------------------------------------------------

const GUARD_PACKAGE_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const CONTROL_TOWER_S3_RULES_DIR = path.join(GUARD_PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard', 's3');

/** Path of the bundled cfn-guard 3 binary for this platform (override with env `CFN_GUARD_PATH`). */
export function cfnGuardBinary(): string {
  if (process.env.CFN_GUARD_PATH) return process.env.CFN_GUARD_PATH;
  const platform = process.platform === 'darwin' ? 'macos' : 'ubuntu';
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return path.join(GUARD_PACKAGE_DIR, 'bin', platform, arch, 'cfn-guard');
}

/** Every Control Tower S3 rule file, sorted by control number. */
export function controlTowerS3RuleFiles(): string[] {
  return fs.readdirSync(CONTROL_TOWER_S3_RULES_DIR)
    .filter((f) => f.endsWith('.guard'))
    .sort((a, b) => controlNumber(a) - controlNumber(b))
    .map((f) => path.join(CONTROL_TOWER_S3_RULES_DIR, f));
}

function controlNumber(file: string) {
  return Number(/(\d+)\.guard$/.exec(file)?.[1] ?? 0);
}

function resolveGuardRuleFiles(rules: readonly string[] | undefined): string[] {
  if (rules === undefined) return controlTowerS3RuleFiles();
  return rules.map((r) => {
    if (r.endsWith('.guard') && fs.existsSync(r)) return path.resolve(r);
    const file = path.join(CONTROL_TOWER_S3_RULES_DIR, `${r.toLowerCase().replace(/\./g, '-')}.guard`);
    if (!fs.existsSync(file)) throw new Error(`externalChecks: unknown guard rule '${r}' (no ${file})`);
    return file;
  });
}

const CONTROL_ID = /\[([A-Z][A-Z0-9]*(?:\.[A-Z0-9]+)+)\]:\s*([^\n]*)/;
const FIX = /\[FIX\]:\s*([^\n]*)/;

interface GuardFileResult {
  readonly name: string;
  readonly status: GuardStatus;
  readonly not_compliant?: unknown;
}

/** `<stack path>|<logical id>` to construct path, for every CloudFormation element under `scope`. */
function constructPathIndex(scope: IConstruct): Map<string, string> {
  const index = new Map<string, string>();
  for (const c of scope.node.findAll()) {
    if (CfnElement.isCfnElement(c)) index.set(`${Stack.of(c).node.path}|${logicalIdOf(c)}`, c.node.path);
  }
  return index;
}

function runGuard(stacks: cxapi.CloudFormationStackArtifact[], ruleFiles: string[], paths: Map<string, string>) {
  const findings: ExternalFinding[] = [];
  const statuses: GuardRuleFileResult[] = [];
  if (stacks.length === 0) return { findings, statuses };
  const byTemplate = new Map(stacks.map((s) => [path.resolve(s.templateFullPath), s]));

  for (const ruleFile of ruleFiles) {
    const fileControlId = CONTROL_ID.exec(fs.readFileSync(ruleFile, 'utf8'))?.[1];
    const ruleFileName = path.basename(ruleFile, '.guard');
    for (const result of execGuard(ruleFile, [...byTemplate.keys()])) {
      const stack = byTemplate.get(path.resolve(result.name));
      if (!stack) throw new Error(`cfn-guard reported on unknown data file ${result.name}`);
      const notCompliant = Array.isArray(result.not_compliant) ? result.not_compliant : [];
      statuses.push({
        ruleFile: ruleFileName,
        ruleId: fileControlId ?? ruleFileName,
        stack: stack.hierarchicalId,
        templatePath: result.name,
        status: result.status,
      });
      const seen = new Set<string>();
      for (const entry of notCompliant) {
        const guardRuleName: string = (entry as any)?.Rule?.name ?? ruleFileName;
        for (const { logicalId, customMessage } of guardFailures(entry)) {
          const control = customMessage ? CONTROL_ID.exec(customMessage) : null;
          const ruleId = control?.[1] ?? fileControlId ?? guardRuleName;
          const key = `${ruleId}|${logicalId}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const fix = customMessage ? FIX.exec(customMessage)?.[1] : undefined;
          const title = control?.[2]?.trim() ?? guardRuleName;
          findings.push({
            checker: 'cfn-guard',
            ruleId,
            resource: logicalId ?? stack.hierarchicalId,
            message: `${title} (guard rule ${guardRuleName})${fix ? `. Fix: ${fix}` : ''}`,
            stack: stack.hierarchicalId,
            logicalId,
            constructPath: logicalId
              ? paths.get(`${stack.hierarchicalId}|${logicalId}`) ?? stack.template.Resources?.[logicalId]?.Metadata?.['aws:cdk:path']
              : undefined,
          });
        }
      }
    }
  }
  return { findings, statuses };
}

function execGuard(ruleFile: string, templates: string[]): GuardFileResult[] {
  const args = ['validate', '--rules', ruleFile, ...templates.flatMap((t) => ['--data', t]),
    '--output-format', 'json', '--show-summary', 'none', '--structured'];
  const proc = spawnSync(cfnGuardBinary(), args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (proc.error) throw proc.error;
  // cfn-guard exits 0 (pass/skip), 19 (non-compliant) or 5 (failure in some file); anything else is an error.
  if (proc.status !== 0 && proc.status !== 5 && proc.status !== 19) {
    throw new Error(`cfn-guard ${args.join(' ')} exited with ${proc.status ?? proc.signal}: ${proc.stderr}`);
  }
  const parsed = JSON.parse(proc.stdout);
  return Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * The failing resources of one `not_compliant` entry. Guard reports every evaluated value as a
 * `{ path, value }` pair (`/Resources/<logicalId>/...`); the control ID is in the nearest enclosing
 * custom message (`[CT.S3.PR.1]: ...`).
 */
function guardFailures(entry: unknown): Array<{ logicalId?: string; customMessage?: string }> {
  const found = new Map<string, { logicalId?: string; customMessage?: string }>();
  let firstMessage: string | undefined;
  const walk = (node: unknown, customMessage: string | undefined) => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, customMessage));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, any>;
    if (typeof obj.path === 'string' && 'value' in obj) {
      const logicalId = /^\/Resources\/([^/]+)/.exec(obj.path)?.[1];
      if (logicalId && !found.has(logicalId)) found.set(logicalId, { logicalId, customMessage });
      return; // do not descend into template content
    }
    const cm = obj.messages?.custom_message;
    const here = typeof cm === 'string' && CONTROL_ID.test(cm) ? cm : customMessage;
    firstMessage ??= here;
    for (const v of Object.values(obj)) walk(v, here);
  };
  walk(entry, undefined);
  return found.size > 0 ? [...found.values()] : [{ customMessage: firstMessage }];
}

// ---------------------------------------------------------------------------------------------------------
// cdk-nag 3 packs
// ---------------------------------------------------------------------------------------------------------

function makePack(p: NagPackName | ScopeValidator, verbose: boolean): ScopeValidator {
  if (typeof p !== 'string') return p;
  switch (p) {
    case 'AwsSolutions': return new AwsSolutionsChecks(undefined, { verbose });
    case 'NIST80053R5': return new NIST80053R5Checks(undefined, { verbose });
    case 'HIPAASecurity': return new HIPAASecurityChecks(undefined, { verbose });
    case 'PCIDSS321': return new PCIDSS321Checks(undefined, { verbose });
    default: throw new Error(`externalChecks: unknown cdk-nag pack '${p}'`);
  }
}

function nagFindings(scope: IConstruct, packs: ReadonlyArray<NagPackName | ScopeValidator>, verbose: boolean): ExternalFinding[] {
  const byPath = new Map(scope.node.findAll().map((c) => [c.node.path, c]));
  const out: ExternalFinding[] = [];
  for (const pack of packs.map((p) => makePack(p, verbose))) {
    const report = pack.validateScope(scope);
    for (const v of report.violations) {
      for (const r of v.violatingResources) {
        const node = r.constructPath !== undefined ? byPath.get(r.constructPath) : undefined;
        const logicalId = r.resourceLogicalId ?? (node && CfnResource.isCfnResource(node) ? logicalIdOf(node) : undefined);
        out.push({
          checker: 'cdk-nag',
          ruleId: v.ruleName,
          resource: r.constructPath ?? logicalId ?? '',
          message: v.description,
          stack: node ? Stack.of(node).node.path : undefined,
          logicalId,
          constructPath: r.constructPath,
          severity: v.severity,
        });
      }
    }
  }
  return out;
}

function logicalIdOf(el: CfnElement): string {
  return Stack.of(el).resolve(el.logicalId);
}
