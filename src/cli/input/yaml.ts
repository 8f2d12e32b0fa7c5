import { Alias, CollectionTag, Composer, isAlias, isMap, isScalar, isSeq, Parser, ScalarTag } from 'yaml';
import { mapping } from './data';
import { PositionNode } from './positions';

// YAML templates: CloudFormation's short forms (`!Ref x`, `!GetAtt a.b`, `!If [...]`, ...) become their long forms,
// aliases are expanded within a budget, and the position of every key and item is recorded from the one parse.

/** A document read from YAML, with mappings as objects without a prototype. */
export type YamlRead =
  | { readonly ok: true; readonly value: unknown; readonly positions: PositionNode; readonly forEach: boolean }
  | { readonly ok: false; readonly offset: number; readonly message: string };

export interface YamlLimits {
  /** Deepest nesting of mappings and sequences. */
  readonly maxDepth: number;
  /** Most nodes that aliases may add to the document when expanded. */
  readonly maxAliasNodes: number;
}

/** Every short-form tag and the key of its long form. */
const SHORT_FORMS: ReadonlyMap<string, string> = new Map([
  ['!Ref', 'Ref'],
  ['!Condition', 'Condition'],
  ...[
    // Intrinsic and condition functions.
    'And', 'Base64', 'Cidr', 'Equals', 'FindInMap', 'GetAtt', 'GetAZs', 'If', 'ImportValue', 'Join', 'Not', 'Or',
    'Select', 'Split', 'Sub', 'Transform',
    // AWS::LanguageExtensions.
    'ForEach', 'Length', 'ToJsonString',
    // The Rules section.
    'Contains', 'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll',
  ].map((name): [string, string] => [`!${name}`, `Fn::${name}`]),
]);

// Each tag keeps its node as parsed (`node.tag` tells which); the conversion below writes the long form.
const CFN_TAGS = [...SHORT_FORMS.keys()].flatMap((tag): Array<ScalarTag | CollectionTag> => [
  { tag, resolve: (source: string) => source },
  { tag, collection: 'seq', resolve: (node) => node },
  { tag, collection: 'map', resolve: (node) => node },
]);

/** Parse a YAML template. Never throws for any text. */
export function readYaml(text: string, limits: YamlLimits): YamlRead {
  const tokens = Array.from(new Parser().parse(text));
  // The composer recurses once per level: measure the depth on the parser's tokens first, without recursion.
  const tooDeep = deepCollection(tokens, limits.maxDepth);
  if (tooDeep !== undefined) return { ok: false, offset: tooDeep, message: `nesting deeper than ${limits.maxDepth} levels` };

  const composer = new Composer({ customTags: CFN_TAGS, strict: true, uniqueKeys: true, logLevel: 'silent' });
  const documents = Array.from(composer.compose(tokens));
  if (documents.length > 1) return { ok: false, offset: documents[1].range[0], message: 'more than one YAML document in the file' };
  const document = documents[0];
  if (document === undefined) return { ok: false, offset: 0, message: 'empty file' };
  // An unknown tag is only a warning to the parser; read as a plain string it would be checked wrongly.
  const error = document.errors[0] ?? document.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (error !== undefined) {
    const message = error.code === 'TAG_RESOLVE_FAILED' ? error.message.replace(/^Unresolved tag: /, 'unknown tag ') : error.message;
    return { ok: false, offset: error.pos[0], message: `malformed YAML: ${message.split('\n')[0]}` };
  }
  if (document.contents === null) return { ok: false, offset: 0, message: 'empty file' };

  const converter = new Converter(limits);
  const positions = new PositionNode(0, document.contents.range[0]);
  try {
    const value = converter.convert(document.contents, positions, 1);
    return { ok: true, value, positions, forEach: converter.forEach };
  } catch (e) {
    if (e instanceof Limit) return { ok: false, offset: e.offset, message: e.message };
    throw e;
  }
}

interface CstToken {
  readonly type: string;
  readonly offset: number;
  readonly value?: CstToken;
  readonly items?: ReadonlyArray<{ readonly key?: CstToken | null; readonly value?: CstToken | null }>;
}

/** Offset of the first collection nested deeper than `maxDepth`, if any. */
function deepCollection(tokens: readonly unknown[], maxDepth: number): number | undefined {
  const stack: Array<[CstToken | null | undefined, number]> = [];
  for (const token of tokens as CstToken[]) if (token.type === 'document') stack.push([token.value, 0]);
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!;
    if (token?.items === undefined) continue; // a scalar, an alias, or nothing
    if (depth + 1 > maxDepth) return token.offset;
    for (const item of token.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
  }
  return undefined;
}

/** A limit was reached: the document is refused. */
class Limit {
  constructor(readonly offset: number, readonly message: string) {}
}

interface YamlNode {
  readonly range?: readonly number[] | null;
  readonly anchor?: string;
  readonly tag?: string;
}

class Converter {
  forEach = false;
  private aliasNodes = 0;
  /** Offset of the outermost alias being expanded. */
  private aliasAt = 0;
  private inAlias = 0;
  private readonly anchors = new Map<string, unknown>();
  private readonly aliasTargets = new Map<Alias, unknown>();

  constructor(private readonly limits: YamlLimits) {}

  /** The data of `node`, at `depth` (1 for the document), recording positions under `at`. */
  convert(node: unknown, at: PositionNode, depth: number): unknown {
    if (node === null || node === undefined) return null;
    if (this.inAlias > 0 && ++this.aliasNodes > this.limits.maxAliasNodes) {
      throw new Limit(this.aliasAt, `YAML aliases expand to more than ${this.limits.maxAliasNodes} nodes`);
    }
    if (isAlias(node)) return this.alias(node, at, depth);
    const { anchor, tag } = node as YamlNode;
    // Anchors are taken in document order; an alias expanded later must not redefine them.
    if (anchor !== undefined && this.inAlias === 0) this.anchors.set(anchor, node);

    const longForm = tag === undefined ? undefined : SHORT_FORMS.get(tag);
    if (longForm !== undefined) {
      const wrapper = mapping();
      const offset = offsetOf(node);
      const inner = at.child(longForm, offset, offset);
      wrapper[longForm] = isScalar(node) ? shortFormScalar(longForm, node.value) : this.collection(node, inner, depth + 1);
      return wrapper;
    }
    if (isScalar(node)) {
      // YAML's own binary and timestamp tags make objects CloudFormation does not know.
      if (node.value !== null && typeof node.value === 'object') {
        throw new Limit(offsetOf(node), `malformed YAML: unsupported tag ${(tag ?? '').replace('tag:yaml.org,2002:', '!!')}`);
      }
      return typeof node.value === 'bigint' ? Number(node.value) : node.value;
    }
    return this.collection(node, at, depth);
  }

  private alias(node: Alias, at: PositionNode, depth: number): unknown {
    const target = this.target(node);
    if (target === undefined) return null; // the parser has reported it
    if (this.inAlias === 0) this.aliasAt = offsetOf(node);
    this.inAlias++;
    try {
      return this.convert(target, at, depth);
    } finally {
      this.inAlias--;
    }
  }

  /** The node an alias stands for: the last anchor of its name before it in the document. */
  private target(node: Alias): unknown {
    if (!this.aliasTargets.has(node) && this.inAlias === 0) this.aliasTargets.set(node, this.anchors.get(node.source));
    return this.aliasTargets.get(node);
  }

  private collection(node: unknown, at: PositionNode, depth: number): unknown {
    if (depth > this.limits.maxDepth) throw new Limit(offsetOf(node), `nesting deeper than ${this.limits.maxDepth} levels`);
    if (isSeq(node)) {
      at.sequence = true;
      return node.items.map((item, index) => {
        const offset = offsetOf(item, at.value);
        return this.convert(item, at.child(index, offset, offset), depth + 1);
      });
    }
    if (isMap(node)) {
      const out = mapping();
      for (const pair of node.items) {
        const key = this.key(pair.key, offsetOf(pair.value, at.value));
        if (key.startsWith('Fn::ForEach::')) this.forEach = true;
        const valueOffset = offsetOf(pair.value, offsetOf(pair.key, at.value));
        out[key] = this.convert(pair.value, at.child(key, offsetOf(pair.key, valueOffset), valueOffset), depth + 1);
      }
      return out;
    }
    return null;
  }

  private key(node: unknown, offset: number): string {
    if (node === null || node === undefined) return '';
    const resolved = isAlias(node) ? this.target(node) : node;
    if (isScalar(resolved) && !SHORT_FORMS.has((resolved as YamlNode).tag ?? '')) return String(resolved.value);
    throw new Limit(offsetOf(node, offset), 'a mapping key that is not a plain value');
  }
}

/** The value of a scalar short form: `!GetAtt a.b.c` is `["a", "b.c"]`. */
function shortFormScalar(longForm: string, value: unknown): unknown {
  if (longForm !== 'Fn::GetAtt' || typeof value !== 'string') return value;
  const dot = value.indexOf('.');
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

function offsetOf(node: unknown, otherwise = 0): number {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : otherwise;
}
