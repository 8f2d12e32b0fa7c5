import { AppModel, BucketModel, isTrue, TrailModel } from './app-model';
import { concreteString } from './cfn-values';

// Which S3 object events each trail of the app records, indexed by object-ARN prefix, so that finding the trails
// of a bucket costs a lookup per character of its ARN, not a scan of every selector value of every trail.

/** Which object events are recorded. */
export interface RecordedEvents {
  readonly read: boolean;
  readonly write: boolean;
}

const NONE: RecordedEvents = { read: false, write: false };

/** One selector that records S3 object events, reduced to what decides whether it covers a whole bucket. */
interface ObjectSelector {
  readonly events: RecordedEvents;
  /** Object-ARN prefixes it records; undefined for every object of every bucket. */
  readonly prefixes?: readonly string[];
  /** Values of `NotStartsWith`, `NotEquals`, `EndsWith`, `NotEndsWith` on `resources.ARN`: parts left out. */
  readonly exclusions: readonly string[];
}

/** The object events a trail records, by prefix. */
export interface TrailCoverage {
  /** Events recorded for every S3 object. */
  readonly everywhere: RecordedEvents;
  /** Events recorded for objects whose ARN starts with the key. */
  readonly byPrefix: ReadonlyMap<string, RecordedEvents>;
  /** Selectors with exclusions, checked one by one (rare). */
  readonly withExclusions: readonly ObjectSelector[];
}

/** The trail's coverage (memoised per validation). */
export function coverageOf(model: AppModel, trail: TrailModel): TrailCoverage {
  return model.cached(trail, 'coverage', () => index(selectorsOf(trail)));
}

/** The object-ARN prefix of a bucket: every object ARN of the bucket starts with it, and no other's does. */
export function objectPrefixOf(bucket: BucketModel): string {
  return `${bucket.arn}/`;
}

/** The events of `bucket`'s objects that `trail` records in full (a selector that records part of them counts for nothing). */
export function eventsRecorded(model: AppModel, trail: TrailModel, bucket: BucketModel): RecordedEvents {
  const coverage = coverageOf(model, trail);
  const prefix = objectPrefixOf(bucket);
  let events = coverage.everywhere;
  for (let i = 0; i <= prefix.length; i++) {
    const found = coverage.byPrefix.get(prefix.slice(0, i));
    if (found) events = union(events, found);
  }
  for (const selector of coverage.withExclusions) {
    if (covers(selector, prefix)) events = union(events, selector.events);
  }
  return events;
}

/**
 * The trails of the app that can record events of the bucket's account and Region: those of its account (and of
 * environment-agnostic stacks), and organisation trails. Grouped once per validation, so a bucket looks only at the
 * few trails of its account (CloudTrail allows five per Region).
 */
export function trailsSeeing(model: AppModel, bucket: BucketModel): TrailModel[] {
  const groups = model.cached(model, 'trailsByAccount', () => {
    const byAccount = new Map<string, TrailModel[]>();
    const everywhere: TrailModel[] = [];
    for (const trail of model.allTrails()) {
      if (trail.isOrganization || !trail.record.stack.accountKnown) {
        everywhere.push(trail);
      } else {
        const list = byAccount.get(trail.account);
        if (list) list.push(trail);
        else byAccount.set(trail.account, [trail]);
      }
    }
    return { byAccount, everywhere };
  });
  const candidates = bucket.record.stack.accountKnown
    ? [...(groups.byAccount.get(bucket.record.stack.account) ?? []), ...groups.everywhere]
    : model.allTrails();
  return candidates.filter((trail) => sameEnvironment(trail, bucket));
}

/** Whether the trail can record events of the bucket's environment (account and Region). */
export function sameEnvironment(trail: TrailModel, bucket: BucketModel): boolean {
  const t = trail.record.stack;
  const b = bucket.record.stack;
  const account = trail.isOrganization || !t.accountKnown || !b.accountKnown || t.account === b.account;
  const region = trail.isMultiRegion || !t.regionKnown || !b.regionKnown || t.region === b.region;
  return account && region;
}

/** What keeps a trail's records from counting: not logging, no log file validation, no KMS encryption. */
export function trailDefects(trail: TrailModel): string[] {
  const defects: string[] = [];
  if (!isTrue(trail.properties.IsLogging)) defects.push('does not log (IsLogging is not true)');
  if (!isTrue(trail.properties.EnableLogFileValidation)) defects.push('does not validate its log files (EnableLogFileValidation is not true)');
  if (concreteString(trail.properties.KMSKeyId) === undefined) defects.push('does not encrypt its log files with a KMS key (no KMSKeyId)');
  return defects;
}

export function union(a: RecordedEvents, b: RecordedEvents): RecordedEvents {
  return { read: a.read || b.read, write: a.write || b.write };
}

function covers(selector: ObjectSelector, prefix: string): boolean {
  const included = selector.prefixes === undefined || selector.prefixes.some((p) => prefix.startsWith(p));
  // An exclusion that may match one of the bucket's objects leaves part of them unrecorded.
  const excluded = selector.exclusions.some((v) => v.startsWith(prefix) || prefix.startsWith(v) || !v.startsWith('arn:'));
  return included && !excluded;
}

function index(selectors: ObjectSelector[]): TrailCoverage {
  let everywhere = NONE;
  const byPrefix = new Map<string, RecordedEvents>();
  const withExclusions: ObjectSelector[] = [];
  for (const selector of selectors) {
    if (selector.exclusions.length > 0) {
      withExclusions.push(selector);
    } else if (selector.prefixes === undefined) {
      everywhere = union(everywhere, selector.events);
    } else {
      for (const p of selector.prefixes) byPrefix.set(p, union(byPrefix.get(p) ?? NONE, selector.events));
    }
  }
  return { everywhere, byPrefix, withExclusions };
}

function selectorsOf(trail: TrailModel): ObjectSelector[] {
  const advanced = trail.properties.AdvancedEventSelectors;
  if (Array.isArray(advanced) && advanced.length > 0) return advanced.map(advancedSelector).filter(isSelector);
  const basic = trail.properties.EventSelectors;
  return Array.isArray(basic) ? basic.flatMap(basicSelectors) : [];
}

function isSelector(s: ObjectSelector | undefined): s is ObjectSelector {
  return s !== undefined;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');

/**
 * An advanced selector that records S3 object data events: `eventCategory = Data`, `resources.type =
 * AWS::S3::Object`, optionally `resources.ARN StartsWith`, `readOnly` and `eventSource = s3.amazonaws.com`. A
 * selector that narrows by any other field (event names, identities, exact ARNs) records only part of a bucket's
 * events, so it counts for nothing.
 */
function advancedSelector(selector: any): ObjectSelector | undefined {
  const fields: any[] = Array.isArray(selector?.FieldSelectors) ? selector.FieldSelectors : [];
  let data = false;
  let objects = false;
  let prefixes: string[] | undefined;
  let events: RecordedEvents = { read: true, write: true };
  const exclusions: string[] = [];
  for (const f of fields) {
    const values = {
      equals: strings(f?.Equals),
      startsWith: strings(f?.StartsWith),
      endsWith: strings(f?.EndsWith),
      notEquals: strings(f?.NotEquals),
      notStartsWith: strings(f?.NotStartsWith),
      notEndsWith: strings(f?.NotEndsWith),
    };
    switch (f?.Field) {
      case 'eventCategory':
        data = values.equals.includes('Data');
        break;
      case 'resources.type':
        objects = values.equals.includes('AWS::S3::Object');
        break;
      case 'resources.ARN':
        if (values.equals.length > 0 && values.startsWith.length === 0) return undefined;
        if (values.startsWith.length > 0) prefixes = values.startsWith;
        exclusions.push(...values.notEquals, ...values.notStartsWith, ...values.endsWith, ...values.notEndsWith);
        break;
      case 'readOnly':
        if (values.equals.length === 1) events = { read: values.equals[0] === 'true', write: values.equals[0] === 'false' };
        break;
      case 'eventSource':
        if (!(values.equals.length === 1 && values.equals[0] === 's3.amazonaws.com')) return undefined;
        break;
      default:
        return undefined;
    }
  }
  return data && objects ? { events, prefixes, exclusions } : undefined;
}

/** Basic selectors: `DataResources` of type `AWS::S3::Object`, whose values are object-ARN prefixes. */
function basicSelectors(selector: any): ObjectSelector[] {
  const type = selector?.ReadWriteType ?? 'All';
  const events: RecordedEvents = { read: type === 'All' || type === 'ReadOnly', write: type === 'All' || type === 'WriteOnly' };
  const resources: any[] = Array.isArray(selector?.DataResources) ? selector.DataResources : [];
  return resources
    .filter((r) => r?.Type === 'AWS::S3::Object')
    .map((r) => ({ events, prefixes: strings(r.Values), exclusions: [] }));
}
