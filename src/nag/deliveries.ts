import { AppModel, BucketModel, TrailModel } from './app-model';
import { evaluateDenies, PolicyDocumentJson, PolicyRequest, UnsupportedPolicyFeature, wildcardMatch } from './evaluator';
import { ConditionKeys } from '../policy/requirement';

// Deliveries by AWS services into a bucket: one concrete request each (CloudTrail's log and digest files, S3's server
// access logs), asked of the bucket's policies. These requests are what the services send, so they are asked as
// such; the properties of the rule pack (properties.ts) leave log-delivering services out of their classes.

/** What a bucket policy says about a concrete request. */
export type Answer =
  | { readonly kind: 'denied'; readonly by: readonly string[] }
  | { readonly kind: 'notDenied' }
  | { readonly kind: 'uncertain'; readonly reason: string };

/** The encryption headers of an upload. */
export interface UploadHeaders {
  /** `x-amz-server-side-encryption`. */
  readonly sse?: string;
  /** `x-amz-server-side-encryption-aws-kms-key-id`. */
  readonly kmsKeyId?: string;
  /** `x-amz-server-side-encryption-customer-algorithm`. */
  readonly customerAlgorithm?: string;
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
