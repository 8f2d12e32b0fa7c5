/* eslint-disable no-bitwise */ // IP address arithmetic and subset masks are bit operations.
// A small, pure evaluator for IAM resource policies (bucket policies, key policies, resource control
// policies), written for the rule pack: it answers "does this policy explicitly deny, allow or not
// decide this request?" for a canonical request. No dependencies beyond the language.
//
// Supported:
// - `Statement` as one object or an array; `Effect` `Allow`/`Deny`; `Sid` (used in explanations).
// - `Action` / `NotAction`: `*`, `service:Name` with `*` and `?` wildcards, case-insensitive.
// - `Resource` / `NotResource`: `*` and six-part ARNs with `*` and `?` wildcards. Each of the partition,
//   service, Region and account parts is matched on its own (case-insensitively); the resource part is
//   matched as a whole (case-sensitively; `*` spans `/` and `:`).
// - `Principal` / `NotPrincipal`: `"*"`, `{ AWS: "*" }` (both are "all principals", service principals
//   included: an assumption, AWS documents both as "all principals" and says some services treat them
//   differently, without saying how), account ids and account root ARNs, IAM role and user ARNs (a role ARN also matches the
//   role's `assumed-role` sessions), `{ Service: ... }`, `{ Federated: ... }` (never matches the request
//   principals this evaluator takes). `NotPrincipal` with Deny exempts a principal only if it names every
//   identity AWS may check (account, role or user, session); see `matchNotPrincipal`.
// - `Condition` with any number of operators, keys and values: keys are case-insensitive; several keys
//   or operators are ANDed, several values ORed (for a negated operator: the key matches none of them).
//   Operators: `String{Equals,NotEquals,EqualsIgnoreCase,NotEqualsIgnoreCase,Like,NotLike}`,
//   `Arn{Equals,NotEquals,Like,NotLike}` (Equals and Like both take wildcards, per part of the ARN),
//   `Bool`, `Null`, `Numeric{Equals,NotEquals,LessThan,LessThanEquals,GreaterThan,GreaterThanEquals}`,
//   `Date{...}` (ISO 8601 or epoch seconds), `IpAddress`/`NotIpAddress` (IPv4 and IPv6 addresses and blocks),
//   each with `...IfExists` (not `Null`), and the `ForAnyValue:` / `ForAllValues:` set prefixes.
//   Values may be JSON strings, numbers or booleans.
//   Missing keys: a positive operator is false, a negated operator (`...Not...`) is true, `...IfExists`
//   is true, `ForAllValues:` is true, `ForAnyValue:` is false, `Null` is what it asks.
//   A request value of the wrong type (not a number for `Numeric*`, not `true`/`false` for `Bool`, not
//   an ARN for `Arn*`) matches neither a positive nor a negated operator.
//
// Not supported (the statement's match becomes *uncertain*, see below): other operators (`BinaryEquals`,
// misspelt or wrongly cased names), policy variables
// (`${...}`) in resources and condition values, a set prefix together with `IfExists`, `Null` with a
// set prefix or `IfExists`, a single-valued operator on a multivalued request value, empty value lists,
// malformed policy values (a `Numeric*` value that is not a number, a `Bool`/`Null` value that is not
// `true`/`false`, an `Arn*` value or resource that is not a six-part ARN), `CanonicalUser` principals,
// principal ARNs with partial wildcards, wildcards in service principals, `NotPrincipal` with Allow, a
// `NotPrincipal` that names only part of the request principal's chain (e.g. the role but not its
// account), and any value that is not a string, number or boolean (such as an unresolved CloudFormation
// intrinsic: resolve the template first).
//
// Uncertainty: a statement whose Action, Resource and Principal match and whose supported conditions
// are all true, but which has an unsupported part, is *uncertain*. The evaluator does not guess: it
// throws `UnsupportedPolicyFeature` when an uncertain statement could change the decision (an uncertain
// Deny unless another Deny matches for certain; an uncertain Allow unless the request is denied or
// another Allow matches for certain). A statement that is certainly excluded by its Action, Resource,
// Principal or by a supported condition that is false never makes the result uncertain. A malformed
// policy (no `Statement`, an `Effect` other than `Allow`/`Deny`, both or none of `Action`/`NotAction`,
// `Resource`/`NotResource`, `Principal`/`NotPrincipal`) always throws.
//
// Principals in the same account: an Allow that names only the principal's *account* (`"111111111111"`
// or `arn:aws:iam::111111111111:root`) delegates the decision to the principal's identity policies; it
// does not allow on its own. The evaluator reports such statements in `accountDelegations` and decides
// `implicitDeny` when nothing else allows. A Deny that names the account applies to every principal of
// the account (an explicit deny).
//
// Requests are concrete: the resource is an ARN (no wildcards), the principal an IAM ARN (role, user,
// `assumed-role` session, account root) or an AWS service principal.
//
// Checked against an independent simulator (@cloud-copilot/iam-simulate) on random S3 bucket policies:
// test/nag/evaluator.differential.test.ts.

/** A condition value as it appears in policy JSON. */
export type ConditionValue = string | number | boolean;

/** The `Condition` block of a statement: operator → key → value(s). */
export type ConditionBlock = Record<string, Record<string, ConditionValue | ConditionValue[]>>;

/** A `Principal` or `NotPrincipal` element. */
export type PrincipalElement = '*' | Record<string, string | string[]>;

/** One statement of a policy document (already-resolved JSON). */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny' | string;
  readonly Principal?: PrincipalElement;
  readonly NotPrincipal?: PrincipalElement;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: ConditionBlock;
}

/** A policy document (already-resolved JSON). */
export interface PolicyDocumentJson {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatementJson | PolicyStatementJson[];
}

/** Values of the request context, by condition key (keys are case-insensitive). Undefined means absent. */
export type RequestContext = Record<string, string | string[] | undefined>;

/** An AWS service principal making a request, e.g. `{ service: 'cloudtrail.amazonaws.com' }`. */
export interface ServicePrincipalRef {
  readonly service: string;
}

/** An unsigned (anonymous) request: only `Principal` `*` (or `{"AWS":"*"}`) names it. */
export interface AnonymousPrincipalRef {
  readonly anonymous: true;
}

/** Who makes a request: an IAM principal ARN, an AWS service principal, or nobody (anonymous). */
export type RequestPrincipal = string | ServicePrincipalRef | AnonymousPrincipalRef;

/** The anonymous principal. */
export const ANONYMOUS: AnonymousPrincipalRef = { anonymous: true };

/** How a request principal reads in a message. */
export function describePrincipal(principal: RequestPrincipal): string {
  if (typeof principal === 'string') return principal;
  return 'service' in principal ? principal.service : 'an anonymous caller';
}

/** The request a policy is evaluated against. */
export interface PolicyRequest {
  /** An IAM principal ARN (role, user, `assumed-role` session, account root), a service principal or anonymous. */
  readonly principal: RequestPrincipal;
  /** `service:Action`, e.g. `s3:PutObject`. */
  readonly action: string;
  /** The resource ARN, e.g. `arn:aws:s3:::my-bucket/key`. */
  readonly resource: string;
  /** The request context: condition key → value. */
  readonly context: RequestContext;
}

/** What a resource policy says about a request. */
export type PolicyDecision = 'explicitDeny' | 'allow' | 'implicitDeny';

/** The result of evaluating a policy against a request. */
export interface PolicyEvaluation {
  /**
   * `explicitDeny` when a Deny statement applies; otherwise `allow` when an Allow statement names the
   * principal (or all principals); otherwise `implicitDeny`.
   */
  readonly decision: PolicyDecision;
  /**
   * Ids of the statements that decided (the `Sid`, or `#<index>` for a statement without one): the
   * applying Deny statements for `explicitDeny`, the applying Allow statements for `allow`, none for
   * `implicitDeny`.
   */
  readonly statementIds: string[];
  /**
   * Ids of applying Allow statements that name only the principal's account: they allow only if the
   * principal's identity policies allow too. Empty for `explicitDeny`.
   */
  readonly accountDelegations: string[];
}

/**
 * Thrown when the evaluator meets a policy feature it does not support and the feature could change the
 * answer. The statement's match is uncertain: treat the request as undecided, never as allowed or denied.
 */
export class UnsupportedPolicyFeature extends Error {
  /** The feature that is not supported, e.g. `condition operator DateGreaterThan`. */
  public readonly feature: string;
  /** Id of the statement (`Sid` or `#<index>`), when known. */
  public readonly statementId?: string;

  constructor(feature: string, statementId?: string) {
    super(`Unsupported policy feature${statementId ? ` in statement ${statementId}` : ''}: ${feature}`);
    this.name = 'UnsupportedPolicyFeature';
    this.feature = feature;
    this.statementId = statementId;
  }
}

/**
 * Evaluate a resource policy against a request.
 *
 * @throws UnsupportedPolicyFeature when the answer depends on a feature the evaluator does not support,
 * or when the policy is malformed.
 */
export function evaluatePolicy(policy: PolicyDocumentJson, request: PolicyRequest): PolicyEvaluation {
  const analyses = analyseStatements(policy, request, () => true);

  const certainDenies = analyses.filter(a => a.effect === 'Deny' && a.match === true);
  if (certainDenies.length > 0) {
    return { decision: 'explicitDeny', statementIds: certainDenies.map(a => a.id), accountDelegations: [] };
  }
  throwIfUncertain(analyses.filter(a => a.effect === 'Deny'));

  const allows = analyses.filter(a => a.effect === 'Allow');
  const accountDelegations = allows.filter(a => a.match === true && a.principal === 'account').map(a => a.id);
  const certainAllows = allows.filter(a => a.match === true && a.principal === 'principal');
  if (certainAllows.length > 0) {
    return { decision: 'allow', statementIds: certainAllows.map(a => a.id), accountDelegations };
  }
  throwIfUncertain(allows);
  return { decision: 'implicitDeny', statementIds: [], accountDelegations };
}

/** Which Deny statements of a policy apply to a request. */
export interface DenyEvaluation {
  /** Whether a Deny statement of the policy applies to the request. */
  readonly denied: boolean;
  /** Ids of the applying Deny statements (`Sid` or `#<index>`). */
  readonly statementIds: string[];
}

/**
 * Decide whether the Deny statements of a policy explicitly deny a request. Allow statements are not
 * looked at (so unsupported features in them do not matter).
 *
 * @throws UnsupportedPolicyFeature when no Deny applies for certain but one might.
 */
export function evaluateDenies(policy: PolicyDocumentJson, request: PolicyRequest): DenyEvaluation {
  const denies = analyseStatements(policy, request, effect => effect === 'Deny');
  const certain = denies.filter(a => a.match === true);
  if (certain.length > 0) {
    return { denied: true, statementIds: certain.map(a => a.id) };
  }
  throwIfUncertain(denies);
  return { denied: false, statementIds: [] };
}

/** Shorthand for `evaluateDenies(policy, request).denied`. */
export function isExplicitlyDenied(policy: PolicyDocumentJson, request: PolicyRequest): boolean {
  return evaluateDenies(policy, request).denied;
}

// ---------------------------------------------------------------------------------------------------
// Statements, part by part (for the decision procedure in decide.ts)

/**
 * One conjunct of a statement's match: its Action, Resource or Principal element, or one key of one condition
 * operator. A statement applies to a request when every part matches.
 */
export type StatementPart =
  | { readonly kind: 'action' }
  | { readonly kind: 'resource' }
  | { readonly kind: 'principal' }
  | { readonly kind: 'condition'; readonly operator: string; readonly key: string; readonly value: unknown };

/** A statement split into its parts. */
export interface CompiledStatement {
  /** `Sid`, or `#<index>`. */
  readonly id: string;
  readonly effect: 'Allow' | 'Deny';
  readonly statement: PolicyStatementJson;
  readonly parts: readonly StatementPart[];
}

/** How a part matches a request: `true`, `false`, `'account'` (a principal named only by its account), or uncertain. */
export type PartMatch = boolean | 'account' | { readonly uncertain: string };

/**
 * Split every statement of a policy into the parts its match is the conjunction of.
 *
 * @throws UnsupportedPolicyFeature when the policy is malformed (as `evaluatePolicy` would).
 */
export function compileStatements(policy: PolicyDocumentJson): CompiledStatement[] {
  if (policy === null || typeof policy !== 'object' || !('Statement' in policy)) {
    throw new UnsupportedPolicyFeature('policy document without Statement');
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  return statements.map((statement, index) => {
    const { id, effect } = statementHeader(statement, index);
    oneOf(statement, id, 'Action', 'NotAction');
    oneOf(statement, id, 'Resource', 'NotResource');
    if ((statement.Principal === undefined) === (statement.NotPrincipal === undefined)) {
      throw new UnsupportedPolicyFeature('statement needs exactly one of Principal and NotPrincipal', id);
    }
    const parts: StatementPart[] = [{ kind: 'action' }, { kind: 'resource' }, { kind: 'principal' }];
    const condition = statement.Condition;
    if (condition !== undefined) {
      if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
        throw new UnsupportedPolicyFeature(`Condition ${JSON.stringify(condition)}`, id);
      }
      for (const [operator, keys] of Object.entries(condition)) {
        if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
          throw new UnsupportedPolicyFeature(`condition ${operator} is not a key → value map`, id);
        }
        for (const [key, value] of Object.entries(keys)) parts.push({ kind: 'condition', operator, key, value });
      }
    }
    return { id, effect, statement, parts };
  });
}

/** A statement's id (`Sid`, or `#<index>`) and effect, or the reason it is malformed. */
function statementHeader(statement: PolicyStatementJson, index: number): { id: string; effect: 'Allow' | 'Deny' } {
  if (statement === null || typeof statement !== 'object') {
    throw new UnsupportedPolicyFeature('statement is not an object', `#${index}`);
  }
  const id = typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `#${index}`;
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    throw new UnsupportedPolicyFeature(`Effect ${JSON.stringify(effect)}`, id);
  }
  return { id, effect };
}

/** The request context with lower-case keys and absent values removed, as `matchPart` takes it. */
export function normaliseRequestContext(context: RequestContext): ReadonlyMap<string, string | string[]> {
  return normaliseContext(context);
}

/** Whether one part of a compiled statement matches a request (context normalised with `normaliseRequestContext`). */
export function matchPart(
  compiled: CompiledStatement, part: StatementPart, request: PolicyRequest, context: ReadonlyMap<string, string | string[]>,
): PartMatch {
  let result: Tri | PrincipalMatch;
  switch (part.kind) {
    case 'action':
      result = matchActions(compiled.statement, compiled.id, request.action);
      break;
    case 'resource':
      result = matchResources(compiled.statement, compiled.id, request.resource);
      break;
    case 'principal': {
      const principal = matchPrincipals(compiled.statement, compiled.id, compiled.effect, request.principal);
      return principal instanceof Uncertain ? { uncertain: principal.feature }
        : principal === 'none' ? false : principal === 'account' ? 'account' : true;
    }
    case 'condition': {
      const parsed = parseOperator(part.operator);
      result = parsed instanceof Uncertain ? parsed
        : evaluateCondition(part.operator, parsed, part.value, context.get(part.key.toLowerCase()));
      break;
    }
  }
  return result instanceof Uncertain ? { uncertain: result.feature } : result === true;
}

// ---------------------------------------------------------------------------------------------------
// Statements

/** Three-valued truth: `true`, `false`, or an `Uncertain` naming the unsupported feature. */
type Tri = boolean | Uncertain;

class Uncertain {
  constructor(readonly feature: string) {}
}

interface StatementAnalysis {
  readonly id: string;
  readonly effect: 'Allow' | 'Deny';
  /** Whether the statement applies to the request. */
  readonly match: Tri;
  /** How the principal matched: by name (or wildcard) or only by account. */
  readonly principal: 'principal' | 'account';
}

function throwIfUncertain(analyses: StatementAnalysis[]): void {
  for (const a of analyses) {
    if (a.match instanceof Uncertain) {
      throw new UnsupportedPolicyFeature(a.match.feature, a.id);
    }
  }
}

function analyseStatements(
  policy: PolicyDocumentJson,
  request: PolicyRequest,
  include: (effect: 'Allow' | 'Deny') => boolean,
): StatementAnalysis[] {
  if (policy === null || typeof policy !== 'object' || !('Statement' in policy)) {
    throw new UnsupportedPolicyFeature('policy document without Statement');
  }
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const context = normaliseContext(request.context);
  const result: StatementAnalysis[] = [];
  statements.forEach((statement, index) => {
    const { id, effect } = statementHeader(statement, index);
    if (!include(effect)) {
      return;
    }
    result.push(analyseStatement(statement, id, effect, request, context));
  });
  return result;
}

function analyseStatement(
  statement: PolicyStatementJson,
  id: string,
  effect: 'Allow' | 'Deny',
  request: PolicyRequest,
  context: ReadonlyMap<string, string | string[]>,
): StatementAnalysis {
  const action = matchActions(statement, id, request.action);
  const resource = matchResources(statement, id, request.resource);
  const principal = matchPrincipals(statement, id, effect, request.principal);
  const condition = matchConditions(statement.Condition, id, context);
  // A certain "no" anywhere excludes the statement, whatever else is uncertain.
  if (principal === 'none') {
    return { id, effect, match: false, principal: 'principal' };
  }
  const match = and([action, resource, principal instanceof Uncertain ? principal : true, condition]);
  return { id, effect, match, principal: principal === 'account' ? 'account' : 'principal' };
}

function and(values: Tri[]): Tri {
  if (values.some(v => v === false)) {
    return false;
  }
  return values.find(v => v instanceof Uncertain) ?? true;
}

function or(values: Tri[]): Tri {
  if (values.some(v => v === true)) {
    return true;
  }
  return values.find(v => v instanceof Uncertain) ?? false;
}

function not(value: Tri): Tri {
  return value instanceof Uncertain ? value : !value;
}

/** Exactly one of two elements, as a list of strings. */
function oneOf(
  statement: PolicyStatementJson,
  id: string,
  positive: 'Action' | 'Resource',
  negative: 'NotAction' | 'NotResource',
): { values: unknown[]; negated: boolean } {
  const p = statement[positive];
  const n = statement[negative];
  if ((p === undefined) === (n === undefined)) {
    throw new UnsupportedPolicyFeature(`statement needs exactly one of ${positive} and ${negative}`, id);
  }
  const value = p ?? n;
  return { values: Array.isArray(value) ? value : [value], negated: p === undefined };
}

// ---------------------------------------------------------------------------------------------------
// Action

function matchActions(statement: PolicyStatementJson, id: string, action: string): Tri {
  const { values, negated } = oneOf(statement, id, 'Action', 'NotAction');
  const any = or(values.map(v => actionMatches(v, action)));
  return negated ? not(any) : any;
}

function actionMatches(pattern: unknown, action: string): Tri {
  if (typeof pattern !== 'string') {
    return new Uncertain(`action ${JSON.stringify(pattern)} is not a string`);
  }
  if (pattern === '*') {
    return true;
  }
  const colon = pattern.indexOf(':');
  const requestColon = action.indexOf(':');
  if (colon <= 0 || requestColon <= 0) {
    return new Uncertain(`action ${JSON.stringify(colon <= 0 ? pattern : action)} is not service:Name`);
  }
  if (pattern.slice(0, colon).toLowerCase() !== action.slice(0, requestColon).toLowerCase()) {
    return false;
  }
  return wildcardMatch(pattern.slice(colon + 1), action.slice(requestColon + 1), true);
}

// ---------------------------------------------------------------------------------------------------
// Resource

function matchResources(statement: PolicyStatementJson, id: string, resource: string): Tri {
  const { values, negated } = oneOf(statement, id, 'Resource', 'NotResource');
  const any = or(values.map(v => resourceMatches(v, resource)));
  return negated ? not(any) : any;
}

function resourceMatches(pattern: unknown, resource: string): Tri {
  if (typeof pattern !== 'string') {
    return new Uncertain(`resource ${JSON.stringify(pattern)} is not a string (unresolved intrinsic?)`);
  }
  if (pattern === '*') {
    return true;
  }
  if (pattern.includes('${')) {
    return new Uncertain(`policy variable in resource ${pattern}`);
  }
  const p = splitArn(pattern);
  if (!p) {
    return new Uncertain(`resource ${pattern} is not an ARN`);
  }
  const r = splitArn(resource);
  if (!r) {
    return new Uncertain(`request resource ${resource} is not an ARN`);
  }
  for (let i = 1; i < 5; i++) {
    if (!wildcardMatch(p[i], r[i], true)) {
      return false;
    }
  }
  return wildcardMatch(p[5], r[5], false);
}

/** Split an ARN into its six parts (the last may contain colons), or undefined if it is not one. */
function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return undefined;
  }
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ---------------------------------------------------------------------------------------------------
// Principal

/** How a principal element matches: by name or wildcard, only by account, not at all, or uncertain. */
type PrincipalMatch = 'principal' | 'account' | 'none' | Uncertain;

function matchPrincipals(
  statement: PolicyStatementJson,
  id: string,
  effect: 'Allow' | 'Deny',
  principal: RequestPrincipal,
): PrincipalMatch {
  const p = statement.Principal;
  const n = statement.NotPrincipal;
  if ((p === undefined) === (n === undefined)) {
    throw new UnsupportedPolicyFeature('statement needs exactly one of Principal and NotPrincipal', id);
  }
  const element = (p ?? n)!;
  const entries: Array<[string, unknown]> = [];
  if (element === '*') {
    entries.push(['AWS', '*']);
  } else if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
    for (const [type, values] of Object.entries(element)) {
      for (const value of Array.isArray(values) ? values : [values]) {
        entries.push([type, value]);
      }
    }
  } else {
    throw new UnsupportedPolicyFeature(`principal ${JSON.stringify(element)}`, id);
  }
  if (p === undefined) {
    return matchNotPrincipal(entries, effect, principal);
  }
  const matches = entries.map(([type, value]) => principalEntryMatches(type, value, principal));
  const uncertain = matches.find((m): m is Uncertain => m instanceof Uncertain);
  if (matches.includes('principal')) {
    return 'principal';
  }
  if (matches.includes('account') && (effect === 'Deny' || !uncertain)) {
    // For a Deny, naming the account is as good as naming the principal; for an Allow it is not, so an
    // uncertain entry that might name the principal keeps the match uncertain.
    return 'account';
  }
  return uncertain ?? 'none';
}

/**
 * `NotPrincipal` (IAM User Guide, "AWS JSON policy elements: NotPrincipal"): it must be used with Deny
 * ("Using it with Allow is not supported"), and AWS may validate each identity of the request in turn:
 * the account, then the user or role, then the assumed-role session. So a principal is exempt for certain
 * only if the list names every link of its chain (the docs' examples list the account root, the role and
 * the session); it is denied for certain if the list names none; if the list names only some links
 * ("the effect of the policy might be to explicitly deny access"), the match is uncertain.
 */
function matchNotPrincipal(
  entries: Array<[string, unknown]>,
  effect: 'Allow' | 'Deny',
  principal: RequestPrincipal,
): PrincipalMatch {
  if (effect === 'Allow') {
    return new Uncertain('NotPrincipal with Allow (AWS does not support it)');
  }
  const chain = principalChain(principal);
  if (chain instanceof Uncertain) {
    return chain;
  }
  const named = new Set<ChainLink>();
  for (const [type, value] of entries) {
    const links = chainLinksNamed(type, value, principal, chain);
    if (links instanceof Uncertain) {
      return links;
    }
    links.forEach(link => named.add(link));
  }
  if (chain.every(link => named.has(link))) {
    return 'none';
  }
  if (named.size === 0) {
    return 'principal';
  }
  return new Uncertain(`NotPrincipal names only part of ${describePrincipal(principal)}`
    + ` (${[...named].join(', ')} of ${chain.join(', ')}): AWS might deny`);
}

/** The identities AWS may check in turn for a request: account, user or role, assumed-role session. */
type ChainLink = 'account' | 'self' | 'role' | 'session' | 'service' | 'anonymous';

function principalChain(principal: RequestPrincipal): ChainLink[] | Uncertain {
  if (typeof principal !== 'string') {
    return 'service' in principal ? ['service'] : ['anonymous'];
  }
  const arn = splitArn(principal);
  if (!arn) {
    return new Uncertain(`request principal ${principal} is not an ARN`);
  }
  if (ACCOUNT_ROOT.test(principal)) {
    return ['account'];
  }
  if (arn[2] === 'sts' && arn[5].startsWith('assumed-role/')) {
    return ['account', 'role', 'session'];
  }
  return ['account', 'self'];
}

function chainLinksNamed(type: string, value: unknown, principal: RequestPrincipal, chain: ChainLink[]): ChainLink[] | Uncertain {
  if (type === 'AWS' && value === '*') {
    return chain;
  }
  const match = principalEntryMatches(type, value, principal);
  if (match instanceof Uncertain || match === 'none') {
    return match instanceof Uncertain ? match : [];
  }
  if (match === 'account') {
    return ['account'];
  }
  // Named by its own ARN, by the ARN of its role (for a session), or as a service.
  if (chain[0] === 'service' || chain[0] === 'anonymous') {
    return [chain[0]];
  }
  if (value === principal) {
    return [chain[chain.length - 1]];
  }
  return typeof principal === 'string' && ACCOUNT_ROOT.test(principal) ? ['account'] : ['role'];
}

function principalEntryMatches(type: string, value: unknown, principal: RequestPrincipal): PrincipalMatch {
  if (typeof value !== 'string') {
    return new Uncertain(`principal ${JSON.stringify(value)} is not a string (unresolved intrinsic?)`);
  }
  if (typeof principal !== 'string' && !('service' in principal)) {
    // Anonymous: only `*` names it.
    return type === 'AWS' && value === '*' ? 'principal' : 'none';
  }
  if (type === 'AWS') {
    if (value === '*') {
      return 'principal';
    }
    if (value.includes('*') || value.includes('?')) {
      return new Uncertain(`wildcard in principal ${value}`);
    }
    if (typeof principal !== 'string') {
      return 'none';
    }
    return awsPrincipalMatches(value, principal);
  }
  if (type === 'Service') {
    if (value.includes('*') || value.includes('?')) {
      return new Uncertain(`wildcard in service principal ${value}`);
    }
    return typeof principal !== 'string' && 'service' in principal && principal.service.toLowerCase() === value.toLowerCase()
      ? 'principal' : 'none';
  }
  if (type === 'Federated') {
    // The request principals this evaluator takes (IAM ARNs, service principals) are never federated
    // identity providers.
    return 'none';
  }
  return new Uncertain(`principal type ${type}`);
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT = /^arn:[a-z-]+:iam::(\d{12}):root$/;

function awsPrincipalMatches(value: string, principal: string): PrincipalMatch {
  if (value === principal) {
    return 'principal';
  }
  const requestArn = splitArn(principal);
  if (!requestArn) {
    return new Uncertain(`request principal ${principal} is not an ARN`);
  }
  const account = ACCOUNT_ID.test(value) ? value : ACCOUNT_ROOT.exec(value)?.[1];
  if (account !== undefined) {
    if (account !== requestArn[4]) {
      return 'none';
    }
    // The account's root user is the account itself.
    return ACCOUNT_ROOT.test(principal) ? 'principal' : 'account';
  }
  // A role ARN names every session of the role.
  const policyArn = splitArn(value);
  if (policyArn && policyArn[2] === 'iam' && policyArn[5].startsWith('role/')
    && requestArn[2] === 'sts' && requestArn[5].startsWith('assumed-role/')) {
    const roleName = policyArn[5].split('/').pop()!;
    const sessionRole = requestArn[5].split('/')[1];
    if (policyArn[1] === requestArn[1] && policyArn[4] === requestArn[4] && roleName.toLowerCase() === sessionRole?.toLowerCase()) {
      return 'principal';
    }
  }
  return 'none';
}

// ---------------------------------------------------------------------------------------------------
// Conditions

type ValueKind = 'string' | 'stringIgnoreCase' | 'stringLike' | 'arn' | 'bool' | 'numeric' | 'date' | 'ip';

interface BaseOperator {
  readonly kind: ValueKind;
  /** Numeric comparison of request value `r` with policy value `p`. */
  readonly compare?: (r: number, p: number) => boolean;
  /** A negated operator: true when the request value matches none of the policy values. */
  readonly negated: boolean;
}

const BASE_OPERATORS: Record<string, BaseOperator> = {
  StringEquals: { kind: 'string', negated: false },
  StringNotEquals: { kind: 'string', negated: true },
  StringEqualsIgnoreCase: { kind: 'stringIgnoreCase', negated: false },
  StringNotEqualsIgnoreCase: { kind: 'stringIgnoreCase', negated: true },
  StringLike: { kind: 'stringLike', negated: false },
  StringNotLike: { kind: 'stringLike', negated: true },
  ArnEquals: { kind: 'arn', negated: false },
  ArnLike: { kind: 'arn', negated: false },
  ArnNotEquals: { kind: 'arn', negated: true },
  ArnNotLike: { kind: 'arn', negated: true },
  Bool: { kind: 'bool', negated: false },
  NumericEquals: { kind: 'numeric', negated: false, compare: (r, p) => r === p },
  NumericNotEquals: { kind: 'numeric', negated: true, compare: (r, p) => r === p },
  NumericLessThan: { kind: 'numeric', negated: false, compare: (r, p) => r < p },
  NumericLessThanEquals: { kind: 'numeric', negated: false, compare: (r, p) => r <= p },
  NumericGreaterThan: { kind: 'numeric', negated: false, compare: (r, p) => r > p },
  NumericGreaterThanEquals: { kind: 'numeric', negated: false, compare: (r, p) => r >= p },
  DateEquals: { kind: 'date', negated: false, compare: (r, p) => r === p },
  DateNotEquals: { kind: 'date', negated: true, compare: (r, p) => r === p },
  DateLessThan: { kind: 'date', negated: false, compare: (r, p) => r < p },
  DateLessThanEquals: { kind: 'date', negated: false, compare: (r, p) => r <= p },
  DateGreaterThan: { kind: 'date', negated: false, compare: (r, p) => r > p },
  DateGreaterThanEquals: { kind: 'date', negated: false, compare: (r, p) => r >= p },
  IpAddress: { kind: 'ip', negated: false },
  NotIpAddress: { kind: 'ip', negated: true },
};

/** The names of the condition operators the evaluator supports (without prefixes and `IfExists`). */
export const SUPPORTED_CONDITION_OPERATORS: readonly string[] = [...Object.keys(BASE_OPERATORS), 'Null'];

interface ParsedOperator {
  readonly set?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
  /** `undefined` for `Null`. */
  readonly base?: BaseOperator;
}

function parseOperator(operator: string): ParsedOperator | Uncertain {
  let rest = operator;
  let set: ParsedOperator['set'];
  for (const prefix of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) {
    rest = rest.slice(0, -'IfExists'.length);
  }
  if (rest === 'Null') {
    return set || ifExists ? new Uncertain(`condition operator ${operator}`) : { ifExists: false };
  }
  const base = Object.prototype.hasOwnProperty.call(BASE_OPERATORS, rest) ? BASE_OPERATORS[rest] : undefined;
  if (!base) {
    return new Uncertain(`condition operator ${operator}`);
  }
  if (set && ifExists) {
    return new Uncertain(`condition operator ${operator} (set operator with IfExists)`);
  }
  return { set, ifExists, base };
}

function normaliseContext(context: RequestContext): Map<string, string | string[]> {
  const result = new Map<string, string | string[]>();
  for (const [key, value] of Object.entries(context ?? {})) {
    if (value !== undefined) {
      result.set(key.toLowerCase(), value);
    }
  }
  return result;
}

function matchConditions(condition: ConditionBlock | undefined, id: string, context: ReadonlyMap<string, string | string[]>): Tri {
  if (condition === undefined) {
    return true;
  }
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
    throw new UnsupportedPolicyFeature(`Condition ${JSON.stringify(condition)}`, id);
  }
  const results: Tri[] = [];
  for (const [operator, keys] of Object.entries(condition)) {
    const parsed = parseOperator(operator);
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
      throw new UnsupportedPolicyFeature(`condition ${operator} is not a key → value map`, id);
    }
    for (const [key, raw] of Object.entries(keys)) {
      if (parsed instanceof Uncertain) {
        results.push(parsed);
        continue;
      }
      results.push(evaluateCondition(operator, parsed, raw, context.get(key.toLowerCase())));
    }
  }
  return and(results);
}

function evaluateCondition(operator: string, op: ParsedOperator, raw: unknown, value: string | string[] | undefined): Tri {
  const policyValues = (Array.isArray(raw) ? raw : [raw]).map(policyString);
  const bad = policyValues.find(v => v instanceof Uncertain);
  if (bad instanceof Uncertain) {
    return bad;
  }
  const values = policyValues as string[];
  if (values.length === 0) {
    return new Uncertain(`empty value list for ${operator}`);
  }
  if (values.some(v => v.includes('${'))) {
    return new Uncertain(`policy variable in ${operator} value`);
  }

  if (!op.base) {
    // Null: "true" asks for a missing key, "false" for a present one.
    const lower = values.map(v => v.toLowerCase());
    if (lower.some(v => v !== 'true' && v !== 'false')) {
      return new Uncertain(`Null value ${JSON.stringify(values)} is not true/false`);
    }
    return lower.includes(value === undefined ? 'true' : 'false');
  }
  const base = op.base;
  const policyError = checkPolicyValues(base.kind, values);
  if (policyError) {
    return new Uncertain(`${operator} value ${policyError}`);
  }

  if (op.set) {
    if (value === undefined) {
      return op.set === 'ForAllValues';
    }
    const requestValues = Array.isArray(value) ? value : [value];
    const results = requestValues.map(v => baseMatches(base, v, values));
    return op.set === 'ForAllValues' ? results.every(r => r) : results.some(r => r);
  }
  if (value === undefined) {
    return op.ifExists || base.negated;
  }
  if (Array.isArray(value)) {
    return new Uncertain(`single-valued operator ${operator} on a multivalued request value`);
  }
  return baseMatches(base, value, values);
}

function policyString(value: unknown): string | Uncertain {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return new Uncertain(`condition value ${JSON.stringify(value)} is not a string, number or boolean (unresolved intrinsic?)`);
}

function checkPolicyValues(kind: ValueKind, values: string[]): string | undefined {
  for (const v of values) {
    if (kind === 'numeric' && parseNumber(v) === undefined) {
      return `${JSON.stringify(v)} is not a number`;
    }
    if (kind === 'bool' && parseBool(v) === undefined) {
      return `${JSON.stringify(v)} is not true/false`;
    }
    if (kind === 'arn' && !splitArn(v)) {
      return `${JSON.stringify(v)} is not an ARN`;
    }
    if (kind === 'date' && parseDate(v) === undefined) {
      return `${JSON.stringify(v)} is not a date (ISO 8601 or epoch seconds)`;
    }
    if (kind === 'ip' && parseCidr(v) === undefined) {
      return `${JSON.stringify(v)} is not an IP address or CIDR block`;
    }
  }
  return undefined;
}

/**
 * Whether one request value satisfies a base operator against the policy values: any value for a
 * positive operator, none for a negated one. A request value of the wrong type satisfies neither.
 */
function baseMatches(base: BaseOperator, requestValue: string, policyValues: string[]): boolean {
  switch (base.kind) {
    case 'string':
      return base.negated !== policyValues.some(p => p === requestValue);
    case 'stringIgnoreCase':
      return base.negated !== policyValues.some(p => p.toLowerCase() === requestValue.toLowerCase());
    case 'stringLike':
      return base.negated !== policyValues.some(p => wildcardMatch(p, requestValue, false));
    case 'arn': {
      const r = splitArn(requestValue);
      if (!r) {
        return false;
      }
      return base.negated !== policyValues.some(p => {
        const parts = splitArn(p)!;
        return parts.every((part, i) => wildcardMatch(part, r[i], false));
      });
    }
    case 'bool': {
      const r = parseBool(requestValue);
      if (r === undefined) {
        return false;
      }
      return policyValues.some(p => parseBool(p) === r);
    }
    case 'numeric': {
      const r = parseNumber(requestValue);
      if (r === undefined) {
        return false;
      }
      return base.negated !== policyValues.some(p => base.compare!(r, parseNumber(p)!));
    }
    case 'date': {
      const r = parseDate(requestValue);
      if (r === undefined) {
        return false;
      }
      return base.negated !== policyValues.some(p => base.compare!(r, parseDate(p)!));
    }
    case 'ip': {
      const r = parseCidr(requestValue);
      if (r === undefined || r.bits !== r.prefix) {
        return false;
      }
      return base.negated !== policyValues.some(p => cidrContains(parseCidr(p)!, r.address, r.bits));
    }
  }
}

const EPOCH_SECONDS = /^\d+$/;

/** A date condition value in milliseconds: ISO 8601, or epoch seconds (IAM User Guide, "Date condition operators"). */
export function parseDate(value: string): number | undefined {
  const text = value.trim();
  if (EPOCH_SECONDS.test(text)) {
    return Number(text) * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) {
    return undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** An IPv4 or IPv6 address or CIDR block: the address as a number, its width (32 or 128) and prefix length. */
export interface Cidr {
  readonly address: bigint;
  readonly bits: 32 | 128;
  readonly prefix: number;
}

/** Parse `a.b.c.d[/n]` or an IPv6 address `x:x::x[/n]` (RFC 4291 text form); undefined when it is neither. */
export function parseCidr(value: string): Cidr | undefined {
  const [text, prefixText, extra] = value.trim().split('/');
  if (extra !== undefined) return undefined;
  let address: bigint | undefined;
  let bits: 32 | 128;
  if (text.includes(':')) {
    address = parseIpv6(text);
    bits = 128;
  } else {
    address = parseIpv4(text);
    bits = 32;
  }
  if (address === undefined) return undefined;
  let prefix = bits as number;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) return undefined;
    prefix = Number(prefixText);
  }
  return { address, bits, prefix };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some(p => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (all.some(g => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Whether a block contains an address of the given width (an IPv4 block never contains an IPv6 address). */
export function cidrContains(block: Cidr, address: bigint, bits: number): boolean {
  if (block.bits !== bits) return false;
  const shift = BigInt(block.bits - block.prefix);
  return (block.address >> shift) === (address >> shift);
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function parseNumber(value: string): number | undefined {
  return NUMBER.test(value.trim()) ? Number(value) : undefined;
}

function parseBool(value: string): boolean | undefined {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Wildcards

const patternCache = new Map<string, RegExp>();

/** Match `value` against `pattern`, where `*` is any run of characters and `?` any one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = patternCache.get(cacheKey);
  if (!regex) {
    const source = pattern
      .split('')
      .map(c => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    if (patternCache.size > 10_000) {
      patternCache.clear();
    }
    patternCache.set(cacheKey, regex);
  }
  return regex.test(value);
}
