/* eslint-disable no-bitwise */ // IP address arithmetic and subset masks are bit operations.
import {
  ANONYMOUS, CompiledStatement, compileStatements, matchPart, normaliseRequestContext, parseCidr, PartMatch,
  PolicyDocumentJson, PolicyRequest, RequestContext, RequestPrincipal, StatementPart, UnsupportedPolicyFeature, wildcardMatch,
} from './evaluator';
import { CONDITION_KEY_TYPES, S3ActionSpec } from './generated/service-authorization';
import {
  dateConstants, dateWitnesses, ipWitnesses, numericWitnesses, StringMatcher, stringWitnesses, Witnesses,
} from './value-cells';

// The decision procedure: does a policy deny (or not allow) *every* request of a class, not only a few samples?
//
// A request class fixes some dimensions of a request and leaves the others open: which actions (from the Service
// Authorization Reference), which resource, which kinds of principal, which transport (plain HTTP or a TLS
// version), and restrictions on condition keys. Every condition key a statement mentions is a dimension too, with
// "absent" among its values. Each dimension is cut into finitely many cells by the constants and patterns the
// statements compare it with (value-cells.ts), and one witness per cell stands for all its values. The procedure
// searches the product of the dimensions depth first, evaluating each part of each statement (with the concrete
// evaluator, so both agree on semantics) as soon as the dimensions it reads are fixed, and prunes:
// - a branch where some Deny certainly applies is covered, whatever the other dimensions are;
// - candidates of a dimension that give every still-open statement the same answers are one candidate.
// The answer is a proof (every request of the class is denied), a counterexample (one concrete request that is
// not), or "could not evaluate" naming the statement and the feature when only an unsupported feature (or a search
// budget) stands between the two.

/** Who may send the requests of a class. */
export interface PrincipalKinds {
  /** Users, roles (sessions) and the root of the resource's own account. */
  readonly ownerAccount: boolean;
  /** Principals of other accounts: each account the policy names, and one it does not. */
  readonly otherAccounts: boolean;
  /** With `otherAccounts`: only an account the policy does not name (the named ones are trusted by name). */
  readonly unnamedAccountsOnly?: boolean;
  /** AWS service principals: each one the policy names, and one it does not. */
  readonly services: boolean;
  /** Unsigned requests. */
  readonly anonymous: boolean;
}

/** How a request travels: plain HTTP, or TLS of a version. */
export interface Transport {
  readonly secure: boolean;
  /** `s3:TlsVersion` (S3 only); undefined for plain HTTP and for services without the key. */
  readonly tlsVersion?: string;
}

/** A set of requests the procedure answers for. */
export interface RequestClass {
  /** What the class is, in a sentence fragment: `any S3 action on the bucket or its objects over plain HTTP`. */
  readonly description: string;
  /** The actions, each with the resource it acts on. */
  readonly actions: readonly S3ActionSpec[];
  /** ARN of the bucket (object actions act on `<bucketArn>/<key>`) or of the key. */
  readonly resourceArn: string;
  /** Partition and account of the resource. */
  readonly partition: string;
  readonly account: string;
  readonly principals: PrincipalKinds;
  readonly transports: readonly Transport[];
  /** Condition keys (lower case) restricted to these values; `undefined` in the list stands for absent. */
  readonly restrict?: Readonly<Record<string, ReadonlyArray<string | undefined>>>;
  /** Condition keys (lower case) that never take these values. */
  readonly exclude?: Readonly<Record<string, readonly string[]>>;
}

/** What the procedure says. */
export type Decision =
  | { readonly kind: 'proof'; readonly requestsDecided: number }
  | { readonly kind: 'counterexample'; readonly request: PolicyRequest; readonly requestsDecided: number }
  | { readonly kind: 'uncertain'; readonly statementId?: string; readonly feature: string; readonly requestsDecided: number };

/** Principal-derived condition keys: their values follow from who calls. */
const PRINCIPAL_KEYS = new Set([
  'aws:principalarn', 'aws:principalaccount', 'aws:principalisawsservice', 'aws:principalservicename', 'aws:principaltype',
  'aws:userid', 'aws:username', 'kms:calleraccount',
]);
const SECURE_TRANSPORT = 'aws:securetransport';
const TLS_VERSION = 's3:tlsversion';

/** Global keys every request carries (IAM User Guide, "AWS global condition context keys"). */
const ALWAYS_PRESENT = new Set(['aws:currenttime', 'aws:epochtime', 'aws:requestedregion']);

/** Keys whose values S3 itself limits: anything else is refused before any policy is read. */
const KNOWN_DOMAINS: Record<string, readonly string[]> = {
  's3:x-amz-server-side-encryption': ['AES256', 'aws:kms', 'aws:kms:dsse'],
  's3:x-amz-server-side-encryption-customer-algorithm': ['AES256'],
};

/** Service principals tried when the policy names none or to stand for "a service the policy does not name". */
const SAMPLE_SERVICES = ['logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com', 'delivery.logs.amazonaws.com', 'config.amazonaws.com'];
const SAMPLE_ACCOUNTS = ['999999999999', '888888888888', '777777777777', '666666666666'];

/** Search limits: a search past them is "could not evaluate", never a guess. */
const MAX_NODES = 200_000;
const MAX_SET_CELLS = 8;

interface Goal {
  /** Statements that must all not apply (the Denies). */
  readonly denies: readonly CompiledStatement[];
  /** A statement that must apply (an Allow), for "is anything in the class allowed?". */
  readonly allow?: CompiledStatement;
}

interface Dimension {
  readonly name: string;
  /** Candidate values given the dimensions before it. */
  candidates(partial: Partial<Assignment>): Candidate[];
}

interface Candidate {
  /** What the candidate contributes to the request. */
  readonly action?: S3ActionSpec;
  readonly resource?: string;
  readonly principal?: PrincipalCandidate;
  readonly transport?: Transport;
  readonly key?: string;
  readonly value?: string | string[];
}

interface PrincipalCandidate {
  readonly principal: RequestPrincipal;
  /** Derived keys (lower case) and their values. */
  readonly context: Record<string, string | undefined>;
}

interface Assignment {
  action: S3ActionSpec;
  resource: string;
  principal: PrincipalCandidate;
  transport: Transport;
  keys: Record<string, string | string[] | undefined>;
}

/**
 * Decide whether every request of the class is explicitly denied by the Deny statements of the policies.
 * A counterexample is a request no Deny applies to.
 */
export function decideAllDenied(policies: readonly PolicyDocumentJson[], requestClass: RequestClass): Decision {
  let compiled: CompiledStatement[];
  try {
    compiled = policies.flatMap((p) => compileStatements(p));
  } catch (e) {
    return uncertainFrom(e, 0);
  }
  return new Search(requestClass, compiled, { denies: compiled.filter((s) => s.effect === 'Deny') }).run();
}

/**
 * Decide whether no request of the class is allowed by the policy: no Allow statement applies without a Deny
 * applying too. A counterexample is a request an Allow grants and no Deny takes back. (An Allow that names only the
 * caller's account counts as a grant: that account's administrators can pass it on.)
 */
export function decideNoneAllowed(policy: PolicyDocumentJson, requestClass: RequestClass): Decision {
  let compiled: CompiledStatement[];
  try {
    compiled = compileStatements(policy);
  } catch (e) {
    return uncertainFrom(e, 0);
  }
  const denies = compiled.filter((s) => s.effect === 'Deny');
  let decided = 0;
  let uncertain: Decision | undefined;
  for (const allow of compiled.filter((s) => s.effect === 'Allow')) {
    const decision = new Search(requestClass, compiled, { denies, allow }).run();
    decided += decision.requestsDecided;
    if (decision.kind === 'counterexample') return { ...decision, requestsDecided: decided };
    if (decision.kind === 'uncertain') uncertain ??= decision;
  }
  return uncertain ? { ...uncertain, requestsDecided: decided } : { kind: 'proof', requestsDecided: decided };
}

function uncertainFrom(e: unknown, decided: number): Decision {
  if (e instanceof UnsupportedPolicyFeature) return { kind: 'uncertain', statementId: e.statementId, feature: e.feature, requestsDecided: decided };
  return { kind: 'uncertain', feature: `evaluation failed: ${(e as Error).message}`, requestsDecided: decided };
}

/** A part of a statement, with the index of the dimension whose value completes what it reads. */
interface PlacedPart {
  readonly statement: number;
  readonly part: StatementPart;
}

/** Per statement: 0 open, 1 falsified (some part false), and how many parts are still to evaluate. */
interface StatementState {
  readonly falsified: boolean;
  readonly remaining: number;
  readonly uncertain?: string;
  /** For the Allow: whether the principal matched only by account (still a grant, see decideNoneAllowed). */
}

class Search {
  private readonly statements: CompiledStatement[];
  private readonly allowIndex: number;
  private readonly dimensions: Dimension[];
  private readonly partsAt: PlacedPart[][];
  private readonly freshAccount: string;
  private readonly keySpelling = new Map<string, string>();
  private readonly actionShapes = new Map<S3ActionSpec, string>();
  private nodes = 0;
  private leaves = 0;
  private firstUncertain?: { statementId?: string; feature: string };

  constructor(private readonly requestClass: RequestClass, all: readonly CompiledStatement[], goal: Goal) {
    this.statements = [...goal.denies, ...(goal.allow ? [goal.allow] : [])];
    this.allowIndex = goal.allow ? this.statements.length - 1 : -1;
    const literals = literalStrings(all.map((s) => s.statement));
    this.freshAccount = SAMPLE_ACCOUNTS.find((a) => a !== requestClass.account && !literals.some((l) => l.includes(a)))
      ?? '999999999990';

    // Condition keys any statement (of the goal) mentions, by dimension.
    const keyParts = new Map<string, Array<StatementPart & { kind: 'condition' }>>();
    for (const s of this.statements) {
      for (const part of s.parts) {
        if (part.kind !== 'condition') continue;
        const key = part.key.toLowerCase();
        if (PRINCIPAL_KEYS.has(key) || key === SECURE_TRANSPORT || key === TLS_VERSION) continue;
        keyParts.set(key, [...(keyParts.get(key) ?? []), part]);
        if (!this.keySpelling.has(key)) this.keySpelling.set(key, Object.keys(CONDITION_KEY_TYPES).find((k) => k.toLowerCase() === key) ?? part.key);
      }
    }
    // Keys the class restricts are dimensions too, so that every request shows what the class says of them.
    for (const key of Object.keys(requestClass.restrict ?? {})) if (!keyParts.has(key)) keyParts.set(key, []);
    // The SSE headers constrain each other: when one is a dimension, all are, so that none is forced absent wrongly.
    if (HEADER_ORDER.some((k) => keyParts.has(k))) for (const key of HEADER_ORDER) if (!keyParts.has(key)) keyParts.set(key, []);
    // The SSE headers constrain each other (see headerCoupling): the one that decides comes first.
    const keyOrder = (key: string) => { const i = HEADER_ORDER.indexOf(key); return i < 0 ? HEADER_ORDER.length : i; };
    const orderedKeys = [...keyParts.entries()].sort(([a], [b]) => keyOrder(a) - keyOrder(b));
    const principalParts = this.statements.flatMap((s) => s.parts.filter((p) => p.kind === 'principal' ||
      (p.kind === 'condition' && PRINCIPAL_KEYS.has(p.key.toLowerCase()))));

    // Candidates depend on little of the partial request (the action's resource type, whether a key applies): each
    // list is computed once per search, not once per node.
    this.dimensions = [
      { name: 'action', candidates: once(() => byFamiliarity(this.requestClass.actions).map((action) => ({ action }))) },
      { name: 'resource', candidates: memo((p) => p.action!.resource, (p) => this.resourceCandidates(p.action!)) },
      { name: 'principal', candidates: once(() => this.principalCandidates(principalParts, all)) },
      { name: 'transport', candidates: memo((p) => p.action!.conditionKeys.some((k) => k.toLowerCase() === TLS_VERSION), (p) => this.transportCandidates(p.action!)) },
      ...orderedKeys.map(([key, parts]): Dimension => {
        const present = once(() => this.keyValueCandidates(key, parts));
        return {
          name: key,
          candidates: (p) => (!keyApplies(key, p.action!) || !headerCoupling(key, p.keys ?? {}) ? [{ key, value: undefined }] : present(p)),
        };
      }),
    ];
    const dimensionOf = (part: StatementPart): number => {
      switch (part.kind) {
        case 'action': return 0;
        case 'resource': return 1;
        case 'principal': return 2;
        case 'condition': {
          const key = part.key.toLowerCase();
          if (PRINCIPAL_KEYS.has(key)) return 2;
          if (key === SECURE_TRANSPORT || key === TLS_VERSION) return 3;
          return this.dimensions.findIndex((d) => d.name === key);
        }
      }
    };
    this.partsAt = this.dimensions.map(() => []);
    this.statements.forEach((s, statement) => {
      for (const part of s.parts) this.partsAt[dimensionOf(part)].push({ statement, part });
    });
  }

  run(): Decision {
    const initial: StatementState[] = this.statements.map((s) => ({ falsified: false, remaining: s.parts.length }));
    const found = this.search(0, {}, initial);
    if (found) return { kind: 'counterexample', request: found, requestsDecided: this.leaves };
    if (this.nodes >= MAX_NODES) {
      return { kind: 'uncertain', feature: `the search stopped after ${MAX_NODES} partial requests`, requestsDecided: this.leaves };
    }
    if (this.firstUncertain) return { kind: 'uncertain', ...this.firstUncertain, requestsDecided: this.leaves };
    return { kind: 'proof', requestsDecided: this.leaves };
  }

  /** Depth-first search; returns a counterexample request, or undefined when the subtree has none. */
  private search(level: number, partial: Partial<Assignment>, states: StatementState[]): PolicyRequest | undefined {
    if (++this.nodes > MAX_NODES) return undefined;
    if (level === this.dimensions.length) {
      this.leaves++;
      return this.leaf(partial as Assignment, states);
    }
    const candidates = this.dimensions[level].candidates(partial);
    const seen = new Set<string>();
    for (const candidate of candidates) {
      const next = assign(partial, candidate);
      // The request is built only when a part at this level is still to be evaluated (often none is).
      let request: PolicyRequest | undefined;
      let context: ReadonlyMap<string, string | string[]> | undefined;
      const nextStates = [...states];
      const signature: string[] = [];
      let pruned = false;
      for (const { statement, part } of this.partsAt[level]) {
        const before = nextStates[statement];
        if (before.falsified) continue;
        if (request === undefined) {
          request = this.requestOf(next);
          context = normaliseRequestContext(request.context);
        }
        const match = this.matchOf(statement, part, request, context!);
        signature.push(`${statement}:${typeof match === 'object' ? 'u' : String(match)}`);
        if (match === false) {
          nextStates[statement] = { ...before, falsified: true };
        } else {
          nextStates[statement] = {
            falsified: false,
            remaining: before.remaining - 1,
            uncertain: before.uncertain ?? (typeof match === 'object' ? match.uncertain : undefined),
          };
        }
      }
      // The action also decides which resource and keys come next; an SSE header, which other headers may follow.
      if (candidate.key !== undefined && HEADER_ORDER.includes(candidate.key)) signature.push(`=${JSON.stringify(candidate.value)}`);
      const key = level === 0 ? `${signature.join(',')}#${this.actionShape(candidate.action!)}` : signature.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      // The Allow must apply: a false part ends the branch.
      if (this.allowIndex >= 0 && nextStates[this.allowIndex].falsified) pruned = true;
      // Some Deny certainly applies: the branch is covered.
      if (nextStates.some((s, i) => i !== this.allowIndex && !s.falsified && s.remaining === 0 && s.uncertain === undefined)) pruned = true;
      if (pruned) {
        this.leaves++;
        continue;
      }
      const found = this.search(level + 1, next, nextStates);
      if (found) return found;
      if (this.nodes > MAX_NODES) return undefined;
    }
    return undefined;
  }

  /** What of an action decides the rest of the search: its resource type, the keys that apply, whether TLS is versioned. */
  private actionShape(action: S3ActionSpec): string {
    let shape = this.actionShapes.get(action);
    if (shape === undefined) {
      shape = `${action.resource}#${applicableKeys(action, this.dimensions).join(',')}` +
        `#${action.conditionKeys.some((k) => k.toLowerCase() === TLS_VERSION)}`;
      this.actionShapes.set(action, shape);
    }
    return shape;
  }

  private leaf(assignment: Assignment, states: StatementState[]): PolicyRequest | undefined {
    const denies = states.filter((_, i) => i !== this.allowIndex);
    const allow = this.allowIndex >= 0 ? states[this.allowIndex] : undefined;
    const uncertainDeny = denies.findIndex((s) => !s.falsified && s.uncertain !== undefined);
    if (denies.every((s) => s.falsified) && (!allow || (!allow.falsified && allow.uncertain === undefined))) {
      return this.requestOf(assignment);
    }
    // Only uncertain parts stand between this request and a verdict.
    if (!this.firstUncertain) {
      if (uncertainDeny >= 0) {
        this.firstUncertain = { statementId: this.statements[uncertainDeny].id, feature: denies[uncertainDeny].uncertain! };
      } else if (allow && !allow.falsified && allow.uncertain) {
        this.firstUncertain = { statementId: this.statements[this.allowIndex].id, feature: allow.uncertain };
      }
    }
    return undefined;
  }

  private matchOf(statement: number, part: StatementPart, request: PolicyRequest, context: ReadonlyMap<string, string | string[]>): PartMatch {
    const match = matchPart(this.statements[statement], part, request, context);
    // A principal named only by its account: a Deny applies to it; for the Allow it is a grant to that account.
    return match === 'account' ? true : match;
  }

  private requestOf(a: Partial<Assignment>): PolicyRequest {
    const context: RequestContext = {};
    const derived = a.principal?.context;
    for (const key in derived) context[key] = derived[key];
    if (a.transport) {
      context['aws:SecureTransport'] = String(a.transport.secure);
      if (a.transport.tlsVersion !== undefined) context['s3:TlsVersion'] = a.transport.tlsVersion;
    }
    const keys = a.keys;
    for (const key in keys) {
      const value = keys[key];
      if (value !== undefined) context[this.keySpelling.get(key) ?? key] = value;
    }
    return {
      principal: a.principal?.principal ?? ANONYMOUS,
      action: a.action?.action ?? 's3:GetObject',
      resource: a.resource ?? this.requestClass.resourceArn,
      context,
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Candidates per dimension

  private resourceCandidates(action: S3ActionSpec): Candidate[] {
    const arn = this.requestClass.resourceArn;
    if (action.resource !== 'object') return [{ resource: arn }];
    // Object keys: witnesses for the Resource patterns of every statement, read after `<bucket>/`.
    const matchers: StringMatcher[] = [];
    const bucketParts = arn.split(':');
    for (const s of this.statements) {
      const patterns = [s.statement.Resource ?? s.statement.NotResource].flat();
      for (const pattern of patterns) {
        if (typeof pattern !== 'string' || pattern === '*') continue;
        const parts = pattern.split(':');
        if (parts.length < 6 || parts[0] !== 'arn') continue;
        // Partition, service, Region and account are fixed by the bucket: a pattern that fails them never matches.
        const head = parts.slice(1, 5);
        if (!head.every((p, i) => globMatches(p, bucketParts[i + 1], true))) continue;
        matchers.push({ kind: 'glob', pattern: parts.slice(5).join(':'), ignoreCase: false });
      }
    }
    const bucketName = bucketParts.slice(5).join(':');
    const witnesses = stringWitnesses(matchers, { prefix: `${bucketName}/`, nonEmpty: true });
    this.noteIncomplete(witnesses, 'object keys');
    return witnesses.values.map((key) => ({ resource: `${arn}/${key}` }));
  }

  private principalCandidates(parts: readonly StatementPart[], all: readonly CompiledStatement[]): Candidate[] {
    const kinds = this.requestClass.principals;
    const { partition, account } = this.requestClass;
    const literals = literalStrings(all.map((s) => s.statement));
    const literalAccounts = [...new Set(literals.flatMap((l) => l.match(/(?<!\d)\d{12}(?!\d)/g) ?? []))].filter((a) => a !== account);
    const accounts = [
      ...(kinds.ownerAccount ? [account] : []),
      ...(kinds.otherAccounts ? [...(kinds.unnamedAccountsOnly ? [] : literalAccounts), this.freshAccount] : []),
    ];
    // Patterns the principal's ARN is compared with (conditions and Principal elements), for name witnesses.
    const matchers: StringMatcher[] = [];
    for (const part of parts) {
      if (part.kind === 'condition' && part.key.toLowerCase() === 'aws:principalarn') matchers.push(...matchersOf(part.operator, part.value));
    }
    for (const s of all) {
      for (const element of [s.statement.Principal, s.statement.NotPrincipal]) {
        if (element === undefined || element === '*' || element === null || typeof element !== 'object') continue;
        for (const value of [element.AWS ?? []].flat()) {
          if (typeof value === 'string' && value.startsWith('arn:')) matchers.push({ kind: 'exact', pattern: value, ignoreCase: false });
        }
      }
    }
    const out: Candidate[] = [];
    for (const a of accounts) {
      const root = `arn:${partition}:iam::${a}:root`;
      out.push({ principal: iamPrincipal(root, root, a, 'Account') });
      const roles = stringWitnesses(matchers, { prefix: `arn:${partition}:iam::${a}:role/`, nonEmpty: true });
      const users = stringWitnesses(matchers, { prefix: `arn:${partition}:iam::${a}:user/`, nonEmpty: true });
      this.noteIncomplete(roles, 'principal names');
      this.noteIncomplete(users, 'principal names');
      for (const name of roles.values) {
        const roleArn = `arn:${partition}:iam::${a}:role/${name}`;
        const roleName = name.split('/').pop() || 'x';
        out.push({ principal: iamPrincipal(`arn:${partition}:sts::${a}:assumed-role/${roleName}/s3ec-session`, roleArn, a, 'AssumedRole') });
      }
      for (const name of users.values) {
        const userArn = `arn:${partition}:iam::${a}:user/${name}`;
        out.push({ principal: iamPrincipal(userArn, userArn, a, 'User') });
      }
    }
    if (kinds.services) {
      const named = new Set<string>();
      for (const s of all) {
        for (const element of [s.statement.Principal, s.statement.NotPrincipal]) {
          if (element && typeof element === 'object') for (const v of [element.Service ?? []].flat()) if (typeof v === 'string') named.add(v);
        }
      }
      const unnamed = SAMPLE_SERVICES.find((svc) => !named.has(svc));
      for (const service of [...named, ...(unnamed ? [unnamed] : [])]) {
        out.push({
          principal: {
            principal: { service },
            context: { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': service },
          },
        });
      }
    }
    if (kinds.anonymous) out.push({ principal: { principal: ANONYMOUS, context: {} } });
    return out;
  }

  private transportCandidates(action: S3ActionSpec): Candidate[] {
    const tlsKey = action.conditionKeys.some((k) => k.toLowerCase() === TLS_VERSION);
    const seen = new Set<string>();
    return this.requestClass.transports.flatMap((transport) => {
      const t: Transport = transport.secure && tlsKey ? transport : { secure: transport.secure };
      const key = `${t.secure}:${t.tlsVersion ?? ''}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ transport: t }];
    });
  }

  /** Candidates of a condition key where the request may carry it. */
  private keyValueCandidates(key: string, parts: Array<StatementPart & { kind: 'condition' }>): Candidate[] {
    const restrict = this.requestClass.restrict?.[key];
    const exclude = new Set(this.requestClass.exclude?.[key] ?? []);
    let values: Array<string | string[] | undefined>;
    if (restrict) {
      values = [...restrict];
    } else {
      // Excluded values get cells of their own, so that no other cell's witness is one of them.
      const excluded: Array<StatementPart & { kind: 'condition' }> = [...exclude].map((value) => ({ kind: 'condition', operator: 'StringEquals', key, value }));
      values = [...(ALWAYS_PRESENT.has(key) ? [] : [undefined]), ...this.valuesOf(key, [...parts, ...excluded])];
    }
    return values.filter((v) => typeof v !== 'string' || !exclude.has(v)).map((value) => ({ key, value }));
  }

  /** Witness values of a condition key, from the operators and values the statements compare it with. */
  private valuesOf(key: string, parts: Array<StatementPart & { kind: 'condition' }>): Array<string | string[]> {
    const known = KNOWN_DOMAINS[key];
    if (known) return [...known];
    const strings: StringMatcher[] = [];
    const numbers: number[] = [];
    const dates: string[] = [];
    const blocks: string[] = [];
    let multivalued = (CONDITION_KEY_TYPES[canonicalKey(key)] ?? '').startsWith('ArrayOf');
    let bool = false;
    for (const part of parts) {
      const operator = part.operator.replace(/^For(AnyValue|AllValues):/, '').replace(/IfExists$/, '');
      if (part.operator.startsWith('For')) multivalued = true;
      const values = [part.value].flat().map((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined))
        .filter((v): v is string => v !== undefined);
      if (operator.startsWith('String') || operator.startsWith('Arn')) strings.push(...matchersOf(part.operator, part.value));
      else if (operator.startsWith('Numeric')) numbers.push(...values.map(Number).filter((n) => !Number.isNaN(n)));
      else if (operator.startsWith('Date')) dates.push(...values);
      else if (operator.endsWith('IpAddress')) blocks.push(...values.filter((v) => parseCidr(v) !== undefined));
      else if (operator === 'Bool') bool = true;
    }
    const out = new Set<string>();
    if (strings.length > 0) {
      const witnesses = stringWitnesses(strings);
      this.noteIncomplete(witnesses, `values of ${key}`);
      witnesses.values.forEach((v) => out.add(v));
    }
    if (numbers.length > 0) numericWitnesses(numbers).forEach((v) => out.add(v));
    if (dates.length > 0) dateWitnesses(dateConstants(dates)).forEach((v) => out.add(v));
    if (blocks.length > 0) ipWitnesses(blocks).forEach((v) => out.add(v));
    if (bool) ['true', 'false'].forEach((v) => out.add(v));
    if (out.size === 0) out.add(sampleValue(key, this.requestClass.partition, this.freshAccount));
    const values = [...out];
    if (!multivalued) return values;
    if (values.length > MAX_SET_CELLS) {
      this.firstUncertain ??= { feature: `${values.length} distinct kinds of value for the multivalued key ${key} (at most ${MAX_SET_CELLS} are searched)` };
      return values.slice(0, MAX_SET_CELLS).map((v) => [v]);
    }
    // A set of values: which cells it contains is all a set operator can see.
    const subsets: string[][] = [];
    for (let mask = 1; mask < 1 << values.length; mask++) subsets.push(values.filter((_, i) => mask & (1 << i)));
    return subsets;
  }

  private noteIncomplete(witnesses: Witnesses, what: string): void {
    if (!witnesses.complete) this.firstUncertain ??= { feature: `the patterns on ${what} are too many to search exhaustively` };
  }
}

const SSE_HEADER = 's3:x-amz-server-side-encryption';
const KMS_KEY_ID_HEADER = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const CUSTOMER_ALGORITHM_HEADER = 's3:x-amz-server-side-encryption-customer-algorithm';
const HEADER_ORDER = [CUSTOMER_ALGORITHM_HEADER, SSE_HEADER, KMS_KEY_ID_HEADER];

/**
 * Whether an SSE header may be present given the headers before it: S3 refuses the SSE-C headers together with
 * `x-amz-server-side-encryption`, and a KMS key id without `aws:kms` or `aws:kms:dsse`, before any policy is read.
 */
function headerCoupling(key: string, keys: Record<string, string | string[] | undefined>): boolean {
  if (key === SSE_HEADER) return keys[CUSTOMER_ALGORITHM_HEADER] === undefined;
  if (key === KMS_KEY_ID_HEADER) return keys[SSE_HEADER] === 'aws:kms' || keys[SSE_HEADER] === 'aws:kms:dsse';
  return true;
}

/** The most familiar actions first, so that a counterexample names one a reader knows. */
const FAMILIAR_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket', 's3:GetBucketPolicy', 's3:PutBucketPolicy'];

function byFamiliarity(actions: readonly S3ActionSpec[]): S3ActionSpec[] {
  const rank = (a: S3ActionSpec) => {
    const i = FAMILIAR_ACTIONS.indexOf(a.action);
    return i < 0 ? FAMILIAR_ACTIONS.length : i;
  };
  return [...actions].sort((a, b) => rank(a) - rank(b));
}

function once<T>(compute: () => T): (p: Partial<Assignment>) => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value as T;
  };
}

function memo<K, T>(keyOf: (p: Partial<Assignment>) => K, compute: (p: Partial<Assignment>) => T): (p: Partial<Assignment>) => T {
  const values = new Map<K, T>();
  return (p) => {
    const key = keyOf(p);
    if (!values.has(key)) values.set(key, compute(p));
    return values.get(key)!;
  };
}

function assign(partial: Partial<Assignment>, candidate: Candidate): Partial<Assignment> {
  const next: Partial<Assignment> = { ...partial };
  if (candidate.action) next.action = candidate.action;
  if (candidate.resource !== undefined) next.resource = candidate.resource;
  if (candidate.principal) next.principal = candidate.principal;
  if (candidate.transport) next.transport = candidate.transport;
  if (candidate.key !== undefined) next.keys = { ...partial.keys, [candidate.key]: candidate.value };
  return next;
}

function iamPrincipal(principal: string, principalArn: string, account: string, type: string): PrincipalCandidate {
  return {
    principal,
    context: {
      'aws:PrincipalArn': principalArn,
      'aws:PrincipalAccount': account,
      'kms:CallerAccount': account,
      'aws:PrincipalIsAWSService': 'false',
      'aws:PrincipalType': type,
    },
  };
}

/** Whether an S3 condition key is sent with the action (global and other services' keys: always considered). */
function keyApplies(key: string, action: S3ActionSpec): boolean {
  if (!key.startsWith('s3:')) return true;
  return action.conditionKeys.some((k) => {
    const lower = k.toLowerCase();
    const template = lower.indexOf('<');
    return template >= 0 ? key.startsWith(lower.slice(0, template)) : lower === key;
  });
}

function applicableKeys(action: S3ActionSpec, dimensions: readonly Dimension[]): string[] {
  return dimensions.slice(4).map((d) => d.name).filter((k) => keyApplies(k, action));
}

/** The key as the authorization reference spells it, for its type. */
function canonicalKey(key: string): string {
  const found = Object.keys(CONDITION_KEY_TYPES).find((k) => k.toLowerCase() === key);
  if (found) return found;
  const slash = key.indexOf('/');
  if (slash > 0) {
    const prefix = key.slice(0, slash + 1);
    return Object.keys(CONDITION_KEY_TYPES).find((k) => k.toLowerCase().startsWith(prefix)) ?? key;
  }
  return key;
}

/** A value for a key that statements only test for presence (`Null`), typed as the reference says. */
function sampleValue(key: string, partition: string, account: string): string {
  switch (CONDITION_KEY_TYPES[canonicalKey(key)]) {
    case 'ARN': return `arn:${partition}:iam::${account}:role/s3ec-any`;
    case 'Numeric': return '1';
    case 'Bool': return 'true';
    case 'IPAddress': return '203.0.113.5';
    case 'Date': return '2026-01-01T00:00:00Z';
    default: return 's3ec-any-value';
  }
}

/** String matchers for one condition operator and its values. */
function matchersOf(operator: string, value: unknown): StringMatcher[] {
  const base = operator.replace(/^For(AnyValue|AllValues):/, '').replace(/IfExists$/, '');
  const values = [value].flat().filter((v): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v)).map(String);
  if (base.startsWith('Arn')) return values.map((pattern) => ({ kind: 'arn', pattern, ignoreCase: false }));
  if (base === 'StringLike' || base === 'StringNotLike') return values.map((pattern) => ({ kind: 'glob', pattern, ignoreCase: false }));
  const ignoreCase = base.endsWith('IgnoreCase');
  return values.map((pattern) => ({ kind: 'exact', pattern, ignoreCase }));
}

/** Every string in the statements (values, ARNs, principals), for choosing placeholders none of them names. */
function literalStrings(statements: readonly unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number') out.push(String(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.entries(v).forEach(([k, x]) => { out.push(k); walk(x); });
  };
  statements.forEach(walk);
  return out;
}

function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  return wildcardMatch(pattern, value, ignoreCase);
}
