import { PositionNode } from './positions';

// JSON read in two passes over the text: one scan that checks the syntax and the nesting depth without recursion and
// records where keys are, then JSON.parse, which is native and fast once the text is known to be valid and shallow.

/** Keys deeper than this (`Resources.<id>.Properties.<name>` is 4) are found by scanning their value when asked. */
export const INDEXED_DEPTH = 4;

/** The result of a scan: where it ended, or what is wrong and where. */
export type JsonScan =
  | { readonly ok: true; readonly end: number; readonly forEach: boolean }
  | { readonly ok: false; readonly offset: number; readonly message: string };

/** A document read from JSON, with mappings as objects without a prototype. */
export type JsonRead =
  | { readonly ok: true; readonly value: unknown; readonly positions: PositionNode; readonly forEach: boolean }
  | { readonly ok: false; readonly offset: number; readonly message: string };

const OBJECT = 1;
const ARRAY = 2;
const FOR_EACH = 'Fn::ForEach::';
const STRING_BODY = /[^"\\\u0000-\u001f]*/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Parse a JSON document; every mapping in the result has no prototype, so keys such as `__proto__` are plain data. */
export function readJson(text: string, maxDepth: number): JsonRead {
  const positions = new PositionNode(0, 0);
  const scanned = scanJson(text, 0, positions, INDEXED_DEPTH, maxDepth);
  if (!scanned.ok) return scanned;
  if (skipSpace(text, scanned.end) < text.length) {
    return { ok: false, offset: skipSpace(text, scanned.end), message: 'malformed JSON: text after the end of the document' };
  }
  return { ok: true, value: withoutPrototypes(JSON.parse(text)), positions, forEach: scanned.forEach };
}

/** Record every key and item under `node`, whose value starts at `node.value` (a value the first scan skipped). */
export function indexJsonValue(text: string, node: PositionNode): void {
  scanJson(text, node.value, node, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

/**
 * Check one JSON value starting at `start`, iteratively, recording under `root` the position of every key and item
 * down to `recordDepth` levels.
 */
export function scanJson(text: string, start: number, root: PositionNode, recordDepth: number, maxDepth: number): JsonScan {
  const length = text.length;
  const kinds: number[] = [];
  const counts: number[] = [];
  const nodes: Array<PositionNode | undefined> = [root];
  let forEach = false;
  let depth = 0;
  let i = skipSpace(text, start);

  const fail = (offset: number, message: string): JsonScan => ({
    ok: false,
    offset: Math.min(offset, length),
    message: `malformed JSON: ${offset >= length ? 'unexpected end of the file' : message}`,
  });

  // At a key's opening quote: record it, then move past the colon to its value.
  const key = (): number | JsonScan => {
    if (text.charCodeAt(i) !== 0x22) return fail(i, 'expected a key in double quotes');
    const keyStart = i;
    const end = scanString(text, i);
    if (end < 0) return fail(-end, stringProblem(text, -end));
    if (text.startsWith(FOR_EACH, keyStart + 1)) forEach = true;
    i = skipSpace(text, end);
    if (text.charCodeAt(i) !== 0x3a) return fail(i, "expected ':' after the key");
    i = skipSpace(text, i + 1);
    const parent = nodes[depth - 1];
    if (depth <= recordDepth && parent !== undefined) {
      const raw = text.slice(keyStart + 1, end - 1);
      const name = raw.includes('\\') ? JSON.parse(text.slice(keyStart, end)) as string : raw;
      const node = parent.child(name, keyStart, i);
      node.complete = depth < recordDepth;
      nodes[depth] = node;
    } else {
      nodes[depth] = undefined;
    }
    return i;
  };

  const item = (): void => {
    const parent = nodes[depth - 1];
    if (depth <= recordDepth && parent !== undefined) {
      const node = parent.child(counts[depth - 1], i, i);
      node.complete = depth < recordDepth;
      nodes[depth] = node;
    } else {
      nodes[depth] = undefined;
    }
  };

  for (;;) {
    // At the start of a value.
    let c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      if (depth >= maxDepth) return { ok: false, offset: i, message: `nesting deeper than ${maxDepth} levels` };
      const isObject = c === 0x7b;
      const node = nodes[depth];
      if (node !== undefined && !isObject) node.sequence = true;
      kinds[depth] = isObject ? OBJECT : ARRAY;
      counts[depth] = 0;
      depth++;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) === (isObject ? 0x7d : 0x5d)) {
        depth--;
        i++;
      } else if (isObject) {
        const next = key();
        if (typeof next !== 'number') return next;
        continue;
      } else {
        item();
        continue;
      }
    } else if (c === 0x22) {
      const end = scanString(text, i);
      if (end < 0) return fail(-end, stringProblem(text, -end));
      i = end;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) return fail(i, 'malformed number');
      i = NUMBER.lastIndex;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else {
      return fail(i, `unexpected ${describe(text, i)}`);
    }

    // After a value: close containers until one continues with a comma.
    for (;;) {
      i = skipSpace(text, i);
      if (depth === 0) return { ok: true, end: i, forEach };
      c = text.charCodeAt(i);
      const isObject = kinds[depth - 1] === OBJECT;
      if (c === 0x2c) {
        i = skipSpace(text, i + 1);
        if (isObject) {
          const next = key();
          if (typeof next !== 'number') return next;
        } else {
          counts[depth - 1]++;
          item();
        }
        break;
      }
      if (c === (isObject ? 0x7d : 0x5d)) {
        depth--;
        i++;
        continue;
      }
      return fail(i, isObject ? "expected ',' or '}'" : "expected ',' or ']'");
    }
  }
}

/** Offset after the string whose opening quote is at `start`, or minus the offset of what is wrong. */
function scanString(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    STRING_BODY.lastIndex = i;
    STRING_BODY.test(text);
    i = STRING_BODY.lastIndex;
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c !== 0x5c) return -i; // a control character, or the end of the text
    const escaped = text.charCodeAt(i + 1);
    if (escaped === 0x75) {
      HEX4.lastIndex = i + 2;
      if (!HEX4.test(text)) return -i;
      i += 6;
    } else if ('"\\/bfnrt'.includes(String.fromCharCode(escaped))) {
      i += 2;
    } else {
      return -i;
    }
  }
}

function stringProblem(text: string, offset: number): string {
  const c = text.charCodeAt(offset);
  if (c === 0x5c) return 'malformed escape sequence in a string';
  return c === 0x0a || c === 0x0d ? 'line break inside a string' : 'control character inside a string';
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

function describe(text: string, i: number): string {
  const c = text.codePointAt(i) ?? 0;
  return c < 0x20 || c === 0x7f ? `character U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `character '${String.fromCodePoint(c)}'`;
}

/** The same data, with every mapping's prototype removed (JSON.parse already makes `__proto__` an own key). */
function withoutPrototypes(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) withoutPrototypes(value[i]);
  } else {
    Object.setPrototypeOf(value, null);
    for (const key in value) withoutPrototypes((value as Record<string, unknown>)[key]);
  }
  return value;
}
