import { isMapping, mapping, Mapping } from './data';
import { PathAliases } from './positions';

// `Fn::ForEach` of the AWS::LanguageExtensions transform, expanded where its collection is known: a literal list,
// or a Ref to a list parameter with a Default. A loop that cannot be expanded is left as it is, for the checker to
// report; so is one whose keys would collide, or that would grow the template past a budget.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html

const LOOP = 'Fn::ForEach::';
/** The sections where CloudFormation expands loops (resource properties included). */
const SECTIONS = ['Conditions', 'Outputs', 'Resources'];

type Path = ReadonlyArray<string | number>;

/** A loop could not be expanded within the budget. */
class OverBudget {}

/**
 * Expand every loop of the template in place. The path of each key a loop makes is recorded in `aliases`, mapped
 * to the path of the key in the loop's text, for positions.
 */
export function expandForEach(template: Mapping, aliases: PathAliases, maxNodes: number): void {
  const expander = new Expander(isMapping(template.Parameters) ? template.Parameters : mapping(), aliases, maxNodes);
  for (const section of SECTIONS) expander.walk(template[section], [section], [section]);
}

class Expander {
  private nodes = 0;
  /** Output mappings of inner loops whose keys were substituted: new key → key as written. */
  private readonly renamed = new WeakMap<Mapping, Map<string, string>>();

  constructor(private readonly parameters: Mapping, private readonly aliases: PathAliases, private readonly maxNodes: number) {}

  /** Expand the loops in `value`, at `path` in the expanded template and `source` in the text. */
  walk(value: unknown, path: Path, source: Path): void {
    if (Array.isArray(value)) {
      value.forEach((item, index) => this.walk(item, [...path, index], [...source, index]));
      return;
    }
    if (!isMapping(value)) return;
    const made = Object.keys(value).some((key) => key.startsWith(LOOP)) ? this.expandIn(value, source) : undefined;
    for (const key of Object.keys(value)) {
      if (key.startsWith(LOOP)) continue; // left as it is
      const keyPath = [...path, key];
      const from = made?.get(key);
      if (from !== undefined) this.aliases.set(JSON.stringify(keyPath), from);
      this.walk(value[key], keyPath, from ?? [...source, key]);
    }
  }

  /** Replace the loops of a mapping by what they make, in order; returns the source path of each key made. */
  private expandIn(map: Mapping, source: Path): Map<string, Path> {
    const keys = Object.keys(map);
    const taken = new Set(keys.filter((key) => !key.startsWith(LOOP)));
    const entries: Array<[string, unknown]> = [];
    const made = new Map<string, Path>();
    for (const key of keys) {
      const products = key.startsWith(LOOP) ? this.tryLoop(map[key], [...source, key]) : undefined;
      if (products === undefined || !allNew(products.map(([k]) => k), taken)) {
        entries.push([key, map[key]]);
        continue;
      }
      for (const [k, v, from] of products) {
        taken.add(k);
        entries.push([k, v]);
        made.set(k, from);
      }
    }
    for (const key of keys) delete map[key];
    for (const [key, value] of entries) map[key] = value;
    return made;
  }

  private tryLoop(value: unknown, source: Path): Array<[string, unknown, Path]> | undefined {
    try {
      return this.loop(value, source);
    } catch (e) {
      if (e instanceof OverBudget) return undefined;
      throw e;
    }
  }

  /** The entries a loop makes, each with the path of its key in the text; undefined if it cannot be expanded. */
  private loop(value: unknown, source: Path): Array<[string, unknown, Path]> | undefined {
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [identifier, collection, outputs] = value;
    if (typeof identifier !== 'string' || !/^[A-Za-z0-9]+$/.test(identifier) || !isMapping(outputs)) return undefined;
    const items = this.items(collection);
    if (items === undefined) return undefined;
    const written = this.renamed.get(outputs);
    const out: Array<[string, unknown, Path]> = [];
    for (const item of items) {
      for (const [key, body] of Object.entries(outputs)) {
        const from = [...source, 2, written?.get(key) ?? key];
        if (key.startsWith(LOOP)) {
          const inner = this.loop(this.substituteLoop(body, identifier, item), from);
          if (inner === undefined) return undefined;
          out.push(...inner);
        } else {
          out.push([substituteText(key, identifier, item), this.substitute(body, identifier, item), from]);
        }
      }
    }
    return out;
  }

  /** The items of a collection, if known. */
  private items(collection: unknown): string[] | undefined {
    if (Array.isArray(collection)) return collection.every(isScalar) ? collection.map(String) : undefined;
    if (!isMapping(collection) || Object.keys(collection).length !== 1 || typeof collection.Ref !== 'string') return undefined;
    const parameter = this.parameters[collection.Ref];
    if (!isMapping(parameter) || typeof parameter.Type !== 'string') return undefined;
    // An SSM parameter's Default is the parameter's name, not its value.
    if (parameter.Type !== 'CommaDelimitedList' && !/^List<[^>]+>$/.test(parameter.Type)) return undefined;
    const defaults = parameter.Default;
    if (Array.isArray(defaults)) return defaults.every(isScalar) ? defaults.map(String) : undefined;
    if (typeof defaults === 'string') return defaults === '' ? [] : defaults.split(',').map((item) => item.trim());
    return undefined;
  }

  /** A copy of `value` with the identifier replaced by the item in `Ref`s and `Fn::Sub` strings. */
  private substitute(value: unknown, identifier: string, item: string): unknown {
    if (++this.nodes > this.maxNodes) throw new OverBudget();
    if (Array.isArray(value)) return value.map((v) => this.substitute(v, identifier, item));
    if (!isMapping(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref' && value.Ref === identifier) return item;
    const out = mapping();
    for (const key of keys) {
      const v = value[key];
      if (key === 'Fn::Sub' && typeof v === 'string') {
        out[key] = substituteText(v, identifier, item);
      } else if (key === 'Fn::Sub' && Array.isArray(v) && typeof v[0] === 'string') {
        out[key] = [substituteText(v[0], identifier, item), ...v.slice(1).map((x) => this.substitute(x, identifier, item))];
      } else if (key.startsWith(LOOP)) {
        out[key] = this.substituteLoop(v, identifier, item);
      } else {
        out[key] = this.substitute(v, identifier, item);
      }
    }
    return out;
  }

  /** An inner loop with the outer identifier replaced, in its output keys too. */
  private substituteLoop(value: unknown, identifier: string, item: string): unknown {
    if (!Array.isArray(value) || value.length !== 3 || !isMapping(value[2])) return this.substitute(value, identifier, item);
    const outputs = value[2];
    const written = this.renamed.get(outputs);
    const out = mapping();
    const names = new Map<string, string>();
    for (const [key, body] of Object.entries(outputs)) {
      const name = substituteText(key, identifier, item);
      out[name] = key.startsWith(LOOP) ? this.substituteLoop(body, identifier, item) : this.substitute(body, identifier, item);
      names.set(name, written?.get(key) ?? key);
    }
    this.renamed.set(out, names);
    return [this.substitute(value[0], identifier, item), this.substitute(value[1], identifier, item), out];
  }
}

/** `${Identifier}` becomes the item; `&{Identifier}` the item without its non-alphanumeric characters. */
function substituteText(text: string, identifier: string, item: string): string {
  return text.replaceAll(`\${${identifier}}`, item).replaceAll(`&{${identifier}}`, item.replace(/[^A-Za-z0-9]/g, ''));
}

/** Whether every key is new, and none is made twice. */
function allNew(keys: string[], taken: ReadonlySet<string>): boolean {
  const made = new Set<string>();
  for (const key of keys) {
    if (taken.has(key) || made.has(key)) return false;
    made.add(key);
  }
  return true;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
