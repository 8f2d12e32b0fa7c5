import { App, RemovalPolicy, Stack, ValidationError } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket, EncryptedBucketProps, UploadHeaderRule } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { expectSharedSecureDefaults } from '../harness/secure-defaults';
import { WITHOUT_TRAIL } from '../harness/snapshots';

function synth(props?: EncryptedBucketProps) {
  const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
  const bucket = new EncryptedBucket(stack, 'Bucket', props);
  return { stack, bucket, template: Template.fromStack(stack) };
}

describe('EncryptedBucket', () => {
  test('default template (logical IDs, statements and defaults are part of the contract)', () => {
    expect(synth({ auditing: WITHOUT_TRAIL }).template.toJSON()).toMatchSnapshot();
  });

  test('MATCH_IF_PRESENT template', () => {
    expect(synth({ auditing: WITHOUT_TRAIL, uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT }).template.toJSON()).toMatchSnapshot();
  });

  test('is an s3.Bucket with AES256 default encryption and SSE-C blocked', () => {
    const { bucket, template } = synth();
    expect(bucket).toBeInstanceOf(s3.Bucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
          BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
        }],
      },
    });
  });

  test('applies the shared secure defaults', () => {
    expectSharedSecureDefaults(synth().template);
  });

  test('writes the statements with stable Sids, and no second TLS statement from s3.Bucket', () => {
    const { template } = synth({ minimumTLSVersion: 1.3 });
    const statements = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']);
    expect(statements[1].Condition).toEqual({ NumericLessThan: { 's3:TlsVersion': 1.3 } });
    expect(statements[2]).toMatchObject({
      Effect: 'Deny', Action: 's3:PutObject', Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
    });
  });

  test('MATCH_IF_PRESENT denies only uploads that send a header', () => {
    const { template } = synth({ uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'DenyWrongEncryptionHeader',
          Condition: {
            Null: { 's3:x-amz-server-side-encryption': 'false' },
            StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' },
          },
        })]),
      },
    });
  });

  test('honours the choices the user makes where they do not weaken encryption', () => {
    const { template } = synth({
      removalPolicy: RemovalPolicy.DESTROY,
      versioned: false,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
      enforceSSL: true,
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::S3::Bucket', { VersioningConfiguration: Match.absent() });
  });

  test('grantRead and grantWrite give S3 permissions on the bucket', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const bucket = new EncryptedBucket(stack, 'Bucket');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantReadWrite(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*', 's3:PutObject']) })]) },
    });
  });

  test('exposes what it guarantees', () => {
    const { bucket } = synth({ minimumTLSVersion: 1.3, uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT });
    expect([bucket.encryptionMode, bucket.uploadHeaderRule, bucket.minimumTlsVersion]).toEqual(['AES256', 'MATCH_IF_PRESENT', 1.3]);
  });

  describe('refuses props that would weaken the guarantee', () => {
    const badInputs: Array<[string, () => EncryptedBucketProps, string, RegExp]> = [
      ['encryption KMS', () => ({ encryption: s3.BucketEncryption.KMS }), 'encryption', /KmsEncryptedBucket/],
      ['encryption KMS_MANAGED', () => ({ encryption: s3.BucketEncryption.KMS_MANAGED }), 'encryption', /KmsEncryptedBucket/],
      ['encryption DSSE', () => ({ encryption: s3.BucketEncryption.DSSE }), 'encryption', /DSSE-KMS/],
      ['encryption UNENCRYPTED', () => ({ encryption: s3.BucketEncryption.UNENCRYPTED }), 'encryption', /Remove the prop/],
      ['an encryption key', () => ({ encryptionKey: kms.Key.fromKeyArn(new Stack(), 'K', 'arn:aws:kms:eu-west-1:111111111111:key/k') }), 'encryptionKey', /KmsEncryptedBucket/],
      ['bucketKeyEnabled', () => ({ bucketKeyEnabled: true }), 'bucketKeyEnabled', /SSE-KMS only/],
      ['enforceSSL false', () => ({ enforceSSL: false }), 'enforceSSL', /Remove the prop/],
      ['minimumTLSVersion 1.0', () => ({ minimumTLSVersion: 1.0 }), 'minimumTLSVersion', /1\.2 \(the default\) or 1\.3/],
      ['minimumTLSVersion 1.1', () => ({ minimumTLSVersion: 1.1 }), 'minimumTLSVersion', /1\.2 \(the default\) or 1\.3/],
      ['minimumTLSVersion 2', () => ({ minimumTLSVersion: 2 }), 'minimumTLSVersion', /no other TLS versions/],
      ['blockedEncryptionTypes NONE', () => ({ blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] }), 'blockedEncryptionTypes', /SseCOnlyBucket/],
      ['blockedEncryptionTypes empty', () => ({ blockedEncryptionTypes: [] }), 'blockedEncryptionTypes', /BlockedEncryptionType.SSE_C/],
      ['publicReadAccess', () => ({ publicReadAccess: true }), 'publicReadAccess', /CloudFront/],
      ['an unknown header rule', () => ({ uploadHeaderRule: 'SOMETIMES' as UploadHeaderRule }), 'uploadHeaderRule', /MATCH_IF_PRESENT/],
    ];

    // What is refused is the weakening, not the prop: the values that weaken nothing are accepted and kept.
    const sids = (template: Template) => Object.entries(template.findResources('AWS::S3::BucketPolicy'))
      .filter(([id]) => !id.startsWith('EncryptionAuditTrail')).flatMap(([, r]) => r.Properties.PolicyDocument.Statement)
      .map((s: any) => s.Sid);
    test.each([
      ['encryption S3_MANAGED', { encryption: s3.BucketEncryption.S3_MANAGED }, (t: Template) => t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } })] },
      })],
      ['enforceSSL true', { enforceSSL: true }, (t: Template) => expect(sids(t)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader'])],
      ['minimumTLSVersion 1.3', { minimumTLSVersion: 1.3 }, (t: Template) => t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Condition: { NumericLessThan: { 's3:TlsVersion': 1.3 } } })]) },
      })],
      ['blockedEncryptionTypes [SSE_C]', { blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C] }, (t: Template) => t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } })] },
      })],
      ['uploadHeaderRule MATCH_IF_PRESENT', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT }, (t: Template) => t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Condition: Match.objectLike({ Null: { 's3:x-amz-server-side-encryption': 'false' } }) })]) },
      })],
    ] as Array<[string, EncryptedBucketProps, (template: Template) => void]>)('accepts %s, which weakens nothing', (_what, props, expectKept) => {
      expectKept(synth(props).template);
    });

    test.each(badInputs)('%s', (_what, props, prop, fix) => {
      let error: unknown;
      try {
        synth(props());
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(prop);
      expect((error as Error).message).toMatch(fix);
    });
  });
});
