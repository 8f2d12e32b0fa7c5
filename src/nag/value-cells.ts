/* eslint-disable no-bitwise */ // IP address arithmetic and subset masks are bit operations.
import { cidrContains, parseCidr, parseDate } from './evaluator';

// Finite abstractions of the values a condition key (or an object key, or a principal name) can take: for a set of
// predicates over one value, a list of witness values with one value in every satisfiable combination of the
// predicates ("cell"). The decision procedure (decide.ts) then only has to try the witnesses: any other value
// behaves like one of them for every statement.
//
// Strings: each pattern (exact, IAM wildcard, or ARN with wildcards confined to their part) is a small NFA; a
// breadth-first search over the product of the NFAs, on the characters the patterns use plus one character none
// uses, reaches every combination of "matches / does not match" that some string has, and the path is its witness.
// Numbers, dates and IP addresses: the constants split the line (or the address space) into intervals; one value
// per interval and per constant covers them.

/** A string predicate: equality, an IAM wildcard pattern (`*`, `?`), or an ARN pattern (`Arn*` operators). */
export interface StringMatcher {
  readonly kind: 'exact' | 'glob' | 'arn';
  readonly pattern: string;
  readonly ignoreCase: boolean;
}

/** Witness values, and whether they are known to cover every cell. */
export interface Witnesses {
  readonly values: readonly string[];
  /** False when the search stopped at its state budget: some cells may have no witness. */
  readonly complete: boolean;
}

interface Token {
  readonly type: 'star' | 'any' | 'char';
  readonly char?: string;
  /** In the first five parts of an ARN pattern a wildcard does not match `:`. */
  readonly noColon: boolean;
  readonly ignoreCase: boolean;
}

function tokenize(matcher: StringMatcher): Token[] {
  const tokens: Token[] = [];
  let colons = 0;
  for (const char of matcher.pattern) {
    const noColon = matcher.kind === 'arn' && colons < 5;
    if (matcher.kind !== 'exact' && char === '*') tokens.push({ type: 'star', noColon, ignoreCase: false });
    else if (matcher.kind !== 'exact' && char === '?') tokens.push({ type: 'any', noColon, ignoreCase: false });
    else tokens.push({ type: 'char', char: matcher.ignoreCase ? char.toLowerCase() : char, noColon, ignoreCase: matcher.ignoreCase });
    if (char === ':') colons++;
  }
  return tokens;
}

/** A pattern's NFA state set: positions in the token list, closed over `*` matching nothing. */
type StateSet = number[];

function closure(tokens: Token[], states: Iterable<number>): StateSet {
  const out = new Set<number>();
  for (let state of states) {
    out.add(state);
    while (state < tokens.length && tokens[state].type === 'star') out.add(++state);
  }
  return [...out].sort((a, b) => a - b);
}

function step(tokens: Token[], states: StateSet, char: string): StateSet {
  const next: number[] = [];
  for (const state of states) {
    if (state >= tokens.length) continue;
    const token = tokens[state];
    if (token.noColon && char === ':' && token.type !== 'char') continue;
    if (token.type === 'star') next.push(state);
    else if (token.type === 'any') next.push(state + 1);
    else if (token.char === (token.ignoreCase ? char.toLowerCase() : char)) next.push(state + 1);
  }
  return next.length === 0 ? next : closure(tokens, next);
}

/** Characters the patterns use (both cases where a pattern ignores case), `:` and `/`, and one character none uses. */
function alphabetOf(matchers: readonly StringMatcher[]): string[] {
  const chars = new Set<string>();
  for (const m of matchers) {
    for (const char of m.pattern) {
      if (m.kind !== 'exact' && (char === '*' || char === '?')) continue;
      chars.add(char);
      if (m.ignoreCase) {
        chars.add(char.toLowerCase());
        chars.add(char.toUpperCase());
      }
    }
  }
  // The fresh character first, so that witnesses read as plainly as they can (`x`, `datax`).
  const fresh = [...'xqzjk0123456789'].find((c) => !chars.has(c) && !chars.has(c.toUpperCase()));
  return [...(fresh !== undefined ? [fresh] : []), ...chars, ...[':', '/'].filter((c) => !chars.has(c))];
}

/** The default state budget of one witness search. */
export const DEFAULT_STATE_BUDGET = 20_000;

/**
 * Witness strings for every satisfiable combination of the matchers, each starting with `prefix` (which is not
 * part of the returned values). With `nonEmpty`, the part after the prefix is never empty (object keys and names).
 */
export function stringWitnesses(
  matchers: readonly StringMatcher[],
  options: { prefix?: string; nonEmpty?: boolean; budget?: number } = {},
): Witnesses {
  // A pure function, asked the same question many times: searches of one shape for several classes, and of shapes
  // that differ elsewhere, compare the same patterns. The answer is shared (read-only) and kept, bounded.
  const key = JSON.stringify([matchers, options.prefix, options.nonEmpty, options.budget]);
  let witnesses = WITNESSES.get(key);
  if (!witnesses) {
    witnesses = computeStringWitnesses(matchers, options);
    if (WITNESSES.size >= MAX_KEPT_WITNESSES) WITNESSES.delete(WITNESSES.keys().next().value!);
    WITNESSES.set(key, witnesses);
  }
  return witnesses;
}

const WITNESSES = new Map<string, Witnesses>();
const MAX_KEPT_WITNESSES = 2000;

/** Forget the kept witnesses (benchmarks measure a process's first validation, when there are none yet). */
export function forgetStringWitnesses(): void {
  WITNESSES.clear();
}

function computeStringWitnesses(matchers: readonly StringMatcher[], options: { prefix?: string; nonEmpty?: boolean; budget?: number }): Witnesses {
  const prefix = options.prefix ?? '';
  const budget = options.budget ?? DEFAULT_STATE_BUDGET;
  const compiled = matchers.map(tokenize);
  let start = compiled.map((tokens) => closure(tokens, [0]));
  for (const char of prefix) start = start.map((states, i) => step(compiled[i], states, char));
  const alphabet = alphabetOf(matchers);
  const cells = new Map<string, string>();
  const visited = new Set<string>();
  const queue: Array<{ states: StateSet[]; text: string }> = [{ states: start, text: '' }];
  // With nonEmpty, the empty string is a state of its own: a string that reaches the same NFA states is still new.
  const visitKey = (states: StateSet[], text: string) => `${options.nonEmpty && text.length === 0 ? 'e' : 'n'}${keyOf(states)}`;
  visited.add(visitKey(start, ''));
  let complete = true;
  for (let head = 0; head < queue.length; head++) {
    const { states, text } = queue[head];
    if (!options.nonEmpty || text.length > 0) {
      const cell = states.map((s, i) => (s.includes(compiled[i].length) ? '1' : '0')).join('');
      if (!cells.has(cell)) cells.set(cell, text);
    }
    // Once every NFA is dead, no longer string changes the cell; the empty string still expands for nonEmpty.
    if (states.every((s) => s.length === 0) && (text.length > 0 || !options.nonEmpty)) continue;
    for (const char of alphabet) {
      const next = states.map((s, i) => step(compiled[i], s, char));
      const key = visitKey(next, text + char);
      if (visited.has(key)) continue;
      if (visited.size >= budget) {
        complete = false;
        break;
      }
      visited.add(key);
      queue.push({ states: next, text: text + char });
    }
  }
  return { values: [...cells.values()], complete };
}

function keyOf(states: StateSet[]): string {
  return states.map((s) => s.join(',')).join('|');
}

/** Numbers: each constant, a value between each pair of neighbours, one below and one above. */
export function numericWitnesses(constants: readonly number[]): string[] {
  const sorted = [...new Set(constants)].sort((a, b) => a - b);
  if (sorted.length === 0) return ['1'];
  const between = sorted.flatMap((c, i) => (i + 1 < sorted.length ? [c, (c + sorted[i + 1]) / 2] : [c]));
  const out = [sorted[0] - 1, ...between, sorted[sorted.length - 1] + 1];
  return out.map((n) => String(n));
}

/** Dates (milliseconds): each constant, a time between neighbours, one before and one after, in ISO 8601. */
export function dateWitnesses(constants: readonly number[]): string[] {
  const sorted = [...new Set(constants)].sort((a, b) => a - b);
  if (sorted.length === 0) return ['2026-01-01T00:00:00Z'];
  const between = sorted.flatMap((c, i) => (i + 1 < sorted.length ? [c, Math.floor((c + sorted[i + 1]) / 2)] : [c]));
  const out = [sorted[0] - 1000, ...between, sorted[sorted.length - 1] + 1000];
  return out.map((ms) => new Date(ms).toISOString().replace('.000Z', 'Z'));
}

/**
 * IP addresses: for CIDR blocks (which nest or are disjoint), one address in each block outside its sub-blocks,
 * one address outside every block, for IPv4 and IPv6 alike.
 */
export function ipWitnesses(blocks: readonly string[]): string[] {
  const parsed = blocks.map(parseCidr).filter((b): b is NonNullable<ReturnType<typeof parseCidr>> => b !== undefined);
  const out = new Set<string>();
  for (const bits of [32, 128] as const) {
    const family = parsed.filter((b) => b.bits === bits);
    const candidates: bigint[] = [bits === 32 ? 0xcb007105n /* 203.0.113.5 */ : 0x20010db8000000000000000000000005n];
    const max = (1n << BigInt(bits)) - 1n;
    for (const block of family) {
      const size = 1n << BigInt(bits - block.prefix);
      const first = (block.address >> BigInt(bits - block.prefix)) << BigInt(bits - block.prefix);
      const last = first + size - 1n;
      candidates.push(first, last);
      if (first > 0n) candidates.push(first - 1n);
      if (last < max) candidates.push(last + 1n);
    }
    const signatures = new Set<string>();
    for (const address of candidates) {
      const signature = family.map((b) => (cidrContains(b, address, bits) ? '1' : '0')).join('');
      if (signatures.has(signature)) continue;
      signatures.add(signature);
      out.add(formatAddress(address, bits));
    }
    // A block's "inside but outside its sub-blocks" cell may need an address after a sub-block: look there too.
    for (const block of family) {
      const children = family.filter((c) => c !== block && c.prefix > block.prefix && cidrContains(block, c.address, bits));
      for (const child of children) {
        const size = 1n << BigInt(bits - child.prefix);
        const after = ((child.address >> BigInt(bits - child.prefix)) << BigInt(bits - child.prefix)) + size;
        if (after > max || !cidrContains(block, after, bits)) continue;
        const signature = family.map((b) => (cidrContains(b, after, bits) ? '1' : '0')).join('');
        if (!signatures.has(signature)) {
          signatures.add(signature);
          out.add(formatAddress(after, bits));
        }
      }
    }
  }
  return [...out];
}

function formatAddress(address: bigint, bits: 32 | 128): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((address >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((address >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

/** Date constants of policy values, in milliseconds (values that are not dates are left out). */
export function dateConstants(values: readonly string[]): number[] {
  return values.map(parseDate).filter((v): v is number => v !== undefined);
}
