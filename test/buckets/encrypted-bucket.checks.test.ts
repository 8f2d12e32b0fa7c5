import { Stack } from 'aws-cdk-lib';
import { EncryptedBucket, UploadHeaderRule } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';

/**
 * Control Tower S3 controls that apply to an SSE-S3 bucket. Not applicable, by the user's choice or the
 * method: CT.S3.PR.2 (server access logs, see README), CT.S3.PR.4 (event notifications), CT.S3.PR.9 (Object
 * Lock), CT.S3.PR.10 (KMS default encryption: this is the SSE-S3 construct).
 */
export const CONTROL_TOWER_RULES_FOR_SSE_S3 = ['CT.S3.PR.1', 'CT.S3.PR.3', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.8', 'CT.S3.PR.11'];

describe.each([UploadHeaderRule.REQUIRED, UploadHeaderRule.MATCH_IF_PRESENT])('EncryptedBucket (%s) under external checkers', (uploadHeaderRule) => {
  const app = strictApp();
  const stack = new Stack(app, 'Checked', { env: TEST_ENV });
  new EncryptedBucket(stack, 'Bucket', { uploadHeaderRule });
  const report = runExternalChecks(app, { guardRules: CONTROL_TOWER_RULES_FOR_SSE_S3 });

  test('strict CloudFormation validation finds nothing', () => {
    expect(report.findings.filter((f) => f.checker === 'cfn-schema')).toEqual([]);
  });

  test('the applicable Control Tower S3 controls pass', () => {
    expect(report.findings.filter((f) => f.checker === 'cfn-guard')).toEqual([]);
    expect(Object.fromEntries(report.guard.map((g) => [g.ruleId, g.status]))).toEqual(
      Object.fromEntries(CONTROL_TOWER_RULES_FOR_SSE_S3.map((id) => [id, 'PASS'])));
  });

  test('AwsSolutions, NIST 800-53 R5, HIPAA and PCI DSS packs: no unacknowledged finding', () => {
    expect(report.findings.filter((f) => f.checker === 'cdk-nag')).toEqual([]);
  });
});
