import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validationError } from '../errors';

// Type and range checks for props, shared by every construct of the library. Python, Java and .NET users (through
// jsii) and plain-JavaScript users can pass any value; each check ends in a ValidationError that names the prop and
// the fix, never a TypeError from deeper down. Not part of the public API.

/** Where a prop was given: the construct to attach the error to, and how to name it in messages. */
export interface PropSite {
  /** `undefined` in static factories, which have no construct. */
  readonly scope: IConstruct | undefined;
  /** e.g. `EncryptedBucket 'Data'`. */
  readonly where: string;
}

/** A value as a message shows it: its type and, for primitives, the value. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${value.length} items)`;
  switch (typeof value) {
    case 'string': return Token.isUnresolved(value) ? 'an unresolved token' : `the string '${value.length > 60 ? value.slice(0, 57) + '...' : value}'`;
    case 'number': return Token.isUnresolved(value) ? 'an unresolved token' : `the number ${value}`;
    case 'boolean': return `${value}`;
    case 'undefined': return 'undefined';
    case 'function': return 'a function';
    default: return `a ${(value as object).constructor?.name ?? 'object'}`;
  }
}

function wrongType(site: PropSite, prop: string, expected: string, value: unknown, fix?: string): Error {
  return validationError(site.scope, 'InvalidPropType',
    `${prop} on ${site.where} must be ${expected}, but got ${describeValue(value)}. ${fix ?? `Pass ${expected}, or remove the prop.`}`);
}

/**
 * The props object itself: `undefined` is no props; `null`, arrays and primitives are refused.
 */
export function checkPropsObject<T>(site: PropSite, props: T | undefined, required = false): T {
  if (props === undefined && !required) return {} as T;
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw validationError(site.scope, 'InvalidProps',
      `The props of ${site.where} must be an object, but got ${describeValue(props)}. ` +
      (required ? 'Pass an object with the required props.' : 'Pass an object, or nothing for the defaults.'));
  }
  return props;
}

/** A boolean or nothing; truthy values such as `1` or `'true'` are refused, never taken as `true`. */
export function checkBoolean(site: PropSite, prop: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw wrongType(site, prop, 'true or false', value);
}

/** A string (a token is fine) or nothing. */
export function checkString(site: PropSite, prop: string, value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw wrongType(site, prop, 'a string', value);
}

/** Range of a number. */
export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  /** `min` itself is not allowed. */
  readonly minExclusive?: boolean;
  readonly integer?: boolean;
  /** The only values allowed. */
  readonly allowed?: readonly number[];
  /** What to pass, for the message, e.g. `1.2 (the default) or 1.3`. */
  readonly hint: string;
}

/**
 * A concrete number within range, or nothing. A token (e.g. from a `CfnParameter`) is refused: the value decides
 * what synthesis writes and checks, so it must be known at synthesis.
 */
export function checkNumber(site: PropSite, prop: string, value: unknown, range: NumberRange): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw wrongType(site, prop, `a number: ${range.hint}`, value);
  if (Token.isUnresolved(value)) {
    throw validationError(site.scope, 'ConcreteValueRequired',
      `${prop} on ${site.where} is a token (e.g. a CfnParameter or a value known only at deployment), but it must be a ` +
      `concrete value at synthesis, because the construct checks it and writes policies from it. Pass ${range.hint}.`);
  }
  const bad = Number.isNaN(value) || !Number.isFinite(value)
    || (range.integer === true && !Number.isInteger(value))
    || (range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min))
    || (range.max !== undefined && value > range.max)
    || (range.allowed !== undefined && !range.allowed.includes(value));
  if (bad) {
    throw validationError(site.scope, 'PropOutOfRange', `${prop} ${value} is not allowed on ${site.where}: pass ${range.hint}.`);
  }
  return value;
}

/** One of the values of a string enum, or nothing. `enumName` names it in the fix, e.g. `UploadHeaderRule`. */
export function checkEnum<T>(site: PropSite, prop: string, value: unknown, values: readonly T[], enumName: string): T | undefined {
  if (value === undefined) return undefined;
  if (!values.includes(value as T)) {
    throw validationError(site.scope, 'UnknownEnumValue',
      `${prop} on ${site.where} must be a value of ${enumName}, but got ${describeValue(value)}. ` +
      `Pass one of ${enumName}'s members (${values.map((v) => `'${v}'`).join(', ')}), or remove the prop.`);
  }
  return value as T;
}

/**
 * An array, or nothing; `each` checks every item (a `null` or non-object item is refused with the index).
 */
export function checkArray<T>(site: PropSite, prop: string, value: unknown, each?: (item: unknown, itemProp: string) => void): T[] | undefined {
  if (value === undefined) return undefined;
  if (Token.isUnresolved(value)) return value as T[];
  if (!Array.isArray(value)) throw wrongType(site, prop, 'an array', value);
  value.forEach((item, i) => {
    if (each) each(item, `${prop}[${i}]`);
    else checkObject(site, `${prop}[${i}]`, item, 'an object', true);
  });
  return value as T[];
}

/** An array of strings (tokens are fine), or nothing. */
export function checkStringArray(site: PropSite, prop: string, value: unknown): string[] | undefined {
  return checkArray<string>(site, prop, value, (item, itemProp) => {
    if (typeof item !== 'string') throw wrongType(site, itemProp, 'a string', item);
  });
}

/**
 * An object (optionally one with the given members), or nothing. `expected` names it, e.g. `a kms.IKey`.
 */
export function checkObject(site: PropSite, prop: string, value: unknown, expected: string, required = false,
  members: readonly string[] = []): void {
  if (value === undefined && !required) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)
    || members.some((member) => !(member in (value as object)))) {
    throw wrongType(site, prop, expected, value);
  }
}

/** A `Duration`, or nothing. */
export function checkDuration(site: PropSite, prop: string, value: unknown): Duration | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || typeof (value as Duration).toDays !== 'function'
    || typeof (value as Duration).toMilliseconds !== 'function') {
    throw wrongType(site, prop, 'a Duration (e.g. Duration.days(365))', value);
  }
  return value as Duration;
}

/**
 * An alias name for a key the construct creates (with or without `alias/`), or nothing: 1 to 256 characters of
 * letters, digits, `/`, `_` and `-` in all, not in the `alias/aws/` namespace that AWS reserves.
 */
export function checkKeyAlias(site: PropSite, prop: string, value: unknown): string | undefined {
  const alias = checkString(site, prop, value);
  if (alias === undefined || Token.isUnresolved(alias)) return alias;
  const name = alias.startsWith('alias/') ? alias : `alias/${alias}`;
  if (!/^alias\/[A-Za-z0-9/_-]+$/.test(name) || name.length > 256 || name.startsWith('alias/aws/')) {
    throw validationError(site.scope, 'InvalidKeyAlias',
      `${prop} '${alias}' on ${site.where} is not a KMS alias name: use letters, digits, '/', '_' and '-' (at most 256 ` +
      'characters with the alias/ prefix), not starting with aws/, which AWS reserves for its managed keys.');
  }
  return alias;
}
