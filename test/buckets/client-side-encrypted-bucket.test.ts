import { App, Stack, ValidationError } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ClientSideEncryptedBucket, ClientSideEncryptedBucketProps, UploadHeaderRule } from '../../src';
import { ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, ContentAlgorithm, EC_CONTENT_ALGORITHM_KEY } from '../../src/client';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';
import { aliasEncryptionContextKeys, evaluate, identityPolicyOf, keyPolicyOf, SAME_ACCOUNT_ROLE, simulate, put, Verdict } from '../harness/simulate';
import { WITHOUT_TRAIL } from '../harness/snapshots';

function synth(props?: ClientSideEncryptedBucketProps) {
  const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
  const bucket = new ClientSideEncryptedBucket(stack, 'Vault', props);
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
  bucket.grantEncrypt(producer);
  bucket.grantDecrypt(consumer);
  return { stack, bucket, template: Template.fromStack(stack) };
}

const own = (template: Template, type: string) =>
  Object.entries(template.findResources(type)).filter(([id]) => !id.startsWith('EncryptionAuditTrail'));

describe('ClientSideEncryptedBucket', () => {
  const { template, bucket } = synth();
  const json = template.toJSON() as any;

  test('template snapshot', () => {
    expect(synth({ auditing: WITHOUT_TRAIL }).template.toJSON()).toMatchSnapshot();
  });

  test('SSE-S3 at rest as a second layer, SSE-C blocked, an s3.Bucket', () => {
    expect(bucket).toBeInstanceOf(s3.Bucket);
    const [[, resource]] = own(template, 'AWS::S3::Bucket');
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
    }]);
  });

  test('a dedicated envelope key: rotated, retained, usable only for authenticated envelopes', () => {
    const keys = own(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(1);
    const [[, key]] = keys;
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 } });
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Sid: 'DenyUseOutsideAuthenticatedEnvelopes',
      Effect: 'Deny',
      Condition: { StringNotEquals: { 'kms:EncryptionContext:aws:x-amz-cek-alg': '115' } },
    }));
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Sid: 'DenyDecryptOutsideAuthenticatedEnvelopes',
      Effect: 'Deny',
      Action: 'kms:Decrypt',
      Condition: { StringNotEquals: { 'kms:EncryptionContext:aws:x-amz-cek-alg': ['115', 'AES/GCM/NoPadding'] } },
    }));
  });

  test('allowV2Writers adds AES/GCM/NoPadding for writers, and changes nothing else', () => {
    const v2 = synth({ allowV2Writers: true });
    const [[id, key]] = own(v2.template, 'AWS::KMS::Key');
    expect(id).toBe(own(template, 'AWS::KMS::Key')[0][0]); // same logical ID: the key is not replaced
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(expect.objectContaining({
      Sid: 'DenyUseOutsideAuthenticatedEnvelopes',
      Condition: { StringNotEquals: { 'kms:EncryptionContext:aws:x-amz-cek-alg': ['115', 'AES/GCM/NoPadding'] } },
    }));
    expect(v2.bucket.clientWriteAlgorithms).toStrictEqual(['115', 'AES/GCM/NoPadding']);
    expect(bucket.clientWriteAlgorithms).toStrictEqual(['115']);
    expect(Object.keys(v2.template.toJSON().Resources).sort()).toStrictEqual(Object.keys(json.Resources).sort());
    expect(() => synth({ allowV2Writers: 'yes' as never })).toThrow(/allowV2Writers must be true or false/);
  });

  test('the key policy and grants use the encryption context the client writes', () => {
    expect(`kms:EncryptionContext:${EC_CONTENT_ALGORITHM_KEY}`).toBe('kms:EncryptionContext:aws:x-amz-cek-alg');
    expect(bucket.clientContentAlgorithm).toBe(ContentAlgorithm.AES_GCM_HKDF_COMMIT);
    expect(bucket.clientContentAlgorithm).toBe(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY.contentAlgorithm);
  });

  test('grantEncrypt: PutObject and GenerateDataKey for the client context; grantDecrypt: GetObject and Decrypt', () => {
    const policyOf = (role: string) => own(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith(role))![1].Properties.PolicyDocument.Statement;
    const kmsStatement = (statements: any[]) => statements.find((s) => [s.Action].flat().some((a: string) => a.startsWith('kms:')));
    expect(kmsStatement(policyOf('Producer'))).toMatchObject({
      Action: 'kms:GenerateDataKey',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:x-amz-cek-alg': '115' } },
    });
    expect(kmsStatement(policyOf('Consumer'))).toMatchObject({
      Action: 'kms:Decrypt',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:x-amz-cek-alg': ['115', 'AES/GCM/NoPadding'] } },
    });
    expect(JSON.stringify(policyOf('Producer'))).toContain('s3:PutObject');
    expect(JSON.stringify(policyOf('Producer'))).not.toContain('s3:GetObject');
    expect(JSON.stringify(policyOf('Consumer'))).toContain('s3:GetObject');
    expect(JSON.stringify(policyOf('Consumer'))).not.toContain('s3:PutObject');
  });

  test('the bucket policy: TLS, TLS floor, and SSE-S3 matched if present', async () => {
    const [[, policy]] = own(template, 'AWS::S3::BucketPolicy');
    expect(policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']);
    expect(await simulate(json, put())).toBe('allowed'); // the client's upload without an SSE header
    expect(await simulate(json, put({ sse: 'aws:kms' }))).toBe('denied');
    expect(await simulate(json, put({ secureTransport: false }))).toBe('denied');
    expect(await simulate(synth({ uploadHeaderRule: UploadHeaderRule.REQUIRED }).template.toJSON() as any, put())).toBe('denied');
  });

  describe.each([
    // props                          V2 writers accepted
    ['default (V3 writers only)', {}, false],
    ['allowV2Writers: true', { allowV2Writers: true }, true],
  ])('envelope key policy under the simulator: %s', (_name, props, v2Writers) => {
    const synthesized = synth(props).template.toJSON() as any;
    const resolver = new CfnResolver(synthesized);
    const keyId = own(Template.fromJSON(synthesized), 'AWS::KMS::Key')[0][0];
    const keyArn = resolver.getAtt(keyId, 'Arn');
    const roleId = (name: string) => Object.keys(synthesized.Resources).find((id) => id.startsWith(name) && synthesized.Resources[id].Type === 'AWS::IAM::Role')!;
    const v3 = { 'kms:EncryptionContext:aws:x-amz-cek-alg': '115' };
    const gcm = { 'kms:EncryptionContext:aws:x-amz-cek-alg': 'AES/GCM/NoPadding' };
    const cbc = { 'kms:EncryptionContext:aws:x-amz-cek-alg': 'AES/CBC/PKCS5Padding' };
    const call = (action: string, role: string | undefined, context: Record<string, string>) => evaluate({
      resourcePolicy: aliasEncryptionContextKeys(keyPolicyOf(synthesized, keyId)),
      identityPolicy: role ? aliasEncryptionContextKeys(identityPolicyOf(synthesized, roleId(role))) : undefined,
      principal: role ? `arn:aws:iam::111111111111:role/${roleId(role)}` : SAME_ACCOUNT_ROLE,
      resourceArn: keyArn,
      action,
      context: aliasEncryptionContextKeys(context),
    });
    const v2Verdict: Verdict = v2Writers ? 'allowed' : 'denied';

    test.each<[string, string, string | undefined, Record<string, string>, Verdict]>([
      ['producer gets a data key for a V3 (115) envelope', 'kms:GenerateDataKey', 'Producer', v3, 'allowed'],
      ['consumer decrypts a V3 (115) envelope', 'kms:Decrypt', 'Consumer', v3, 'allowed'],
      ['producer gets a data key for a V2 (AES-GCM) envelope only with allowV2Writers', 'kms:GenerateDataKey', 'Producer', gcm, v2Verdict],
      ['an administrator cannot make a V2 data key either, unless allowV2Writers', 'kms:GenerateDataKey', undefined, gcm, v2Verdict],
      ['an administrator cannot Encrypt a V2 key either, unless allowV2Writers', 'kms:Encrypt', undefined, gcm, v2Verdict],
      ['consumer still decrypts a V2 (AES-GCM) envelope written earlier', 'kms:Decrypt', 'Consumer', gcm, 'allowed'],
      ['producer cannot decrypt', 'kms:Decrypt', 'Producer', v3, 'denied'],
      ['consumer cannot make data keys', 'kms:GenerateDataKey', 'Consumer', v3, 'denied'],
      ['legacy kms wrapping (no context) is refused by KMS', 'kms:Decrypt', 'Consumer', {}, 'denied'],
      ['an unauthenticated CBC envelope is refused by KMS', 'kms:Decrypt', 'Consumer', cbc, 'denied'],
      ['no data key for CBC, even for an administrator', 'kms:GenerateDataKey', undefined, cbc, 'denied'],
      ['an administrator with kms:* cannot decrypt without the context', 'kms:Decrypt', undefined, {}, 'denied'],
      ['an administrator with kms:* can still administer the key', 'kms:DisableKey', undefined, {}, 'allowed'],
    ])('%s', async (_what, action, role, context, expected) => {
      expect(await call(action, role, context)).toBe(expected);
    });
  });

  describe('refuses props that contradict client-side encryption', () => {
    const key = () => kms.Key.fromKeyArn(new Stack(), 'K', 'arn:aws:kms:eu-west-1:111111111111:key/abc');
    test.each<[string, () => ClientSideEncryptedBucketProps, RegExp]>([
      ['encryption KMS', () => ({ encryption: s3.BucketEncryption.KMS }), /encryption[\s\S]*envelopeKey/],
      ['encryptionKey', () => ({ encryptionKey: key() }), /encryptionKey[\s\S]*envelopeKey/],
      ['bucketKeyEnabled', () => ({ bucketKeyEnabled: true }), /bucketKeyEnabled[\s\S]*SSE-KMS only/],
      ['keyAlias with envelopeKey', () => ({ envelopeKey: key(), keyAlias: 'x' }), /keyAlias[\s\S]*Remove keyAlias/],
      ['enforceSSL false', () => ({ enforceSSL: false }), /enforceSSL/],
      ['blockedEncryptionTypes NONE', () => ({ blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] }), /blockedEncryptionTypes/],
      ['minimumTLSVersion 1.0', () => ({ minimumTLSVersion: 1.0 }), /minimumTLSVersion/],
    ])('%s', (_what, props, message) => {
      expect(() => synth(props())).toThrow(ValidationError);
      expect(() => synth(props())).toThrow(message);
    });
  });

  test('a given envelope key is used as is', () => {
    const stack = new Stack(new App(), 'Given', { env: TEST_ENV });
    const envelopeKey = new kms.Key(stack, 'TeamKey', { enableKeyRotation: true });
    const given = new ClientSideEncryptedBucket(stack, 'Vault', { envelopeKey });
    expect(given.envelopeKey).toBe(envelopeKey);
    const statements = own(Template.fromStack(stack), 'AWS::KMS::Key').flatMap(([, r]) => r.Properties.KeyPolicy.Statement);
    expect(statements.map((s: any) => s.Sid)).not.toContain('DenyUseOutsideAuthenticatedEnvelopes');
    expect(statements.map((s: any) => s.Sid)).not.toContain('DenyDecryptOutsideAuthenticatedEnvelopes');
  });

  describe('under external checkers', () => {
    const app = strictApp();
    new ClientSideEncryptedBucket(new Stack(app, 'Checked', { env: TEST_ENV }), 'Vault');
    const report = runExternalChecks(app, { guardRules: ['CT.S3.PR.1', 'CT.S3.PR.3', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.8', 'CT.S3.PR.11'] });
    test('strict CloudFormation validation, the applicable Control Tower controls and the four cdk-nag packs: nothing', () => {
      expect(report.findings).toEqual([]);
    });
  });

  test('template is stable: the envelope key is a child of the bucket', () => {
    expect(own(template, 'AWS::KMS::Key')[0][0]).toMatch(/^VaultEnvelopeKey/);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, KeyPolicy: Match.anyValue() });
  });
});
