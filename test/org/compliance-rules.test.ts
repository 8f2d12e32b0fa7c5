import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionComplianceRules, EncryptionComplianceRulesProps, EncryptionMode } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';

const KEY_A = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_B = 'arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab';

function rules(props?: EncryptionComplianceRulesProps) {
  const app = strictApp();
  const stack = new Stack(app, 'Compliance', { env: TEST_ENV });
  const construct = new EncryptionComplianceRules(stack, 'Rules', props);
  return { app, stack, construct, template: Template.fromStack(stack) };
}

const identifiers = (template: Template) =>
  Object.values(template.findResources('AWS::Config::ConfigRule')).map((r: any) => r.Properties.Source.SourceIdentifier).sort();

describe('EncryptionComplianceRules', () => {
  test('an SSE-S3 standard (the default) gets the encryption and TLS rules, scoped to S3 buckets', () => {
    const { template, construct } = rules();
    expect(identifiers(template)).toEqual(['S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', 'S3_BUCKET_SSL_REQUESTS_ONLY']);
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_SSL_REQUESTS_ONLY' },
      Scope: { ComplianceResourceTypes: ['AWS::S3::Bucket'] },
    });
    expect(construct.defaultEncryptionKms).toBeUndefined();
    expect(construct.rules).toHaveLength(2);
  });

  test.each([EncryptionMode.SSE_KMS, EncryptionMode.DSSE_KMS])('a %s standard adds s3-default-encryption-kms with the allowed keys, comma-separated', (encryptionMode) => {
    const { template } = rules({ encryptionMode, kmsKeyArns: [KEY_A, KEY_B] });
    expect(identifiers(template)).toEqual(['S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', 'S3_BUCKET_SSL_REQUESTS_ONLY', 'S3_DEFAULT_ENCRYPTION_KMS']);
    template.hasResourceProperties('AWS::Config::ConfigRule', {
      Source: { Owner: 'AWS', SourceIdentifier: 'S3_DEFAULT_ENCRYPTION_KMS' },
      InputParameters: { kmsKeyArns: `${KEY_A},${KEY_B}` },
      Scope: { ComplianceResourceTypes: ['AWS::S3::Bucket', 'AWS::KMS::Key'] },
    });
  });

  test('a KMS standard without keys has no kmsKeyArns parameter (any KMS key)', () => {
    const { template } = rules({ encryptionMode: EncryptionMode.SSE_KMS });
    const kmsRule: any = Object.values(template.findResources('AWS::Config::ConfigRule'))
      .find((r: any) => r.Properties.Source.SourceIdentifier === 'S3_DEFAULT_ENCRYPTION_KMS');
    expect(kmsRule.Properties.InputParameters).toBeUndefined();
  });

  test('a key of the app is joined in the template', () => {
    const app = strictApp();
    const stack = new Stack(app, 'Compliance', { env: TEST_ENV });
    const key = new kms.Key(stack, 'Key');
    new EncryptionComplianceRules(stack, 'Rules', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns: [key.keyArn, KEY_A] });
    Template.fromStack(stack).hasResourceProperties('AWS::Config::ConfigRule', {
      InputParameters: { kmsKeyArns: { 'Fn::Join': [',', [{ 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as any), 'Arn'] }, KEY_A]] } },
    });
  });

  test('ruleNamePrefix names the rules', () => {
    const { template } = rules({ encryptionMode: EncryptionMode.SSE_KMS, ruleNamePrefix: 'org-' });
    const names = Object.values(template.findResources('AWS::Config::ConfigRule')).map((r: any) => r.Properties.ConfigRuleName).sort();
    expect(names).toEqual(['org-s3-bucket-server-side-encryption-enabled', 'org-s3-bucket-ssl-requests-only', 'org-s3-default-encryption-kms']);
  });

  test.each([
    ['SSE-C', { encryptionMode: EncryptionMode.SSE_C }, /AWS Config has no managed rule for SSE-C/],
    ['keys with SSE-S3', { kmsKeyArns: [KEY_A] }, /kmsKeyArns is set .* whose encryptionMode is AES256/],
    ['an alias instead of a key ARN', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns: ['alias/data'] }, /not a KMS key ARN/],
  ])('refuses %s', (_what, props, message) => {
    expect(() => rules(props as EncryptionComplianceRulesProps)).toThrow(message);
  });

  test('strict CloudFormation validation finds nothing', () => {
    const { app } = rules({ encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns: [KEY_A], ruleNamePrefix: 'org-' });
    expect(runExternalChecks(app, { checkers: ['cfn-schema'] }).findings).toEqual([]);
  });
});
