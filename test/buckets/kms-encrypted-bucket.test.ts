import { App, Stack, ValidationError } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { KmsEncryptedBucket, KmsEncryptedBucketProps, UploadHeaderRule } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { expectSharedSecureDefaults } from '../harness/secure-defaults';
import { WITHOUT_TRAIL } from '../harness/snapshots';

function synth(props?: KmsEncryptedBucketProps, grant?: (bucket: KmsEncryptedBucket, role: iam.Role) => void) {
  const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
  const bucket = new KmsEncryptedBucket(stack, 'Bucket', props);
  if (grant) grant(bucket, new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() }));
  return { stack, bucket, template: Template.fromStack(stack) };
}

// The bucket's own resources, not those of the stack's shared audit trail.
const statementsOf = (template: Template, type: string, property: string) =>
  Object.entries(template.findResources(type)).filter(([id]) => !id.startsWith('EncryptionAuditTrail'))
    .flatMap(([, r]: [string, any]) => r.Properties[property].Statement);

describe('KmsEncryptedBucket', () => {
  test.each([
    ['SSE-KMS', {}],
    ['DSSE-KMS', { dualLayer: true }],
    ['SSE-KMS, MATCH_IF_PRESENT, alias', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT, keyAlias: 'ledger' }],
  ])('%s template snapshot', (_name, props) => {
    expect(synth({ auditing: WITHOUT_TRAIL, ...props }).template.toJSON()).toMatchSnapshot();
  });

  test('applies the shared secure defaults', () => {
    expectSharedSecureDefaults(synth().template);
  });

  test('SSE-KMS with a created key and a Bucket Key', () => {
    const { template, bucket } = synth();
    expect(bucket).toBeInstanceOf(s3.Bucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BucketKey'), 'Arn'] } },
          BucketKeyEnabled: true,
          BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
        }],
      },
    });
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true, PendingWindowInDays: 30 }),
    });
  });

  test('DSSE-KMS: aws:kms:dsse, rotation on, no Bucket Key', () => {
    const { template, bucket } = synth({ dualLayer: true });
    expect(bucket.encryptionMode).toBe('aws:kms:dsse');
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({
          ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms:dsse' }),
          BucketKeyEnabled: Match.absent(),
        })],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('the bucket policy pins the key ARN and the header of the mode', () => {
    const { template } = synth({ dualLayer: true });
    const statements = statementsOf(template, 'AWS::S3::BucketPolicy', 'PolicyDocument');
    expect(statements.map((s: any) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', 'DenyWrongKmsKey']);
    expect(statements[2].Condition).toEqual({ StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms:dsse' } });
    expect(statements[3].Condition).toEqual({
      StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [expect.stringMatching(/^BucketKey/), 'Arn'] } },
    });
  });

  test('the created key policy grants no cryptographic operation to * without conditions', () => {
    const { template } = synth();
    const statements = statementsOf(template, 'AWS::KMS::Key', 'KeyPolicy');
    const toEveryone = statements.filter((s: any) => s.Principal === '*' || s.Principal?.AWS === '*');
    expect(toEveryone.length).toBeGreaterThan(0);
    for (const statement of toEveryone) {
      expect(statement.Effect === 'Deny' || statement.Condition !== undefined).toBe(true);
    }
    expect(statements.map((s: any) => s.Sid)).toEqual(expect.arrayContaining(['DenyUseOutsideS3', 'DenyUseForOtherBuckets']));
  });

  test('a fixed bucket name breaks the key policy / bucket cycle, and is stable', () => {
    const first = synth().template.toJSON();
    const bucketName = Object.values(first.Resources as Record<string, any>).find((r) => r.Type === 'AWS::S3::Bucket').Properties.BucketName;
    expect(bucketName).toMatch(/^bucket-[0-9a-f]{8}-111111111111-eu-west-1$/);
    expect(JSON.stringify(first)).toEqual(JSON.stringify(synth().template.toJSON()));
  });

  test('a given key: used as is, no fixed name, its policy untouched', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const key = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    new KmsEncryptedBucket(stack, 'Bucket', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: Match.absent() });
    expect(statementsOf(template, 'AWS::KMS::Key', 'KeyPolicy').map((s: any) => s.Sid)).not.toContain('DenyUseOutsideS3');
  });

  test.each([
    ['grantRead', (b: KmsEncryptedBucket, r: iam.Role) => b.grantRead(r), ['kms:Decrypt', 'kms:DescribeKey']],
    ['grantWrite (Decrypt for multipart)', (b: KmsEncryptedBucket, r: iam.Role) => b.grantWrite(r), ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Decrypt']],
    ['grantReadWrite', (b: KmsEncryptedBucket, r: iam.Role) => b.grantReadWrite(r), ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']],
  ])('%s gives KMS permissions only through S3 for this bucket', (_name, grant, kmsActions) => {
    const { template } = synth({}, grant);
    const kmsStatement = statementsOf(template, 'AWS::IAM::Policy', 'PolicyDocument')
      .find((s: any) => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect([kmsStatement.Action].flat().sort()).toEqual([...kmsActions].sort());
    expect(kmsStatement.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [{ 'Fn::GetAtt': [expect.stringMatching(/^Bucket/), 'Arn'] }, expect.anything()] },
    });
  });

  describe('refuses props that would weaken the guarantee', () => {
    const otherRegionKey = () => kms.Key.fromKeyArn(new Stack(), 'K', 'arn:aws:kms:us-east-1:111111111111:key/abc');
    const badInputs: Array<[string, () => KmsEncryptedBucketProps, string, RegExp]> = [
      ['encryption S3_MANAGED', () => ({ encryption: s3.BucketEncryption.S3_MANAGED }), 'encryption', /EncryptedBucket for SSE-S3/],
      ['encryption KMS_MANAGED (AWS managed key)', () => ({ encryption: s3.BucketEncryption.KMS_MANAGED }), 'encryption', /customer-managed/],
      ['encryption DSSE without dualLayer', () => ({ encryption: s3.BucketEncryption.DSSE }), 'encryption', /dualLayer: true/],
      ['encryption KMS with dualLayer', () => ({ encryption: s3.BucketEncryption.KMS, dualLayer: true }), 'encryption', /Remove the prop/],
      ['bucketKeyEnabled with dualLayer', () => ({ dualLayer: true, bucketKeyEnabled: true }), 'bucketKeyEnabled', /does not support S3 Bucket Keys/],
      ['a key in another Region', () => ({ encryptionKey: otherRegionKey() }), 'encryptionKey', /same Region/],
      ['keyAlias with a given key', () => ({ encryptionKey: kms.Key.fromKeyArn(new Stack(), 'K', 'arn:aws:kms:eu-west-1:111111111111:key/abc'), keyAlias: 'x' }), 'keyAlias', /Remove keyAlias/],
      ['enforceSSL false', () => ({ enforceSSL: false }), 'enforceSSL', /Remove the prop/],
      ['minimumTLSVersion 1.1', () => ({ minimumTLSVersion: 1.1 }), 'minimumTLSVersion', /1\.2/],
      ['blockedEncryptionTypes NONE', () => ({ blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] }), 'blockedEncryptionTypes', /SseCOnlyBucket/],
      ['an unknown header rule', () => ({ uploadHeaderRule: 'NEVER' as UploadHeaderRule }), 'uploadHeaderRule', /REQUIRED/],
    ];

    test.each(badInputs)('%s', (_what, props, prop, fix) => {
      expect(() => synth(props())).toThrow(ValidationError);
      expect(() => synth(props())).toThrow(new RegExp(`${prop}[\\s\\S]*${fix.source}`));
    });
  });
});
