/**
 * Test helpers for CloudTrail audit trails: what a synthesized trail records, and requests as CloudTrail makes
 * them, for the simulator.
 */
import { CfnEnvironment, CfnResolver, TEST_ENV, Template } from './cfn-resolve';
import { aliasEncryptionContextKeys, evaluate, Verdict } from './simulate';

/** Which object events a selector records, in `ReadWriteType` words. */
export type RecordedEvents = 'All' | 'ReadOnly' | 'WriteOnly';

/** Logical IDs of the trails in a template. */
export function trailsOf(template: Template): string[] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CloudTrail::Trail').map(([id]) => id);
}

/** The only trail of a template. */
export function onlyTrail(template: Template): string {
  const trails = trailsOf(template);
  if (trails.length !== 1) throw new Error(`Expected one trail, found ${trails.length}: ${trails.join(', ')}`);
  return trails[0];
}

/** The resolved advanced event selectors of a trail. */
export function selectorsOf(template: Template, trailLogicalId: string = onlyTrail(template), env?: CfnEnvironment): any[] {
  return new CfnResolver(template, env).resolve(template.Resources[trailLogicalId].Properties.AdvancedEventSelectors ?? []);
}

/**
 * The S3 object-ARN prefixes a trail records, with which events: read from its data-event selectors, each of
 * which must be an S3 object selector in the shape the library writes.
 */
export function auditedObjectPrefixes(template: Template, trailLogicalId?: string, env?: CfnEnvironment): Map<string, RecordedEvents> {
  const prefixes = new Map<string, RecordedEvents>();
  for (const selector of selectorsOf(template, trailLogicalId, env)) {
    const fields = new Map<string, any>(selector.FieldSelectors.map((f: any) => [f.Field, f]));
    if (fields.get('eventCategory')?.Equals?.[0] !== 'Data') continue;
    if (fields.get('resources.type')?.Equals?.[0] !== 'AWS::S3::Object') throw new Error(`Not an S3 object selector: ${JSON.stringify(selector)}`);
    const readOnly = fields.get('readOnly')?.Equals;
    const events: RecordedEvents = readOnly === undefined ? 'All' : readOnly[0] === 'true' ? 'ReadOnly' : 'WriteOnly';
    for (const prefix of fields.get('resources.ARN')?.StartsWith ?? []) {
      if (prefixes.has(prefix)) throw new Error(`Prefix ${prefix} appears in two selectors`);
      prefixes.set(prefix, events);
    }
  }
  return prefixes;
}

/** The `<bucket ARN>/` prefix of a bucket in a template, as a trail must record it. */
export function objectPrefixOf(template: Template, bucketLogicalId: string, env: CfnEnvironment = TEST_ENV): string {
  return `arn:${env.partition ?? 'aws'}:s3:::${new CfnResolver(template, env).bucketName(bucketLogicalId)}/`;
}

/** Logical IDs of the buckets a trail delivers its logs to. */
export function logBucketsOf(template: Template): string[] {
  return Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudTrail::Trail')
    .map((r) => r.Properties.S3BucketName?.Ref).filter((id): id is string => typeof id === 'string');
}

/**
 * The buckets of a template whose object events (all of them) no trail of the template records, except the
 * trails' own log buckets. Empty when every bucket is audited.
 */
export function unauditedBuckets(template: Template, env: CfnEnvironment = TEST_ENV): string[] {
  const recorded = new Map<string, RecordedEvents>();
  for (const trail of trailsOf(template)) {
    for (const [prefix, events] of auditedObjectPrefixes(template, trail, env)) recorded.set(prefix, events);
  }
  const logBuckets = new Set(logBucketsOf(template));
  return Object.entries(template.Resources)
    .filter(([id, r]) => r.Type === 'AWS::S3::Bucket' && !logBuckets.has(id))
    .map(([id]) => id)
    .filter((id) => recorded.get(objectPrefixOf(template, id, env)) !== 'All');
}

/**
 * The ARN of a trail as CloudTrail names it in `aws:SourceArn`: from its `TrailName` (CfnResolver's `Ref` of a
 * trail is its logical ID, which is the trail's name only when `TrailName` is not set).
 */
export function trailArnOf(template: Template, trailLogicalId: string = onlyTrail(template), env: CfnEnvironment = TEST_ENV): string {
  const name = template.Resources[trailLogicalId].Properties?.TrailName;
  if (name === undefined) return new CfnResolver(template, env).getAtt(trailLogicalId, 'Arn');
  return `arn:${env.partition ?? 'aws'}:cloudtrail:${env.region}:${env.account}:trail/${new CfnResolver(template, env).resolve(name)}`;
}

/** A request that CloudTrail (the service principal) makes on behalf of a trail. */
export interface ServiceRequest {
  readonly resourcePolicy: any;
  readonly resourceArn: string;
  readonly action: string;
  /** Calling service principal. @default 'cloudtrail.amazonaws.com' */
  readonly service?: string;
  readonly context: Record<string, string | string[]>;
}

/**
 * Evaluate a service principal's request. `kms:EncryptionContext:<key>` keys, in the policy and the context
 * alike, are renamed to an alias the simulator evaluates (it drops them otherwise); the harness fails the test if
 * any context key is still ignored.
 */
export function evaluateServiceRequest(request: ServiceRequest): Promise<Verdict> {
  return evaluate({
    resourcePolicy: aliasEncryptionContextKeys(request.resourcePolicy),
    resourceArn: request.resourceArn,
    action: request.action,
    principal: request.service ?? 'cloudtrail.amazonaws.com',
    context: aliasEncryptionContextKeys(request.context),
  });
}
