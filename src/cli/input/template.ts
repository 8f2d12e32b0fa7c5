import * as path from 'path';
import { isMapping, Mapping } from './data';
import { expandForEach } from './for-each';
import { indexJsonValue, readJson } from './json';
import { LineIndex, Locator, SourcePosition } from './positions';
import { readYaml } from './yaml';

// From the text of a file to a template: JSON or YAML, Fn::ForEach expanded, checked to be a template at all.

/** Deepest nesting of mappings and sequences read (CloudFormation's own templates stay far below it). */
export const MAX_DEPTH = 100;
/** Most nodes YAML aliases may add when expanded: more is an alias bomb, not a template. */
export const MAX_ALIAS_NODES = 100_000;
/** Most nodes Fn::ForEach loops may copy; a loop past it is left as it is. */
export const MAX_FOR_EACH_NODES = 1_000_000;

/** A template and how to find positions in its text. */
export interface ParsedTemplate {
  readonly template: Mapping;
  readonly locator: Locator;
}

/** What is wrong with a text, and where. */
export interface TextProblem {
  readonly position?: SourcePosition;
  readonly message: string;
}

/** A document read, with positions. */
export interface ParsedDocument {
  readonly value: unknown;
  readonly locator: Locator;
  /** The document has `Fn::ForEach::` keys. */
  readonly forEach: boolean;
}

/** Parse a document (JSON, or YAML with CloudFormation's tags), with positions; never throws for any text. */
export function parseDocument(file: string, text: string): ({ ok: true } & ParsedDocument) | ({ ok: false } & TextProblem) {
  const lines = new LineIndex(text);
  const json = isJson(file, text);
  const read = json ? readJson(text, MAX_DEPTH) : readYaml(text, { maxDepth: MAX_DEPTH, maxAliasNodes: MAX_ALIAS_NODES });
  if (!read.ok) return { ok: false, position: lines.position(read.offset), message: read.message };
  const locator = new Locator(read.positions, lines, json ? (node) => indexJsonValue(text, node) : undefined);
  return { ok: true, value: read.value, locator, forEach: read.forEach };
}

/** Parse a template file's text. */
export function parseTemplate(file: string, text: string): ({ ok: true } & ParsedTemplate) | ({ ok: false } & TextProblem) {
  const document = parseDocument(file, text);
  if (!document.ok) return document;
  const { value: template, locator } = document;
  if (!isMapping(template)) return { ok: false, message: 'not a CloudFormation template: the document is not a mapping' };
  if (document.forEach) expandForEach(template, locator.aliases, MAX_FOR_EACH_NODES);
  const resources = template.Resources;
  if (!isMapping(resources)) {
    return {
      ok: false,
      position: locator.locate(['Resources']),
      message: `not a CloudFormation template: ${resources === undefined ? 'no Resources section' : 'Resources is not a mapping'}`,
    };
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (logicalId.startsWith('Fn::ForEach::')) continue; // a loop that could not be expanded: the checker reports it
    const type = isMapping(resource) ? resource.Type : undefined;
    if (typeof type !== 'string') {
      return {
        ok: false,
        position: locator.locate(['Resources', logicalId]),
        message: `not a CloudFormation template: resource ${quote(logicalId)} ${type === undefined ? 'has no Type' : 'has a Type that is not a string'}`,
      };
    }
  }
  return { ok: true, template, locator };
}

/** JSON by its extension, else by its first character; YAML otherwise. */
function isJson(file: string, text: string): boolean {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') return true;
  if (extension === '.yaml' || extension === '.yml') return false;
  return /^\s*[{[]/.test(text);
}

/** A name from the input, quoted, on one line and of bounded length. */
export function quote(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}
