import { AppModel, BucketModel, KeyModel } from './app-model';
import { Decision, decideAllDenied, decideNoneAllowed, PrincipalKinds, RequestClass, Transport } from './decide';
import { describePrincipal, PolicyDocumentJson, PolicyRequest } from './evaluator';
import { KMS_CRYPTOGRAPHIC_ACTIONS, S3_BUCKET_AND_OBJECT_ACTIONS, S3ActionSpec } from './generated/service-authorization';
import { classParts, forgetShapes, SharedPolicies } from './shared-decisions';
import { forgetStringWitnesses } from './value-cells';
import { EncryptionMode, ConditionKeys, SSE_C_ALGORITHM } from '../policy/requirement';

// The properties the rules prove about a bucket's policies (or a key's policy), each over a stated class of
// requests. A rule asks one question: "is every request of this class denied?", and gets a proof or a
// counterexample from the decision procedure (decide.ts).

/** A request class that is one property of a bucket or key: what `check --explain` lists. */
export interface PropertyClass extends RequestClass {
  /** Short name, e.g. `TLS only`. */
  readonly property: string;
  /**
   * Which answer the standard wants: `proof` (every request of the class must be denied) or `counterexample` (some
   * request must get through); undefined when the answer only tells the rules what the bucket is (SSE-C required).
   */
  readonly compliantWhen?: 'proof' | 'counterexample';
  /**
   * What the class is made from (its kind and arguments, the subject's ARN, partition and account): equal for equal
   * classes, and a cheap memo key in place of the class's JSON.
   */
  readonly memoKey?: string;
}

/** A property of a bucket or key and what the procedure decided (recorded by the model, see `AppModel.verdicts`). */
export interface PropertyVerdict {
  readonly subject: BucketModel | KeyModel;
  readonly propertyClass: PropertyClass;
  readonly decision: Decision;
}

/** Actions whose requests S3 receives over the network (they carry `s3:TlsVersion`); permission-only actions are not. */
const NETWORK_ACTIONS = S3_BUCKET_AND_OBJECT_ACTIONS.filter((a) => a.conditionKeys.includes('s3:TlsVersion'));
const PUT_OBJECT = S3_BUCKET_AND_OBJECT_ACTIONS.filter((a) => a.action === 's3:PutObject');
const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'];
const EVERYONE: PrincipalKinds = { ownerAccount: true, otherAccounts: true, services: true, anonymous: true };
/** Writers that send their own headers: AWS services delivering logs rely on default encryption instead. */
const WRITERS: PrincipalKinds = { ownerAccount: true, otherAccounts: true, services: false, anonymous: true };
const OWNER: PrincipalKinds = { ownerAccount: true, otherAccounts: false, services: false, anonymous: false };
const ANY_TRANSPORT: Transport[] = [{ secure: false }, ...TLS_VERSIONS.map((tlsVersion) => ({ secure: true, tlsVersion }))];

const SSE = ConditionKeys.SSE.toLowerCase();
const KEY_ID = ConditionKeys.SSE_KMS_KEY_ID.toLowerCase();
const CUSTOMER_ALGORITHM = ConditionKeys.SSE_CUSTOMER_ALGORITHM.toLowerCase();

/** Classes per subject, so that a rule asking twice gets the same object (and its memo keys are computed once). */
const CLASSES = new WeakMap<object, Map<string, PropertyClass>>();

function memoClass(subject: object, key: string, build: () => PropertyClass): PropertyClass {
  let classes = CLASSES.get(subject);
  if (!classes) {
    classes = new Map();
    CLASSES.set(subject, classes);
  }
  let built = classes.get(key);
  if (!built) {
    const made = build();
    built = { ...made, memoKey: `${key}|${made.resourceArn}|${made.partition}|${made.account}` };
    classes.set(key, built);
  }
  return built;
}

function bucketClass(bucket: BucketModel, fields: Omit<PropertyClass, 'resourceArn' | 'partition' | 'account'>): PropertyClass {
  const { partition, account } = bucket.record.stack;
  return { ...fields, resourceArn: bucket.arn, partition, account };
}

/** Every request S3 receives for the bucket or its objects over plain HTTP, from anyone. */
export function plainHttpClass(bucket: BucketModel): PropertyClass {
  return memoClass(bucket, 'plain HTTP', () => {
    return bucketClass(bucket, {
      property: 'TLS only',
      compliantWhen: 'proof',
      description: 'every S3 request to the bucket or its objects over plain HTTP, by any principal',
      actions: NETWORK_ACTIONS,
      principals: EVERYONE,
      transports: [{ secure: false }],
    });
  });
}

/** Every request over TLS older than the floor. */
export function outdatedTlsClass(bucket: BucketModel, floor: number): PropertyClass {
  return memoClass(bucket, `TLS below ${floor}`, () => {
    const versions = TLS_VERSIONS.filter((v) => Number(v) < floor);
    return bucketClass(bucket, {
      property: `TLS ${floor} floor`,
      compliantWhen: 'proof',
      description: `every S3 request to the bucket or its objects over TLS ${versions.join(' or ')}, by any principal`,
      actions: NETWORK_ACTIONS,
      principals: EVERYONE,
      transports: versions.map((tlsVersion) => ({ secure: true, tlsVersion })),
    });
  });
}

/** Uploads (PutObject, CopyObject, multipart) that ask for one of these SSE header values, any key id. */
export function uploadsWithHeaderClass(bucket: BucketModel, values: Array<string | undefined>, what: string,
  property = 'Upload header', informational = false): PropertyClass {
  return memoClass(bucket, JSON.stringify(['uploads', values, what, property, informational]), () => {
    return bucketClass(bucket, {
      property,
      compliantWhen: informational ? undefined : 'proof',
      description: `every upload ${what}, by any principal but AWS services delivering logs, over any transport`,
      actions: PUT_OBJECT,
      principals: WRITERS,
      transports: ANY_TRANSPORT,
      restrict: { [SSE]: values, [CUSTOMER_ALGORITHM]: [undefined] },
    });
  });
}

/** Uploads by the bucket's own account over TLS 1.3 without the SSE-C headers (whether its policy requires SSE-C). */
export function ownerUploadsWithoutSseCClass(bucket: BucketModel, serverSideValues: Array<string | undefined>): PropertyClass {
  return memoClass(bucket, JSON.stringify(['owner uploads without SSE-C', serverSideValues]), () => {
    return bucketClass(bucket, {
      property: 'SSE-C required: other uploads denied',
      description: 'every upload without SSE-C headers by principals of the bucket\'s account over TLS 1.3',
      actions: PUT_OBJECT,
      principals: OWNER,
      transports: [{ secure: true, tlsVersion: '1.3' }],
      restrict: { [SSE]: serverSideValues, [CUSTOMER_ALGORITHM]: [undefined] },
    });
  });
}

/** SSE-KMS and DSSE-KMS uploads that name another key than the bucket's, or none. */
export function otherKeyUploadsClass(bucket: BucketModel, keyArns: readonly string[]): PropertyClass {
  return memoClass(bucket, JSON.stringify(['other keys', keyArns]), () => {
    return bucketClass(bucket, {
      property: 'Key pinned',
      compliantWhen: 'proof',
      description: `every SSE-KMS or DSSE-KMS upload naming another key than ${keyArns.length > 0 ? keyArns.join(' or ') : 'the bucket\'s'} or no key, ` +
        'by any principal but AWS services delivering logs',
      actions: PUT_OBJECT,
      principals: WRITERS,
      transports: ANY_TRANSPORT,
      restrict: { [SSE]: [EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS], [CUSTOMER_ALGORITHM]: [undefined] },
      exclude: keyArns.length > 0 ? { [KEY_ID]: keyArns } : undefined,
    });
  });
}

/** Uploads by the bucket's own account over TLS at or above the floor, with these headers. */
export function ownerUploadsClass(bucket: BucketModel, headers: { sse?: string; keyId?: string; customerAlgorithm?: string },
  floor: number, what: string, property = 'Right uploads allowed', informational = false): PropertyClass {
  return memoClass(bucket, JSON.stringify(['owner uploads', headers, floor, what, property, informational]), () => {
    return bucketClass(bucket, {
      property,
      compliantWhen: informational ? undefined : 'counterexample',
      description: `uploads ${what} by principals of the bucket's account over TLS ${floor} or later`,
      actions: PUT_OBJECT,
      principals: OWNER,
      transports: TLS_VERSIONS.filter((v) => Number(v) >= floor).map((tlsVersion) => ({ secure: true, tlsVersion })),
      restrict: {
        [SSE]: [headers.sse],
        [CUSTOMER_ALGORITHM]: [headers.customerAlgorithm],
        ...(headers.keyId !== undefined || headers.sse !== undefined ? { [KEY_ID]: [headers.keyId] } : {}),
      },
    });
  });
}

/** Cryptographic operations on the key by principals of accounts its policy does not name, or anonymous. */
export function strangerKeyUseClass(key: KeyModel): PropertyClass {
  return memoClass(key, 'stranger key use', () => {
    const { partition, account } = key.record.stack;
    return {
      property: 'Key use restricted',
      compliantWhen: 'proof',
      description: 'every cryptographic operation on the key by a principal of an account its policy does not name, or ' +
        'anonymous, calling KMS directly, from outside any organisation and VPC',
      actions: KMS_ACTIONS,
      resourceArn: key.arn,
      partition,
      account,
      principals: { ownerAccount: false, otherAccounts: true, services: false, anonymous: true, unnamedAccountsOnly: true },
      transports: [{ secure: true }],
      // A stranger: not calling through a service (S3 checks its own policy first), in no organisation, in no VPC.
      restrict: Object.fromEntries(STRANGER_ABSENT_KEYS.map((k) => [k, [undefined]])),
    };
  });
}

const KMS_ACTIONS: S3ActionSpec[] = KMS_CRYPTOGRAPHIC_ACTIONS.map((action) => ({ action, resource: 'bucket', conditionKeys: [] }));
const STRANGER_ABSENT_KEYS = ['kms:viaservice', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:calledvia', 'aws:calledviafirst', 'aws:calledvialast'];

/** The bucket's policies as documents the procedure reads, or why they cannot be. */
export function bucketPolicyDocuments(model: AppModel, bucket: BucketModel): { documents: PolicyDocumentJson[]; problem?: string } {
  const merged = model.mergedPolicy(bucket);
  return { documents: [merged.document], problem: merged.problem };
}

/**
 * Decisions of shared forms, across models: a decision is a function of the policies and the class alone, so the
 * templates of a run (and the validations of a process) share them. Bounded, oldest first out.
 */
const SHARED_DECISIONS = new Map<string, Decision>();
const MAX_SHARED_DECISIONS = 5000;

/**
 * Forget what validations share across a process: decisions, shapes and witnesses (benchmarks measure a process's
 * first validation, when there are none yet).
 */
export function forgetSharedDecisions(): void {
  SHARED_DECISIONS.clear();
  forgetShapes();
  forgetStringWitnesses();
}

function sharedDecision(key: string, compute: () => Decision): Decision {
  let decision = SHARED_DECISIONS.get(key);
  if (decision === undefined) {
    decision = compute();
    if (SHARED_DECISIONS.size >= MAX_SHARED_DECISIONS) SHARED_DECISIONS.delete(SHARED_DECISIONS.keys().next().value!);
    SHARED_DECISIONS.set(key, decision);
  }
  return decision;
}

/** What the procedure decided for each model, in the order the rules asked (once per class, as it is memoised). */
const VERDICTS = new WeakMap<AppModel, PropertyVerdict[]>();

function recordVerdict(model: AppModel, verdict: PropertyVerdict): void {
  const list = VERDICTS.get(model);
  if (list) list.push(verdict);
  else VERDICTS.set(model, [verdict]);
}

/** Every property decided on the model so far (what `check --explain` prints). */
export function verdictsOf(model: AppModel): readonly PropertyVerdict[] {
  return VERDICTS.get(model) ?? [];
}

/** Decide "every request of the class is denied" for the bucket's policies (memoised per validation). */
export function decideForBucket(model: AppModel, bucket: BucketModel, propertyClass: PropertyClass): Decision {
  const { documents, problem } = bucketPolicyDocuments(model, bucket);
  const decide = (docs: readonly PolicyDocumentJson[], requestClass: PropertyClass) => {
    const decision = decideAllDenied(docs, requestClass);
    return problem && decision.kind !== 'counterexample'
      ? { kind: 'uncertain' as const, feature: problem, requestsDecided: decision.requestsDecided }
      : decision;
  };
  // Buckets of the same shape share one decision (see shared-decisions.ts); the key's ID may appear in the policy.
  return decideShared(model, bucket, documents, propertyClass, problem ?? '', (text) => {
    // Key IDs the policies name in key ARNs (found in the text, not by trying every key of the app).
    const keyIds = model.cached(model, 'key ids', () => new Set(model.allKeys().map((k) => k.keyId)));
    const named = [...text.matchAll(/:key\/([A-Za-z0-9._-]+)/g)].map((m) => m[1]);
    return [bucket.name, ...new Set(named.filter((id) => keyIds.has(id)))];
  }, decide);
}

/** Decide "no request of the class is allowed" for a key policy. */
export function decideForKey(model: AppModel, key: KeyModel, policy: PolicyDocumentJson, propertyClass: PropertyClass): Decision {
  // Keys of the same shape share one decision, as buckets do; the key's policy may name its bucket too.
  return decideShared(model, key, [policy], propertyClass, '', (text) => {
    // Bucket names the policy names in S3 ARNs.
    const named = [...text.matchAll(/:s3:::([A-Za-z0-9._-]+)/g)].map((m) => m[1]);
    return [key.keyId, ...new Set(named.filter((name) => model.bucketsNamed(name).length > 0))];
  }, (docs, requestClass) => decideNoneAllowed(docs[0], requestClass));
}

/**
 * A decision memoised per subject and class, and shared between subjects whose policies are equal up to their names
 * (the `names` of the subject); recorded for `check --explain`.
 */
function decideShared(model: AppModel, subject: BucketModel | KeyModel, documents: readonly PolicyDocumentJson[], propertyClass: PropertyClass,
  problem: string, names: (text: string) => string[],
  decide: (documents: readonly PolicyDocumentJson[], requestClass: PropertyClass) => Decision): Decision {
  // What else the decision depends on: which procedure (bucket or key), and a policy that could not be read.
  const kind = `${subject.record.type}:${problem}`;
  const { actionsId, restJson } = classParts(propertyClass);
  return model.cached(subject, `decide:${actionsId}:${restJson}`, () => {
    const shared = model.cached(subject, 'shared-policies', () => {
      const text = JSON.stringify(documents);
      return SharedPolicies.of(documents, names(text), text);
    });
    let decision: Decision;
    if (shared) {
      const sharedJson = shared.classJson(restJson);
      decision = shared.restore(sharedDecision(`${kind}:${shared.id}:${actionsId}:${sharedJson}`,
        () => decide(shared.documents, shared.requestClass(propertyClass))));
    } else {
      decision = decide(documents, propertyClass);
    }
    recordVerdict(model, { subject, propertyClass, decision });
    return decision;
  });
}

/** How a request reads in a finding: `s3:DeleteObject on arn:aws:s3:::b/x over plain HTTP by <principal> with k=v`. */
export function describeRequest(request: PolicyRequest): string {
  const context = request.context;
  const transport = context['aws:SecureTransport'] === 'false' ? ' over plain HTTP'
    : context['s3:TlsVersion'] !== undefined ? ` over TLS ${context['s3:TlsVersion']}` : '';
  const shown = Object.entries(context)
    .filter(([k, v]) => v !== undefined && !DERIVED_KEYS.has(k.toLowerCase()))
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : v}`);
  const headerless = request.action === 's3:PutObject' && context[ConditionKeys.SSE] === undefined
    && context[ConditionKeys.SSE_CUSTOMER_ALGORITHM] === undefined ? ' without encryption headers' : '';
  return `${request.action} on ${request.resource}${transport} by ${describePrincipal(request.principal)}` +
    `${headerless}${shown.length > 0 ? ` with ${shown.join(', ')}` : ''}`;
}

/** Context keys a finding does not repeat: they follow from the principal and the transport it already names. */
const DERIVED_KEYS = new Set([
  'aws:securetransport', 's3:tlsversion', 'aws:principalarn', 'aws:principalaccount', 'kms:calleraccount',
  'aws:principalisawsservice', 'aws:principaltype', 'aws:principalservicename',
]);

/** The headers of an upload encrypted as a bucket's mode says. */
export function rightHeaders(mode: string, keyArn: string | undefined): { sse?: string; keyId?: string; customerAlgorithm?: string } {
  if (mode === EncryptionMode.SSE_C) return { customerAlgorithm: SSE_C_ALGORITHM };
  if (mode === EncryptionMode.SSE_KMS || mode === EncryptionMode.DSSE_KMS) return { sse: mode, keyId: keyArn };
  return { sse: mode };
}
