// Turns the CloudFormation values of a synthesized resource (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
// `Fn::ImportValue`, pseudo parameters) into concrete strings, so that a policy can be handed to the evaluator.
//
// Names that are only known at deployment get stable placeholders: a bucket without `BucketName` is named after
// its stack and logical ID, an environment-agnostic stack has a placeholder account and Region. Every reference
// to the same resource resolves to the same placeholder, so a policy that names a bucket by `Ref`, by
// `Fn::GetAtt`, through an export of another stack or by a name built with `Fn::Join` names the same bucket.
//
// A parameter without a default is a symbol, `⟨Name⟩`: the same string wherever the parameter is used, so a bucket
// named `!Ref Name` and a policy on `arn:aws:s3:::${Name}/*` name the same bucket, and distinct from every literal a
// template can hold. `Fn::If` resolves to the branch its condition picks (the host decides conditions, see
// AppModel's scenarios), or to the common value when both branches are equal.
//
// What cannot be made concrete (an unknown attribute, `Fn::FindInMap`, ...) is left as the intrinsic it was: the
// evaluator treats such a value as unsupported instead of guessing.

/** Account of an environment-agnostic stack: the deployment account, the same for every such stack. */
export const PLACEHOLDER_ACCOUNT = '000000000000';

/** Region of an environment-agnostic stack. */
export const PLACEHOLDER_REGION = 'deployment-region';

/** A resolved value; objects with a single `Ref`/`Fn::` key are intrinsics that could not be resolved. */
export type CfnValue = unknown;

/** Where a value is resolved: the stack it belongs to, as the model knows it. */
export interface ValueScope {
  /** Account of the stack (concrete or {@link PLACEHOLDER_ACCOUNT}). */
  readonly account: string;
  /** Region of the stack (concrete or {@link PLACEHOLDER_REGION}). */
  readonly region: string;
  /** Partition derived from the Region. */
  readonly partition: string;
  /** Stack name, for `AWS::StackName`. */
  readonly stackName: string;
}

/** What the resolver needs from the app: the resources, parameters and exports it can look up. */
export interface ValueHost {
  /** `Ref` of a logical ID in the scope's stack (or, before synthesis, in another stack), or undefined. */
  ref(scope: ValueScope, logicalId: string, depth: number): CfnValue | undefined;
  /** `Fn::GetAtt` of a logical ID, or undefined. */
  getAtt(scope: ValueScope, logicalId: string, attribute: string, depth: number): CfnValue | undefined;
  /** The value a stack of the app exports under `name`, resolved in its stack, or undefined. */
  importValue(name: string, depth: number): CfnValue | undefined;
  /** The value of a template condition of the scope's stack, or undefined when it is not known. */
  condition?(scope: ValueScope, name: string, depth: number): boolean | undefined;
}

/** The symbol that stands for the value of a parameter without a default. */
export function parameterSymbol(name: string): string {
  return `\u27e8${name}\u27e9`;
}

/** Whether a resolved string holds a parameter symbol (its value is chosen at deployment). */
export function hasSymbol(value: unknown): boolean {
  return typeof value === 'string' && /\u27e8[^\u27e9]*\u27e9/.test(value);
}

/** Marks `AWS::NoValue`, removed from the lists and objects that contain it. */
const NO_VALUE = Symbol('AWS::NoValue');

/** Deeper than this, a chain of references is taken for a cycle and left unresolved. */
const MAX_DEPTH = 40;

/** The partition of a Region. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/** Whether a resolved value is concrete all the way down (no intrinsic left). */
export function isConcrete(value: CfnValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(isConcrete);
  if (isIntrinsic(value)) return false;
  return Object.values(value as Record<string, unknown>).every(isConcrete);
}

/** A resolved value as a string, or undefined when it is not a concrete string (or number). */
export function concreteString(value: CfnValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** Whether an object is a CloudFormation intrinsic (`{ Ref }` or `{ "Fn::...": ... }`). */
export function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

/**
 * Resolve a value of a stack's template (as `Stack.resolve` renders it) to concrete JSON, as far as possible.
 */
export function resolveValue(value: CfnValue, scope: ValueScope, host: ValueHost, depth: number = 0): CfnValue {
  const result = resolveInner(value, scope, host, depth);
  return result === NO_VALUE ? undefined : result;
}

function resolveInner(value: CfnValue, scope: ValueScope, host: ValueHost, depth: number): CfnValue | typeof NO_VALUE {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    return value.map((v) => resolveInner(v, scope, host, depth)).filter((v) => v !== NO_VALUE);
  }
  const record = value as Record<string, unknown>;
  if (isIntrinsic(record)) {
    const [fn] = Object.keys(record);
    return intrinsic(fn, record[fn], record, scope, host, depth);
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record)) {
    const r = resolveInner(record[k], scope, host, depth);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

function intrinsic(
  fn: string, arg: unknown, original: Record<string, unknown>, scope: ValueScope, host: ValueHost, depth: number,
): CfnValue | typeof NO_VALUE {
  const next = depth + 1;
  switch (fn) {
    case 'Ref': {
      if (typeof arg !== 'string') return original;
      if (arg === 'AWS::NoValue') return NO_VALUE;
      const pseudo = pseudoParameter(arg, scope);
      if (pseudo !== undefined) return pseudo;
      return host.ref(scope, arg, next) ?? original;
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(arg) ? arg : typeof arg === 'string' ? splitOnce(arg, '.') : [];
      const attr = resolveInner(attribute, scope, host, next);
      if (typeof logicalId !== 'string' || typeof attr !== 'string') return original;
      return host.getAtt(scope, logicalId, attr, next) ?? original;
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return original;
      const parts = resolveInner(arg[1], scope, host, next);
      if (!Array.isArray(parts) || !parts.every((p) => typeof p === 'string' || typeof p === 'number')) {
        return { 'Fn::Join': [arg[0], parts] };
      }
      return parts.join(arg[0]);
    }
    case 'Fn::Sub':
      return sub(arg, original, scope, host, next);
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) return original;
      const index = Number(resolveInner(arg[0], scope, host, next));
      const list = resolveInner(arg[1], scope, host, next);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) return original;
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string') return original;
      const source = resolveInner(arg[1], scope, host, next);
      return typeof source === 'string' ? source.split(arg[0]) : original;
    }
    case 'Fn::ImportValue': {
      const name = resolveInner(arg, scope, host, next);
      if (typeof name !== 'string') return original;
      return host.importValue(name, next) ?? { 'Fn::ImportValue': name };
    }
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') return original;
      const truth = host.condition?.(scope, arg[0], next);
      if (truth !== undefined) return resolveInner(arg[truth ? 1 : 2], scope, host, next);
      const whenTrue = resolveInner(arg[1], scope, host, next);
      const whenFalse = resolveInner(arg[2], scope, host, next);
      if (whenTrue === NO_VALUE || whenFalse === NO_VALUE) return whenTrue === whenFalse ? NO_VALUE : original;
      // Both branches alike: the condition does not matter.
      return JSON.stringify(whenTrue) === JSON.stringify(whenFalse) ? whenTrue : { 'Fn::If': [arg[0], whenTrue, whenFalse] };
    }
    default:
      // Fn::FindInMap, Fn::GetAZs, Fn::Base64, Condition, ...: left as they are.
      return original;
  }
}

function splitOnce(text: string, separator: string): [string, string] | [] {
  const i = text.indexOf(separator);
  return i < 0 ? [] : [text.slice(0, i), text.slice(i + 1)];
}

function pseudoParameter(name: string, scope: ValueScope): string | undefined {
  switch (name) {
    case 'AWS::AccountId': return scope.account;
    case 'AWS::Region': return scope.region;
    case 'AWS::Partition': return scope.partition;
    case 'AWS::URLSuffix': return scope.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::StackName': return scope.stackName;
    case 'AWS::StackId':
      return `arn:${scope.partition}:cloudformation:${scope.region}:${scope.account}:stack/${scope.stackName}/placeholder`;
    default: return undefined;
  }
}

function sub(arg: unknown, original: Record<string, unknown>, scope: ValueScope, host: ValueHost, depth: number): CfnValue {
  const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
  if (typeof text !== 'string' || variables === null || typeof variables !== 'object') return original;
  let unresolved = false;
  const result = text.replace(/\$\{([^}]*)\}/g, (match, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    let value: CfnValue;
    if (Object.prototype.hasOwnProperty.call(variables, name)) {
      value = resolveInner((variables as Record<string, unknown>)[name], scope, host, depth);
    } else if (name.includes('.') && !name.startsWith('AWS::')) {
      const [logicalId, attribute] = splitOnce(name, '.') as [string, string];
      value = host.getAtt(scope, logicalId, attribute, depth);
    } else {
      value = pseudoParameter(name, scope) ?? host.ref(scope, name, depth);
    }
    const s = concreteString(value);
    if (s === undefined) {
      unresolved = true;
      return match;
    }
    return s;
  });
  return unresolved ? { 'Fn::Sub': result } : result;
}

/**
 * The truth of a condition expression (`Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `Condition`), or undefined when
 * it depends on a value chosen at deployment. `atom` decides an `Fn::Equals` whose operands are not both concrete
 * (the key is the resolved operands as JSON); it may return undefined too.
 */
export function evaluateCondition(
  expression: unknown, scope: ValueScope, host: ValueHost, atom: (key: string) => boolean | undefined, depth = 0,
): boolean | undefined {
  if (depth > MAX_DEPTH || expression === null || typeof expression !== 'object' || Array.isArray(expression)) return undefined;
  const [fn] = Object.keys(expression);
  const arg = (expression as Record<string, unknown>)[fn];
  const list = Array.isArray(arg) ? arg : [];
  switch (fn) {
    case 'Condition': return typeof arg === 'string' ? host.condition?.(scope, arg, depth + 1) : undefined;
    case 'Fn::Not': return not3(evaluateCondition(list[0], scope, host, atom, depth + 1));
    case 'Fn::And': return and3(list.map((e) => evaluateCondition(e, scope, host, atom, depth + 1)));
    case 'Fn::Or': return not3(and3(list.map((e) => not3(evaluateCondition(e, scope, host, atom, depth + 1)))));
    case 'Fn::Equals': {
      if (list.length !== 2) return undefined;
      const [a, b] = list.map((v) => resolveValue(v, scope, host, depth + 1));
      const sa = concreteString(a);
      const sb = concreteString(b);
      if (sa !== undefined && sb !== undefined && !hasSymbol(sa) && !hasSymbol(sb)) return sa === sb;
      return atom(JSON.stringify([a, b]));
    }
    default: return undefined;
  }
}

function not3(value: boolean | undefined): boolean | undefined {
  return value === undefined ? undefined : !value;
}

function and3(values: Array<boolean | undefined>): boolean | undefined {
  if (values.some((v) => v === false)) return false;
  return values.every((v) => v === true) ? true : undefined;
}
