import { AppModel, BucketModel, TrailModel } from './app-model';
import {
  evaluateDenies, PolicyDocumentJson, PolicyRequest, RequestContext, UnsupportedPolicyFeature, wildcardMatch,
} from './evaluator';
import { ConditionKeys } from '../policy/statements';

// The canonical requests the rules ask a bucket's policy about, and the answers. A rule never looks at the
// shape of a statement: it asks "is this request denied?" and the evaluator answers from all the statements
// that apply to the bucket, wherever they were written.

/** What a bucket policy says about a canonical request. */
export type Answer =
  | { readonly kind: 'denied'; readonly by: readonly string[] }
  | { readonly kind: 'notDenied' }
  | { readonly kind: 'uncertain'; readonly reason: string };

/** Who sends a request. */
export enum Caller {
  /** A role of the bucket's account. */
  OWNER = 'OWNER',
  /** A role of the bucket's account and a role of another account: denied only if denied for both. */
  EVERYONE = 'EVERYONE',
}

/** The encryption headers of an upload. */
export interface UploadHeaders {
  /** `x-amz-server-side-encryption`. */
  readonly sse?: string;
  /** `x-amz-server-side-encryption-aws-kms-key-id`. */
  readonly kmsKeyId?: string;
  /** `x-amz-server-side-encryption-customer-algorithm`. */
  readonly customerAlgorithm?: string;
}

/** A canonical request to a bucket or one of its objects. */
export interface Probe {
  /** An S3 action, e.g. `s3:PutObject`. */
  readonly action: string;
  /** Whether the request is for the bucket or for an object. */
  readonly target: 'bucket' | 'object';
  /** TLS version of the request, or `http` for a request without TLS. @default '1.3' */
  readonly transport?: string;
  /** Encryption headers (uploads). @default none */
  readonly headers?: UploadHeaders;
  /** @default Caller.EVERYONE */
  readonly caller?: Caller;
}

/** The object key canonical object requests use. */
export const PROBE_OBJECT_KEY = 'S3EncryptionChecks/probe-object';

/** A key ARN that is no key of the app, for "another key" requests. */
export function foreignKeyArn(bucket: BucketModel): string {
  const { partition, region, account } = bucket.record.stack;
  return `arn:${partition}:kms:${region}:${account}:key/00000000-0000-4000-8000-000000000000`;
}

const FOREIGN_ACCOUNTS = ['999999999999', '888888888888'];

function principalsOf(bucket: BucketModel, caller: Caller): string[] {
  const { partition, account } = bucket.record.stack;
  const owner = `arn:${partition}:iam::${account}:role/S3EncryptionChecksProbe`;
  if (caller === Caller.OWNER) return [owner];
  const foreign = FOREIGN_ACCOUNTS.find((a) => a !== account)!;
  return [owner, `arn:${partition}:iam::${foreign}:role/S3EncryptionChecksProbe`];
}

function contextOf(principal: string, probe: Probe): RequestContext {
  const transport = probe.transport ?? '1.3';
  const headers = probe.headers ?? {};
  return defined({
    'aws:SecureTransport': transport === 'http' ? 'false' : 'true',
    's3:TlsVersion': transport === 'http' ? undefined : transport,
    'aws:PrincipalArn': principal,
    'aws:PrincipalAccount': principal.split(':')[4],
    'aws:PrincipalIsAWSService': 'false',
    [ConditionKeys.SSE]: headers.sse,
    [ConditionKeys.SSE_KMS_KEY_ID]: headers.kmsKeyId,
    [ConditionKeys.SSE_CUSTOMER_ALGORITHM]: headers.customerAlgorithm,
  });
}

/** The context without absent keys (the evaluator treats both alike; fewer keys to normalise). */
function defined(context: RequestContext): RequestContext {
  const out: RequestContext = {};
  for (const [key, value] of Object.entries(context)) if (value !== undefined) out[key] = value;
  return out;
}

/** Ask the bucket's policies (all of them, merged) about a canonical request. Memoised per validation. */
export function ask(model: AppModel, bucket: BucketModel, probe: Probe): Answer {
  // When no Deny depends on who calls, the owner's answer is everyone's: half the evaluations on most buckets.
  const caller = callerIndependent(model, bucket) ? Caller.OWNER : probe.caller ?? Caller.EVERYONE;
  const key = `probe:${caller}:${probe.action}:${probe.target}:${probe.transport ?? ''}:${JSON.stringify(probe.headers ?? null)}`;
  return model.cached(bucket, key, () => {
    const resource = probe.target === 'bucket' ? bucket.arn : `${bucket.arn}/${PROBE_OBJECT_KEY}`;
    const answers = principalsOf(bucket, caller).map((principal) =>
      evaluate(model, bucket, { principal, action: probe.action, resource, context: contextOf(principal, probe) }));
    return allDenied(answers);
  });
}

/** Context keys whose values differ between the callers of {@link Caller.EVERYONE}. */
const CALLER_KEYS = new Set(['aws:principalarn', 'aws:principalaccount']);

/**
 * Whether every Deny of the bucket's policies applies to all principals alike: `Principal` `*` or `{"AWS":"*"}`,
 * and no condition on the context keys that tell the callers apart. Then both callers get the same answer.
 */
function callerIndependent(model: AppModel, bucket: BucketModel): boolean {
  return model.cached(bucket, 'callerIndependent', () => {
    const statements = model.mergedPolicy(bucket).document.Statement;
    return (Array.isArray(statements) ? statements : [statements]).every((s: any) => {
      if (s === null || typeof s !== 'object' || s.Effect !== 'Deny') return true;
      const everyone = s.Principal === '*' || (s.Principal !== null && typeof s.Principal === 'object'
        && Object.keys(s.Principal).length === 1 && s.Principal.AWS === '*');
      if (!everyone || s.NotPrincipal !== undefined) return false;
      const condition = s.Condition;
      if (condition === undefined) return true;
      if (condition === null || typeof condition !== 'object') return false;
      return Object.values(condition).every((keys) => keys !== null && typeof keys === 'object'
        && Object.keys(keys as object).every((k) => !CALLER_KEYS.has(k.toLowerCase())));
    });
  });
}

/** Ask whether CloudTrail's delivery of a log file for `trail` (with these headers) is denied. */
export function askDelivery(model: AppModel, bucket: BucketModel, trail: TrailModel, headers: UploadHeaders): Answer {
  return model.cached(bucket, `delivery:${trail.arn}:${JSON.stringify(headers)}`, () => {
    const prefix = typeof trail.properties.S3KeyPrefix === 'string' && trail.properties.S3KeyPrefix !== ''
      ? `${trail.properties.S3KeyPrefix}/` : '';
    const key = `${prefix}AWSLogs/${trail.account}/CloudTrail/${trail.region}/2026/01/01/${trail.account}_CloudTrail_${trail.region}_probe.json.gz`;
    return evaluate(model, bucket, {
      principal: { service: 'cloudtrail.amazonaws.com' },
      action: 's3:PutObject',
      resource: `${bucket.arn}/${key}`,
      context: {
        'aws:SecureTransport': 'true',
        's3:TlsVersion': '1.2',
        'aws:PrincipalIsAWSService': 'true',
        'aws:SourceArn': trail.arn,
        'aws:SourceAccount': trail.account,
        's3:x-amz-acl': 'bucket-owner-full-control',
        [ConditionKeys.SSE]: headers.sse,
        [ConditionKeys.SSE_KMS_KEY_ID]: headers.kmsKeyId,
      },
    });
  });
}

/** Ask whether S3's delivery of a server access log file of `source` into `bucket` (no SSE header) is denied. */
export function askLogDelivery(model: AppModel, bucket: BucketModel, source: BucketModel): Answer {
  return model.cached(bucket, `logDelivery:${source.arn}`, () => {
    const prefix = typeof source.properties.LoggingConfiguration?.LogFilePrefix === 'string'
      ? source.properties.LoggingConfiguration.LogFilePrefix : '';
    return evaluate(model, bucket, {
      principal: { service: 'logging.s3.amazonaws.com' },
      action: 's3:PutObject',
      resource: `${bucket.arn}/${prefix}2026-01-01-00-00-00-PROBE`,
      context: {
        'aws:SecureTransport': 'true',
        's3:TlsVersion': '1.2',
        'aws:PrincipalIsAWSService': 'true',
        'aws:SourceArn': source.arn,
        'aws:SourceAccount': source.record.stack.account,
      },
    });
  });
}

function evaluate(model: AppModel, bucket: BucketModel, request: PolicyRequest): Answer {
  const merged = model.mergedPolicy(bucket);
  try {
    const result = evaluateDenies(deniesFor(model, bucket, request.action), request);
    return result.denied ? { kind: 'denied', by: result.statementIds } : { kind: 'notDenied' };
  } catch (e) {
    const detail = e instanceof UnsupportedPolicyFeature ? e.message : `evaluation failed: ${(e as Error).message}`;
    return { kind: 'uncertain', reason: merged.problem ? `${merged.problem} (${detail})` : detail };
  }
}

/**
 * The bucket's merged policy without the statements that cannot apply to `action`: Allow statements (only Denies
 * decide these questions) and Denies whose `Action` names only other actions. Statements keep their ids (`#<index>`
 * of the merged policy for those without a Sid), and anything the filter is unsure of stays, so the evaluator's
 * answer is the same; it just has fewer statements to look at.
 */
function deniesFor(model: AppModel, bucket: BucketModel, action: string): PolicyDocumentJson {
  return model.cached(bucket, `denies:${action}`, () => {
    const document = model.mergedPolicy(bucket).document;
    const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    const kept = statements.flatMap((statement, index) => {
      if (statement === null || typeof statement !== 'object') return [statement];
      if (statement.Effect === 'Allow' || cannotMatch(statement.Action, action)) return [];
      return [statement.Sid === undefined || statement.Sid === '' ? { ...statement, Sid: `#${index}` } : statement];
    });
    return { ...document, Statement: kept };
  });
}

/** Whether an `Action` element certainly names none of `action` (a list of `service:pattern` strings). */
function cannotMatch(patterns: unknown, action: string): boolean {
  if (patterns === undefined) return false;
  const list = Array.isArray(patterns) ? patterns : [patterns];
  return list.every((p) => typeof p === 'string' && p !== '*' && p.indexOf(':') > 0 && !wildcardMatch(p, action, true));
}

/** Denied for every caller; not denied if any caller is certainly not denied; otherwise uncertain. */
function allDenied(answers: Answer[]): Answer {
  if (answers.some((a) => a.kind === 'notDenied')) return { kind: 'notDenied' };
  const uncertain = answers.find((a) => a.kind === 'uncertain');
  if (uncertain) return uncertain;
  return { kind: 'denied', by: [...new Set(answers.flatMap((a) => (a.kind === 'denied' ? a.by : [])))] };
}

/** How a probe reads in a finding: `s3:PutObject on <ARN>/* over HTTP with header ...`. */
export function describeProbe(bucket: BucketModel, probe: Probe): string {
  const on = probe.target === 'bucket' ? bucket.arn : `${bucket.arn}/*`;
  const transport = probe.transport === 'http' ? ' over HTTP' : probe.transport && probe.transport !== '1.3' ? ` over TLS ${probe.transport}` : '';
  return `${probe.action} on ${on}${transport}${describeHeaders(probe.headers)}`;
}

/** How upload headers read in a finding. */
export function describeHeaders(headers: UploadHeaders | undefined): string {
  if (!headers || (headers.sse === undefined && headers.kmsKeyId === undefined && headers.customerAlgorithm === undefined)) {
    return headers ? ' without encryption headers' : '';
  }
  const parts: string[] = [];
  if (headers.sse !== undefined) parts.push(`x-amz-server-side-encryption: ${headers.sse}`);
  if (headers.kmsKeyId !== undefined) parts.push(`key id ${headers.kmsKeyId}`);
  if (headers.customerAlgorithm !== undefined) parts.push(`SSE-C algorithm ${headers.customerAlgorithm}`);
  return ` with ${parts.join(', ')}`;
}

/** The statements that decided, for a finding. */
export function deniedBy(answer: Answer): string {
  return answer.kind === 'denied' && answer.by.length > 0 ? ` (denied by ${answer.by.join(', ')})` : '';
}
