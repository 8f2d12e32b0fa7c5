import * as fs from 'fs';
import * as path from 'path';
import { isMapping, Mapping } from './data';
import { describeError, readTextFile } from './file';
import { SourcePosition } from './positions';
import { parseDocument, parseTemplate, ParsedTemplate, quote } from './template';

// Every template under the paths given to `check`: template files, and cloud assemblies (cdk.out) with their
// nested assemblies and nested stacks. What cannot be read is reported as a problem, and the rest is still read.

/** A file (or part of a cloud assembly) that could not be read: reported, never thrown. */
export interface InputProblem {
  /** The file, as given or as found in the assembly. */
  readonly file: string;
  /** Where in the file, when the problem is at one place of it. */
  readonly position?: SourcePosition;
  /** What is wrong, in one line. */
  readonly message: string;
}

export interface ReadOptions {
  /**
   * Largest template or manifest file read, in bytes. Not a positive number: the default.
   *
   * @default 256 MiB (generous: a 54 MB template must be read)
   */
  readonly maxTemplateBytes?: number;
}

/** A template read for checking. */
export interface ReadTemplate {
  /** Path of the template file, as given or as found in the assembly. */
  readonly file: string;
  /** The stack artifact's ID in a cloud assembly (`<parent>/<logicalId>` for a nested stack), else the file name without extension. */
  readonly stackName: string;
  /**
   * The template: short forms in long form, `Fn::ForEach` expanded where its collection is known. Every mapping is
   * an object without a prototype, so keys (`constructor`, `__proto__`, ...) are only own properties.
   */
  readonly template: Record<string, unknown>;
  /**
   * Position of a node by its path in the template, e.g. `['Resources', 'Bucket']` or
   * `['Resources', 'Bucket', 'Properties', 'BucketEncryption']`; undefined if unknown.
   */
  locate(path: ReadonlyArray<string | number>): SourcePosition | undefined;
}

/** Default of `ReadOptions.maxTemplateBytes`. */
export const DEFAULT_MAX_TEMPLATE_BYTES = 256 * 1024 * 1024;
/** Deepest chain of nested assemblies, or of nested stacks. */
const MAX_NESTING = 100;
/** Most templates read from one cloud assembly, nested stacks included. */
const MAX_TEMPLATES = 10_000;

const ASSET_PATH = 'aws:asset:path';

/**
 * Every template under the paths, one group per path (the templates of one cloud assembly together; empty when
 * nothing could be read there, so that `groups[i]` belongs to `paths[i]`), and every problem. Never throws.
 */
export function readInputs(paths: readonly string[], options: ReadOptions = {}): { groups: ReadTemplate[][]; problems: InputProblem[] } {
  const limit = options.maxTemplateBytes;
  const maxBytes = typeof limit === 'number' && limit > 0 ? limit : DEFAULT_MAX_TEMPLATE_BYTES;
  const groups: ReadTemplate[][] = [];
  const problems: InputProblem[] = [];
  for (const input of paths) {
    const group: ReadTemplate[] = [];
    try {
      readPath(input, maxBytes, group, problems);
    } catch (e) {
      // Not expected: each failure above is a problem. This keeps the promise for the rest of the paths.
      problems.push(problem(input, `could not be read: ${(e as Error)?.message ?? String(e)}`));
    }
    groups.push(group);
  }
  return { groups, problems };
}

function readPath(input: string, maxBytes: number, group: ReadTemplate[], problems: InputProblem[]): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(input);
  } catch (e) {
    problems.push(problem(input, describeError(e)));
    return;
  }
  if (stat.isDirectory()) {
    new AssemblyReader(input, maxBytes, group, problems).read();
    return;
  }
  const read = readTemplateFile(input, maxBytes);
  if (read.ok) group.push(readTemplate(input, path.basename(input).replace(/\.(template\.)?(json|ya?ml|template)$/i, ''), read));
  else problems.push(read.problem);
}

function readTemplateFile(file: string, maxBytes: number): ({ ok: true } & ParsedTemplate) | { ok: false; problem: InputProblem } {
  const text = readTextFile(file, maxBytes);
  if (!text.ok) return { ok: false, problem: problem(file, text.message) };
  const parsed = parseTemplate(file, text.text);
  return parsed.ok ? parsed : { ok: false, problem: problem(file, parsed.message, parsed.position) };
}

function readTemplate(file: string, stackName: string, parsed: ParsedTemplate): ReadTemplate {
  const { template, locator } = parsed;
  return { file, stackName, template, locate: (at) => locator.locate(at) };
}

function problem(file: string, message: string, position?: SourcePosition): InputProblem {
  const line = message.replace(/[\r\n\u2028\u2029]+/g, ' ');
  return position === undefined ? { file, message: line } : { file, position, message: line };
}

/** A path named by a manifest: as found (for messages) and resolved (to compare). */
interface Found {
  readonly given: string;
  readonly real: string;
}

/** A manifest's JSON and positions in it. */
interface Manifest {
  readonly file: string;
  readonly value: Mapping;
  at(path: ReadonlyArray<string | number>): SourcePosition | undefined;
}

/** One cloud assembly (a directory with manifest.json): its stacks, nested assemblies and nested stacks. */
class AssemblyReader {
  private readonly root: string;
  private stacks = 0;
  private templates = 0;
  private readonly assemblies = new Set<string>();
  /** Templates by real path: a nested stack template used twice is read once. */
  private readonly cache = new Map<string, ParsedTemplate | undefined>();

  constructor(
    private readonly input: string,
    private readonly maxBytes: number,
    private readonly group: ReadTemplate[],
    private readonly problems: InputProblem[],
  ) {
    this.root = fs.realpathSync(input);
  }

  read(): void {
    const manifest = path.join(this.input, 'manifest.json');
    if (!fs.existsSync(manifest)) {
      this.problems.push(problem(this.input, 'a directory without manifest.json: pass a cloud assembly (cdk.out) or template files'));
      return;
    }
    if (this.assembly({ given: this.input, real: this.root }, []) && this.stacks === 0) {
      this.problems.push(problem(manifest, 'a cloud assembly with no stacks'));
    }
  }

  /** Read one assembly directory; false if its manifest could not be used. */
  private assembly(directory: Found, chain: readonly Found[]): boolean {
    this.assemblies.add(directory.real);
    const file = path.join(directory.given, 'manifest.json');
    const resolved = this.resolve(directory, 'manifest.json');
    if (typeof resolved === 'string') {
      this.problems.push(problem(file, `the manifest ${resolved}`));
      return false;
    }
    const manifest = this.manifest(file);
    if (manifest === undefined) return false;
    const artifacts = manifest.value.artifacts;
    if (artifacts === undefined) return true;
    if (!isMapping(artifacts)) {
      this.problems.push(problem(manifest.file, 'not a cloud assembly manifest: artifacts is not an object', manifest.at(['artifacts'])));
      return false;
    }
    let assets: Map<string, string> | undefined;
    const assetPaths = () => (assets ??= this.assetPaths(directory, manifest, artifacts));
    for (const [id, artifact] of Object.entries(artifacts)) {
      const where = manifest.at(['artifacts', id]);
      if (!isMapping(artifact)) {
        this.problems.push(problem(manifest.file, `artifact ${quote(id)} is not an object`, where));
        continue;
      }
      if (artifact.type === 'aws:cloudformation:stack') {
        this.stacks++;
        const templateFile = this.property(manifest, id, artifact, 'templateFile', 'stack');
        const found = templateFile === undefined ? undefined : this.find(manifest, id, 'templateFile', directory, templateFile, `stack ${quote(id)} names the template`);
        // The stack's display name (`Stage/Stack`) when the manifest gives one, as `cdk` prints it; else its artifact ID.
        const name = typeof artifact.displayName === 'string' && artifact.displayName !== '' ? artifact.displayName : id;
        const read = found === undefined ? undefined : this.template(found, name);
        if (read !== undefined) this.nestedStacks(read, directory, assetPaths, [found!]);
      } else if (artifact.type === 'cdk:cloud-assembly') {
        const directoryName = this.property(manifest, id, artifact, 'directoryName', 'nested assembly');
        const found = directoryName === undefined ? undefined : this.find(manifest, id, 'directoryName', directory, directoryName, `nested assembly ${quote(id)} names the directory`);
        if (found === undefined) continue;
        const at = manifest.at(['artifacts', id, 'properties', 'directoryName']);
        if (found.real === directory.real || chain.some((c) => c.real === found.real)) {
          const loop = [...chain, directory, found].map((d) => d.given).join(' → ');
          this.problems.push(problem(manifest.file, `nested assembly loop: ${loop}`, at));
        } else if (!fs.statSync(found.real).isDirectory()) {
          this.problems.push(problem(manifest.file, `nested assembly ${quote(id)} names ${quote(directoryName!)}, which is not a directory`, at));
        } else if (chain.length + 1 >= MAX_NESTING) {
          this.problems.push(problem(manifest.file, `nested assemblies deeper than ${MAX_NESTING} levels`, at));
        } else if (!this.assemblies.has(found.real)) {
          this.assembly(found, [...chain, directory]);
        }
      } else if (artifact.type !== undefined && typeof artifact.type !== 'string') {
        this.problems.push(problem(manifest.file, `artifact ${quote(id)} has a type that is not a string`, manifest.at(['artifacts', id, 'type'])));
      }
    }
    return true;
  }

  /** A string property of an artifact, or undefined after reporting that it is missing or not a string. */
  private property(manifest: Manifest, id: string, artifact: Mapping, name: string, what: string): string | undefined {
    const value = isMapping(artifact.properties) ? artifact.properties[name] : undefined;
    if (typeof value === 'string') return value;
    const at = manifest.at(['artifacts', id, 'properties', name]) ?? manifest.at(['artifacts', id]);
    this.problems.push(problem(manifest.file, `${what} ${quote(id)}: ${name} is ${value === undefined ? 'missing' : 'not a string'}`, at));
    return undefined;
  }

  /** A path named by a manifest, if it resolves inside the assembly; else reports it. */
  private find(manifest: Manifest, id: string, property: string, directory: Found, named: string, subject: string): Found | undefined {
    const found = this.resolve(directory, named);
    if (typeof found === 'string') {
      this.problems.push(problem(manifest.file, `${subject} ${quote(named)}, which ${found}`, manifest.at(['artifacts', id, 'properties', property])));
      return undefined;
    }
    return found;
  }

  /** Where a path named in the assembly leads, or why it cannot be used (after "which"). */
  private resolve(directory: Found, named: string): Found | string {
    const given = path.normalize(path.isAbsolute(named) ? named : path.join(directory.given, named));
    let real: string;
    try {
      real = fs.realpathSync(given);
    } catch (e) {
      if (!this.inside(path.resolve(directory.real, named))) return 'is outside the cloud assembly';
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read: ${describeError(e)}`;
    }
    return this.inside(real) ? { given, real } : 'is outside the cloud assembly';
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root.endsWith(path.sep) ? this.root : this.root + path.sep);
  }

  /** A manifest (the assembly's, or an asset manifest) as JSON, or undefined after reporting why not. */
  private manifest(file: string): Manifest | undefined {
    const text = readTextFile(file, this.maxBytes);
    if (!text.ok) {
      this.problems.push(problem(file, text.message));
      return undefined;
    }
    const document = parseDocument(file, text.text);
    if (!document.ok) {
      this.problems.push(problem(file, document.message, document.position));
      return undefined;
    }
    if (!isMapping(document.value)) {
      this.problems.push(problem(file, 'not a cloud assembly manifest: the document is not a JSON object'));
      return undefined;
    }
    const locator = document.locator;
    return { file, value: document.value, at: (at) => locator.locate(at) };
  }

  /** A template of the assembly, read once, as the stack `stackName`; undefined after reporting why not. */
  private template(found: Found, stackName: string): ReadTemplate | undefined {
    if (this.templates >= MAX_TEMPLATES) {
      if (this.templates++ === MAX_TEMPLATES) this.problems.push(problem(found.given, `more than ${MAX_TEMPLATES} templates in one cloud assembly`));
      return undefined;
    }
    if (!this.cache.has(found.real)) {
      const read = readTemplateFile(found.given, this.maxBytes);
      if (!read.ok) this.problems.push(read.problem);
      this.cache.set(found.real, read.ok ? read : undefined);
    }
    const parsed = this.cache.get(found.real);
    if (parsed === undefined) return undefined;
    this.templates++;
    const read = readTemplate(found.given, stackName, parsed);
    this.group.push(read);
    return read;
  }

  /**
   * The nested stacks of a template (`*.nested.template.json` in the assembly), depth first, found by the
   * `aws:asset:path` metadata that `cdk synth` writes, or else by the asset hash in the TemplateURL.
   */
  private nestedStacks(parent: ReadTemplate, directory: Found, assets: () => Map<string, string>, chain: readonly Found[]): void {
    const resources = parent.template.Resources as Mapping;
    for (const [logicalId, resource] of Object.entries(resources)) {
      if (!isMapping(resource) || resource.Type !== 'AWS::CloudFormation::Stack') continue;
      const metadata = isMapping(resource.Metadata) ? resource.Metadata[ASSET_PATH] : undefined;
      const url = JSON.stringify((isMapping(resource.Properties) ? resource.Properties.TemplateURL : undefined) ?? '');
      const assetPath = typeof metadata === 'string' ? metadata : fromUrl(url, assets);
      if (assetPath === undefined) continue; // a nested stack from elsewhere (an S3 URL of its own): not in the assembly
      const at = parent.locate(['Resources', logicalId]);
      const found = this.resolve(directory, assetPath);
      if (typeof found === 'string') {
        this.problems.push(problem(parent.file, `nested stack ${quote(logicalId)} names the template ${quote(assetPath)}, which ${found}`, at));
      } else if (chain.some((c) => c.real === found.real)) {
        this.problems.push(problem(parent.file, `nested stack loop: ${[...chain, found].map((c) => c.given).join(' → ')}`, at));
      } else if (chain.length >= MAX_NESTING) {
        this.problems.push(problem(parent.file, `nested stacks deeper than ${MAX_NESTING} levels`, at));
      } else {
        const child = this.template(found, `${parent.stackName}/${logicalId}`);
        if (child !== undefined) this.nestedStacks(child, directory, assets, [...chain, found]);
      }
    }
  }

  /** Asset ID → path of the file assets of an assembly, from its asset manifests. */
  private assetPaths(directory: Found, manifest: Manifest, artifacts: Mapping): Map<string, string> {
    const out = new Map<string, string>();
    for (const [id, artifact] of Object.entries(artifacts)) {
      if (!isMapping(artifact) || artifact.type !== 'cdk:asset-manifest') continue;
      const file = this.property(manifest, id, artifact, 'file', 'asset manifest');
      const found = file === undefined ? undefined : this.find(manifest, id, 'file', directory, file, `asset manifest ${quote(id)} names the file`);
      const assets = found === undefined ? undefined : this.manifest(found.given);
      const files = assets?.value.files;
      if (!isMapping(files)) continue;
      for (const [assetId, asset] of Object.entries(files)) {
        const source = isMapping(asset) && isMapping(asset.source) ? asset.source.path : undefined;
        if (assetId !== '' && typeof source === 'string') out.set(assetId, source);
      }
    }
    return out;
  }
}

function fromUrl(url: string, assets: () => Map<string, string>): string | undefined {
  if (url === '""') return undefined;
  for (const [id, file] of assets()) if (file.endsWith('.template.json') && url.includes(id)) return file;
  return undefined;
}

