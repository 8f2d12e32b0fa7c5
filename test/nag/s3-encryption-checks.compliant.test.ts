import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cfninclude from 'aws-cdk-lib/cloudformation-include';
import { findings, id as ruleId, ruleIds } from './helpers';
import { BucketAuditing, ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, UploadHeaderRule } from '../../src';
import { EncryptionAuditTrail } from '../../src/audit/encryption-audit-trail';
import { SseCOnlyBucket } from '../../src/buckets/sse-c-only-bucket';
import { AllowedEncryption, S3EncryptionChecks, S3EncryptionChecksProps } from '../../src/nag/s3-encryption-checks';
import { TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks } from '../harness/external-checks';

/*
 * Compliant variants: each builds an app that meets the standard in its own way (this library's constructs, hand-written
 * L1 equivalents, s3.Bucket with its own statements, policies in other stacks or included templates, token names),
 * and the pack must find nothing. cdk-nag's own S3 rules fail several of them (see the last tests).
 */

const SSE_C_BLOCKED = { encryptionType: ['SSE-C'] };
const SSE = 's3:x-amz-server-side-encryption';
const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';

/** A stack in the test environment. */
function stackOf(app: App, id = 'Checked', env: typeof TEST_ENV | undefined = TEST_ENV): Stack {
  return new Stack(app, id, { env });
}

/** An L1 SSE-S3 bucket with SSE-C blocked. */
function l1Bucket(scope: Stack, id: string, props: Partial<s3.CfnBucketProps> = {}): s3.CfnBucket {
  return new s3.CfnBucket(scope, id, {
    bucketEncryption: {
      serverSideEncryptionConfiguration: [{
        serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' },
        blockedEncryptionTypes: SSE_C_BLOCKED,
      }],
    },
    ...props,
  });
}

/** Every object action of S3, written as explicit patterns (what the decision procedure must see covers them all). */
const OBJECT_ACTIONS = ['s3:Get*', 's3:Put*', 's3:Delete*', 's3:List*', 's3:AbortMultipartUpload', 's3:RestoreObject',
  's3:Replicate*', 's3:BypassGovernanceRetention', 's3:ObjectOwnerOverrideToBucketOwner', 's3:UpdateObjectEncryption'];

/**
 * The policy of an SSE-S3 bucket written by hand the way cdk-nag does not recognise: separate statements for the bucket
 * and its objects, explicit action lists, `"Principal": "*"`.
 */
function handWrittenStatements(bucketArn: string): any[] {
  const objects = `${bucketArn}/*`;
  return [
    { Sid: 'BucketHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: bucketArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    { Sid: 'ObjectHttp', Effect: 'Deny', Principal: '*', Action: OBJECT_ACTIONS, Resource: objects, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    { Sid: 'BucketOldTls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: bucketArn, Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
    { Sid: 'ObjectOldTls', Effect: 'Deny', Principal: '*', Action: OBJECT_ACTIONS, Resource: objects, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
    { Sid: 'Header', Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: objects, Condition: { StringNotEquals: { [SSE]: 'AES256' } } },
  ];
}

type Variant = [name: string, build: () => App, props?: S3EncryptionChecksProps];

const VARIANTS: Variant[] = [
  ['EncryptedBucket', () => {
    const app = new App();
    new EncryptedBucket(stackOf(app), 'Bucket');
    return app;
  }],
  ['EncryptedBucket with MATCH_IF_PRESENT, under requireUploadHeader: false', () => {
    const app = new App();
    new EncryptedBucket(stackOf(app), 'Bucket', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT });
    return app;
  }, { requireUploadHeader: false }],
  ['EncryptedBucket with a TLS 1.3 floor, under minimumTlsVersion: 1.3', () => {
    const app = new App();
    // Not registered with the stack's shared trail, whose log bucket has a TLS 1.2 floor.
    new EncryptedBucket(stackOf(app), 'Bucket', { minimumTLSVersion: 1.3, auditing: BucketAuditing.none('The organisation trail records S3 data events') });
    return app;
  }, { minimumTlsVersion: 1.3 }],
  ['KmsEncryptedBucket (SSE-KMS), under KMS_ONLY', () => {
    const app = new App();
    new KmsEncryptedBucket(stackOf(app), 'Bucket', { keyAlias: 'records' });
    return app;
  }, { allowedEncryption: AllowedEncryption.KMS_ONLY }],
  ['KmsEncryptedBucket (DSSE-KMS), under KMS_ONLY: DSSE counts as KMS', () => {
    const app = new App();
    new KmsEncryptedBucket(stackOf(app), 'Bucket', { dualLayer: true });
    return app;
  }, { allowedEncryption: AllowedEncryption.KMS_ONLY }],
  ['KmsEncryptedBucket with MATCH_IF_PRESENT, under requireUploadHeader: false', () => {
    const app = new App();
    new KmsEncryptedBucket(stackOf(app), 'Bucket', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT });
    return app;
  }, { requireUploadHeader: false }],
  ['KmsEncryptedBucket with a key of its own, listed (as a token) in allowedKmsKeyArns', () => {
    const app = new App();
    const stack = stackOf(app);
    const key = new kms.Key(stack, 'SharedKey', { enableKeyRotation: true });
    new KmsEncryptedBucket(stack, 'Bucket', { encryptionKey: key });
    (app as any).allowed = [key.keyArn];
    return app;
  }, { allowedEncryption: AllowedEncryption.KMS_ONLY }],
  ['ClientSideEncryptedBucket (MATCH_IF_PRESENT by default), under requireUploadHeader: false', () => {
    const app = new App();
    new ClientSideEncryptedBucket(stackOf(app), 'Bucket', { keyAlias: 'envelopes' });
    return app;
  }, { requireUploadHeader: false }],
  ['ClientSideEncryptedBucket with REQUIRED, under the default standard', () => {
    const app = new App();
    new ClientSideEncryptedBucket(stackOf(app), 'Bucket', { uploadHeaderRule: UploadHeaderRule.REQUIRED });
    return app;
  }],
  ['SseCOnlyBucket, under allowSseC', () => {
    const app = new App();
    new SseCOnlyBucket(stackOf(app), 'Bucket');
    return app;
  }, { allowSseC: true }],
  ['every bucket construct in an environment-agnostic stack', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new EncryptedBucket(stack, 'SseS3');
    new KmsEncryptedBucket(stack, 'SseKms');
    new KmsEncryptedBucket(stack, 'Dsse', { dualLayer: true });
    new SseCOnlyBucket(stack, 'SseC');
    new ClientSideEncryptedBucket(stack, 'ClientSide', { uploadHeaderRule: UploadHeaderRule.REQUIRED });
    return app;
  }, { allowSseC: true }],
  ['every bucket construct recorded by an EncryptionAuditTrail, under requireAuditTrail', () => {
    const app = new App();
    const stack = stackOf(app);
    const trail = EncryptionAuditTrail.of(stack);
    for (const bucket of [
      new EncryptedBucket(stack, 'SseS3'),
      new KmsEncryptedBucket(stack, 'SseKms'),
      new KmsEncryptedBucket(stack, 'Dsse', { dualLayer: true }),
      new SseCOnlyBucket(stack, 'SseC'),
      new ClientSideEncryptedBucket(stack, 'ClientSide', { uploadHeaderRule: UploadHeaderRule.REQUIRED }),
    ]) trail.addBucket(bucket);
    return app;
  }, { allowSseC: true, requireAuditTrail: true }],
  ['an EncryptionAuditTrail with CloudWatch Logs, in another stack than the buckets it records', () => {
    const app = new App();
    const data = stackOf(app, 'Data');
    const audit = stackOf(app, 'Audit');
    const trail = new EncryptionAuditTrail(audit, 'Trail', { cloudWatchLogs: true });
    trail.addBucket(new EncryptedBucket(data, 'Reports'));
    trail.addBucket(new KmsEncryptedBucket(data, 'Records'));
    return app;
  }, { requireAuditTrail: true }],
  ['EncryptedBucket (MATCH_IF_PRESENT) receiving the server access logs of REQUIRED buckets, under the default standard', () => {
    // Log delivery authorised by the bucket policy: bucket-owner-enforced ownership rules out the LogDeliveryWrite ACL.
    const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
    const stack = stackOf(app);
    const logs = new EncryptedBucket(stack, 'AccessLogs', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT });
    new EncryptedBucket(stack, 'Reports', { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'reports/' });
    new KmsEncryptedBucket(stack, 'Records', { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'records/' });
    return app;
  }],
  ['hand-written L1: separate statements for bucket and objects, explicit action lists', () => {
    const app = new App();
    const stack = stackOf(app);
    const bucket = l1Bucket(stack, 'Bucket');
    new s3.CfnBucketPolicy(stack, 'Policy', { bucket: bucket.ref, policyDocument: { Version: '2012-10-17', Statement: handWrittenStatements(bucket.attrArn) } });
    return app;
  }],
  ['s3.Bucket with enforceSSL, minimumTLSVersion and an added deny-header statement', () => {
    const app = new App();
    const bucket = new s3.Bucket(stackOf(app), 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
    });
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEquals: { [SSE]: 'AES256' } },
    }));
    return app;
  }],
  ['s3.Bucket with SSE-KMS: a key of its own, Bucket Key, statements that pin the key', () => {
    const app = new App();
    const stack = stackOf(app);
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, pendingWindow: Duration.days(30) });
    const bucket = new s3.Bucket(stack, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
    });
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEquals: { [SSE]: 'aws:kms', [KEY_ID]: key.keyArn } },
    }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { StringNotEqualsIfExists: { [KEY_ID]: key.keyArn } },
    }));
    return app;
  }],
  ['the policy in another stack, before synthesis (a Ref across stacks)', () => {
    const app = new App();
    const bucket = l1Bucket(stackOf(app, 'Data'), 'Bucket');
    new s3.CfnBucketPolicy(stackOf(app, 'Policies'), 'Policy', { bucket: bucket.ref, policyDocument: { Statement: handWrittenStatements(bucket.attrArn) } });
    return app;
  }],
  ['the policy in another stack, synthesized (Fn::ImportValue of CDK\'s exports)', () => {
    const app = new App();
    const bucket = l1Bucket(stackOf(app, 'Data'), 'Bucket');
    new s3.CfnBucketPolicy(stackOf(app, 'Policies'), 'Policy', { bucket: bucket.ref, policyDocument: { Statement: handWrittenStatements(bucket.attrArn) } });
    app.synth();
    return app;
  }],
  ['the policy in another stack, through exports the user named', () => {
    const app = new App();
    const data = stackOf(app, 'Data');
    const bucket = l1Bucket(data, 'Bucket');
    new CfnOutput(data, 'Name', { value: bucket.ref, exportName: 'shared-data-bucket' });
    new CfnOutput(data, 'Arn', { value: bucket.attrArn, exportName: 'shared-data-bucket-arn' });
    new s3.CfnBucketPolicy(stackOf(app, 'Policies'), 'Policy', {
      bucket: Fn.importValue('shared-data-bucket'),
      policyDocument: { Statement: handWrittenStatements(Fn.importValue('shared-data-bucket-arn')) },
    });
    return app;
  }],
  ['a CfnInclude\'d template (Fn::Sub, Fn::Join, Fn::GetAtt, Ref)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-include-'));
    const file = path.join(dir, 'legacy.json');
    fs.writeFileSync(file, JSON.stringify({
      Resources: {
        Data: {
          Type: 'AWS::S3::Bucket',
          Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] } }] } },
        },
        DataPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: { Ref: 'Data' },
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [{ 'Fn::GetAtt': ['Data', 'Arn'] }, { 'Fn::Sub': '${Data.Arn}/*' }], Condition: { Bool: { 'aws:SecureTransport': false } } },
                { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}' }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Data}/*' }], Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
                { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Data', 'Arn'] }, '/*']] }, Condition: { StringNotEquals: { [SSE]: 'AES256' } } },
              ],
            },
          },
        },
      },
    }));
    const app = new App();
    new cfninclude.CfnInclude(stackOf(app), 'Legacy', { templateFile: file });
    return app;
  }],
  ['token bucket names: a name joined from account and Region, a policy that writes it with Fn::Sub', () => {
    const app = new App();
    const stack = new Stack(app, 'Tokens');
    const bucket = l1Bucket(stack, 'Bucket', { bucketName: Fn.join('-', ['data', stack.account, stack.region]) });
    const literal = Fn.sub('arn:${AWS::Partition}:s3:::data-${AWS::AccountId}-${AWS::Region}');
    new s3.CfnBucketPolicy(stack, 'Policy', { bucket: bucket.ref, policyDocument: { Statement: handWrittenStatements(literal) } });
    return app;
  }],
  ['a literal bucket name, and a policy with literal ARNs, "Action": "*"', () => {
    const app = new App();
    const stack = stackOf(app);
    l1Bucket(stack, 'Bucket', { bucketName: 'acme-literal-reports' });
    const arn = 'arn:aws:s3:::acme-literal-reports';
    new s3.CfnBucketPolicy(stack, 'Policy', {
      bucket: 'acme-literal-reports',
      policyDocument: {
        Statement: [
          { Effect: 'Deny', Principal: '*', Action: '*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
          { Effect: 'Deny', Principal: '*', Action: '*', Resource: [arn, `${arn}/*`], Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
          { Effect: 'Deny', Principal: '*', NotAction: ['s3:Get*', 's3:List*', 's3:Delete*'], Resource: `${arn}/*`, Condition: { StringNotEquals: { [SSE]: 'AES256' } } },
        ],
      },
    });
    return app;
  }],
  ['SSE-KMS by alias ARN of a key in the app (L1), the policy pins the key ARN', () => {
    const app = new App();
    const stack = stackOf(app);
    const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true, keyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` }, Action: 'kms:*', Resource: '*' }] } });
    new kms.CfnAlias(stack, 'Alias', { aliasName: 'alias/ledger', targetKeyId: key.ref });
    const bucket = new s3.CfnBucket(stack, 'Bucket', {
      bucketEncryption: {
        serverSideEncryptionConfiguration: [{
          serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:alias/ledger` },
          bucketKeyEnabled: true,
          blockedEncryptionTypes: SSE_C_BLOCKED,
        }],
      },
    });
    const statements = handWrittenStatements(bucket.attrArn).filter((s) => s.Sid !== 'Header');
    statements.push({ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${bucket.attrArn}/*`, Condition: { StringNotEquals: { [SSE]: 'aws:kms', [KEY_ID]: key.attrArn } } });
    statements.push({ Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${bucket.attrArn}/*`, Condition: { StringNotEquals: { [KEY_ID]: key.attrArn } } });
    new s3.CfnBucketPolicy(stack, 'Policy', { bucket: bucket.ref, policyDocument: { Statement: statements } });
    return app;
  }],
  ['a trail outside this library with basic selectors for all S3 data events', () => {
    const app = new App();
    const stack = stackOf(app);
    new EncryptedBucket(stack, 'Bucket');
    new cloudtrail.CfnTrail(stack, 'Trail', {
      isLogging: true,
      s3BucketName: 'central-trail-logs',
      enableLogFileValidation: true,
      kmsKeyId: `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/11111111-2222-3333-4444-555555555555`,
      isMultiRegionTrail: true,
      eventSelectors: [{ readWriteType: 'All', dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }],
    });
    return app;
  }, { requireAuditTrail: true }],
  ['a trail with an advanced selector for every S3 object, in another Region, multi-Region', () => {
    const app = new App();
    new KmsEncryptedBucket(stackOf(app, 'Data'), 'Bucket');
    new cloudtrail.CfnTrail(stackOf(app, 'Audit', { ...TEST_ENV, region: 'us-east-1' }), 'Trail', {
      isLogging: true,
      s3BucketName: 'central-trail-logs',
      enableLogFileValidation: true,
      kmsKeyId: 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555',
      isMultiRegionTrail: true,
      advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::S3::Object'] }] }],
    });
    return app;
  }, { requireAuditTrail: true }],
];

// The allowlist of the "key of its own" variant is a token of its app.
function propsFor(app: App, props: S3EncryptionChecksProps = {}): S3EncryptionChecksProps {
  const allowed = (app as any).allowed as string[] | undefined;
  return allowed ? { ...props, allowedKmsKeyArns: allowed } : props;
}

// Every row has three columns: jest takes a callback with more parameters than the row has columns for `done`.
const ROWS = VARIANTS.map(([name, build, props]) => [name, build, props ?? {}] as const);

test.each(ROWS)('%s: no findings', (_name, build, props) => {
  const app = build();
  expect(findings(app, propsFor(app, props))).toEqual([]);
});

// A variant passes because of what its policies say, not because the pack finds nothing: with the statements of every
// bucket policy in the app replaced by one harmless Allow, the same check reports the buckets.
test.each(ROWS)('%s: findings once its bucket policies deny nothing', (_name, build, props) => {
  const app = build();
  for (const policy of app.node.findAll().filter((c): c is s3.CfnBucketPolicy => c instanceof s3.CfnBucketPolicy)) {
    policy.policyDocument = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` }, Action: 's3:GetObject', Resource: '*' }],
    };
  }
  expect(ruleIds(findings(app, propsFor(app, props)))).toContain(ruleId('TlsOnlyEnforced'));
});

describe('cdk-nag\'s own S3 rules on the same variants (what the evaluation buys)', () => {
  const nagFindings = (app: App) => runExternalChecks(app, { checkers: ['cdk-nag'], nagPacks: ['AwsSolutions'], requireStrict: false })
    .findings.map((f) => f.ruleId);
  const variant = (name: string) => VARIANTS.find(([n]) => n.startsWith(name))![1]();

  test.each([
    ['hand-written L1: separate statements', 'AwsSolutions-S10'],
    ['the policy in another stack, synthesized', 'AwsSolutions-S10'],
    ['token bucket names', 'AwsSolutions-S10'],
  ])('%s fails %s (a false positive), and passes this pack', (name, rule) => {
    const app = variant(name);
    expect(nagFindings(app)).toContain(rule);
    expect(findings(app)).toEqual([]);
  });
});

test('runExternalChecks takes the pack like any cdk-nag pack: the library\'s constructs pass', () => {
  const app = new App();
  const stack = stackOf(app);
  new EncryptedBucket(stack, 'SseS3');
  new KmsEncryptedBucket(stack, 'SseKms');
  new KmsEncryptedBucket(stack, 'Dsse', { dualLayer: true });
  new SseCOnlyBucket(stack, 'SseC');
  new ClientSideEncryptedBucket(stack, 'ClientSide', { uploadHeaderRule: UploadHeaderRule.REQUIRED });
  const report = runExternalChecks(app, {
    checkers: ['cdk-nag'],
    nagPacks: [new S3EncryptionChecks(undefined, { allowSseC: true, allowedEncryption: AllowedEncryption.ANY_SERVER_SIDE })],
    requireStrict: false,
  });
  expect(report.findings).toEqual([]);
});
