import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Finding, findings, id } from './helpers';
import { AllowedEncryption, S3EncryptionChecksProps } from '../../src/nag/s3-encryption-checks';
import { TEST_ENV } from '../harness/cfn-resolve';

// One rule at a time, on minimal L1 templates: what makes it pass, fail, or not apply, and what the finding says.

const SSE = 's3:x-amz-server-side-encryption';
const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const KEY_ARN = `arn:aws:kms:${TEST_ENV.region}:${TEST_ENV.account}:key/11111111-2222-3333-4444-555555555555`;

interface BucketSpec {
  readonly algorithm?: string;
  readonly keyId?: any;
  readonly bucketKey?: boolean;
  readonly blocked?: string[] | null;
  readonly name?: string;
  /** Statements; `true` for the compliant SSE-S3 set. */
  readonly statements?: any[] | ((arn: string) => any[]);
}

/** Deny statements that satisfy the TLS rules for `arn`. */
function transport(arn: string, floor = '1.2'): any[] {
  return [
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [arn, `${arn}/*`], Condition: { NumericLessThan: { 's3:TlsVersion': floor } } },
  ];
}

function header(arn: string, mode: string, extra: Record<string, any> = {}): any {
  return { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${arn}/*`, Condition: { StringNotEquals: { [SSE]: mode }, ...extra } };
}

function pin(arn: string, keyArn: string): any {
  return { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${arn}/*`, Condition: { StringNotEquals: { [KEY_ID]: keyArn } } };
}

/** An L1 bucket with a policy; by default a compliant SSE-S3 one. */
function bucket(stack: Stack, name: string, spec: BucketSpec = {}): s3.CfnBucket {
  const algorithm = spec.algorithm ?? 'AES256';
  const b = new s3.CfnBucket(stack, name, {
    bucketName: spec.name,
    bucketEncryption: {
      serverSideEncryptionConfiguration: [{
        serverSideEncryptionByDefault: { sseAlgorithm: algorithm, kmsMasterKeyId: spec.keyId },
        bucketKeyEnabled: spec.bucketKey,
        ...(spec.blocked === null ? {} : { blockedEncryptionTypes: { encryptionType: spec.blocked ?? ['SSE-C'] } }),
      } as any],
    },
  });
  const statements = typeof spec.statements === 'function' ? spec.statements(b.attrArn)
    : spec.statements ?? [...transport(b.attrArn), header(b.attrArn, algorithm)];
  new s3.CfnBucketPolicy(stack, `${name}Policy`, { bucket: b.ref, policyDocument: { Statement: statements } });
  return b;
}

function app(): { app: App; stack: Stack } {
  const a = new App();
  return { app: a, stack: new Stack(a, 'Rules', { env: TEST_ENV }) };
}

/** The findings of one rule. */
function of(rule: string, scope: App, props: S3EncryptionChecksProps = {}): Finding[] {
  return findings(scope, props).filter((f) => f.ruleId === id(rule));
}

describe('DefaultEncryptionAllowed', () => {
  test('a bucket without default encryption gets SSE-S3: allowed by default, a finding under KMS_ONLY that says why', () => {
    const { app: a, stack } = app();
    new s3.CfnBucket(stack, 'Bare');
    expect(of('DefaultEncryptionAllowed', a)).toEqual([]);
    const [f] = of('DefaultEncryptionAllowed', a, { allowedEncryption: AllowedEncryption.KMS_ONLY });
    expect(f.description).toMatch(/no default encryption .* SSE-S3 \(S3's default since January 2023\), which the standard does not allow/);
  });

  test('KMS_ONLY: SSE-S3 is a finding; SSE-KMS and DSSE-KMS pass (DSSE counts as KMS)', () => {
    const { app: a, stack } = app();
    bucket(stack, 'SseS3');
    bucket(stack, 'SseKms', { algorithm: 'aws:kms', keyId: KEY_ARN, bucketKey: true, statements: (arn) => [...transport(arn), header(arn, 'aws:kms'), pin(arn, KEY_ARN)] });
    bucket(stack, 'Dsse', { algorithm: 'aws:kms:dsse', keyId: KEY_ARN, statements: (arn) => [...transport(arn), header(arn, 'aws:kms:dsse'), pin(arn, KEY_ARN)] });
    const found = of('DefaultEncryptionAllowed', a, { allowedEncryption: AllowedEncryption.KMS_ONLY });
    expect(found.map((f) => f.path)).toEqual(['Rules/SseS3']);
    expect(found[0].description).toMatch(/'AES256', which the standard does not allow .* customer-managed KMS key/);
  });

  test('an algorithm that does not resolve is a finding', () => {
    const { app: a, stack } = app();
    const algorithm = new CfnParameter(stack, 'Algorithm');
    bucket(stack, 'Bucket', { algorithm: algorithm.valueAsString });
    expect(of('DefaultEncryptionAllowed', a)[0].description).toMatch(/could not be resolved/);
  });

  test('a parameter with a default resolves to it', () => {
    const { app: a, stack } = app();
    const algorithm = new CfnParameter(stack, 'Algorithm', { default: 'AES256' });
    bucket(stack, 'Bucket', { algorithm: algorithm.valueAsString });
    expect(findings(a)).toEqual([]);
  });
});

describe('TlsOnlyEnforced and TlsFloorEnforced', () => {
  test('a Deny that names only the own account does not cover other accounts', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket', {
      statements: (arn) => [
        { ...transport(arn)[0], Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` } },
        transport(arn)[1], header(arn, 'AES256'),
      ],
    });
    // The counterexample is a principal of another account, which the statement does not name.
    expect(of('TlsOnlyEnforced', a)[0].description).toMatch(/s3:GetObject on arn:aws:s3:::rules-bucket\/x over plain HTTP by arn:aws:iam::999999999999:root is not denied/);
  });

  test('a Deny with NotPrincipal that names only a pipeline role: its sessions are undecidable, a finding that names the feature', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket', {
      statements: (arn) => [
        { ...transport(arn)[0], Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${TEST_ENV.account}:role/Pipeline` } },
        transport(arn)[1], header(arn, 'AES256'),
      ],
    });
    expect(of('TlsOnlyEnforced', a)[0].description)
      .toMatch(/could not be evaluated .* NotPrincipal names only part of arn:aws:sts::111111111111:assumed-role\/Pipeline/);
  });

  test('a NotPrincipal that names the account root exempts the root: a counterexample', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket', {
      statements: (arn) => [
        { ...transport(arn)[0], Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` } },
        transport(arn)[1], header(arn, 'AES256'),
      ],
    });
    expect(of('TlsOnlyEnforced', a)[0].description).toMatch(/over plain HTTP by arn:aws:iam::111111111111:root is not denied/);
  });

  test('a 1.3 standard flags a 1.2 floor and lists the TLS 1.2 requests', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket');
    const [f] = of('TlsFloorEnforced', a, { minimumTlsVersion: 1.3 });
    expect(f.description).toMatch(/over TLS 1\.2/);
    expect(f.description).not.toMatch(/TLS 1\.1/);
    expect(f.description).toMatch(/NumericLessThan s3:TlsVersion 1\.3/);
  });
});

describe('UploadHeaderEnforced', () => {
  test('a header rule that contradicts the default encryption is proven to deny every upload the default encryption makes', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket', { algorithm: 'aws:kms', keyId: KEY_ARN, bucketKey: true, statements: (arn) => [...transport(arn), { ...header(arn, 'AES256'), Sid: 'RequireAes' }, pin(arn, KEY_ARN)] });
    const [f] = of('UploadHeaderEnforced', a);
    expect(f.description).toMatch(/Every upload by the bucket's account encrypted as the default encryption says with x-amz-server-side-encryption: aws:kms, key id .* is denied: the upload-header rule contradicts/);
  });

  test('requireUploadHeader: false accepts MATCH_IF_PRESENT, and still needs the wrong header denied', () => {
    const { app: a, stack } = app();
    bucket(stack, 'MatchIfPresent', { statements: (arn) => [...transport(arn), header(arn, 'AES256', { Null: { [SSE]: 'false' } })] });
    bucket(stack, 'NothingDenied', { statements: (arn) => transport(arn) });
    expect(of('UploadHeaderEnforced', a, { requireUploadHeader: false }).map((f) => f.path)).toEqual(['Rules/NothingDenied']);
    expect(of('UploadHeaderEnforced', a).map((f) => f.path)).toEqual(['Rules/MatchIfPresent', 'Rules/NothingDenied']);
  });

  test('a bucket that receives server access logs must let S3 deliver them without a header', () => {
    const a = new App();
    const stack = new Stack(a, 'Logs', { env: TEST_ENV });
    const required = bucket(stack, 'Required');
    const matchIfPresent = bucket(stack, 'MatchIfPresent', { statements: (arn) => [...transport(arn), header(arn, 'AES256', { Null: { [SSE]: 'false' } })] });
    new s3.CfnBucket(stack, 'ToRequired', { loggingConfiguration: { destinationBucketName: required.ref } });
    new s3.CfnBucket(stack, 'ToMatchIfPresent', { loggingConfiguration: { destinationBucketName: matchIfPresent.ref, logFilePrefix: 'access/' } });
    const found = of('UploadHeaderEnforced', a).filter((f) => !f.path.includes('To'));
    expect(found.map((f) => f.path)).toEqual(['Logs/Required']);
    expect(found[0].description).toMatch(/delivery of the server access logs of Logs\/ToRequired into this bucket is denied/);
  });

  test('StringNotEqualsIfExists still denies header-less uploads (IfExists is true for a missing key)', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket', { statements: (arn) => [...transport(arn), { ...header(arn, 'AES256'), Condition: { StringNotEqualsIfExists: { [SSE]: 'AES256' } } }] });
    expect(of('UploadHeaderEnforced', a)).toEqual([]);
  });
});

describe('KMS rules', () => {
  const kmsBucket = (stack: Stack, name: string, keyId: any, extra: BucketSpec = {}) => bucket(stack, name, {
    algorithm: 'aws:kms',
    keyId,
    bucketKey: true,
    statements: (arn) => [...transport(arn), header(arn, 'aws:kms'), pin(arn, typeof keyId === 'string' ? keyId : stack.resolve(keyId))],
    ...extra,
  });

  test('allowedKmsKeyArns: a literal key outside the list is a finding; one in it passes', () => {
    const { app: a, stack } = app();
    kmsBucket(stack, 'Bucket', KEY_ARN);
    expect(of('KmsKeyCustomerManaged', a, { allowedKmsKeyArns: [KEY_ARN] })).toEqual([]);
    const [f] = of('KmsKeyCustomerManaged', a, { allowedKmsKeyArns: ['arn:aws:kms:eu-west-1:111111111111:key/other'] });
    expect(f.description).toMatch(/is not one of the standard's allowed keys/);
  });

  test('a token in allowedKmsKeyArns that names no key of the app is reported as unresolved', () => {
    const { app: a, stack } = app();
    kmsBucket(stack, 'Bucket', KEY_ARN);
    const param = new CfnParameter(stack, 'KeyArn');
    expect(of('KmsKeyCustomerManaged', a, { allowedKmsKeyArns: [param.valueAsString] })[0].description)
      .toMatch(/1 entries of allowedKmsKeyArns could not be resolved/);
  });

  test('a key outside the app is not judged for rotation', () => {
    const { app: a, stack } = app();
    kmsBucket(stack, 'Bucket', KEY_ARN);
    expect(findings(a)).toEqual([]);
  });

  test('a key of the app without rotation is a finding that names the key', () => {
    const { app: a, stack } = app();
    const key = new kms.CfnKey(stack, 'Key', { keyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` }, Action: 'kms:*', Resource: '*' }] } });
    kmsBucket(stack, 'Bucket', key.attrArn);
    expect(of('KmsKeyRotated', a)[0].description).toMatch(/Rules\/Key does not rotate/);
  });

  test('requireBucketKey: false lets SSE-KMS go without a Bucket Key', () => {
    const { app: a, stack } = app();
    kmsBucket(stack, 'Bucket', KEY_ARN, { bucketKey: false });
    expect(of('BucketKeyEnabled', a)).toHaveLength(1);
    expect(of('BucketKeyEnabled', a, { requireBucketKey: false })).toEqual([]);
  });

  test('KmsKeyPinnedByPolicy does not apply to an SSE-S3 bucket that no trail writes to', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket');
    expect(of('KmsKeyPinnedByPolicy', a)).toEqual([]);
  });
});

describe('KmsKeyPolicyRestricted', () => {
  const keyWith = (statement: any) => {
    const { app: a, stack } = app();
    new kms.CfnKey(stack, 'Key', { keyPolicy: { Statement: [statement] } });
    return of('KmsKeyPolicyRestricted', a);
  };

  test.each([
    ['the account root', { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ENV.account}:root` }, Action: 'kms:*', Resource: '*' }],
    ['everyone, only through S3', { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }],
    ['everyone of the account', { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': TEST_ENV.account } } }],
    ['everyone of the organisation', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['everyone, for DescribeKey only', { Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' }],
    ['everyone through one VPC endpoint', { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c' } } }],
    ['a named other account', { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222233334444:root' }, Action: 'kms:Decrypt', Resource: '*' }],
  ])('a grant to %s passes', (_name, statement) => {
    expect(keyWith(statement)).toEqual([]);
  });

  test('a grant to everyone from an IP range is a finding: a stranger from that range is allowed', () => {
    const [f] = keyWith({ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    expect(f.description).toMatch(/allows kms:Decrypt on arn:aws:kms:eu-west-1:111111111111:key\/rules-key by arn:aws:iam::999999999999:root with aws:SourceIp=10\./);
  });

  test('a grant whose condition cannot be decided is a finding that names the statement and the feature', () => {
    const [f] = keyWith({ Sid: 'Odd', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { BinaryEquals: { 'aws:SourceIp': 'QmluYXJ5' } } });
    expect(f.description).toMatch(/could not be evaluated .*statement Odd: condition operator BinaryEquals/);
  });

  test.each([
    ['"*" without a condition', { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    ['{"AWS":"*"} for kms:*', { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
    ['everyone, NotAction', { Effect: 'Allow', Principal: '*', NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' }],
    ['everyone but one organisation (a negated condition a stranger meets)', { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
  ])('a grant to %s is a finding', (_name, statement) => {
    const [f] = keyWith(statement);
    expect(f.description).toMatch(/allows kms:Decrypt on arn:aws:kms:eu-west-1:111111111111:key\/rules-key by (arn:aws:iam::999999999999:root|an anonymous caller)/);
  });
});

describe('SseCBlockedUnlessRequired', () => {
  const sseCStatements = (arn: string) => [
    ...transport(arn),
    { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `${arn}/*`, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' } } },
  ];

  test('an SSE-C bucket needs allowSseC and an explicit NONE', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Unblocked', { blocked: ['NONE'], statements: sseCStatements });
    bucket(stack, 'Unstated', { blocked: null, statements: sseCStatements });
    bucket(stack, 'Blocked', { blocked: ['SSE-C'], statements: sseCStatements });
    expect(of('SseCBlockedUnlessRequired', a, { allowSseC: true }).map((f) => [f.path, /every upload is refused|does not say NONE/.exec(f.description)?.[0]]))
      .toEqual([['Rules/Unstated', 'does not say NONE'], ['Rules/Blocked', 'every upload is refused']]);
    expect(of('SseCBlockedUnlessRequired', a).map((f) => f.path)).toEqual(['Rules/Unblocked', 'Rules/Unstated', 'Rules/Blocked']);
  });
});

describe('ObjectEventsAudited', () => {
  const trail = (stack: Stack, name: string, props: Partial<cloudtrail.CfnTrailProps>) => new cloudtrail.CfnTrail(stack, name, {
    isLogging: true, s3BucketName: 'central-trail-logs', enableLogFileValidation: true, kmsKeyId: KEY_ARN, isMultiRegionTrail: false, ...props,
  });
  const objects = (startsWith?: string[], extra: any[] = []) => [{
    fieldSelectors: [
      { field: 'eventCategory', equalTo: ['Data'] },
      { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
      ...(startsWith ? [{ field: 'resources.ARN', startsWith }] : []),
      ...extra,
    ],
  }];
  const audited = (build: (stack: Stack, b: s3.CfnBucket) => void) => {
    const { app: a, stack } = app();
    const b = bucket(stack, 'Bucket', { name: 'acme-reports' });
    build(stack, b);
    return of('ObjectEventsAudited', a, { requireAuditTrail: true });
  };

  test('is off unless requireAuditTrail', () => {
    const { app: a, stack } = app();
    bucket(stack, 'Bucket');
    expect(of('ObjectEventsAudited', a)).toEqual([]);
    expect(of('ObjectEventsAudited', a, { requireAuditTrail: true })[0].description).toMatch(/No trail of the app .* records the read and write events/);
  });

  test.each([
    ['the bucket\'s object prefix', objects(['arn:aws:s3:::acme-reports/'])],
    ['a shorter prefix that covers it', objects(['arn:aws:s3:::acme-'])],
    ['every S3 object', objects()],
    ['event source s3.amazonaws.com', objects(['arn:aws:s3:::acme-reports/'], [{ field: 'eventSource', equalTo: ['s3.amazonaws.com'] }])],
  ])('an advanced selector on %s records the bucket', (_name, advancedEventSelectors) => {
    expect(audited((stack) => trail(stack, 'Trail', { advancedEventSelectors }))).toEqual([]);
  });

  test.each([
    ['a prefix of the bucket', objects(['arn:aws:s3:::acme-reports/2026/'])],
    ['another bucket that shares a prefix of the name', objects(['arn:aws:s3:::acme-reports-archive/'])],
    ['exact object ARNs', [{ fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::S3::Object'] }, { field: 'resources.ARN', equalTo: ['arn:aws:s3:::acme-reports/a.txt'] }] }]],
    ['some event names', objects(['arn:aws:s3:::acme-reports/'], [{ field: 'eventName', equalTo: ['PutObject'] }])],
    ['management events', [{ fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] }]],
  ])('an advanced selector on %s does not', (_name, advancedEventSelectors) => {
    expect(audited((stack) => trail(stack, 'Trail', { advancedEventSelectors }))).toHaveLength(1);
  });

  test.each([
    ['arn:aws:s3', 'All'],
    ['arn:aws:s3:::', 'All'],
    ['arn:aws:s3:::acme-reports/', 'All'],
  ])('a basic selector with %s (%s) records the bucket', (value, readWriteType) => {
    expect(audited((stack) => trail(stack, 'Trail', { eventSelectors: [{ readWriteType, dataResources: [{ type: 'AWS::S3::Object', values: [value] }] }] }))).toEqual([]);
  });

  test('reads in one trail and writes in another add up', () => {
    expect(audited((stack) => {
      trail(stack, 'Reads', { eventSelectors: [{ readWriteType: 'ReadOnly', dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] });
      trail(stack, 'Writes', { advancedEventSelectors: objects(['arn:aws:s3:::acme-reports/'], [{ field: 'readOnly', equalTo: ['false'] }]) });
    })).toEqual([]);
    const [f] = audited((stack) => trail(stack, 'Reads', { eventSelectors: [{ readWriteType: 'ReadOnly', dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }] }] }));
    expect(f.description).toMatch(/records the write events/);
  });

  test('a single-Region trail of another Region, or a trail of another account, does not see the bucket', () => {
    const elsewhere = (env: { account: string; region: string }, props: Partial<cloudtrail.CfnTrailProps> = {}) => {
      const a = new App();
      bucket(new Stack(a, 'Data', { env: TEST_ENV }), 'Bucket', { name: 'acme-reports' });
      trail(new Stack(a, 'Audit', { env }), 'Trail', { advancedEventSelectors: objects(), ...props });
      return of('ObjectEventsAudited', a, { requireAuditTrail: true });
    };
    expect(elsewhere({ ...TEST_ENV, region: 'us-east-1' })).toHaveLength(1);
    expect(elsewhere({ ...TEST_ENV, region: 'us-east-1' }, { isMultiRegionTrail: true })).toEqual([]);
    expect(elsewhere({ ...TEST_ENV, account: '222222222222' }, { isMultiRegionTrail: true })).toHaveLength(1);
    expect(elsewhere({ ...TEST_ENV, account: '222222222222' }, { isMultiRegionTrail: true, isOrganizationTrail: true })).toEqual([]);
  });

  test('a trail that records the bucket but does not validate or encrypt its logs is named in the finding', () => {
    const [f] = audited((stack) => trail(stack, 'Trail', { advancedEventSelectors: objects(), enableLogFileValidation: false, kmsKeyId: undefined }));
    expect(f.description).toMatch(/trail Rules\/Trail records them but does not validate its log files .* and does not encrypt its log files/);
  });
});

describe('TrailsWithinQuota', () => {
  const trails = (stack: Stack, n: number, multi: boolean, prefix: string) => {
    for (let i = 0; i < n; i++) new cloudtrail.CfnTrail(stack, `${prefix}${i}`, { isLogging: true, s3BucketName: 'logs', isMultiRegionTrail: multi });
  };

  test('five trails in a Region pass, six fail', () => {
    const { app: a, stack } = app();
    trails(stack, 5, false, 'T');
    expect(of('TrailsWithinQuota', a)).toEqual([]);
    trails(stack, 1, false, 'Sixth');
    expect(of('TrailsWithinQuota', a)).toHaveLength(6);
  });

  test('multi-Region trails count in every Region of their account, and accounts are apart', () => {
    const a = new App();
    trails(new Stack(a, 'Eu', { env: TEST_ENV }), 4, false, 'T');
    trails(new Stack(a, 'Us', { env: { ...TEST_ENV, region: 'us-east-1' } }), 2, true, 'M');
    trails(new Stack(a, 'Other', { env: { account: '222222222222', region: TEST_ENV.region } }), 5, false, 'O');
    const found = of('TrailsWithinQuota', a);
    expect(found.map((f) => f.path).sort()).toEqual(['Eu/T0', 'Eu/T1', 'Eu/T2', 'Eu/T3', 'Us/M0', 'Us/M1']);
    expect(found[0].description).toMatch(/6 CloudTrail trails in account 111111111111/);
  });
});

describe('SingleBucketPolicy', () => {
  test('names every policy of the bucket', () => {
    const { app: a, stack } = app();
    const b = bucket(stack, 'Bucket');
    new s3.CfnBucketPolicy(stack, 'Another', { bucket: b.ref, policyDocument: { Statement: [] } });
    expect(of('SingleBucketPolicy', a)[0].description).toMatch(/2 bucket policy resources name this bucket \(Rules\/BucketPolicy and Rules\/Another\)/);
  });
});
