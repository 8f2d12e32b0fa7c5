import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';

/** CloudTrail's quota: condition values across all advanced event selectors of one trail. */
export const MAX_SELECTOR_CONDITION_VALUES = 500;

/** Objects whose events a trail records, and which of them. */
export interface AuditedObjects {
  /** What every recorded object ARN starts with: `<bucket ARN>/` (a token, partition-aware). */
  readonly objectArnPrefix: string;
  /** Which object events are recorded. */
  readonly readWriteType: cloudtrail.ReadWriteType;
}

// Order of the data selectors in the template: stable, so that snapshots do not move when buckets are added.
const DATA_SELECTOR_ORDER = [
  cloudtrail.ReadWriteType.ALL,
  cloudtrail.ReadWriteType.READ_ONLY,
  cloudtrail.ReadWriteType.WRITE_ONLY,
];

const LABELS: Record<string, string> = {
  [cloudtrail.ReadWriteType.ALL]: 'read and write',
  [cloudtrail.ReadWriteType.READ_ONLY]: 'read only',
  [cloudtrail.ReadWriteType.WRITE_ONLY]: 'write only',
};

/** The management-event selector: every management event, read and write, so KMS calls are recorded. */
export function managementEventSelector(): cloudtrail.CfnTrail.AdvancedEventSelectorProperty {
  return {
    name: 'Management events, read and write (includes KMS key use)',
    fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
  };
}

/**
 * One data-event selector per read/write option in use, each listing the object-ARN prefix of every bucket
 * registered with that option (`StartsWith <bucket ARN>/`: the trailing slash keeps `logs` from matching
 * `logs-archive`).
 */
export function s3ObjectSelectors(buckets: AuditedObjects[]): cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] {
  const selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[] = [];
  for (const readWriteType of DATA_SELECTOR_ORDER) {
    const arns = buckets.filter((b) => b.readWriteType === readWriteType).map((b) => b.objectArnPrefix);
    if (arns.length === 0) continue;
    selectors.push({
      name: `S3 object events (${LABELS[readWriteType]}) of the registered buckets`,
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        ...readOnlyField(readWriteType),
        { field: 'resources.ARN', startsWith: arns },
      ],
    });
  }
  return selectors;
}

function readOnlyField(readWriteType: cloudtrail.ReadWriteType): cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[] {
  switch (readWriteType) {
    case cloudtrail.ReadWriteType.READ_ONLY: return [{ field: 'readOnly', equalTo: ['true'] }];
    case cloudtrail.ReadWriteType.WRITE_ONLY: return [{ field: 'readOnly', equalTo: ['false'] }];
    default: return [];
  }
}

/** How many condition values the selectors hold, as CloudTrail counts them against its quota. */
export function conditionValueCount(selectors: cloudtrail.CfnTrail.AdvancedEventSelectorProperty[]): number {
  let count = 0;
  for (const selector of selectors) {
    for (const field of selector.fieldSelectors as cloudtrail.CfnTrail.AdvancedFieldSelectorProperty[]) {
      for (const values of [field.equalTo, field.notEquals, field.startsWith, field.notStartsWith, field.endsWith, field.notEndsWith]) {
        count += values?.length ?? 0;
      }
    }
  }
  return count;
}

/**
 * Combine two read/write options for the same bucket: read-only and write-only together are all events.
 */
export function combineReadWriteTypes(a: cloudtrail.ReadWriteType, b: cloudtrail.ReadWriteType): cloudtrail.ReadWriteType {
  return a === b ? a : cloudtrail.ReadWriteType.ALL;
}
