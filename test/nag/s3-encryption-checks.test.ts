import * as fs from 'fs';
import * as path from 'path';
import {
  App, CfnCondition, CfnParameter, CfnResource, Fn, IPolicyValidationContext, NestedStack, Stack, Stage, Validations,
} from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { findings, id, ruleIds, synthesizedContext } from './helpers';
import { BucketAuditing, EncryptedBucket } from '../../src';
import { AllowedEncryption, S3EncryptionChecks } from '../../src/nag/s3-encryption-checks';
import { TEST_ENV } from '../harness/cfn-resolve';
import { refusalOf } from '../harness/refusal';

const RULES_DIR = path.join(__dirname, '..', '..', 'src', 'nag', 'rules');
const RULES_DOC = path.join(__dirname, '..', '..', 'docs', 'RULES.md');

/** A plain bucket with default encryption and nothing else: TLS-only, TLS floor and header rules fail. */
function plainBucketApp(appProps = {}) {
  const app = new App(appProps);
  const stack = new Stack(app, 'Plain', { env: TEST_ENV });
  const bucket = new s3.Bucket(stack, 'Bucket', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
  });
  return { app, stack, bucket };
}

describe('the pack', () => {
  test('is named S3Encryption and has stable rule IDs', () => {
    const pack = new S3EncryptionChecks();
    expect(pack.name).toBe('S3Encryption');
    expect(pack.readPackName).toBe('S3Encryption');
    expect(S3EncryptionChecks.RULE_IDS).toEqual([
      'S3Encryption-DefaultEncryptionAllowed',
      'S3Encryption-TlsOnlyEnforced',
      'S3Encryption-TlsFloorEnforced',
      'S3Encryption-UploadHeaderEnforced',
      'S3Encryption-KmsKeyCustomerManaged',
      'S3Encryption-KmsKeyPinnedByPolicy',
      'S3Encryption-KmsKeyRotated',
      'S3Encryption-BucketKeyEnabled',
      'S3Encryption-SseCBlockedUnlessRequired',
      'S3Encryption-SingleBucketPolicy',
      'S3Encryption-ObjectEventsAudited',
      'S3Encryption-KmsKeyPolicyRestricted',
      'S3Encryption-TrailsWithinQuota',
    ]);
  });

  test('every rule is one file under src/nag/rules, named after the rule', () => {
    const files = fs.readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    expect(files.map((f) => `S3Encryption-${f}`).sort()).toEqual([...S3EncryptionChecks.RULE_IDS].sort());
  });

  test('docs/RULES.md has one row per rule, with level, what, why and fix', () => {
    const doc = fs.readFileSync(RULES_DOC, 'utf8');
    const rows = doc.split('\n').filter((line) => /^\| `S3Encryption-/.test(line));
    expect(rows.map((row) => /`(S3Encryption-[A-Za-z]+)`/.exec(row)![1])).toEqual(S3EncryptionChecks.RULE_IDS);
    for (const row of rows) {
      // ID, level, applies to, what, why, fix.
      const cells = row.split(' | ');
      expect(cells).toHaveLength(6);
      for (const cell of cells) expect(cell.replace(/^\| |\|$/g, '').trim().length).toBeGreaterThan(0);
      expect(['Error', 'Warning']).toContain(cells[1]);
    }
  });

  test.each([
    [{ minimumTlsVersion: 1.1 }, 'PropOutOfRange', /minimumTlsVersion 1.1 .*pass 1.2 \(the default\) or 1.3/],
    [{ minimumTlsVersion: 2 }, 'PropOutOfRange', /minimumTlsVersion 2 .*pass 1.2 \(the default\) or 1.3/],
    [{ minimumTlsVersion: '1.2' as any }, 'InvalidPropType', /minimumTlsVersion/],
    [{ allowedEncryption: 'SSE_C' as AllowedEncryption }, 'UnknownEnumValue', /allowedEncryption .*'SSE_C'.*'ANY_SERVER_SIDE', 'KMS_ONLY'/],
    [{ allowedKmsKeyArns: 'arn:aws:kms:eu-west-1:111111111111:key/k' as any }, 'InvalidPropType', /allowedKmsKeyArns/],
    [{ allowedKmsKeyArns: [5] as any }, 'InvalidPropType', /allowedKmsKeyArns\[0\]/],
    [{ allowSseC: 'yes' as any }, 'InvalidPropType', /allowSseC/],
    [{ requireUploadHeader: 0 as any }, 'InvalidPropType', /requireUploadHeader/],
    [{ requireAuditTrail: 'true' as any }, 'InvalidPropType', /requireAuditTrail/],
    [{ requireBucketKey: null as any }, 'InvalidPropType', /requireBucketKey/],
    [{ verbose: 1 as any }, 'InvalidPropType', /verbose/],
  ])('refuses props %j with a coded ValidationError', (props, code, message) => {
    const error = refusalOf(() => new S3EncryptionChecks(undefined, props));
    expect(error.name).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/on S3EncryptionChecks/);
  });

  test('findings say what is wrong and how to fix it; verbose adds why', () => {
    const { app } = plainBucketApp();
    const [terse] = findings(app).filter((f) => f.ruleId === id('TlsOnlyEnforced'));
    expect(terse.description).toMatch(/^The bucket's policy does not deny requests made without TLS\. /);
    // The counterexample: one concrete request the policy lets through.
    expect(terse.description).toMatch(/s3:GetObject on arn:aws:s3:::plain-bucket[0-9a-f]+\/x over plain HTTP by arn:aws:iam::\d{12}:root is not denied/);
    expect(terse.description).toMatch(/enforceSSL: true/);
    expect(terse.description).not.toMatch(/Why:/);
    const [verbose] = findings(app, { verbose: true }).filter((f) => f.ruleId === id('TlsOnlyEnforced'));
    expect(verbose.description).toMatch(/Why: Without TLS/);
  });

  test('each resource gets its own text, though cdk-nag groups a rule\'s resources under one description', () => {
    const { app, stack } = plainBucketApp();
    new s3.Bucket(stack, 'Second', { encryption: s3.BucketEncryption.S3_MANAGED, blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C] });
    const tls = findings(app).filter((f) => f.ruleId === id('TlsOnlyEnforced'));
    expect(tls).toHaveLength(2);
    for (const f of tls) expect(f.description).toContain(f.path.includes('Second') ? 'plain-second' : 'plain-bucket');
  });

  test('severity follows the rule\'s level: BucketKeyEnabled is a warning', () => {
    const app = new App();
    new s3.Bucket(new Stack(app, 'S', { env: TEST_ENV }), 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
    });
    const found = findings(app, { requireUploadHeader: false });
    expect(found.find((f) => f.ruleId === id('BucketKeyEnabled'))?.severity).toBe('warning');
    expect(found.find((f) => f.ruleId === id('KmsKeyPinnedByPolicy'))?.severity).toBe('error');
  });

  test('validateScope(stack) checks the stack\'s resources, reading the whole app for their policies', () => {
    const app = new App();
    const data = new Stack(app, 'Data', { env: TEST_ENV });
    const other = new Stack(app, 'Other', { env: TEST_ENV });
    new EncryptedBucket(data, 'Bucket', { auditing: BucketAuditing.none('The organisation trail records it') });
    new s3.Bucket(other, 'Plain');
    const pack = new S3EncryptionChecks();
    expect(pack.validateScope(data).violations).toEqual([]);
    expect(pack.validateScope(other).violations.length).toBeGreaterThan(0);
  });

  test('a Deny that starts at a date lets requests before it through: the counterexample names the time', () => {
    const { app, bucket } = plainBucketApp();
    new s3.CfnBucketPolicy(bucket.stack, 'DatedPolicy', {
      bucket: bucket.bucketName,
      policyDocument: {
        Statement: [{
          Sid: 'DenyHttpAfterCutover',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.bucketArn, `${bucket.bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' }, DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } },
        }],
      },
    });
    const tls = findings(app).filter((f) => f.ruleId === id('TlsOnlyEnforced'));
    expect(tls[0].description).toMatch(/over plain HTTP by .* with aws:CurrentTime=2025-12-31T23:59:59Z is not denied/);
  });

  test('a policy the evaluator cannot decide is a finding that names the statement and feature, not a crash', () => {
    const { app, bucket } = plainBucketApp();
    const policy = new s3.CfnBucketPolicy(bucket.stack, 'OddPolicy', {
      bucket: bucket.bucketName,
      policyDocument: {
        Statement: [{
          Sid: 'DenyHttpAfterCutover',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [bucket.bucketArn, `${bucket.bucketArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' }, BinaryEquals: { 'aws:CurrentTime': 'QmluYXJ5' } },
        }],
      },
    });
    expect(policy).toBeDefined();
    const tls = findings(app).filter((f) => f.ruleId === id('TlsOnlyEnforced'));
    expect(tls).toHaveLength(1);
    expect(tls[0].description).toMatch(/could not be evaluated .*DenyHttpAfterCutover.*BinaryEquals/);
    expect(findings(app).map((f) => f.description).join(' ')).not.toMatch(/Rule threw an error/);
  });
});

describe('acknowledgements (both forms cdk-nag 3 and the CDK accept)', () => {
  const acknowledged = (ackId: string, on: 'bucket' | 'stack') => {
    const { app, stack, bucket } = plainBucketApp();
    Validations.of(on === 'bucket' ? bucket : stack).acknowledge({ id: ackId, reason: 'Tested elsewhere' });
    return ruleIds(findings(app));
  };

  test.each([
    ['S3Encryption-TlsOnlyEnforced', 'bucket'],
    ['S3Encryption-TlsOnlyEnforced', 'stack'],
    ['S3Encryption::S3Encryption-TlsOnlyEnforced', 'bucket'],
  ] as const)('%s on the %s acknowledges the finding in validateScope', (ackId, on) => {
    expect(acknowledged(ackId, on)).not.toContain(id('TlsOnlyEnforced'));
    expect(acknowledged(ackId, on)).toContain(id('TlsFloorEnforced'));
  });

  test('the bare rule name under the plugin name acknowledges nothing', () => {
    expect(acknowledged('S3Encryption::TlsOnlyEnforced', 'bucket')).toContain(id('TlsOnlyEnforced'));
  });

  const synthesize = (ackId?: string) => {
    const { app, bucket } = plainBucketApp({ context: { '@aws-cdk/core:appMode': 'inmemory' } });
    Validations.of(app).addPlugins(new S3EncryptionChecks(app, { requireUploadHeader: false }));
    for (const rule of ['TlsFloorEnforced', 'UploadHeaderEnforced']) Validations.of(bucket).acknowledge({ id: id(rule), reason: 'Not this test' });
    if (ackId) Validations.of(bucket).acknowledge({ id: ackId, reason: 'Tested elsewhere' });
    return () => app.synth();
  };

  test('registered with Validations.of(app).addPlugins, a finding fails synthesis and the report names both forms', () => {
    expect(synthesize()).toThrow(/does not deny requests made without TLS[\s\S]*Acknowledge with 'S3Encryption::S3Encryption-TlsOnlyEnforced'/);
  });

  test.each(['S3Encryption-TlsOnlyEnforced', 'S3Encryption::S3Encryption-TlsOnlyEnforced'])('%s lets synthesis pass', (ackId) => {
    expect(synthesize(ackId)).not.toThrow();
  });
});

describe('what the pack reads', () => {
  test('escape hatches: an override that adds the missing statements makes the bucket compliant', () => {
    const { app, bucket } = plainBucketApp();
    const arn = bucket.stack.resolve(bucket.bucketArn);
    const cfnBucket = bucket.node.defaultChild as CfnResource;
    const policy = new s3.CfnBucketPolicy(bucket.stack, 'Policy', { bucket: bucket.bucketName, policyDocument: { Statement: [] } });
    expect(ruleIds(findings(app, { requireUploadHeader: false }))).toContain(id('TlsOnlyEnforced'));
    policy.addPropertyOverride('PolicyDocument.Statement', [
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, { 'Fn::Join': ['', [arn, '/*']] }], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, { 'Fn::Join': ['', [arn, '/*']] }], Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [arn, '/*']] }, Condition: { Null: { 's3:x-amz-server-side-encryption': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } },
    ]);
    expect(cfnBucket).toBeDefined();
    expect(findings(app, { requireUploadHeader: false })).toEqual([]);
  });

  const paths = (report: { violations: Array<{ ruleName: string; violatingResources: Array<{ constructPath?: string }> }> }) =>
    report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)).sort();

  test('validate(context), as CDK calls it after synthesis, judges the templates as written: what will be deployed', () => {
    const app = new App();
    const stack = new Stack(app, 'Written', { env: TEST_ENV });
    const bucket = new EncryptedBucket(stack, 'Bucket', { auditing: BucketAuditing.none('Not what this test is about') });
    const context = synthesizedContext(app);
    const pack = new S3EncryptionChecks(undefined, { requireUploadHeader: false });
    expect(pack.validate(context).violations).toEqual([]);
    // An edit of the written file (as a tool between synthesis and deployment might make) is what validate judges.
    const [{ templatePath }] = context.stackTemplates;
    const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));
    const policy = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy');
    policy.Properties.PolicyDocument.Statement = [];
    fs.writeFileSync(templatePath, JSON.stringify(template));
    expect(paths(pack.validate(context))).toEqual(expect.arrayContaining([`${id('TlsOnlyEnforced')} ${bucket.node.path}/Resource`]));
    expect(pack.validateScope(app).violations).toEqual([]);
  });

  test('a stack whose template is not in the context or cannot be read (a nested stack, a missing file) is rendered from the tree', () => {
    const { app, stack } = plainBucketApp();
    const nested = new NestedStack(stack, 'Nested');
    new s3.Bucket(nested, 'NestedBucket', { encryption: s3.BucketEncryption.S3_MANAGED });
    const context = synthesizedContext(app);
    const fromTree = paths(new S3EncryptionChecks(undefined, {}).validateScope(app));
    expect(fromTree).toEqual(expect.arrayContaining([`${id('TlsOnlyEnforced')} Plain/Nested/NestedBucket/Resource`]));
    expect(paths(new S3EncryptionChecks(undefined, {}).validate(context))).toEqual(fromTree);
    const missing = { ...context, stackTemplates: context.stackTemplates.map((s) => ({ ...s, templatePath: `${s.templatePath}.missing` })) };
    expect(paths(new S3EncryptionChecks(undefined, {}).validate(missing))).toEqual(fromTree);
  });

  test('an override that makes a policy\'s Properties an Fn::If is resolved alike from the tree and from the template', () => {
    const app = new App();
    const stack = new Stack(app, 'Chosen', { env: TEST_ENV });
    const env = new CfnParameter(stack, 'Env', { default: 'prod' });
    new CfnCondition(stack, 'IsProd', { expression: Fn.conditionEquals(env.valueAsString, 'prod') });
    const bucket = new s3.CfnBucket(stack, 'Bucket', { bucketName: 'chosen-bucket' });
    const tlsOnly = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [bucket.attrArn, `${bucket.attrArn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }],
    };
    const policy = new s3.CfnBucketPolicy(stack, 'Policy', { bucket: bucket.ref, policyDocument: tlsOnly });
    policy.addOverride('Properties', {
      'Fn::If': ['IsProd', { Bucket: bucket.ref, PolicyDocument: tlsOnly }, { Bucket: bucket.ref, PolicyDocument: { Statement: [] } }],
    });
    // Judged at the parameter's default, the TLS-only branch applies; both ways of reading the app must see it.
    const ids = ruleIds(findings(app));
    expect(ids).not.toContain(id('TlsOnlyEnforced'));
    expect(ids).toContain(id('TlsFloorEnforced'));
  });

  test('an override of a resource\'s Condition is seen alike from the tree and from the template', () => {
    const app = new App();
    const stack = new Stack(app, 'Conditional', { env: TEST_ENV });
    new CfnCondition(stack, 'Never', { expression: Fn.conditionEquals('a', 'b') });
    const bucket = new EncryptedBucket(stack, 'Bucket', { auditing: BucketAuditing.none('Not what this test is about') });
    expect(findings(app, { requireUploadHeader: false })).toEqual([]);
    // The policy is never created: its statements deny nothing.
    (bucket.policy!.node.defaultChild as CfnResource).addOverride('Condition', 'Never');
    expect(ruleIds(findings(app, { requireUploadHeader: false }))).toContain(id('TlsOnlyEnforced'));
  });

  test('registered with Validations, the pack is given every stack\'s written template under the stack\'s construct path', () => {
    // What `validate` matches templates to stacks by: CDK's context must name them by construct path, in stages too.
    const given: IPolicyValidationContext[] = [];
    class Recording extends S3EncryptionChecks {
      public validate(context: IPolicyValidationContext) {
        given.push(context);
        return super.validate(context);
      }
    }
    const app = new App();
    const top = new Stack(app, 'Top', { env: TEST_ENV });
    const data = new Stack(new Stage(app, 'Prod'), 'Data', { env: TEST_ENV });
    for (const stack of [top, data]) new EncryptedBucket(stack, 'Bucket', { auditing: BucketAuditing.none('Not what this test is about') });
    Validations.of(app).addPlugins(new Recording(app, { requireUploadHeader: false }));
    app.synth();
    const written = given.flatMap((c) => c.stackTemplates.map((t) => [t.stackConstructPath, fs.existsSync(t.templatePath)]));
    expect(written.sort()).toEqual([['Prod/Data', true], ['Top', true]]);
    expect([top.node.path, data.node.path].sort()).toEqual(['Prod/Data', 'Top']);
  });
});
