import * as path from 'path';
import { pathToFileURL } from 'url';
import { CheckReport, Explanation, FileLocation, Finding, ReadError, SuppressedFinding } from './check';
import { EncryptionChecksStandardProps } from '../nag/standard';

// Output of the `check` command: a text table, JSON, SARIF 2.1.0 for code scanning, or JUnit XML for CI systems.

export type OutputFormat = 'text' | 'json' | 'sarif' | 'junit';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'junit'];

/** The rule of the result SARIF gives a file that could not be read. */
export const READ_RULE_ID = 'S3Encryption-InputReadable';

/** What the tool calls itself in JSON and SARIF. */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
  /** Where a rule is explained. */
  readonly rulesUri: string;
}

export function format(report: CheckReport, standard: EncryptionChecksStandardProps, as: OutputFormat, tool: ToolInfo, cwd = process.cwd()): string {
  switch (as) {
    case 'json': return JSON.stringify(toJson(report, standard, tool, cwd), null, 2) + '\n';
    case 'sarif': return JSON.stringify(toSarif(report, tool, cwd), null, 2) + '\n';
    case 'junit': return toJunit(report, cwd);
    case 'text': return toText(report, cwd);
  }
}

function summary(report: CheckReport) {
  const errors = report.findings.filter((f) => f.level === 'error').length;
  return {
    templates: report.templates.length,
    resources: report.templates.reduce((sum, t) => sum + t.resources, 0),
    findings: report.findings.length,
    errors,
    warnings: report.findings.length - errors,
    suppressed: report.suppressed.length,
    unreadable: report.errors.length,
  };
}

/** `file:line:col`, as far as known. */
function located(f: { file: string; line?: number; column?: number }, cwd: string): string {
  return `${displayPath(f.file, cwd)}${f.line ? `:${f.line}${f.column ? `:${f.column}` : ''}` : ''}`;
}

/** A path for people and for SARIF: relative to the working directory when under it, with `/` separators. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(cwd, file) : relative.split(path.sep).join('/');
}

/** Rows as a table: every column but the last padded to its widest cell. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < widths.length ? c.padEnd(widths[i]) : c)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w)).concat('-'.repeat(header[header.length - 1].length))), ...rows.map(line)];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function toText(report: CheckReport, cwd: string): string {
  const s = summary(report);
  const checked = `${plural(s.templates, 'template')}, ${s.resources} resources`;
  const where = (f: { file: string; line?: number; column?: number }) => located(f, cwd);
  const out: string[] = [];
  if (report.errors.length > 0) {
    out.push('Could not read:', ...report.errors.map((e) => `  ${located(e, cwd)}: ${e.message}`), '');
  }
  if (report.explanations !== undefined) out.push(...explanationText(report.explanations, where));
  if (report.findings.length > 0) {
    out.push(...table(['LEVEL', 'RULE', 'TEMPLATE', 'LOGICAL ID', 'FINDING'],
      report.findings.map((f) => [f.level.toUpperCase(), f.ruleId, where(f), f.logicalId, f.message])), '');
  }
  if (report.suppressed.length > 0) {
    out.push('Suppressed (acknowledged in the template; not counted):',
      ...table(['RULE', 'TEMPLATE', 'LOGICAL ID', 'REASON', 'FINDING'],
        report.suppressed.map((f) => [f.ruleId, where(f), f.logicalId, JSON.stringify(f.reason), f.message])), '');
  }
  if (report.assumptions.length > 0) {
    out.push('Judged at parameter defaults (a deployment may pass other values: check them with --parameters Name=Value):',
      ...report.assumptions.map((a) => `  ${displayPath(a.file, cwd)}: ${a.parameter} = ${JSON.stringify(a.value)}`), '');
  }
  const suppressedNote = (s.suppressed > 0 ? `; ${s.suppressed} suppressed` : '') +
    (s.unreadable > 0 ? `; ${plural(s.unreadable, 'input')} could not be read` : '');
  if (report.findings.length === 0) {
    out.push(`No findings: checked ${checked}${suppressedNote}.`);
  } else {
    out.push(`${plural(s.findings, 'finding')} (${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}) in ${checked}${suppressedNote}.`);
  }
  return out.join('\n') + '\n';
}

/** `--explain`: per bucket or key, each property, its verdict and the counterexample or what was not decided. */
function explanationText(explanations: readonly Explanation[], where: (f: { file: string; line?: number; column?: number }) => string): string[] {
  const out: string[] = [];
  const byResource = new Map<string, Explanation[]>();
  for (const e of explanations) {
    const key = `${where(e)} ${e.stackName}/${e.logicalId}`;
    byResource.set(key, [...(byResource.get(key) ?? []), e]);
  }
  for (const [resource, rows] of byResource) {
    out.push(resource, ...table(['PROPERTY', 'VERDICT', 'OK', 'REQUESTS', 'COVERS / COUNTEREXAMPLE'], rows.map((e) => [
      e.scenario ? `${e.property} (when ${e.scenario})` : e.property,
      e.verdict,
      e.compliant === undefined ? '-' : e.compliant ? 'yes' : 'NO',
      String(e.requestsDecided),
      e.detail ? `${e.covers}: ${e.verdict === 'counterexample' ? `${e.detail} is not denied` : e.detail}` : e.covers,
    ])).map((line) => `  ${line}`), '');
  }
  if (explanations.length === 0) out.push('No bucket policy or key policy properties were decided.', '');
  return out;
}

function toJson(report: CheckReport, standard: EncryptionChecksStandardProps, tool: ToolInfo, cwd: string) {
  return {
    tool: { name: tool.name, version: tool.version },
    standard,
    summary: summary(report),
    templates: report.templates.map((t) => ({ file: displayPath(t.file, cwd), stack: t.stackName, resources: t.resources })),
    errors: report.errors.map((e) => ({ ...locationJson(e, cwd), message: e.message })),
    findings: report.findings.map((f) => findingJson(f, cwd)),
    suppressed: report.suppressed.map((f) => ({ ...findingJson(f, cwd), reason: f.reason })),
    assumptions: report.assumptions.map((a) => ({ file: displayPath(a.file, cwd), stack: a.stackName, parameter: a.parameter, value: a.value })),
    ...(report.explanations !== undefined ? {
      explanations: report.explanations.map(({ file, stackName, ...rest }) => ({ file: displayPath(file, cwd), stack: stackName, ...rest })),
    } : {}),
  };
}

/** A file, line and column as JSON: the path as shown, the position only when known. */
function locationJson(l: FileLocation, cwd: string) {
  return { file: displayPath(l.file, cwd), ...(l.line ? { line: l.line } : {}), ...(l.column ? { column: l.column } : {}) };
}

function findingJson(f: Finding, cwd: string) {
  return { ruleId: f.ruleId, level: f.level, ...locationJson(f, cwd), stack: f.stackName, logicalId: f.logicalId, message: f.message };
}

/** A rule's name for people: `S3Encryption-SseCBlockedUnlessRequired` → `SSE-C blocked unless required`. */
function ruleTitle(ruleId: string): string {
  const text = ruleId.replace(/^[^-]+-/, '').split(/(?=[A-Z])/).map((w) => w.toLowerCase()).join(' ')
    .replace(/\btls\b/g, 'TLS').replace(/\bkms\b/g, 'KMS').replace(/\bsse c\b/g, 'SSE-C');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function sarifUri(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  const shown = displayPath(file, cwd);
  return path.isAbsolute(shown) ? { uri: pathToFileURL(shown).href } : { uri: encodeURI(shown), uriBaseId: '%SRCROOT%' };
}

function region(f: { line?: number; column?: number }) {
  return f.line ? { region: { startLine: f.line, ...(f.column ? { startColumn: f.column } : {}) } } : {};
}

function toSarif(report: CheckReport, tool: ToolInfo, cwd: string) {
  const ruleIds = [...new Set([...report.ruleIds, ...(report.errors.length > 0 ? [READ_RULE_ID] : []), ...report.findings.map((f) => f.ruleId)])];
  const firstFinding = (ruleId: string): Finding | undefined => report.findings.find((f) => f.ruleId === ruleId);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: tool.name,
          version: tool.version,
          semanticVersion: tool.version,
          informationUri: tool.rulesUri,
          rules: ruleIds.map((id) => ({
            id,
            name: id.replace(/^[^-]+-/, ''),
            shortDescription: { text: ruleTitle(id) },
            helpUri: tool.rulesUri,
            // The pack names its rules but not their levels; a rule's level is known from its findings.
            ...(firstFinding(id) ? { defaultConfiguration: { level: firstFinding(id)!.level } } : {}),
            ...(id === READ_RULE_ID ? { defaultConfiguration: { level: 'error' } } : {}),
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
      invocations: [{
        executionSuccessful: report.errors.length === 0,
        toolExecutionNotifications: report.errors.map((e) => ({
          level: 'error',
          message: { text: e.message },
          locations: [{ physicalLocation: { artifactLocation: sarifUri(e.file, cwd), ...region(e) } }],
        })),
      }],
      results: [...report.errors.map((e) => readResult(e, ruleIds, cwd)), ...[...report.findings, ...report.suppressed].map((f) => ({
        ruleId: f.ruleId,
        ruleIndex: ruleIds.indexOf(f.ruleId),
        level: f.level,
        message: { text: f.message },
        locations: [{
          physicalLocation: {
            artifactLocation: sarifUri(f.file, cwd),
            ...region(f),
          },
          logicalLocations: [{ name: f.logicalId, fullyQualifiedName: `${f.stackName}/${f.logicalId}`, kind: 'resource' }],
        }],
        partialFingerprints: { 'resource/v1': `${f.stackName}/${f.logicalId}/${f.ruleId}` },
        // An acknowledgement in the template is an in-source suppression (SARIF 2.1.0 §3.35).
        ...('reason' in f ? { suppressions: [{ kind: 'inSource', status: 'accepted', justification: (f as SuppressedFinding).reason }] } : {}),
      }))],
      ...(report.assumptions.length > 0 ? {
        properties: {
          parameterAssumptions: report.assumptions.map((a) => ({
            file: displayPath(a.file, cwd), stack: a.stackName, parameter: a.parameter, value: a.value,
          })),
        },
      } : {}),
    }],
  };
}

/** An unreadable file as an error-level SARIF result, so that code scanning shows it on the file. */
function readResult(e: ReadError, ruleIds: string[], cwd: string) {
  return {
    ruleId: READ_RULE_ID,
    ruleIndex: ruleIds.indexOf(READ_RULE_ID),
    level: 'error',
    message: { text: `The file could not be read, so nothing in it was checked: ${e.message}` },
    locations: [{ physicalLocation: { artifactLocation: sarifUri(e.file, cwd), ...region(e) } }],
    partialFingerprints: { 'file/v1': `${displayPath(e.file, cwd)}/${READ_RULE_ID}` },
  };
}

function xml(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the markup ones escaped.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * JUnit XML: a test suite per template, a test case per resource and rule found (a failure each), and per file that
 * could not be read a suite with one test case in error. Suppressed findings are skipped test cases.
 */
function toJunit(report: CheckReport, cwd: string): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const template of report.templates) {
    const file = displayPath(template.file, cwd);
    const findings = report.findings.filter((f) => f.file === template.file && f.stackName === template.stackName);
    const suppressed = report.suppressed.filter((f) => f.file === template.file && f.stackName === template.stackName);
    const cases = [
      ...findings.map((f) => `    <testcase classname="${xml(`${template.stackName}.${f.logicalId}`)}" name="${xml(f.ruleId)}" file="${xml(file)}"` +
        `${f.line ? ` line="${f.line}"` : ''}>\n      <failure type="${f.level}" message="${xml(f.message)}">${xml(`${located(f, cwd)} ${f.logicalId}: ${f.message}`)}</failure>\n    </testcase>`),
      ...suppressed.map((f) => `    <testcase classname="${xml(`${template.stackName}.${f.logicalId}`)}" name="${xml(f.ruleId)}" file="${xml(file)}">` +
        `\n      <skipped message="${xml(`acknowledged: ${f.reason}`)}"/>\n    </testcase>`),
    ];
    // A template without findings is one passing test case, so that CI shows it was checked.
    if (cases.length === 0) cases.push(`    <testcase classname="${xml(template.stackName)}" name="S3Encryption" file="${xml(file)}"/>`);
    tests += cases.length;
    failures += findings.length;
    skipped += suppressed.length;
    suites.push(`  <testsuite name="${xml(`${file} (${template.stackName})`)}" tests="${cases.length}" failures="${findings.length}" errors="0" ` +
      `skipped="${suppressed.length}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  for (const e of report.errors) {
    tests++;
    errors++;
    suites.push(`  <testsuite name="${xml(displayPath(e.file, cwd))}" tests="1" failures="0" errors="1" skipped="0">\n` +
      `    <testcase classname="${xml(displayPath(e.file, cwd))}" name="read" file="${xml(displayPath(e.file, cwd))}">\n` +
      `      <error type="unreadable" message="${xml(e.message)}">${xml(`${located(e, cwd)}: ${e.message}`)}</error>\n    </testcase>\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cdk-s3-encryption check" tests="${tests}" failures="${failures}" ` +
    `errors="${errors}" skipped="${skipped}">\n${suites.join('\n')}\n</testsuites>\n`;
}
