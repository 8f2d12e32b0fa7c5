import * as fs from 'fs';
import * as path from 'path';
import { isMap, isScalar, isSeq, parseDocument, Scalar, ScalarTag, CollectionTag, YAMLMap, YAMLSeq } from 'yaml';

// Finding and reading CloudFormation templates: files (JSON, or YAML with the short-form intrinsics) and cloud
// assemblies (cdk.out), nested stacks included. Pure but for reading files; no CDK here.
//
// `readInputs` (in ./input) is the reader `check` moves to: it reports every file it cannot read instead of
// throwing, bounds what it reads, and finds positions from one index per file. The older functions below stay
// until the command has moved.

export { readInputs, DEFAULT_MAX_TEMPLATE_BYTES } from './input/read';
export type { InputProblem, ReadOptions, ReadTemplate } from './input/read';
export type { SourcePosition } from './input/positions';

/** Input the command cannot read: a missing file, malformed JSON or YAML, a file that is not a template. */
export class InputError extends Error {
  constructor(public readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** A template to check. */
export interface TemplateSource {
  /** Path of the template file, as given or as found in the assembly. */
  readonly file: string;
  /** A name for its stack: the stack artifact's ID in a cloud assembly, the file name otherwise. */
  readonly stackName: string;
  /** The template, with every short-form intrinsic in its long form. */
  readonly template: CfnTemplate;
  /** The text of the file, to find line numbers. */
  readonly text: string;
}

/** A CloudFormation template as far as the command relies on it. */
export interface CfnTemplate {
  readonly Resources: Record<string, { Type?: string; Properties?: unknown; Metadata?: Record<string, unknown> }>;
  readonly [section: string]: unknown;
}

/** The templates under one path: a template file, or a cloud assembly directory (`cdk.out`). */
export function templatesAt(input: string): TemplateSource[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(input);
  } catch (e) {
    throw new InputError(input, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message);
  }
  if (stat.isDirectory()) return assemblyTemplates(input);
  return [readTemplate(input, path.basename(input).replace(/\.(template\.)?(json|ya?ml|template)$/i, ''))];
}

/** Read and parse one template file. */
export function readTemplate(file: string, stackName: string): TemplateSource {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, `cannot read the file (${(e as Error).message})`);
  }
  const template = text.trimStart().startsWith('{') ? parseJson(file, text) : parseYaml(file, text);
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    throw new InputError(file, 'not a CloudFormation template: the document is not a mapping');
  }
  const resources = (template as Record<string, unknown>).Resources;
  if (resources === null || typeof resources !== 'object' || Array.isArray(resources)) {
    throw new InputError(file, 'not a CloudFormation template: it has no Resources mapping');
  }
  for (const [logicalId, resource] of Object.entries(resources as Record<string, unknown>)) {
    if (resource === null || typeof resource !== 'object' || typeof (resource as { Type?: unknown }).Type !== 'string') {
      throw new InputError(file, `resource ${logicalId} has no Type`);
    }
  }
  return { file, stackName, template: template as CfnTemplate, text };
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /at position (\d+)/.exec(message);
    const where = position ? lineAndColumn(text, Number(position[1])) : undefined;
    const detail = message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '');
    throw new InputError(where ? `${file}:${where.line}:${where.column}` : file, `malformed JSON: ${detail}`);
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

function parseYaml(file: string, text: string): unknown {
  const document = parseDocument(text, { customTags: CFN_TAGS, prettyErrors: true, strict: true });
  // An unknown tag is only a warning to the parser; read as a plain string it would be checked wrongly.
  const error = document.errors[0] ?? document.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (error !== undefined) {
    const where = error.linePos?.[0];
    const firstLine = error.message.split('\n')[0];
    throw new InputError(where ? `${file}:${where.line}:${where.col}` : file, `malformed YAML: ${firstLine}`);
  }
  return document.toJS({ maxAliasCount: 1000 });
}

// CloudFormation's short forms: `!Ref x`, `!GetAtt a.b`, `!Sub ...`, `!Join [...]`, and every `Fn::` in scalar,
// sequence and mapping form. Each becomes the long form (`{ "Fn::Join": [...] }`).
const FUNCTIONS = [
  'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Length', 'Not', 'Or',
  'Select', 'Split', 'Sub', 'ToJsonString', 'Transform',
];

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function scalarTag(name: string): ScalarTag {
  return {
    tag: `!${name}`,
    resolve: (value: string) => {
      if (name === 'GetAtt') {
        const dot = value.indexOf('.');
        return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
      }
      return { [longName(name)]: value };
    },
  } as unknown as ScalarTag;
}

function collectionTag(name: string, collection: 'seq' | 'map'): CollectionTag {
  return {
    tag: `!${name}`,
    collection,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => new Scalar({ [longName(name)]: toPlain(value) }),
  } as CollectionTag;
}

function toPlain(node: unknown): unknown {
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return node.items.map(toPlain);
  if (isMap(node)) {
    return Object.fromEntries(node.items.map((pair) => [String(isScalar(pair.key) ? pair.key.value : pair.key), toPlain(pair.value)]));
  }
  return node;
}

const CFN_TAGS = [
  ...['Ref', 'Condition', ...FUNCTIONS].map(scalarTag),
  ...FUNCTIONS.flatMap((name) => [collectionTag(name, 'seq'), collectionTag(name, 'map')]),
];

/** Metadata key of a nested stack's template file in a cloud assembly. */
const ASSET_PATH = 'aws:asset:path';

interface Manifest {
  readonly artifacts?: Record<string, {
    readonly type?: string;
    readonly properties?: { readonly templateFile?: string; readonly directoryName?: string; readonly file?: string };
    readonly displayName?: string;
  }>;
}

/** Every template of a cloud assembly: each stack artifact, nested assemblies (stages) and nested stacks. */
function assemblyTemplates(directory: string, seen = new Set<string>()): TemplateSource[] {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new InputError(directory, 'a directory without manifest.json: pass a cloud assembly (cdk.out) or template files');
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch (e) {
    throw new InputError(manifestFile, `malformed JSON: ${(e as Error).message}`);
  }
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const assets = assetPaths(directory, artifacts.flatMap(([, a]) => (a.type === 'cdk:asset-manifest' && a.properties?.file ? [a.properties.file] : [])));
  const out: TemplateSource[] = [];
  for (const [artifactId, artifact] of artifacts) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const file = path.join(directory, artifact.properties.templateFile);
      if (!fs.existsSync(file)) throw new InputError(file, `stack ${artifactId} of ${manifestFile} names this template, which does not exist`);
      out.push(...withNestedStacks(readTemplate(file, artifact.displayName ?? artifactId), directory, assets, seen));
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      out.push(...assemblyTemplates(path.join(directory, artifact.properties.directoryName), seen));
    }
  }
  return out;
}

/** Asset ID → file of the assembly's file assets (nested stack templates are file assets). */
function assetPaths(directory: string, manifests: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const manifest of manifests) {
    try {
      const files = JSON.parse(fs.readFileSync(path.join(directory, manifest), 'utf8')).files ?? {};
      for (const [id, asset] of Object.entries<any>(files)) {
        if (typeof asset?.source?.path === 'string') out.set(id, asset.source.path);
      }
    } catch {
      // An unreadable asset manifest only matters if a nested stack needs it; that case is reported below.
    }
  }
  return out;
}

/**
 * A template and, depth first, the templates of its nested stacks (`*.nested.template.json` in the assembly),
 * found by the `aws:asset:path` metadata that `cdk synth` writes, or else by the asset hash in the TemplateURL.
 */
function withNestedStacks(source: TemplateSource, directory: string, assets: Map<string, string>, seen: Set<string>): TemplateSource[] {
  const resolved = path.resolve(source.file);
  if (seen.has(resolved)) return [];
  seen.add(resolved);
  const out = [source];
  for (const [logicalId, resource] of Object.entries(source.template.Resources)) {
    if (resource.Type !== 'AWS::CloudFormation::Stack') continue;
    const fromMetadata = resource.Metadata?.[ASSET_PATH];
    const url = JSON.stringify((resource.Properties as { TemplateURL?: unknown } | undefined)?.TemplateURL ?? '');
    const fromUrl = [...assets].find(([id, file]) => file.endsWith('.template.json') && url.includes(id))?.[1];
    const assetPath = typeof fromMetadata === 'string' ? fromMetadata : fromUrl;
    if (assetPath === undefined) continue; // A nested stack from elsewhere (an S3 URL of its own): not in the assembly.
    const file = path.join(directory, assetPath);
    if (!fs.existsSync(file)) {
      throw new InputError(source.file, `nested stack ${logicalId} names ${assetPath}, which is not in the assembly`);
    }
    out.push(...withNestedStacks(readTemplate(file, `${source.stackName}/${logicalId}`), directory, assets, seen));
  }
  return out;
}

/** The line of the template text where a resource is declared, if it can be found. */
export function lineOf(source: TemplateSource, logicalId: string): number | undefined {
  const escaped = logicalId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*("${escaped}"|'${escaped}'|${escaped})\\s*:`);
  const lines = source.text.split('\n');
  const resources = Math.max(0, lines.findIndex((line) => /^\s*("Resources"|'Resources'|Resources)\s*:/.test(line)));
  const index = lines.findIndex((line, i) => i > resources && pattern.test(line));
  return index < 0 ? undefined : index + 1;
}
