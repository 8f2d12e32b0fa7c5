import { Decision } from './decide';
import { PolicyDocumentJson } from './evaluator';

// Buckets made by the same construct have the same policies but for their own names (the bucket's, its key's). A
// decision for one holds for the others with the names swapped, when nothing in the policies can tell one name from
// another: the names only ever appear whole, before any wildcard, and no other wildcard pattern can reach into them.
// Deciding once per shape instead of once per bucket is what keeps the pack's cost flat in the number of buckets.

/** Stand-ins for the names, which occur in no template (S3 and KMS names have no `~`; strings with `~` are refused). */
const placeholder = (i: number) => `~name${i}~`;

/** Ids of the shapes seen in this process, so that memo keys need not carry whole policies. Bounded. */
const SHAPE_IDS = new Map<string, number>();
const MAX_SHAPES = 10_000;
let nextShapeId = 1;
/** Renamed texts of policies whose every string was found safe to rename (`SharedPolicies.of`). Bounded. */
const SAFE_SHAPES = new Set<string>();

/** Forget the shapes seen (benchmarks measure a process's first validation, when none are known yet). */
export function forgetShapes(): void {
  SHAPE_IDS.clear();
  SAFE_SHAPES.clear();
}

/** A bucket's policies with its names replaced by placeholders, and the way to and from that form. */
export class SharedPolicies {
  /**
   * The shared form of the policies with `names` (the bucket's name, its key's ID, ...) renamed, or undefined when
   * some string of the policies could treat the names differently from stand-ins.
   */
  public static of(documents: readonly PolicyDocumentJson[], names: readonly string[],
    text: string = JSON.stringify(documents)): SharedPolicies | undefined {
    const distinct = [...new Set(names)].sort((a, b) => b.length - a.length);
    if (distinct.length === 0 || !distinct.every(distinctive)) return undefined;
    // A name inside another would make the renaming ambiguous.
    if (distinct.some((a) => distinct.some((b) => a !== b && b.includes(a)))) return undefined;
    // The text is renamed as text: a `~` could be a placeholder, and a name could reach into a JSON escape (`\n…`).
    if (text.includes('~') || text.includes('\\')) return undefined;
    const shared = new SharedPolicies(text, distinct);
    // 12-digit runs inside names (account IDs in bucket names) are read by the procedure as accounts to try; with
    // the names renamed they are not, but those accounts behave like any account the policies do not name, since every
    // string that holds them holds a name, and is compared whole or before its wildcards.
    if (SAFE_SHAPES.has(shared.key)) {
      // Policies equal, up to the names, to ones found safe are safe too, when their names appear in no other case:
      // every string either is the same string or has its names where the other has its own (see the test).
      return distinct.every((name) => occurrences(text, name) === occurrences(text.toLowerCase(), name.toLowerCase())) ? shared : undefined;
    }
    if (!everyString(documents, (s, element, isKey) => renamingSafe(s, element, isKey, distinct))) return undefined;
    if (SAFE_SHAPES.size < MAX_SHAPES) SAFE_SHAPES.add(shared.key);
    return shared;
  }

  /** Equal for policies equal up to the names: the policies' JSON with the names replaced. */
  public readonly key: string;
  /** A short stand-in for `key`, equal for equal keys (memo keys stay short). */
  public readonly id: number;
  private renamedDocuments?: PolicyDocumentJson[];

  /** `text` is the documents' JSON. */
  private constructor(text: string, private readonly names: readonly string[]) {
    // Names hold no character JSON escapes and appear only in the values of renamed elements (see renamingSafe), so
    // renaming the JSON text renames exactly those values.
    this.key = this.rename(text);
    let id = SHAPE_IDS.get(this.key);
    if (id === undefined) {
      // Never reused, even after `forgetShapes`: models of earlier validations keep the ids they were given.
      id = nextShapeId++;
      if (SHAPE_IDS.size < MAX_SHAPES) SHAPE_IDS.set(this.key, id);
    }
    this.id = id;
  }

  /** The policies with the names replaced: decide these. */
  public get documents(): PolicyDocumentJson[] {
    this.renamedDocuments ??= JSON.parse(this.key);
    return this.renamedDocuments!;
  }

  /**
   * A request class's JSON without its actions (`classParts(c).restJson`) in the shared form. The class's keys are
   * words of the procedure, which no name is part of (see `distinctive`), so renaming the text renames its values.
   */
  public classJson(restJson: string): string {
    return this.rename(restJson);
  }

  /** A request class in the shared form: every string value renamed (its keys and actions hold no names). */
  public requestClass<C extends { readonly actions: readonly unknown[] }>(requestClass: C): C {
    const { actions, ...rest } = requestClass;
    return { ...mapStrings(rest, (t) => this.rename(t)), actions } as unknown as C;
  }

  /** The decision for the bucket, from the one for the shared form. */
  public restore(decision: Decision): Decision {
    return mapStrings(decision, (t) => (t.includes('~') ? this.names.reduce((s, name, i) => s.split(placeholder(i)).join(name), t) : t));
  }

  private rename(text: string): string {
    return this.names.reduce((t, name, i) => (t.includes(name) ? t.split(name).join(placeholder(i)) : t), text);
  }
}

/**
 * Strings the decision procedure writes itself (partitions, principal ARN parts, sample services and values, header
 * values, TLS versions): a name inside one of them would be renamed in the policies but not there.
 */
const VOCABULARY = [
  'arn', 'aws', 'aws-cn', 'aws-us-gov', 'amazonaws.com', 'iam', 'sts', 's3', 'kms', 'root', 'role/', 'user/', 'assumed-role',
  's3ec-session', 's3ec-any', 's3ec-any-value', 'logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com', 'delivery.logs.amazonaws.com',
  'config.amazonaws.com', 'AES256', 'aws:kms', 'aws:kms:dsse', 'true', 'false', '2012-10-17', '2026-01-01T00:00:00Z', '203.0.113.5',
  // The keys of a request class's JSON, and the condition keys classes restrict.
  'description', 'property', 'compliantWhen', 'principals', 'ownerAccount', 'otherAccounts', 'unnamedAccountsOnly', 'services',
  'anonymous', 'transports', 'secure', 'tlsVersion', 'restrict', 'exclude', 'resourceArn', 'partition', 'account',
  's3:x-amz-server-side-encryption-aws-kms-key-id', 's3:x-amz-server-side-encryption-customer-algorithm', 'kms:viaservice',
  'aws:principalorgid', 'aws:principalorgpaths', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:calledviafirst', 'aws:calledvialast',
];

/** A name that can be renamed: a letter in it, not made of one character, inside nothing the procedure writes itself. */
function distinctive(name: string): boolean {
  return name.length >= 3 && /^[A-Za-z0-9._-]+$/.test(name) && /[a-z]/i.test(name) && new Set(name).size > 1 &&
    !VOCABULARY.some((word) => word.toLowerCase().includes(name.toLowerCase()));
}

/** Whether renaming the names inside `s` keeps every comparison `s` takes part in as it was. */
function renamingSafe(s: string, element: string, isKey: boolean, names: readonly string[]): boolean {
  if (s.includes('~')) return false; // it could be a placeholder
  const lower = s.toLowerCase();
  const holdsName = names.some((n) => lower.includes(n.toLowerCase()));
  // Keys (condition keys, operators, elements), actions, effects and versions are never renamed: they must hold no name.
  if (isKey || !RENAMED_ELEMENTS.has(element)) return !holdsName;
  if (names.some((n) => !s.includes(n) && lower.includes(n.toLowerCase()))) return false; // a name in another case
  const wildcard = s.search(/[*?]/);
  if (wildcard < 0) return true; // exact comparisons: equal before renaming iff equal after
  if (s === '*') return true;
  const lastNameEnd = Math.max(...names.map((n) => {
    const at = s.lastIndexOf(n);
    return at < 0 ? -1 : at + n.length;
  }));
  // The names come first, literally; the wildcards after them only see what follows.
  if (lastNameEnd >= 0) return lastNameEnd <= wildcard;
  // Every bucket (`arn:…:s3:::*`, `…:::*/*`): wildcards over whole names, whichever they are.
  if (/^arn:[^:*?]+:s3:::\*(\/\*)?$/.test(s)) return true;
  // Any other pattern may be compared with a value that holds a name (a witness of another pattern of the same key).
  return false;
}

/** The statement elements whose values are renamed: what is compared with resources, principals and context values. */
const RENAMED_ELEMENTS = new Set(['Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition', 'Sid']);

/** How many times `part` occurs in `text`, overlapping occurrences included. */
function occurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) count++;
  return count;
}

/** Whether `test` holds for every string of the documents (keys too), with the statement element it is in. */
function everyString(documents: readonly PolicyDocumentJson[], test: (s: string, element: string, isKey: boolean) => boolean): boolean {
  const walk = (value: unknown, element: string): boolean => {
    if (typeof value === 'string') return test(value, element, false);
    if (Array.isArray(value)) return value.every((v) => walk(v, element));
    if (value !== null && typeof value === 'object') {
      return Object.entries(value).every(([k, v]) => test(k, element, true) && walk(v, element === '' ? k : element));
    }
    return true;
  };
  return documents.every((document) => test(String(document.Version ?? ''), 'Version', false) &&
    [document.Statement].flat().every((statement) => walk(statement, '')));
}

/** The value with `f` applied to every string value (object keys are kept). */
function mapStrings<T>(value: T, f: (s: string) => string): T {
  if (typeof value === 'string') return f(value) as unknown as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f)) as unknown as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)])) as T;
  }
  return value;
}

/** A request class as its action list (long, name-free, one of a few constants) and the JSON of the rest. */
export function classParts<C extends { readonly actions: readonly unknown[]; readonly memoKey?: string }>(requestClass: C):
{ actionsId: number; restJson: string } {
  let parts = CLASS_PARTS.get(requestClass);
  if (!parts) {
    let restJson = requestClass.memoKey;
    if (restJson === undefined) {
      const { actions: _actions, ...rest } = requestClass;
      restJson = JSON.stringify(rest);
    }
    parts = { actionsId: listId(requestClass.actions), restJson };
    CLASS_PARTS.set(requestClass, parts);
  }
  return parts;
}

const CLASS_PARTS = new WeakMap<object, { actionsId: number; restJson: string }>();

const listIds = new WeakMap<readonly unknown[], number>();
let nextListId = 1;

/** A number per list object (the action lists of the classes are module constants): a cheap memo key for them. */
function listId(list: readonly unknown[]): number {
  let id = listIds.get(list);
  if (id === undefined) {
    id = nextListId++;
    listIds.set(list, id);
  }
  return id;
}
