import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { CfnInclude } from 'aws-cdk-lib/cloudformation-include';
import { confirmCounterexamples, findings, id } from './helpers';
import { S3EncryptionChecks, S3EncryptionChecksProps } from '../../src/nag/s3-encryption-checks';

// Every blind spot of the sampling pack, as a template: each is caught by its rule and says which request gets
// through; the compliant variant of each has no finding. Templates are loaded as the check command loads them.

const SSE = 's3:x-amz-server-side-encryption';
const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const ENV = { account: '123456789012', region: 'eu-west-1' };
const KEY_ARN = `arn:aws:kms:${ENV.region}:${ENV.account}:key/11111111-2222-3333-4444-555555555555`;
const ARN = { 'Fn::GetAtt': ['Bucket', 'Arn'] };
const OBJECTS = { 'Fn::Sub': '${Bucket.Arn}/*' };

type Statement = Record<string, unknown>;

const tlsOnly = (extra: Statement = {}): Statement => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: [ARN, OBJECTS],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  ...extra,
});
const tlsFloor = (extra: Statement = {}, floor: unknown = '1.2'): Statement => ({
  Sid: 'DenyOutdatedTls',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:*',
  Resource: [ARN, OBJECTS],
  Condition: { NumericLessThan: { 's3:TlsVersion': floor } },
  ...extra,
});
const header = (mode: unknown = 'AES256'): Statement => ({
  Sid: 'DenyWrongEncryptionHeader',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 's3:PutObject',
  Resource: OBJECTS,
  Condition: { StringNotEquals: { [SSE]: mode } },
});
const keyPin = (condition: Statement = { StringNotEquals: { [KEY_ID]: KEY_ARN } }): Statement => ({
  Sid: 'DenyWrongKmsKey', Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: OBJECTS, Condition: condition,
});

interface TemplateSpec {
  readonly statements: Statement[];
  readonly algorithm?: unknown;
  readonly keyId?: unknown;
  readonly bucketName?: unknown;
  readonly bucketRef?: unknown;
  readonly parameters?: Record<string, unknown>;
  readonly conditions?: Record<string, unknown>;
  readonly policyCondition?: string;
  readonly policyMetadata?: Record<string, unknown>;
  readonly bucketMetadata?: Record<string, unknown>;
}

function template(spec: TemplateSpec): any {
  return {
    Parameters: spec.parameters,
    Conditions: spec.conditions,
    Resources: {
      Bucket: {
        Type: 'AWS::S3::Bucket',
        Metadata: spec.bucketMetadata,
        Properties: {
          BucketName: spec.bucketName,
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{
              ServerSideEncryptionByDefault: { SSEAlgorithm: spec.algorithm ?? 'AES256', KMSMasterKeyID: spec.keyId },
              BucketKeyEnabled: spec.keyId !== undefined ? true : undefined,
              BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
            }],
          },
        },
      },
      Policy: {
        Type: 'AWS::S3::BucketPolicy',
        Condition: spec.policyCondition,
        Metadata: spec.policyMetadata,
        Properties: { Bucket: spec.bucketRef ?? { Ref: 'Bucket' }, PolicyDocument: { Version: '2012-10-17', Statement: spec.statements } },
      },
    },
  };
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'blind-spots-'));
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

let counter = 0;
/** Load a template into an app with CfnInclude, honouring `Metadata.cdk_nag.rules_to_suppress` as `check` does. */
function load(spec: TemplateSpec): App {
  const app = new App();
  const stack = new Stack(app, 'Checked', { env: ENV });
  const file = path.join(workDir, `t${counter++}.json`);
  fs.writeFileSync(file, JSON.stringify(JSON.parse(JSON.stringify(template(spec)))));
  const include = new CfnInclude(stack, 'Template', { templateFile: file });
  for (const logicalId of ['Bucket', 'Policy']) {
    const resource: CfnResource = include.getResource(logicalId);
    const rules = (resource.cfnOptions.metadata?.cdk_nag as any)?.rules_to_suppress ?? [];
    for (const rule of rules) Validations.of(resource).acknowledge({ id: rule.id, reason: rule.reason });
  }
  return app;
}

const compliant = (): Statement[] => [tlsOnly(), tlsFloor(), header()];
const withCondition = (s: Statement, operator: string, key: string, value: unknown): Statement =>
  ({ ...s, Condition: { ...(s.Condition as object), [operator]: { [key]: value } } });

/** [name, template, rule that must catch it, what the finding must say] */
const BLIND_SPOTS: Array<[string, TemplateSpec, string, RegExp]> = [
  ['a TLS Deny listing GetObject and PutObject only',
    { statements: [tlsOnly({ Action: ['s3:GetObject', 's3:PutObject'] }), tlsFloor(), header()] },
    'TlsOnlyEnforced', /s3:(DeleteObject|ListBucket) on arn:aws:s3:::[^ ]+ over plain HTTP by .* is not denied/],
  ['a TLS-floor Deny limited to GetObject and ListBucket',
    { statements: [tlsOnly(), tlsFloor({ Action: ['s3:GetObject', 's3:ListBucket'] }), header()] },
    'TlsFloorEnforced', /s3:(PutObject|DeleteObject|GetBucketPolicy)[^ ]* on arn:aws:s3:::[^ ]+ over TLS 1\.[01] by .* is not denied/],
  ['a TLS Deny on one prefix only',
    { statements: [tlsOnly({ Resource: [ARN, { 'Fn::Sub': '${Bucket.Arn}/data/*' }] }), tlsFloor(), header()] },
    'TlsOnlyEnforced', /s3:GetObject on arn:aws:s3:::[^ ]+\/x over plain HTTP/],
  ['a TLS Deny that exempts a VPC endpoint',
    { statements: [withCondition(tlsOnly(), 'StringNotEquals', 'aws:SourceVpce', 'vpce-1a2b3c4d'), tlsFloor(), header()] },
    'TlsOnlyEnforced', /over plain HTTP by .* with aws:SourceVpce=vpce-1a2b3c4d is not denied/],
  ['a TLS Deny that exempts an IP range',
    { statements: [withCondition(tlsOnly(), 'NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8']), tlsFloor(), header()] },
    'TlsOnlyEnforced', /over plain HTTP by .* with aws:SourceIp=10\.\d+\.\d+\.\d+ is not denied/],
  ['a TLS Deny that exempts Legacy* roles of any account',
    { statements: [withCondition(tlsOnly(), 'ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/Legacy*'), tlsFloor(), header()] },
    'TlsOnlyEnforced', /over plain HTTP by arn:aws:sts::\d{12}:assumed-role\/Legacy[^/]*\/s3ec-session is not denied/],
  ['a TLS Deny that exempts one account (a literal)',
    { statements: [withCondition(tlsOnly(), 'StringNotEquals', 'aws:PrincipalAccount', '111122223333'), tlsFloor(), header()] },
    'TlsOnlyEnforced', /over plain HTTP by arn:aws:iam::111122223333:root is not denied/],
  ['a TLS Deny that exempts principals tagged legacy',
    { statements: [withCondition(tlsOnly(), 'StringNotEquals', 'aws:PrincipalTag/team', 'legacy'), tlsFloor(), header()] },
    'TlsOnlyEnforced', /with aws:PrincipalTag\/team=legacy is not denied/],
  ['a key pin that accepts any key of one account',
    {
      algorithm: 'aws:kms',
      keyId: KEY_ARN,
      statements: [tlsOnly(), tlsFloor(), header('aws:kms'), keyPin({ StringNotLike: { [KEY_ID]: 'arn:aws:kms:*:111122223333:key/*' } })],
    },
    'KmsKeyPinnedByPolicy', /s3:PutObject .* with s3:x-amz-server-side-encryption=aws:kms(:dsse)?(, s3:x-amz-server-side-encryption-aws-kms-key-id=arn:aws:kms:[^ ]*111122223333:key\/x)? is not denied|without a key id/],
  ['a TLS floor from a parameter whose AllowedValues include 1.0',
    {
      parameters: { MinTls: { Type: 'String', Default: '1.2', AllowedValues: ['1.0', '1.2'] } },
      statements: [tlsOnly(), tlsFloor({}, { Ref: 'MinTls' }), header()],
    },
    'TlsFloorEnforced', /When parameter MinTls = "1\.0": .* over TLS 1\.[01] by .* is not denied/],
  ['a bucket policy that exists only under a condition',
    {
      parameters: { CreatePolicy: { Type: 'String', AllowedValues: ['yes', 'no'] } },
      conditions: { WithPolicy: { 'Fn::Equals': [{ Ref: 'CreatePolicy' }, 'yes'] } },
      policyCondition: 'WithPolicy',
      statements: compliant(),
    },
    'TlsOnlyEnforced', /When parameter CreatePolicy = "no"(, condition WithPolicy false)?: .* over plain HTTP .* is not denied/],
  ['an SSEAlgorithm from a parameter whose AllowedValues include aws:kms without a key',
    {
      parameters: { Algorithm: { Type: 'String', Default: 'AES256', AllowedValues: ['AES256', 'aws:kms'] } },
      algorithm: { Ref: 'Algorithm' },
      statements: [tlsOnly(), tlsFloor(), header({ Ref: 'Algorithm' })],
    },
    'KmsKeyCustomerManaged', /When parameter Algorithm = "aws:kms"/],
  ['a parameter-named bucket whose policy lacks the TLS Deny',
    {
      parameters: { Name: { Type: 'String' } },
      bucketName: { Ref: 'Name' },
      bucketRef: { Ref: 'Name' },
      statements: [tlsFloor({ Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}' }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}/*' }] }), header()],
    },
    'TlsOnlyEnforced', /on arn:aws:s3:::\u27e8Name\u27e9(\/x)? over plain HTTP/],
  ['a self-suppression with a one-letter reason',
    {
      statements: [tlsFloor(), header()],
      bucketMetadata: { cdk_nag: { rules_to_suppress: [{ id: 'S3Encryption-TlsOnlyEnforced', reason: 'x' }] } },
    },
    'TlsOnlyEnforced', /over plain HTTP .* is not denied.*does not suppress: a reason needs at least 10 characters/],
];

/** [name, template, props]: each has no finding. */
const COMPLIANT: Array<[string, TemplateSpec, S3EncryptionChecksProps?]> = [
  ['the library\'s statement set', { statements: compliant() }],
  ['separate TLS Denies for the bucket and for every object action', {
    statements: [
      tlsOnly({ Resource: ARN }), tlsOnly({ Sid: 'Objects', Resource: OBJECTS, Action: ['s3:*Object*', 's3:*MultipartUpload*', 's3:Replicate*', 's3:BypassGovernanceRetention'] }),
      tlsFloor(), header(),
    ],
  }],
  ['a TLS Deny whose exemption is also denied by a second statement', {
    statements: [withCondition(tlsOnly(), 'StringNotEquals', 'aws:SourceVpce', 'vpce-1a2b3c4d'), tlsOnly({ Sid: 'AlsoOnEndpoint' }), tlsFloor(), header()],
  }],
  ['a key pin of the bucket\'s key', { algorithm: 'aws:kms', keyId: KEY_ARN, statements: [tlsOnly(), tlsFloor(), header('aws:kms'), keyPin()] }],
  ['a TLS floor from a parameter whose AllowedValues are 1.2 and 1.3', {
    parameters: { MinTls: { Type: 'String', Default: '1.2', AllowedValues: ['1.2', '1.3'] } },
    statements: [tlsOnly(), tlsFloor({}, { Ref: 'MinTls' }), header()],
  }],
  ['a parameter-named bucket and a policy that names the same parameter', {
    parameters: { Name: { Type: 'String' } },
    bucketName: { Ref: 'Name' },
    bucketRef: { Ref: 'Name' },
    statements: [
      tlsOnly({ Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}' }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}/*' }] }),
      tlsFloor({ Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}' }, { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}/*' }] }),
      { ...header(), Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Name}/*' } },
    ],
  }],
  ['an extra Fn::If statement that is an Allow', {
    parameters: { Env: { Type: 'String' } },
    conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    statements: [...compliant(), {
      'Fn::If': ['IsProd', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ENV.account}:root` }, Action: 's3:GetObject', Resource: OBJECTS }, { Ref: 'AWS::NoValue' }],
    }],
  }],
  ['an Fn::If whose branches are equal', {
    parameters: { Env: { Type: 'String' } },
    conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    statements: [tlsOnly(), tlsFloor(), { 'Fn::If': ['IsProd', header(), header()] }],
  }],
  ['SSEAlgorithm, key and header chosen together by Fn::If, under a standard that allows both', {
    parameters: { Env: { Type: 'String' } },
    conditions: { UseKms: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
    algorithm: { 'Fn::If': ['UseKms', 'aws:kms', 'AES256'] },
    keyId: { 'Fn::If': ['UseKms', KEY_ARN, { Ref: 'AWS::NoValue' }] },
    statements: [tlsOnly(), tlsFloor(), { 'Fn::If': ['UseKms', header('aws:kms'), header('AES256')] }, { 'Fn::If': ['UseKms', keyPin(), { Ref: 'AWS::NoValue' }] }],
  }],
  ['a bucket policy under a condition that always holds when the bucket exists', {
    parameters: { CreatePolicy: { Type: 'String', AllowedValues: ['yes'] } },
    conditions: { WithPolicy: { 'Fn::Equals': [{ Ref: 'CreatePolicy' }, 'yes'] } },
    policyCondition: 'WithPolicy',
    statements: compliant(),
  }],
];

describe('each blind spot is caught by its rule, with the request that gets through', () => {
  let confirmed = 0;
  test.each(BLIND_SPOTS)('%s', async (_name, spec, rule, message) => {
    const app = load(spec);
    const caught = findings(app).filter((f) => f.ruleId === id(rule));
    expect(caught.map((f) => f.description).join('\n')).toMatch(message);
    // The request that gets through gets through in iam-simulate too.
    confirmed += await confirmCounterexamples(app);
  });
  test('their counterexamples went through the simulator (runs after them, in file order)', () => {
    expect(confirmed).toBeGreaterThanOrEqual(BLIND_SPOTS.length);
  });
});

describe('compliant variants have no finding', () => {
  // Rows of three: jest takes a function with more parameters than the row has for a `done` callback.
  test.each(COMPLIANT.map(([name, spec, props]) => [name, spec, props ?? {}] as const))('%s', (_name, spec, props) => {
    const all = findings(load(spec), props).filter((f) => f.ruleId !== id('BucketKeyEnabled'));
    expect(all.map((f) => `${f.ruleId}: ${f.description}`)).toEqual([]);
  });
});

test('a self-suppression with a real reason suppresses, and the pack still reports it as suppressed', () => {
  const app = load({
    statements: [tlsFloor(), header()],
    policyMetadata: { cdk_nag: { rules_to_suppress: [{ id: 'S3Encryption-TlsOnlyEnforced', reason: 'Served through CloudFront only, which uses TLS' }] } },
  });
  // The acknowledgement is on the policy; the finding is on the bucket: only an acknowledgement on the bucket counts.
  expect(findings(app).some((f) => f.ruleId === id('TlsOnlyEnforced'))).toBe(true);
  const bucket = (app.node.findAll().find((c) => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::S3::Bucket')) as CfnResource;
  Validations.of(bucket).acknowledge({ id: 'S3Encryption-TlsOnlyEnforced', reason: 'Served through CloudFront only, which uses TLS' });
  const pack = new S3EncryptionChecks();
  const report = pack.validateScope(app);
  expect(report.violations.filter((v) => v.ruleName === id('TlsOnlyEnforced'))).toEqual([]);
  expect(pack.suppressedFindings()).toEqual([expect.objectContaining({
    ruleId: id('TlsOnlyEnforced'), reason: 'Served through CloudFront only, which uses TLS', description: expect.stringMatching(/over plain HTTP/),
  })]);
});

test('a parameter judged at its default is named in the finding and in the assumptions', () => {
  const app = load({
    parameters: { MinTls: { Type: 'String', Default: '1.1' } },
    statements: [tlsOnly(), tlsFloor({}, { Ref: 'MinTls' }), header()],
  });
  const pack = new S3EncryptionChecks();
  const [finding] = pack.validateScope(app).violations.filter((v) => v.ruleName === id('TlsFloorEnforced'));
  expect(finding.description).toMatch(/over TLS 1\.[01] .* is not denied.*Judged with parameter MinTls = "1\.1", its default/);
  expect(pack.parameterAssumptions()).toEqual([{ stack: 'Checked', parameter: 'MinTls', value: '1.1' }]);
});

describe('parameterValues: the value a deployment passes, instead of the default or each allowed value', () => {
  const spec: TemplateSpec = {
    parameters: {
      MinTls: { Type: 'String', Default: '1.2' },
      Secure: { Type: 'String', AllowedValues: ['false', 'true'] },
    },
    statements: [tlsOnly({ Condition: { Bool: { 'aws:SecureTransport': { Ref: 'Secure' } } } }), tlsFloor({}, { Ref: 'MinTls' }), header()],
  };

  test('the compliant choice passes, and a weaker value than the default is caught with its counterexample', () => {
    const ok = new S3EncryptionChecks(undefined, { parameterValues: { Secure: 'false' } });
    expect(ok.validateScope(load(spec)).violations.filter((v) => v.ruleName !== id('BucketKeyEnabled'))).toEqual([]);
    expect(ok.parameterAssumptions()).toEqual([{ stack: 'Checked', parameter: 'MinTls', value: '1.2' }]);
    const weak = new S3EncryptionChecks(undefined, { parameterValues: { Secure: 'false', MinTls: '1.0' } });
    const violations = weak.validateScope(load(spec)).violations;
    expect(violations.map((v) => v.ruleName)).toEqual([id('TlsFloorEnforced')]);
    expect(violations[0].description).toMatch(/over TLS 1\.0 .* is not denied/);
    expect(weak.parameterAssumptions()).toEqual([]);
  });

  test.each([
    [{ Secure: 'maybe' }, /"maybe" is not one of the AllowedValues of parameter Secure in Checked \("false", "true"\)/],
    [{ Nothing: 'x' }, /no template has a parameter named Nothing/],
  ])('%j is refused with a ValidationError naming the parameter', (parameterValues, message) => {
    const pack = new S3EncryptionChecks(undefined, { parameterValues });
    expect(() => pack.validateScope(load(spec))).toThrow(message);
  });
});

describe('explanations(): every property decided, with its class and verdict', () => {
  test('a proof for each property a compliant bucket meets; a counterexample for the one a weak bucket misses', () => {
    const pack = new S3EncryptionChecks();
    pack.validateScope(load({ statements: [tlsOnly(), tlsFloor(), header()] }));
    const byProperty = new Map(pack.explanations().map((e) => [e.property, e]));
    expect(byProperty.get('TLS only')).toMatchObject({ verdict: 'proof', compliant: true, covers: expect.stringMatching(/over plain HTTP, by any principal/) });
    expect(byProperty.get('TLS 1.2 floor')).toMatchObject({ verdict: 'proof', compliant: true });
    expect(byProperty.get('Right uploads allowed')).toMatchObject({ verdict: 'counterexample', compliant: true });
    for (const e of pack.explanations()) expect(e.requestsDecided).toBeGreaterThan(0);

    const weak = new S3EncryptionChecks();
    weak.validateScope(load({ statements: [tlsOnly({ Action: ['s3:GetObject', 's3:PutObject'] }), tlsFloor(), header()] }));
    expect(weak.explanations().find((e) => e.property === 'TLS only')).toMatchObject({
      verdict: 'counterexample', compliant: false, detail: expect.stringMatching(/^s3:(?!GetObject|PutObject)\w+ on arn:aws:s3:::\S+ over plain HTTP/),
    });
  });
});

test.each([
  ['a list', ['MinTls=1.2'], /parameterValues must be an object, not \["MinTls=1.2"\]/],
  ['a number value', { MinTls: 1.2 }, /parameterValues\.MinTls must be a string, not 1\.2/],
])('parameterValues as %s (from JavaScript) is a ValidationError, not a TypeError', (_what, parameterValues, message) => {
  expect(() => new S3EncryptionChecks(undefined, { parameterValues: parameterValues as any })).toThrow(message);
  try {
    new S3EncryptionChecks(undefined, { parameterValues: parameterValues as any });
  } catch (e) {
    expect((e as Error).name).toBe('S3EncryptionChecksParameterValues');
  }
});
