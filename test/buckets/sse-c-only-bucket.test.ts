import { App, RemovalPolicy, Stack, ValidationError, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket, EncryptionMode, UploadHeaderRule } from '../../src';
import { SseCOnlyBucket, SseCOnlyBucketProps } from '../../src/buckets/sse-c-only-bucket';
import { TEST_ENV } from '../harness/cfn-resolve';
import { expectSharedSecureDefaults } from '../harness/secure-defaults';
import { WITHOUT_TRAIL } from '../harness/snapshots';

function synth(props?: SseCOnlyBucketProps) {
  const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
  const bucket = new SseCOnlyBucket(stack, 'Bucket', props);
  return { stack, bucket, template: Template.fromStack(stack) };
}

function statementsOf(template: Template): any[] {
  return Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
}

describe('SseCOnlyBucket', () => {
  test('default template (logical IDs, statements and defaults are part of the contract)', () => {
    expect(synth({ auditing: WITHOUT_TRAIL }).template.toJSON()).toMatchSnapshot();
  });

  test('is an s3.Bucket that unblocks SSE-C explicitly and keeps an SSE-S3 default', () => {
    const { bucket, template } = synth();
    expect(bucket).toBeInstanceOf(s3.Bucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
          BlockedEncryptionTypes: { EncryptionType: ['NONE'] },
          BucketKeyEnabled: Match.absent(),
        }],
      },
    });
  });

  test('applies the shared secure defaults', () => {
    expectSharedSecureDefaults(synth().template);
  });

  test('writes the SSE-C statements with stable Sids, and no second TLS statement from s3.Bucket', () => {
    const statements = statementsOf(synth({ minimumTLSVersion: 1.3 }).template);
    expect(statements.map((s) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyMissingSseC', 'DenyServerManagedEncryption']);
    expect(statements[0]).toMatchObject({ Effect: 'Deny', Action: 's3:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    expect(statements[1].Condition).toEqual({ NumericLessThan: { 's3:TlsVersion': 1.3 } });
    const upload = { Effect: 'Deny', Action: 's3:PutObject', Principal: { AWS: '*' } };
    expect(statements[2]).toMatchObject({ ...upload, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' } } });
    expect(statements[3]).toMatchObject({ ...upload, Condition: { Null: { 's3:x-amz-server-side-encryption': 'false' } } });
    // The upload statements cover objects only; the transport statements cover the bucket and its objects.
    expect(statements[2].Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.any(String), 'Arn'] }, '/*']] });
    expect(statements[0].Resource).toHaveLength(2);
  });

  test('the default TLS floor is 1.2', () => {
    expect(statementsOf(synth().template)[1].Condition).toEqual({ NumericLessThan: { 's3:TlsVersion': 1.2 } });
  });

  test('honours the choices the user makes where they do not weaken SSE-C', () => {
    const { template } = synth({
      removalPolicy: RemovalPolicy.DESTROY,
      versioned: false,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE],
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: s3.Bucket.fromBucketName(new Stack(), 'Logs', 'central-access-logs'),
      serverAccessLogsPrefix: 'evidence/',
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: Match.absent(),
      LoggingConfiguration: { DestinationBucketName: 'central-access-logs', LogFilePrefix: 'evidence/' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BlockedEncryptionTypes: { EncryptionType: ['NONE'] } })] },
    });
  });

  test('grantRead and grantWrite give S3 permissions on the bucket, and no KMS permissions', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const bucket = new SseCOnlyBucket(stack, 'Bucket');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantReadWrite(role);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*', 's3:PutObject']) })]) },
    });
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('kms:');
  });

  test('exposes what it guarantees', () => {
    const { bucket } = synth({ minimumTLSVersion: 1.3 });
    expect([bucket.encryptionMode, bucket.minimumTlsVersion]).toEqual([EncryptionMode.SSE_C, 1.3]);
    expect(synth().bucket.minimumTlsVersion).toBe(1.2);
  });

  test('acknowledges only the KMS-at-rest findings with an SSE-C reason, next to the shared ones', () => {
    const { bucket } = synth();
    const acknowledged = Object.assign({}, ...bucket.node.defaultChild!.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((m) => m.data as Record<string, string>));
    const ids = Object.keys(acknowledged).map((id) => id.replace(/^annotation::/i, ''));
    expect(ids.filter((id) => id.endsWith('S3DefaultEncryptionKMS')).sort()).toEqual([
      'HIPAA.Security-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3DefaultEncryptionKMS',
    ]);
    for (const [id, reason] of Object.entries(acknowledged)) {
      if (id.endsWith('S3DefaultEncryptionKMS')) expect(reason).toMatch(/^SSE-C is what this construct is for/);
    }
  });

  test('EncryptedBucket still blocks SSE-C (the only construct that unblocks it is this one)', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    new EncryptedBucket(stack, 'Plain');
    new SseCOnlyBucket(stack, 'SseC');
    const blocked = Object.entries(Template.fromStack(stack).findResources('AWS::S3::Bucket'))
      .filter(([id]) => !id.startsWith('EncryptionAuditTrail')) // the shared trail's log bucket blocks SSE-C too
      .map(([, r]) => r.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].BlockedEncryptionTypes.EncryptionType);
    expect(blocked).toEqual([['SSE-C'], ['NONE']]);
  });

  describe('refuses props that contradict SSE-C', () => {
    const key = () => kms.Key.fromKeyArn(new Stack(), 'K', 'arn:aws:kms:eu-west-1:111111111111:key/k');
    const badInputs: Array<[string, () => SseCOnlyBucketProps, string, RegExp]> = [
      ['encryption KMS', () => ({ encryption: s3.BucketEncryption.KMS }), 'encryption', /KmsEncryptedBucket/],
      ['encryption KMS_MANAGED', () => ({ encryption: s3.BucketEncryption.KMS_MANAGED }), 'encryption', /KmsEncryptedBucket/],
      ['encryption DSSE', () => ({ encryption: s3.BucketEncryption.DSSE }), 'encryption', /DSSE-KMS/],
      ['encryption DSSE_MANAGED', () => ({ encryption: s3.BucketEncryption.DSSE_MANAGED }), 'encryption', /DSSE-KMS/],
      ['encryption UNENCRYPTED', () => ({ encryption: s3.BucketEncryption.UNENCRYPTED }), 'encryption', /Remove the prop/],
      ['an encryption key', () => ({ encryptionKey: key() }), 'encryptionKey', /never stored/],
      ['an encryption key with KMS', () => ({ encryption: s3.BucketEncryption.KMS, encryptionKey: key() }), 'encryption', /KmsEncryptedBucket/],
      ['bucketKeyEnabled true', () => ({ bucketKeyEnabled: true }), 'bucketKeyEnabled', /SSE-KMS only/],
      ['bucketKeyEnabled false', () => ({ bucketKeyEnabled: false }), 'bucketKeyEnabled', /Remove the prop/],
      ['blockedEncryptionTypes SSE_C', () => ({ blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C] }), 'blockedEncryptionTypes', /BlockedEncryptionType\.NONE/],
      ['blockedEncryptionTypes SSE-C by name', () => ({ blockedEncryptionTypes: [s3.BlockedEncryptionType.custom('SSE-C')] }), 'blockedEncryptionTypes', /BlockedEncryptionType\.NONE/],
      ['blockedEncryptionTypes empty', () => ({ blockedEncryptionTypes: [] }), 'blockedEncryptionTypes', /Remove the prop/],
      ['enforceSSL false', () => ({ enforceSSL: false }), 'enforceSSL', /Remove the prop/],
      ['minimumTLSVersion 1.0', () => ({ minimumTLSVersion: 1.0 }), 'minimumTLSVersion', /1\.2 \(the default\) or 1\.3/],
      ['minimumTLSVersion 1.1', () => ({ minimumTLSVersion: 1.1 }), 'minimumTLSVersion', /1\.2 \(the default\) or 1\.3/],
      ['minimumTLSVersion 2', () => ({ minimumTLSVersion: 2 }), 'minimumTLSVersion', /no other TLS versions/],
      ['publicReadAccess', () => ({ publicReadAccess: true }), 'publicReadAccess', /CloudFront/],
      ['an upload header rule (no such prop here)', () => ({ uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT } as SseCOnlyBucketProps), 'uploadHeaderRule', /SSE-C headers/],
      ['access logs into itself', () => ({ serverAccessLogsPrefix: 'logs/' }), 'serverAccessLogsPrefix', /serverAccessLogsBucket/],
    ];

    // What is refused is the weakening, not the prop: the values that weaken nothing are accepted and kept.
    test.each([
      ['encryption S3_MANAGED', () => ({ encryption: s3.BucketEncryption.S3_MANAGED }), (t: Template) => t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }] },
      })],
      ['blockedEncryptionTypes [NONE]', () => ({ blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] }), (t: Template) => t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BlockedEncryptionTypes: { EncryptionType: ['NONE'] } })] },
      })],
      ['enforceSSL true', () => ({ enforceSSL: true }), (t: Template) => expect(statementsOf(t).map((s) => s.Sid)).toEqual([
        'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyMissingSseC', 'DenyServerManagedEncryption',
      ])],
      ['minimumTLSVersion 1.3', () => ({ minimumTLSVersion: 1.3 }), (t: Template) => expect(statementsOf(t)[1].Condition).toEqual({
        NumericLessThan: { 's3:TlsVersion': 1.3 },
      })],
      ['access logs into another bucket', () => ({ serverAccessLogsPrefix: 'logs/', serverAccessLogsBucket: s3.Bucket.fromBucketName(new Stack(), 'Logs', 'access-logs') }),
        (t: Template) => t.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: 'access-logs', LogFilePrefix: 'logs/' } })],
    ] as Array<[string, () => SseCOnlyBucketProps, (template: Template) => void]>)('accepts %s, which weakens nothing', (_what, props, expectKept) => {
      expectKept(synth(props()).template);
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
      expect((error as Error).message).toContain("SseCOnlyBucket 'Bucket'");
      expect((error as Error).message).toMatch(fix);
    });
  });
});
