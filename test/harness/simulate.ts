import { runSimulation } from '@cloud-copilot/iam-simulate';
import { CfnResolver, CfnEnvironment, TEST_ENV, Template } from './cfn-resolve';
import { PolicyDocumentJson, PolicyRequest } from '../../src/nag/evaluator';

/** What the simulator decided, in the words a test table uses. */
export type Verdict = 'allowed' | 'denied';

/** A principal in the bucket's account whose identity policy allows everything. */
export const SAME_ACCOUNT_ROLE = `arn:aws:iam::${TEST_ENV.account}:role/Writer`;

const ALLOW_EVERYTHING = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** One evaluation: a resource policy, the resource, the caller and the request context. */
export interface Evaluation {
  readonly resourcePolicy: any;
  readonly resourceArn: string;
  readonly resourceAccount?: string;
  readonly action: string;
  readonly principal?: string;
  /** Identity policy of the principal. @default allows everything */
  readonly identityPolicy?: any;
  readonly context: Record<string, string | string[]>;
  /** Resource control policies, one list per level, root first. */
  readonly resourceControlPolicies?: any[];
}

/**
 * Evaluate a request with `@cloud-copilot/iam-simulate`. Fails when the simulator rejects the input or
 * ignores a context key, since a verdict reached without that key would prove nothing.
 */
export async function evaluate(evaluation: Evaluation): Promise<Verdict> {
  const result = await runSimulation({
    request: {
      principal: evaluation.principal ?? SAME_ACCOUNT_ROLE,
      action: evaluation.action,
      resource: { resource: evaluation.resourceArn, accountId: evaluation.resourceAccount ?? TEST_ENV.account },
      contextVariables: evaluation.context,
    },
    identityPolicies: [{ name: 'identity', policy: evaluation.identityPolicy ?? ALLOW_EVERYTHING }],
    serviceControlPolicies: [],
    resourceControlPolicies: (evaluation.resourceControlPolicies ?? []).map((policy, i) => ({
      orgIdentifier: i === 0 ? 'r-root' : `ou-level-${i}`,
      policies: [{ name: `rcp-${i}`, policy }],
    })),
    resourcePolicy: evaluation.resourcePolicy,
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`Simulator rejected the input: ${JSON.stringify(result.errors)}`);
  }
  const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] :
    result.results.flatMap((r) => r.ignoredContextKeys ?? []);
  if (ignored.length > 0) {
    throw new Error(`Simulator ignored context keys ${ignored.join(', ')} for ${evaluation.action}: the verdict would not test them`);
  }
  return result.overallResult === 'Allowed' ? 'allowed' : 'denied';
}

/**
 * Whether iam-simulate denies a request of the decision procedure (`decide.ts`) explicitly by the resource policy,
 * with an identity policy that allows all of S3. Only context keys the policy names are passed: the simulator refuses
 * keys that do not apply to the action, and a key the policy does not read cannot change its verdict.
 */
export async function explicitlyDeniedBy(policy: PolicyDocumentJson, request: PolicyRequest, resourceAccount: string): Promise<boolean> {
  const mentioned = new Set(JSON.stringify(policy).toLowerCase().match(/"[a-z0-9-]+:[a-z0-9/_-]+"/gi)?.map((k) => k.slice(1, -1)) ?? []);
  const context = Object.fromEntries(Object.entries(request.context)
    .filter(([k, v]) => v !== undefined && (mentioned.has(k.toLowerCase()) || k === 'aws:SecureTransport'))) as Record<string, string>;
  const principal = request.principal;
  const result = await runSimulation({
    request: {
      principal: typeof principal === 'string' ? principal : 'service' in principal ? principal.service : '*',
      action: request.action,
      resource: { resource: request.resource, accountId: resourceAccount },
      contextVariables: context,
    },
    identityPolicies: [{ name: 'AllowAll', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] } }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy,
  }, {});
  if (result.resultType !== 'single') throw new Error(`simulator returned ${result.resultType}`);
  if (result.result.ignoredContextKeys?.length) throw new Error(`simulator ignored ${result.result.ignoredContextKeys.join(', ')}`);
  return result.overallResult === 'ExplicitlyDenied';
}

/** Rows titled "<what> is <verdict>", the verdict being the row's last column. */
export function titled<T extends [string, ...unknown[]]>(rows: T[]): T[] {
  return rows.map((row) => [`${row[0]} is ${row[row.length - 1]}`, ...row.slice(1)] as unknown as T);
}

/** A request to S3, described the way a reviewer reads it. */
export interface S3Request {
  /** IAM action the request is authorised as. */
  readonly action: string;
  /** Object key; absent for bucket-level requests. */
  readonly key?: string;
  /** Whether the request came over TLS. @default true */
  readonly secureTransport?: boolean;
  /** TLS version; absent over plain HTTP. @default '1.2' over TLS */
  readonly tls?: string;
  /** `x-amz-server-side-encryption` */
  readonly sse?: string;
  /** `x-amz-server-side-encryption-aws-kms-key-id` */
  readonly kmsKeyId?: string;
  /** `x-amz-server-side-encryption-customer-algorithm` */
  readonly sseCustomerAlgorithm?: string;
  /** `x-amz-copy-source` */
  readonly copySource?: string;
  /** Caller. @default SAME_ACCOUNT_ROLE */
  readonly principal?: string;
  /** Further context keys. */
  readonly context?: Record<string, string | string[]>;
}

/** The request context S3 builds for a request. */
export function contextOf(request: S3Request): Record<string, string | string[]> {
  const secure = request.secureTransport ?? true;
  const context: Record<string, string | string[]> = { 'aws:SecureTransport': String(secure) };
  const tls = request.tls ?? (secure ? '1.2' : undefined);
  if (tls !== undefined) context['s3:TlsVersion'] = tls;
  if (request.sse !== undefined) context['s3:x-amz-server-side-encryption'] = request.sse;
  if (request.kmsKeyId !== undefined) context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = request.kmsKeyId;
  if (request.sseCustomerAlgorithm !== undefined) {
    context['s3:x-amz-server-side-encryption-customer-algorithm'] = request.sseCustomerAlgorithm;
  }
  if (request.copySource !== undefined) context['s3:x-amz-copy-source'] = request.copySource;
  return { ...context, ...request.context };
}

/** The bucket policy of a bucket in a synthesized template, with its intrinsics resolved. */
export function bucketPolicyOf(template: Template, bucketLogicalId: string, env?: CfnEnvironment): any {
  const resolver = new CfnResolver(template, env);
  const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy' &&
    resolver.resolve(r.Properties?.Bucket) === resolver.bucketName(bucketLogicalId));
  if (policies.length !== 1) throw new Error(`Expected one bucket policy for ${bucketLogicalId}, found ${policies.length}`);
  return resolver.resolve(policies[0].Properties!.PolicyDocument);
}

/**
 * The logical ID of the template's only bucket, not counting the log bucket of the stack's shared
 * EncryptionAuditTrail (which every bucket construct registers with).
 */
export function onlyBucket(template: Template): string {
  const buckets = Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::S3::Bucket' && !id.startsWith('EncryptionAuditTrail'))
    .map(([id]) => id);
  if (buckets.length !== 1) throw new Error(`Expected one bucket, found ${buckets.join(', ')}`);
  return buckets[0];
}

/**
 * Evaluate a request against a bucket's policy in a synthesized template.
 *
 * @param bucketLogicalId the bucket; @default the template's only bucket
 */
export async function simulate(template: Template, request: S3Request, bucketLogicalId?: string): Promise<Verdict> {
  const bucketId = bucketLogicalId ?? onlyBucket(template);
  const resolver = new CfnResolver(template);
  const bucketArn = `arn:aws:s3:::${resolver.bucketName(bucketId)}`;
  return evaluate({
    resourcePolicy: bucketPolicyOf(template, bucketId),
    resourceArn: request.key === undefined ? bucketArn : `${bucketArn}/${request.key}`,
    action: request.action,
    principal: request.principal,
    context: contextOf(request),
  });
}

/** The Sids of the statements in the bucket policy of a template's bucket (@default the template's only bucket). */
export function bucketPolicySids(template: Template, bucketLogicalId?: string): string[] {
  return bucketPolicyOf(template, bucketLogicalId ?? onlyBucket(template)).Statement.map((s: any) => s.Sid);
}

/** A copy of the template whose bucket policies lack the statement `sid`. */
export function withoutStatement(template: Template, sid: string): Template {
  const copy = JSON.parse(JSON.stringify(template)) as Template;
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type !== 'AWS::S3::BucketPolicy') continue;
    const document = resource.Properties!.PolicyDocument;
    document.Statement = document.Statement.filter((s: any) => s.Sid !== sid);
  }
  return copy;
}

/**
 * The first of `requests` that the template's bucket policy denies only because of the statement `sid`: allowed once
 * that statement is removed. `undefined` when the statement decides none of them, i.e. the requests do not test it.
 */
export async function requestDeniedOnlyBy(template: Template, sid: string, requests: S3Request[]): Promise<S3Request | undefined> {
  const without = withoutStatement(template, sid);
  for (const request of requests) {
    if (await simulate(without, request) === 'allowed' && await simulate(template, request) === 'denied') return request;
  }
  return undefined;
}

type Headers = Omit<S3Request, 'action' | 'key'>;

// Request builders: each names the S3 API operation and authorises it as S3 does.
export const put = (h: Headers = {}): S3Request => ({ action: 's3:PutObject', key: 'data/object.bin', ...h });
export const get = (h: Headers = {}): S3Request => ({ action: 's3:GetObject', key: 'data/object.bin', ...h });
export const del = (h: Headers = {}): S3Request => ({ action: 's3:DeleteObject', key: 'data/object.bin', ...h });
export const list = (h: Headers = {}): S3Request => ({ action: 's3:ListBucket', ...h });
/** CopyObject is authorised as PutObject on the destination, with the copy's own SSE headers. */
export const copyInto = (h: Headers = {}): S3Request => ({ copySource: 'source-bucket/source.bin', ...put(h) });
/** CreateMultipartUpload is authorised as PutObject and carries the upload's SSE headers. */
export const createMultipartUpload = put;
/**
 * UploadPart, UploadPartCopy and CompleteMultipartUpload are authorised as PutObject. The caller passes the
 * context S3 evaluates for them (see the assumption stated in the test).
 */
export const uploadPart = put;
export const completeMultipartUpload = put;

/**
 * The simulator drops `kms:EncryptionContext:<key>` context keys (it matches variable keys only in
 * `prefix/variable` form). Rename them, in policies and in request contexts alike, to a string-typed alias that
 * it does evaluate: `kms:EncryptionContext:aws:s3:arn` becomes `aws:RequestTag/ec-aws_s3_arn`.
 */
export function aliasEncryptionContextKeys<T>(value: T): T {
  const rename = (key: string) => key.replace(/^kms:EncryptionContext:(.+)$/i, (_, name: string) => `aws:RequestTag/ec-${name.replace(/:/g, '_')}`);
  const walk = (v: any): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [rename(k), walk(inner)]));
  };
  return walk(value);
}

/** The identity policies attached to a role in a synthesized template, merged into one document. */
export function identityPolicyOf(template: Template, roleLogicalId: string): any {
  const resolver = new CfnResolver(template);
  const statements = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && (r.Properties?.Roles ?? []).some((ref: any) => ref.Ref === roleLogicalId))
    .flatMap((r) => resolver.resolve(r.Properties!.PolicyDocument).Statement);
  return { Version: '2012-10-17', Statement: statements };
}

/** The resolved key policy of a KMS key in a synthesized template. */
export function keyPolicyOf(template: Template, keyLogicalId: string): any {
  return new CfnResolver(template).resolve(template.Resources[keyLogicalId].Properties!.KeyPolicy);
}
