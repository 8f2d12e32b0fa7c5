import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aspects, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { Construct } from 'constructs';
import {
  ClientSideEncryptedBucket, EncryptedBucket, EncryptionMode, EnforceBucketEncryption, EnforceBucketEncryptionProps, EnforcementMode,
  KmsEncryptedBucket, SseCOnlyBucket, UploadHeaderRule,
} from '../../src';
import { AllowedEncryption, S3EncryptionChecks, S3EncryptionChecksProps } from '../../src/nag/s3-encryption-checks';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';
import { bucketPolicyOf, get, list, put, S3Request, simulate, Verdict } from '../harness/simulate';

const OWN_READ_SID = 'ReadersInAccount';
/** The included template has the bootstrap version parameter and rule already. */
const WITHOUT_BOOTSTRAP_RULE = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });

/**
 * An app of plain buckets, none of this library: `s3.Bucket` with defaults, `s3.Bucket` with its own policy,
 * a bare `CfnBucket`, and a `CfnBucket` with a `CfnBucketPolicy` of its own.
 */
function plainApp(options: { withKey?: boolean; app?: App } = {}) {
  const app = options.app ?? strictApp();
  const stack = new Stack(app, 'Plain', { env: TEST_ENV });
  const plain = new s3.Bucket(stack, 'PlainBucket');
  const withPolicy = new s3.Bucket(stack, 'BucketWithPolicy', { enforceSSL: true });
  withPolicy.addToResourcePolicy(new iam.PolicyStatement({
    sid: OWN_READ_SID, principals: [new iam.AccountRootPrincipal()], actions: ['s3:GetObject'], resources: [withPolicy.arnForObjects('*')],
  }));
  const l1 = new s3.CfnBucket(stack, 'L1Bucket');
  const l1WithPolicy = new s3.CfnBucket(stack, 'L1BucketWithPolicy');
  new s3.CfnBucketPolicy(stack, 'L1BucketPolicy', {
    bucket: l1WithPolicy.ref,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{
        Sid: OWN_READ_SID,
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [l1WithPolicy.attrArn, '/*']] },
      }],
    },
  });
  const key = options.withKey ? new kms.Key(stack, 'StandardKey', { enableKeyRotation: true }) : undefined;
  const ids = { plain: id(plain), withPolicy: id(withPolicy), l1: stack.resolve(l1.logicalId), l1WithPolicy: stack.resolve(l1WithPolicy.logicalId) };
  return { app, stack, key, ids };
}

function id(bucket: s3.Bucket): string {
  return Stack.of(bucket).resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId);
}

function enforce(app: App, props: EnforceBucketEncryptionProps) {
  Aspects.of(app).add(new EnforceBucketEncryption(props));
}

describe('EnforceBucketEncryption brings an app of plain buckets up to the standard', () => {
  test('without the Aspect, S3EncryptionChecks flags every bucket (so the tests below are not vacuous)', () => {
    const { app, ids } = plainApp();
    app.synth();
    const report = new S3EncryptionChecks(undefined, {}).validateScope(app);
    const flagged = new Set(report.violations.flatMap((v) => v.violatingResources.map((r) => (r.constructPath ?? '').split('/').slice(-2).join('/'))));
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining([
      'S3Encryption-TlsOnlyEnforced', 'S3Encryption-UploadHeaderEnforced', 'S3Encryption-SseCBlockedUnlessRequired',
    ]));
    expect([...flagged].sort()).toEqual(['BucketWithPolicy/Resource', 'PlainBucket/Resource', 'Plain/L1Bucket', 'Plain/L1BucketWithPolicy'].sort());
    expect(ids.l1).toBe('L1Bucket');
  });

  type Case = [string, EncryptionMode, UploadHeaderRule | undefined, S3EncryptionChecksProps];
  const cases: Case[] = [
    ['SSE-S3, REQUIRED, pack defaults', EncryptionMode.SSE_S3, UploadHeaderRule.REQUIRED, {}],
    ['SSE-S3, MATCH_IF_PRESENT (default)', EncryptionMode.SSE_S3, undefined, { requireUploadHeader: false }],
    ['SSE-KMS, REQUIRED, KMS only', EncryptionMode.SSE_KMS, UploadHeaderRule.REQUIRED, { allowedEncryption: AllowedEncryption.KMS_ONLY }],
    ['DSSE-KMS, MATCH_IF_PRESENT, KMS only', EncryptionMode.DSSE_KMS, undefined, { allowedEncryption: AllowedEncryption.KMS_ONLY, requireUploadHeader: false }],
  ];

  describe.each(cases)('%s', (_name, encryptionMode, uploadHeaderRule, packProps) => {
    const kmsMode = encryptionMode !== EncryptionMode.SSE_S3;
    const { app, stack, key, ids } = plainApp({ withKey: kmsMode });
    enforce(app, { encryptionMode, uploadHeaderRule, kmsKeyArn: key?.keyArn });
    const report = runExternalChecks(app, {
      checkers: ['cfn-schema', 'cdk-nag'],
      nagPacks: [new S3EncryptionChecks(undefined, {
        ...packProps, allowedKmsKeyArns: key ? [key.keyArn] : undefined,
      })],
    });
    const template = Template.fromStack(stack).toJSON() as any;
    const keyArn = key ? new CfnResolver(template).getAtt(stack.resolve((key.node.defaultChild as kms.CfnKey).logicalId), 'Arn') : undefined;

    test('S3EncryptionChecks finds nothing, nor does strict CloudFormation validation', () => {
      expect(report.findings).toEqual([]);
    });

    test('every bucket has default encryption of the standard, with SSE-C blocked', () => {
      for (const bucketId of Object.values(ids)) {
        const rule = template.Resources[bucketId].Properties.BucketEncryption.ServerSideEncryptionConfiguration;
        expect(rule).toEqual([{
          ServerSideEncryptionByDefault: { SSEAlgorithm: encryptionMode, ...(kmsMode ? { KMSMasterKeyID: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } : {}) },
          BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
          ...(encryptionMode === EncryptionMode.SSE_KMS ? { BucketKeyEnabled: true } : {}),
        }]);
      }
    });

    test('every bucket has exactly one policy, holding the user\'s own statement and the standard\'s', () => {
      const sids = (bucketId: string) => bucketPolicyOf(template, bucketId).Statement.map((s: any) => s.Sid);
      const standard = ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', ...(kmsMode ? ['DenyWrongKmsKey'] : [])];
      expect(sids(ids.plain)).toEqual(standard);
      expect(sids(ids.l1)).toEqual(standard);
      expect(sids(ids.withPolicy)).toEqual([undefined, OWN_READ_SID, ...standard]); // enforceSSL's statement has no Sid
      expect(sids(ids.l1WithPolicy)).toEqual([OWN_READ_SID, ...standard]);
    });

    const lenient = uploadHeaderRule === undefined;
    const good = (): S3Request => put({ sse: encryptionMode, kmsKeyId: keyArn });
    const rows: Array<[string, Verdict, () => S3Request]> = [
      ['upload with the standard\'s header', 'allowed', good],
      ['upload without a header', lenient ? 'allowed' : 'denied', () => put()],
      ['upload naming another method', 'denied', () => put({ sse: kmsMode ? 'AES256' : 'aws:kms' })],
      ['upload over HTTP', 'denied', () => ({ ...good(), secureTransport: false })],
      ['upload over TLS 1.1', 'denied', () => ({ ...good(), tls: '1.1' })],
      ['GetObject', 'allowed', () => get()],
      ['GetObject over HTTP', 'denied', () => get({ secureTransport: false })],
      ['ListBucket over TLS 1.0', 'denied', () => list({ tls: '1.0' })],
      ...(kmsMode ? [['upload naming another key', 'denied', () => put({ sse: encryptionMode, kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/other' })] as [string, Verdict, () => S3Request]] : []),
    ];
    test.each(rows)('under the simulator, on every bucket: %s is %s', async (_what, expected, request) => {
      for (const bucketId of Object.values(ids)) {
        expect([bucketId, await simulate(template, request(), bucketId)]).toEqual([bucketId, expected]);
      }
    });
  });
});

describe('EnforceBucketEncryption is idempotent', () => {
  test('a second application adds nothing', () => {
    const once = plainApp();
    enforce(once.app, { encryptionMode: EncryptionMode.SSE_S3 });
    const twice = plainApp();
    enforce(twice.app, { encryptionMode: EncryptionMode.SSE_S3 });
    enforce(twice.app, { encryptionMode: EncryptionMode.SSE_S3 });
    expect(Template.fromStack(twice.stack).toJSON()).toEqual(Template.fromStack(once.stack).toJSON());
  });

  test('a template it already remediated, included with CfnInclude, gets nothing more (statements found by Sid)', () => {
    const first = plainApp();
    enforce(first.app, { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
    const remediated = Template.fromStack(first.stack).toJSON();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'enforce-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(remediated));

    const app = new App();
    const stack = new Stack(app, 'Included', { env: TEST_ENV, synthesizer: WITHOUT_BOOTSTRAP_RULE() });
    new CfnInclude(stack, 'Template', { templateFile: file });
    enforce(app, { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' });
    const again = Template.fromStack(stack).toJSON();
    expect(again.Resources).toEqual(remediated.Resources);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  test('buckets of an included template are remediated like any L1 bucket', () => {
    const plain = plainApp();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'enforce-')), 'template.json');
    fs.writeFileSync(file, JSON.stringify(Template.fromStack(plain.stack).toJSON()));
    const app = strictApp();
    const stack = new Stack(app, 'Included', { env: TEST_ENV, synthesizer: WITHOUT_BOOTSTRAP_RULE() });
    new CfnInclude(stack, 'Template', { templateFile: file });
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3, uploadHeaderRule: UploadHeaderRule.REQUIRED });
    const report = runExternalChecks(app, { checkers: ['cfn-schema', 'cdk-nag'], nagPacks: [new S3EncryptionChecks(undefined, {})] });
    expect(report.findings).toEqual([]);
    const template = Template.fromStack(stack).toJSON() as any;
    expect(bucketPolicyOf(template, plain.ids.l1WithPolicy).Statement.map((s: any) => s.Sid))
      .toEqual([OWN_READ_SID, 'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']);
  });
});

describe('EnforceBucketEncryption never weakens or replaces what is there', () => {
  function oneBucket(build: (stack: Stack) => void, props: Partial<EnforceBucketEncryptionProps> = {}) {
    const app = new App();
    const stack = new Stack(app, 'One', { env: TEST_ENV });
    build(stack);
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3, ...props } as EnforceBucketEncryptionProps);
    return { stack, template: Template.fromStack(stack), errors: Annotations.fromStack(stack).findError('*', Match.anyValue()).map((e) => String(e.entry.data)) };
  }

  test('another default encryption is kept and reported', () => {
    const { template, errors } = oneBucket((stack) => new s3.Bucket(stack, 'Kms', { encryption: s3.BucketEncryption.KMS_MANAGED }));
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } })] },
    });
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/default encryption is aws:kms, the standard is AES256\. EnforceBucketEncryption never replaces/)]));
  });

  test('another KMS key, or the AWS managed key, is kept and reported', () => {
    const standardKey = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { errors } = oneBucket((stack) => {
      new s3.Bucket(stack, 'OwnKey', { encryption: s3.BucketEncryption.KMS });
      new s3.Bucket(stack, 'ManagedKey', { encryption: s3.BucketEncryption.KMS_MANAGED });
    }, { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArn: standardKey });
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/OwnKey: its default encryption uses key .*the standard's key is "arn:aws:kms/),
      expect.stringMatching(/ManagedKey: its default encryption aws:kms has no KMSMasterKeyID/),
    ]));
  });

  test('SSE-C explicitly unblocked is kept and reported', () => {
    const { template, errors } = oneBucket((stack) => new s3.Bucket(stack, 'Open', { blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE] }));
    const rule = Object.values(template.findResources('AWS::S3::Bucket'))[0].Properties.BucketEncryption.ServerSideEncryptionConfiguration[0];
    expect(rule.BlockedEncryptionTypes).toEqual({ EncryptionType: ['NONE'] });
    expect(rule.ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' }); // what was missing is still added
    expect(errors).toEqual([expect.stringMatching(/BlockedEncryptionTypes \["NONE"\] does not block SSE-C/)]);
  });

  test('an existing SSE-S3 default encryption gets SSE-C blocked and keeps its other settings', () => {
    const { template, errors } = oneBucket((stack) => new s3.Bucket(stack, 'S3Managed', { encryption: s3.BucketEncryption.S3_MANAGED }));
    expect(Object.values(template.findResources('AWS::S3::Bucket'))[0].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }],
    });
    expect(errors).toEqual([]);
  });

  test('a stricter TLS floor of the bucket stays next to the standard\'s', () => {
    const { template } = oneBucket((stack) => new s3.Bucket(stack, 'Tls13', { enforceSSL: true, minimumTLSVersion: 1.3 }));
    const statements = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Condition?.NumericLessThan?.['s3:TlsVersion']).filter((v: unknown) => v !== undefined)).toEqual([1.3, 1.2]);
  });

  test('a statement with one of the standard\'s Sids but other content is kept, not duplicated, and reported', () => {
    const { template, errors } = oneBucket((stack) => {
      const bucket = new s3.Bucket(stack, 'Clash');
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyOutdatedTls',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:*'],
        resources: [bucket.bucketArn, bucket.arnForObjects('*')],
        conditions: { NumericLessThan: { 's3:TlsVersion': 1.0 } },
      }));
    });
    const sids = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(['DenyOutdatedTls', 'DenyInsecureTransport', 'DenyWrongEncryptionHeader']);
    expect(errors).toEqual([expect.stringMatching(/statement with Sid DenyOutdatedTls that is not the standard's/)]);
  });

  test('two bucket policies for one bucket are reported, and neither is changed', () => {
    const { template, errors } = oneBucket((stack) => {
      const bucket = new s3.CfnBucket(stack, 'Twice');
      // CDK's own template validation warns about this too; the test is about the Aspect's answer.
      Validations.of(stack).acknowledge({ id: 'CloudFormation-Validate::E3019', reason: 'two policies for one bucket, on purpose' });
      for (const name of ['First', 'Second']) {
        new s3.CfnBucketPolicy(stack, name, {
          bucket: bucket.ref,
          policyDocument: { Statement: [{ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 's3:GetObject', Resource: '*' }] },
        });
      }
    });
    for (const policy of Object.values(template.findResources('AWS::S3::BucketPolicy'))) {
      expect(policy.Properties.PolicyDocument.Statement).toHaveLength(1);
    }
    expect(errors).toEqual([expect.stringMatching(/2 bucket policies \(One\/First, One\/Second\) target it, and S3 keeps only one/)]);
  });

  test('a policy of another stack\'s bucket with the same logical ID is not taken for this bucket\'s', () => {
    const app = new App();
    for (const name of ['One', 'Two']) {
      const stack = new Stack(app, name, { env: TEST_ENV });
      const bucket = new s3.CfnBucket(stack, 'Data');
      if (name === 'Two') {
        new s3.CfnBucketPolicy(stack, 'DataPolicy', {
          bucket: bucket.ref,
          policyDocument: { Statement: [{ Sid: OWN_READ_SID, Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 's3:GetObject', Resource: '*' }] },
        });
      }
    }
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3 });
    const sids = (stackName: string) => Object.values(Template.fromStack(app.node.findChild(stackName) as Stack).findResources('AWS::S3::BucketPolicy'))
      .map((p: any) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Sid));
    expect(sids('One')).toEqual([['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']]);
    expect(sids('Two')).toEqual([[OWN_READ_SID, 'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']]);
  });

  test('a policy in another stack that names the bucket is the one it appends to', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env: TEST_ENV });
    const access = new Stack(app, 'Access', { env: TEST_ENV });
    const bucket = new s3.CfnBucket(data, 'Shared');
    new s3.CfnBucketPolicy(access, 'SharedPolicy', {
      bucket: bucket.ref,
      policyDocument: { Statement: [{ Sid: OWN_READ_SID, Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 's3:GetObject', Resource: '*' }] },
    });
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3 });
    expect(Template.fromStack(data).findResources('AWS::S3::BucketPolicy')).toEqual({});
    const statements = Object.values(Template.fromStack(access).findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual([OWN_READ_SID, 'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']);
  });
});

describe('EnforceBucketEncryption leaves some buckets alone', () => {
  function templates(build: (stack: Stack) => Construct[] | void, props: Partial<EnforceBucketEncryptionProps> = {}) {
    const bare = new Stack(new App(), 'Stack', { env: TEST_ENV });
    build(bare);
    const app = new App();
    const enforced = new Stack(app, 'Stack', { env: TEST_ENV });
    const exclude = build(enforced) ?? [];
    enforce(app, { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', ...props, exclude: props.exclude ?? exclude });
    const after = Template.fromStack(enforced).toJSON();
    return { before: Template.fromStack(bare).toJSON(), after, errors: Annotations.fromStack(enforced).findError('*', Match.anyValue()) };
  }

  test('the library\'s own buckets, even of another mode than the standard, and the log bucket of their audit trail', () => {
    const { before, after, errors } = templates((stack) => {
      new EncryptedBucket(stack, 'SseS3');
      new KmsEncryptedBucket(stack, 'Kms', { dualLayer: true });
      new SseCOnlyBucket(stack, 'SseC');
      new ClientSideEncryptedBucket(stack, 'ClientSide');
    });
    expect(Object.keys(after.Resources).filter((logicalId) => logicalId.startsWith('EncryptionAuditTrailLogBucket'))).toHaveLength(2); // bucket, policy
    expect(after).toEqual(before);
    expect(errors).toEqual([]);
  });

  test('a bucket of the user\'s that looks like one of the library\'s (an encryptionMode field) is held to the standard', () => {
    class LooksSecure extends s3.Bucket {
      public readonly encryptionMode = EncryptionMode.SSE_S3;
    }
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: TEST_ENV });
    new LooksSecure(stack, 'Impostor');
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3 });
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']);
  });

  test('excluded buckets, and every bucket under an excluded construct', () => {
    const { before, after, errors } = templates((stack) => {
      const legacy = new Construct(stack, 'Legacy');
      new s3.Bucket(legacy, 'A');
      new s3.CfnBucket(legacy, 'B');
      const excluded = new s3.Bucket(stack, 'Excluded');
      return [legacy, excluded];
    });
    expect(after).toEqual(before);
    expect(errors).toEqual([]);
  });

  test('but not the buckets next to them', () => {
    const { after } = templates((stack) => {
      const excluded = new s3.Bucket(stack, 'Excluded');
      new s3.Bucket(stack, 'Included');
      return [excluded];
    });
    const encrypted = Object.entries<any>(after.Resources)
      .filter(([, r]) => r.Type === 'AWS::S3::Bucket' && r.Properties?.BucketEncryption).map(([logicalId]) => logicalId);
    expect(encrypted).toEqual([expect.stringMatching(/^Included/)]);
  });
});

describe('EnforceBucketEncryption in REPORT mode', () => {
  test('changes nothing and adds an error to each bucket naming what is missing', () => {
    const bare = plainApp({ app: new App() });
    const reported = plainApp({ app: new App() });
    enforce(reported.app, { encryptionMode: EncryptionMode.SSE_S3, mode: EnforcementMode.REPORT });
    expect(Template.fromStack(reported.stack).toJSON()).toEqual(Template.fromStack(bare.stack).toJSON());
    const errors = Annotations.fromStack(reported.stack).findError('*', Match.anyValue());
    expect(errors.map((e) => e.id).sort()).toEqual(['/Plain/BucketWithPolicy', '/Plain/L1Bucket', '/Plain/L1BucketWithPolicy', '/Plain/PlainBucket']);
    for (const error of errors) {
      expect(error.entry.data).toMatch(new RegExp(
        'does not meet the AES256 encryption standard: missing default encryption AES256; SSE-C blocked \\(BlockedEncryptionTypes SSE-C\\); ' +
        'bucket policy statements DenyInsecureTransport, DenyOutdatedTls, DenyWrongEncryptionHeader\\. Apply EnforceBucketEncryption with mode REMEDIATE'));
    }
  });

  test('a compliant bucket gets no annotation', () => {
    const app = new App();
    const stack = new Stack(app, 'Report', { env: TEST_ENV });
    new s3.Bucket(stack, 'Plain');
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3 });
    enforce(app, { encryptionMode: EncryptionMode.SSE_S3, mode: EnforcementMode.REPORT });
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });
});

describe('EnforceBucketEncryption refuses a standard it cannot apply', () => {
  test.each([
    ['SSE-C', { encryptionMode: EncryptionMode.SSE_C }, /encryptionMode SSE-C is not allowed on EnforceBucketEncryption/],
    ['SSE-KMS without a key', { encryptionMode: EncryptionMode.SSE_KMS }, /kmsKeyArn is required on EnforceBucketEncryption with encryptionMode aws:kms/],
    ['a key with SSE-S3', { encryptionMode: EncryptionMode.SSE_S3, kmsKeyArn: 'arn:aws:kms:eu-west-1:111111111111:key/k' }, /kmsKeyArn is set .* whose encryptionMode is AES256/],
    ['a key alias', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArn: 'alias/data' }, /not a KMS key ARN/],
    ['TLS 1.0', { encryptionMode: EncryptionMode.SSE_S3, minimumTlsVersion: 1.0 }, /minimumTlsVersion 1 is not allowed/],
  ])('%s', (_what, props, message) => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'Refused'), 'Bucket');
    enforce(app, props as EnforceBucketEncryptionProps);
    expect(() => app.synth()).toThrow(message);
  });
});
