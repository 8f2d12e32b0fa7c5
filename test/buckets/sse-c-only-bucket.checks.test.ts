import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SseCOnlyBucket } from '../../src/buckets/sse-c-only-bucket';
import { TEST_ENV } from '../harness/cfn-resolve';
import { controlTowerS3RuleFiles, runExternalChecks, strictApp } from '../harness/external-checks';

/**
 * Control Tower S3 controls that apply to an SSE-C-only bucket: public access blocked (PR.1), versioning with a
 * lifecycle policy (PR.3, PR.6, PR.11), no ACLs (PR.5), TLS only (PR.8).
 */
export const CONTROL_TOWER_RULES_FOR_SSE_C = ['CT.S3.PR.1', 'CT.S3.PR.3', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.8', 'CT.S3.PR.11'];

/**
 * The others, with the status they have on a default SseCOnlyBucket. cfn-guard has no acknowledgement mechanism, so
 * a control that SSE-C contradicts is excluded here with its reason instead:
 * - CT.S3.PR.10 (default encryption with a KMS key) contradicts SSE-C: no object is ever encrypted with the default,
 *   so a KMS default would only make a KMS-at-rest check pass for objects that are not KMS-encrypted. The default
 *   stays SSE-S3, as S3 requires one. A standard that requires KMS uses KmsEncryptedBucket.
 * - CT.S3.PR.2 (server access logs) and CT.S3.PR.4 (event notifications) need a destination that is the user's to
 *   choose (pass serverAccessLogsBucket, eventBridgeEnabled); CT.S3.PR.9 (Object Lock) is a retention choice.
 *   As for EncryptedBucket.
 * - CT.S3.PR.12 is about access points; the construct creates none.
 * No control in this rule set demands that SSE-C be blocked; an organisation control that does (an SCP or RCP
 * denying s3:x-amz-server-side-encryption-customer-algorithm) overrides this bucket, see docs/SSE-C.md.
 */
const NOT_APPLICABLE: Record<string, 'FAIL' | 'SKIP'> = {
  'CT.S3.PR.2': 'FAIL',
  'CT.S3.PR.4': 'FAIL',
  'CT.S3.PR.9': 'FAIL',
  'CT.S3.PR.10': 'FAIL',
  'CT.S3.PR.12': 'SKIP',
};

describe('SseCOnlyBucket under external checkers', () => {
  const app = strictApp();
  const stack = new Stack(app, 'Checked', { env: TEST_ENV });
  new SseCOnlyBucket(stack, 'Bucket');
  // The user's choices that the not-applicable controls ask for pass through untouched.
  new SseCOnlyBucket(stack, 'Logged', {
    serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, 'CentralLogs', 'central-access-logs'),
    minimumTLSVersion: 1.3,
  });
  const report = runExternalChecks(app);
  const statuses = Object.fromEntries(report.guard.map((g) => [g.ruleId, g.status]));

  test('strict CloudFormation validation finds nothing (BlockedEncryptionTypes NONE included)', () => {
    expect(report.findings.filter((f) => f.checker === 'cfn-schema')).toEqual([]);
  });

  test('the applicable Control Tower S3 controls pass', () => {
    const applicable = report.findings.filter((f) => f.checker === 'cfn-guard' && CONTROL_TOWER_RULES_FOR_SSE_C.includes(f.ruleId));
    expect(applicable).toEqual([]);
    for (const id of CONTROL_TOWER_RULES_FOR_SSE_C) expect(statuses[id]).toBe('PASS');
  });

  test('every Control Tower S3 control is either applicable or excluded with a reason', () => {
    expect(report.guard).toHaveLength(controlTowerS3RuleFiles().length);
    expect(Object.keys(statuses).sort()).toEqual([...CONTROL_TOWER_RULES_FOR_SSE_C, ...Object.keys(NOT_APPLICABLE)].sort());
    for (const [id, status] of Object.entries(NOT_APPLICABLE)) expect(statuses[id]).toBe(status);
    // A user who passes serverAccessLogsBucket satisfies CT.S3.PR.2 on that bucket.
    const pr2 = report.findings.filter((f) => f.ruleId === 'CT.S3.PR.2' && !f.constructPath?.includes('/EncryptionAuditTrail/')).map((f) => f.constructPath);
    expect(pr2).toEqual(['Checked/Bucket/Resource']);
  });

  test('AwsSolutions, NIST 800-53 R5, HIPAA and PCI DSS packs: no unacknowledged finding', () => {
    expect(report.findings.filter((f) => f.checker === 'cdk-nag')).toEqual([]);
  });
});
