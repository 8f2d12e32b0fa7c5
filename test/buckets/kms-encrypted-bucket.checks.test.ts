import { Stack } from 'aws-cdk-lib';
import { KmsEncryptedBucket, UploadHeaderRule } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';

/**
 * Control Tower S3 controls that apply to a KMS-encrypted bucket: those of EncryptedBucket plus CT.S3.PR.10
 * (default encryption with KMS). Not applicable: CT.S3.PR.2 (server access logs, see README), CT.S3.PR.4 (event
 * notifications), CT.S3.PR.9 (Object Lock).
 */
const CONTROL_TOWER_RULES_FOR_KMS = ['CT.S3.PR.1', 'CT.S3.PR.3', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.8', 'CT.S3.PR.10', 'CT.S3.PR.11'];

describe.each([
  ['SSE-KMS', { }],
  ['SSE-KMS, MATCH_IF_PRESENT', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT }],
  ['DSSE-KMS', { dualLayer: true }],
])('KmsEncryptedBucket (%s) under external checkers', (_name, props) => {
  const app = strictApp();
  const stack = new Stack(app, 'Checked', { env: TEST_ENV });
  new KmsEncryptedBucket(stack, 'Bucket', props);
  const report = runExternalChecks(app, { guardRules: CONTROL_TOWER_RULES_FOR_KMS });

  test('strict CloudFormation validation finds nothing (no key policy / bucket cycle)', () => {
    expect(report.findings.filter((f) => f.checker === 'cfn-schema')).toEqual([]);
  });

  test('the applicable Control Tower S3 controls pass, CT.S3.PR.10 (KMS) among them', () => {
    const guard = report.findings.filter((f) => f.checker === 'cfn-guard');
    expect(guard.filter((f) => !f.resource.startsWith('EncryptionAuditTrail'))).toEqual([]);
    // The shared audit trail's log bucket defaults to SSE-S3 by design (docs/AUDIT.md): its only finding is CT.S3.PR.10.
    expect(guard.map((f) => f.ruleId)).toEqual(guard.length ? ['CT.S3.PR.10'] : []);
    expect(report.guard.filter((g) => g.ruleId !== 'CT.S3.PR.10').map((g) => g.status)).toEqual(
      CONTROL_TOWER_RULES_FOR_KMS.filter((id) => id !== 'CT.S3.PR.10').map(() => 'PASS'));
  });

  test('the four cdk-nag packs, KMS rotation rules included: no unacknowledged finding', () => {
    expect(report.findings.filter((f) => f.checker === 'cdk-nag')).toEqual([]);
  });
});

test('DSSE-KMS: only the false positive S3DefaultEncryptionKMS is acknowledged, and only for DSSE', () => {
  const acknowledgedIds = (dualLayer: boolean) => {
    const stack = new Stack(strictApp(), 'Acks', { env: TEST_ENV });
    const bucket = new KmsEncryptedBucket(stack, 'Bucket', { dualLayer });
    return bucket.node.defaultChild!.node.metadata.flatMap((m) => Object.keys(m.data ?? {}))
      .filter((id) => id.includes('S3DefaultEncryptionKMS'));
  };
  expect(acknowledgedIds(true)).toHaveLength(3);
  expect(acknowledgedIds(false)).toEqual([]);
});
