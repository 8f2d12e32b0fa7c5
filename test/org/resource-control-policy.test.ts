import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EncryptionMode, S3EncryptionResourceControlPolicy, S3EncryptionResourceControlPolicyProps, UploadHeaderRule } from '../../src';
import { runExternalChecks, strictApp } from '../harness/external-checks';

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function rcp(props: Partial<S3EncryptionResourceControlPolicyProps> = {}) {
  const app = strictApp();
  const stack = new Stack(app, 'Org');
  const policy = new S3EncryptionResourceControlPolicy(stack, 'S3Encryption', {
    targetIds: ['r-ab12', 'ou-ab12-34cd56ef', '111122223333'],
    encryptionMode: EncryptionMode.SSE_KMS,
    allowedKmsKeyArns: [KEY],
    ...props,
  });
  return { app, stack, policy };
}

describe('S3EncryptionResourceControlPolicy', () => {
  test('is an AWS::Organizations::Policy of type RESOURCE_CONTROL_POLICY attached to the targets', () => {
    const { stack } = rcp();
    Template.fromStack(stack).hasResourceProperties('AWS::Organizations::Policy', {
      Type: 'RESOURCE_CONTROL_POLICY',
      TargetIds: ['r-ab12', 'ou-ab12-34cd56ef', '111122223333'],
      Name: Match.stringLikeRegexp('S3Encryption'),
      Content: { Version: '2012-10-17', Statement: Match.anyValue() },
    });
  });

  test('has the stable Sids of the bucket statements, Principal "*" and the service-principal exemption in every Deny', () => {
    const { stack } = rcp({ sseCExemptBuckets: ['vault'] });
    const content = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
    expect(content.Statement.map((s: any) => s.Sid)).toEqual([
      'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', 'DenyWrongKmsKey', 'DenySseCUpload',
    ]);
    for (const statement of content.Statement) {
      expect(statement.Effect).toBe('Deny');
      expect(statement.Principal).toBe('*');
      expect(statement.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
    }
    expect(content.Statement[4]).toMatchObject({ NotResource: 'arn:aws:s3:::vault/*', Condition: { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } } });
    expect(content.Statement[2]).toMatchObject({ Resource: '*', Condition: { Null: { 's3:x-amz-server-side-encryption': 'false' } } });
  });

  test('defaults to MATCH_IF_PRESENT and TLS 1.2', () => {
    const { stack } = rcp();
    const content = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
    expect(content.Statement[1].Condition.NumericLessThan).toEqual({ 's3:TlsVersion': 1.2 });
    expect(content.Statement[2].Condition.Null).toEqual({ 's3:x-amz-server-side-encryption': 'false' });
  });

  test('REQUIRED drops the Null condition, so a header-less upload is denied', () => {
    const { stack } = rcp({ uploadHeaderRule: UploadHeaderRule.REQUIRED, minimumTlsVersion: 1.3 });
    const content = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
    expect(content.Statement[1].Condition.NumericLessThan).toEqual({ 's3:TlsVersion': 1.3 });
    expect(content.Statement[2].Condition.Null).toBeUndefined();
  });

  test('exempt principals are an ArnNotLikeIfExists aws:PrincipalArn condition in every statement', () => {
    const { stack } = rcp({ exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] });
    const content = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
    for (const statement of content.Statement) {
      expect(statement.Condition.ArnNotLikeIfExists).toEqual({ 'aws:PrincipalArn': ['arn:aws:iam::*:role/BreakGlass'] });
    }
  });

  test('documentSize is the length of the compact JSON CloudFormation sends to Organizations', () => {
    const { stack, policy } = rcp({ sseCExemptBuckets: ['vault'], exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] });
    const content = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
    expect(policy.documentSize).toBe(JSON.stringify(content).length);
  });

  test.each([
    // standard                                                                                                   characters
    [{ encryptionMode: EncryptionMode.SSE_S3, allowedKmsKeyArns: undefined }, 956],
    [{ encryptionMode: EncryptionMode.SSE_S3, allowedKmsKeyArns: undefined, uploadHeaderRule: UploadHeaderRule.REQUIRED }, 905],
    [{}, 1319],
    [{ sseCExemptBuckets: ['sse-c-vault'], exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] }, 1732],
  ])('size of %o is %d characters, well under the quota', (props, size) => {
    expect(rcp(props as Partial<S3EncryptionResourceControlPolicyProps>).policy.documentSize).toBe(size);
  });

  test('with one key, fits 16 exempt principals of 40 characters and refuses 17 with a message that says what to trim', () => {
    const principals = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::111122223333:role/Admin${String(i).padStart(4, '0')}`);
    expect(principals(1)[0]).toHaveLength(40);
    expect(rcp({ exemptPrincipalArns: principals(16) }).policy.documentSize).toBe(4979);
    expect(() => rcp({ exemptPrincipalArns: principals(17) })).toThrow(new RegExp(
      'is 5194 characters, 74 over the AWS Organizations quota of 5120\\. Trim what the lists add: exemptPrincipalArns \\(17 ARNs, ' +
      '731 characters in each of 5 statements: 3655\\).*Use wildcards'));
  });

  test('fits 120 SSE-C exempt buckets with SSE-S3 and MATCH_IF_PRESENT (one statement lists them)', () => {
    const buckets = Array.from({ length: 120 }, (_, i) => `team-${String(i).padStart(3, '0')}-sse-c`);
    expect(rcp({ encryptionMode: EncryptionMode.SSE_S3, allowedKmsKeyArns: undefined, sseCExemptBuckets: buckets }).policy.documentSize).toBe(4797);
  });

  test.each([
    ['SSE-C as the standard', { encryptionMode: EncryptionMode.SSE_C, allowedKmsKeyArns: undefined }, /encryptionMode SSE-C is not allowed/],
    ['keys with SSE-S3', { encryptionMode: EncryptionMode.SSE_S3 }, /allowedKmsKeyArns is set .* whose encryptionMode is AES256/],
    ['a key id instead of an ARN', { allowedKmsKeyArns: ['1234abcd-12ab-34cd-56ef-1234567890ab'] }, /not a KMS key ARN/],
    ['an alias ARN', { allowedKmsKeyArns: ['arn:aws:kms:eu-west-1:111122223333:alias/data'] }, /not a KMS key ARN/],
    ['no targets', { targetIds: [] }, /targetIds is empty/],
    ['a bad target', { targetIds: ['o-ab12cd34ef'] }, /targetIds has 'o-ab12cd34ef'.*neither a root/],
    ['TLS 1.1', { minimumTlsVersion: 1.1 }, /minimumTlsVersion 1.1 is not allowed/],
    ['a bad exempt bucket', { sseCExemptBuckets: ['arn:aws:s3:::vault/prefix/*'] }, /sseCExemptBuckets has .* neither a bucket name nor a bucket ARN/],
  ])('refuses %s', (_what, props, message) => {
    expect(() => rcp(props as Partial<S3EncryptionResourceControlPolicyProps>)).toThrow(message);
  });

  test('refuses tokens in the document, since its size must be known at synthesis', () => {
    const app = strictApp();
    const stack = new Stack(app, 'Org');
    const key = new kms.Key(stack, 'Key');
    expect(() => new S3EncryptionResourceControlPolicy(stack, 'Rcp', {
      targetIds: ['r-ab12'], encryptionMode: EncryptionMode.SSE_KMS, allowedKmsKeyArns: [key.keyArn],
    })).toThrow(/allowedKmsKeyArns .* holds a token/);
  });

  test('an ARN for a bucket in another partition is taken as given', () => {
    const { stack } = rcp({ sseCExemptBuckets: ['arn:aws-us-gov:s3:::vault'] });
    const content = Object.values(Template.fromStack(stack).findResources('AWS::Organizations::Policy'))[0].Properties.Content;
    expect(content.Statement[4].NotResource).toBe('arn:aws-us-gov:s3:::vault/*');
  });

  test('strict CloudFormation validation finds nothing', () => {
    const { app } = rcp({ sseCExemptBuckets: ['vault'], exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'] });
    expect(runExternalChecks(app, { checkers: ['cfn-schema'] }).findings).toEqual([]);
  });
});
