import * as path from 'path';
import { pathToFileURL } from 'url';
import { CheckReport, CheckStandard, Finding } from './check';

// Output of the `check` command: a text table, JSON, or SARIF 2.1.0 for code scanning.

export type OutputFormat = 'text' | 'json' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

/** What the tool calls itself in JSON and SARIF. */
export interface ToolInfo {
  readonly name: string;
  readonly version: string;
  /** Where a rule is explained. */
  readonly rulesUri: string;
}

export function format(report: CheckReport, standard: CheckStandard, as: OutputFormat, tool: ToolInfo, cwd = process.cwd()): string {
  switch (as) {
    case 'json': return JSON.stringify(toJson(report, standard, tool, cwd), null, 2) + '\n';
    case 'sarif': return JSON.stringify(toSarif(report, tool, cwd), null, 2) + '\n';
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
  };
}

/** A path for people and for SARIF: relative to the working directory when under it, with `/` separators. */
export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, path.resolve(cwd, file));
  return relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(cwd, file) : relative.split(path.sep).join('/');
}

function toText(report: CheckReport, cwd: string): string {
  const s = summary(report);
  const checked = `${s.templates} template${s.templates === 1 ? '' : 's'}, ${s.resources} resources`;
  if (report.findings.length === 0) return `No findings: checked ${checked}.\n`;
  const rows = report.findings.map((f) => [
    f.level.toUpperCase(), f.ruleId, `${displayPath(f.file, cwd)}${f.line ? `:${f.line}` : ''}`, f.logicalId, f.message,
  ]);
  const header = ['LEVEL', 'RULE', 'TEMPLATE', 'LOGICAL ID', 'FINDING'];
  const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join('  ').trimEnd();
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w)).concat('-------')),
    ...rows.map(line),
    '',
    `${s.findings} finding${s.findings === 1 ? '' : 's'} (${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.warnings} ` +
      `warning${s.warnings === 1 ? '' : 's'}) in ${checked}.`,
    '',
  ].join('\n');
}

function toJson(report: CheckReport, standard: CheckStandard, tool: ToolInfo, cwd: string) {
  return {
    tool: { name: tool.name, version: tool.version },
    standard,
    summary: summary(report),
    templates: report.templates.map((t) => ({ file: displayPath(t.file, cwd), stack: t.stackName, resources: t.resources })),
    findings: report.findings.map((f) => ({
      ruleId: f.ruleId,
      level: f.level,
      file: displayPath(f.file, cwd),
      ...(f.line ? { line: f.line } : {}),
      stack: f.stackName,
      logicalId: f.logicalId,
      message: f.message,
    })),
  };
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

function toSarif(report: CheckReport, tool: ToolInfo, cwd: string) {
  const ruleIds = [...new Set([...report.ruleIds, ...report.findings.map((f) => f.ruleId)])];
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
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith(path.sep) ? cwd : cwd + path.sep).href } },
      results: report.findings.map((f) => ({
        ruleId: f.ruleId,
        ruleIndex: ruleIds.indexOf(f.ruleId),
        level: f.level,
        message: { text: f.message },
        locations: [{
          physicalLocation: {
            artifactLocation: sarifUri(f.file, cwd),
            ...(f.line ? { region: { startLine: f.line } } : {}),
          },
          logicalLocations: [{ name: f.logicalId, fullyQualifiedName: `${f.stackName}/${f.logicalId}`, kind: 'resource' }],
        }],
        partialFingerprints: { 'resource/v1': `${f.stackName}/${f.logicalId}/${f.ruleId}` },
      })),
    }],
  };
}
