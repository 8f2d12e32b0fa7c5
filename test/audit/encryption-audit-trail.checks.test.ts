import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptionAuditTrail, EncryptionAuditTrailProps } from '../../src/audit/encryption-audit-trail';
import { TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';

/**
 * Control Tower S3 controls that apply to the trail's log bucket. Not applicable: CT.S3.PR.2 (server access logs:
 * the bucket receives the trail's own logs), CT.S3.PR.4 (event notifications), CT.S3.PR.9 (Object Lock),
 * CT.S3.PR.10 (KMS default encryption: CloudTrail sends SSE-KMS with the trail key for every log file, and the
 * SSE-S3 default serves the digest files, which CloudTrail encrypts with SSE-S3), CT.S3.PR.12 (access points).
 */
const CONTROL_TOWER_RULES_FOR_LOG_BUCKET = ['CT.S3.PR.1', 'CT.S3.PR.3', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.8', 'CT.S3.PR.11'];

function checkedApp(props: EncryptionAuditTrailProps) {
  const app = strictApp();
  const stack = new Stack(app, 'Checked', { env: TEST_ENV });
  const trail = new EncryptionAuditTrail(stack, 'Trail', props);
  // Imported buckets: no bucket resources of their own, so every finding is about the trail, its key or its bucket.
  trail.addBucket(s3.Bucket.fromBucketName(stack, 'All', 'audited-all'));
  trail.addBucket(s3.Bucket.fromBucketName(stack, 'Reads', 'audited-reads'), { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
  trail.addBucket(s3.Bucket.fromBucketName(stack, 'Writes', 'audited-writes'), { readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY });
  return { app, stack, trail };
}

describe.each([
  ['defaults', {}],
  ['CloudWatch Logs, single-Region, expiring logs', { cloudWatchLogs: true, isMultiRegionTrail: false, expireLogsAfter: Duration.days(2555) }],
] as Array<[string, EncryptionAuditTrailProps]>)('EncryptionAuditTrail (%s) under external checkers', (_name, props) => {
  const { app } = checkedApp(props);
  const report = runExternalChecks(app, { guardRules: CONTROL_TOWER_RULES_FOR_LOG_BUCKET });

  test('strict CloudFormation validation (including AdvancedEventSelectors) finds nothing', () => {
    expect(report.findings.filter((f) => f.checker === 'cfn-schema')).toEqual([]);
  });

  test('the applicable Control Tower S3 controls pass on the log bucket', () => {
    expect(report.findings.filter((f) => f.checker === 'cfn-guard')).toEqual([]);
    expect(Object.fromEntries(report.guard.map((g) => [g.ruleId, g.status]))).toEqual(
      Object.fromEntries(CONTROL_TOWER_RULES_FOR_LOG_BUCKET.map((id) => [id, 'PASS'])));
  });

  test('AwsSolutions, NIST 800-53 R5, HIPAA and PCI DSS packs (incl. their CloudTrail rules): no unacknowledged finding', () => {
    expect(report.findings.filter((f) => f.checker === 'cdk-nag')).toEqual([]);
  });
});

describe('the cdk-nag CloudTrail rules pass on their merits', () => {
  test('encryption and log file validation are never acknowledged; CloudWatch Logs only when it is off', () => {
    const { trail } = checkedApp({});
    const { trail: withLogs } = checkedApp({ cloudWatchLogs: true });
    const acknowledged = (t: EncryptionAuditTrail) => t.cfnTrail.node.metadata
      .filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.keys(m.data));
    expect(acknowledged(trail).every((id) => id.endsWith('-CloudTrailCloudWatchLogsEnabled'))).toBe(true);
    expect(acknowledged(trail)).toHaveLength(3);
    expect(acknowledged(withLogs)).toEqual([]);
  });
});

describe('strict validation sees the selectors', () => {
  test('a malformed field selector is a schema finding (so the clean result above means something)', () => {
    const { app, trail } = checkedApp({});
    trail.cfnTrail.addPropertyOverride('AdvancedEventSelectors.0.FieldSelectors.0.Matches', ['Management']);
    const findings = runExternalChecks(app, { checkers: ['cfn-schema'] }).findings;
    expect(findings).toContainEqual(expect.objectContaining({ checker: 'cfn-schema', logicalId: expect.stringMatching(/^Trail/) }));
    expect(findings.map((f) => f.message).join('\n')).toMatch(/Matches|additional/i);
  });
});
