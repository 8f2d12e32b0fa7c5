import {
  ConditionValue,
  evaluateDenies,
  evaluatePolicy,
  isExplicitlyDenied,
  PolicyDocumentJson,
  PolicyRequest,
  PolicyStatementJson,
  UnsupportedPolicyFeature,
  wildcardMatch,
} from '../../src/nag/evaluator';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Writer`;
const BUCKET = 'arn:aws:s3:::my-bucket';
const OBJECT = `${BUCKET}/data/file.txt`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function policy(...statements: PolicyStatementJson[]): PolicyDocumentJson {
  return { Version: '2012-10-17', Statement: statements };
}

function request(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return { principal: ROLE, action: 's3:PutObject', resource: OBJECT, context: {}, ...overrides };
}

/** A Deny of everything on the bucket with one condition. */
function denyWhen(operator: string, key: string, values: ConditionValue | ConditionValue[]): PolicyDocumentJson {
  return policy({
    Sid: 'D',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:*',
    Resource: [BUCKET, `${BUCKET}/*`],
    Condition: { [operator]: { [key]: values } },
  });
}

type Row = [operator: string, values: ConditionValue | ConditionValue[], requestValue: string | string[] | undefined, expected: boolean];

function conditionTable(key: string, rows: Row[]) {
  test.each(rows)('%s %j against %j is %s', (operator, values, requestValue, expected) => {
    const doc = denyWhen(operator, key, values);
    expect(isExplicitlyDenied(doc, request({ context: { [key]: requestValue } }))).toBe(expected);
  });
}

describe('String operators', () => {
  conditionTable('s3:x-amz-server-side-encryption', [
    ['StringEquals', 'AES256', 'AES256', true],
    ['StringEquals', 'AES256', 'aes256', false],
    ['StringEquals', ['aws:kms', 'AES256'], 'AES256', true],
    ['StringEquals', 'AES256', undefined, false],
    ['StringEquals', 'AES*', 'AES256', false],
    ['StringEquals', 'AES*', 'AES*', true],
    ['StringNotEquals', 'AES256', 'AES256', false],
    ['StringNotEquals', 'AES256', 'aws:kms', true],
    ['StringNotEquals', ['aws:kms', 'AES256'], 'AES256', false],
    ['StringNotEquals', ['aws:kms', 'AES256'], 'aws:kms:dsse', true],
    ['StringNotEquals', 'AES256', undefined, true],
    ['StringEqualsIgnoreCase', 'AES256', 'aes256', true],
    ['StringEqualsIgnoreCase', 'AES256', 'aws:kms', false],
    ['StringEqualsIgnoreCase', 'AES256', undefined, false],
    ['StringNotEqualsIgnoreCase', 'AES256', 'aes256', false],
    ['StringNotEqualsIgnoreCase', 'AES256', 'aws:kms', true],
    ['StringNotEqualsIgnoreCase', 'AES256', undefined, true],
    ['StringLike', 'aws:kms*', 'aws:kms:dsse', true],
    ['StringLike', 'aws:kms*', 'aws:kms', true],
    ['StringLike', 'aws:km?', 'aws:kms', true],
    ['StringLike', 'aws:km?', 'aws:kms:dsse', false],
    ['StringLike', 'AWS:*', 'aws:kms', false],
    ['StringLike', ['AES*', 'x'], 'AES256', true],
    ['StringLike', 'a.c', 'abc', false],
    ['StringLike', '*', undefined, false],
    ['StringNotLike', 'aws:kms*', 'aws:kms:dsse', false],
    ['StringNotLike', 'aws:kms*', 'AES256', true],
    ['StringNotLike', ['aws:*', 'AES*'], 'AES256', false],
    ['StringNotLike', 'aws:kms*', undefined, true],
    ['StringEqualsIfExists', 'AES256', undefined, true],
    ['StringEqualsIfExists', 'AES256', 'AES256', true],
    ['StringEqualsIfExists', 'AES256', 'aws:kms', false],
    ['StringNotEqualsIfExists', 'AES256', undefined, true],
    ['StringNotEqualsIfExists', 'AES256', 'AES256', false],
    ['StringNotEqualsIfExists', 'AES256', 'aws:kms', true],
    ['StringLikeIfExists', 'aws:*', undefined, true],
    ['StringNotLikeIfExists', 'aws:*', 'aws:kms', false],
  ]);
});

describe('Arn operators', () => {
  const other = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other`;
  conditionTable('s3:x-amz-server-side-encryption-aws-kms-key-id', [
    ['ArnEquals', KEY, KEY, true],
    ['ArnEquals', KEY, other, false],
    ['ArnEquals', `arn:aws:kms:*:${ACCOUNT}:key/*`, KEY, true],
    ['ArnEquals', 'arn:aws:kms:eu-west-?:*:key/*', KEY, true],
    ['ArnEquals', 'arn:aws:kms:*:222222222222:key/*', KEY, false],
    ['ArnEquals', KEY, undefined, false],
    ['ArnEquals', KEY, 'not-an-arn', false],
    ['ArnLike', `arn:aws:kms:*:${ACCOUNT}:key/*`, KEY, true],
    ['ArnLike', `arn:aws:kms:*:${ACCOUNT}:alias/*`, KEY, false],
    ['ArnNotEquals', KEY, KEY, false],
    ['ArnNotEquals', KEY, other, true],
    ['ArnNotEquals', [KEY, other], other, false],
    ['ArnNotEquals', KEY, undefined, true],
    ['ArnNotEquals', KEY, 'not-an-arn', false],
    ['ArnNotLike', `arn:aws:kms:*:${ACCOUNT}:key/*`, KEY, false],
    ['ArnNotLike', 'arn:aws:kms:*:222222222222:key/*', KEY, true],
    ['ArnNotLike', KEY, undefined, true],
    ['ArnEqualsIfExists', KEY, undefined, true],
    ['ArnNotEqualsIfExists', KEY, other, true],
  ]);
});

describe('Bool', () => {
  conditionTable('aws:SecureTransport', [
    ['Bool', 'false', 'false', true],
    ['Bool', false, 'false', true],
    ['Bool', 'False', 'false', true],
    ['Bool', 'false', 'FALSE', true],
    ['Bool', 'false', 'true', false],
    ['Bool', true, 'true', true],
    ['Bool', ['true', 'false'], 'true', true],
    ['Bool', 'false', undefined, false],
    ['Bool', 'false', 'maybe', false],
    ['BoolIfExists', 'false', undefined, true],
    ['BoolIfExists', 'false', 'true', false],
    ['BoolIfExists', 'false', 'false', true],
  ]);
});

describe('Null', () => {
  conditionTable('s3:x-amz-server-side-encryption-customer-algorithm', [
    ['Null', 'true', undefined, true],
    ['Null', true, undefined, true],
    ['Null', 'true', 'AES256', false],
    ['Null', 'false', 'AES256', true],
    ['Null', false, 'AES256', true],
    ['Null', 'false', undefined, false],
    ['Null', 'TRUE', undefined, true],
    ['Null', ['true', 'false'], 'AES256', true],
    ['Null', 'true', '', false],
  ]);
});

describe('Numeric operators', () => {
  conditionTable('s3:TlsVersion', [
    ['NumericEquals', '1.2', '1.2', true],
    ['NumericEquals', 1.2, '1.20', true],
    ['NumericEquals', '1.2', '1.3', false],
    ['NumericEquals', '1.2', undefined, false],
    ['NumericEquals', '1.2', 'abc', false],
    ['NumericNotEquals', '1.2', '1.2', false],
    ['NumericNotEquals', '1.2', '1.3', true],
    ['NumericNotEquals', ['1.2', '1.3'], '1.3', false],
    ['NumericNotEquals', '1.2', undefined, true],
    ['NumericNotEquals', '1.2', 'abc', false],
    ['NumericLessThan', 1.2, '1.1', true],
    ['NumericLessThan', 1.2, '1.2', false],
    ['NumericLessThan', 1.2, '1.3', false],
    ['NumericLessThan', '1.2', '1', true],
    ['NumericLessThan', ['1.0', '1.3'], '1.2', true],
    ['NumericLessThan', 1.2, undefined, false],
    ['NumericLessThanEquals', 1.2, '1.2', true],
    ['NumericLessThanEquals', 1.2, '1.3', false],
    ['NumericGreaterThan', 1.2, '1.3', true],
    ['NumericGreaterThan', 1.2, '1.2', false],
    ['NumericGreaterThanEquals', 1.2, '1.2', true],
    ['NumericGreaterThanEquals', 1.2, '1.1', false],
    ['NumericLessThanIfExists', 1.2, undefined, true],
    ['NumericLessThanIfExists', 1.2, '1.3', false],
    ['NumericLessThanIfExists', 1.2, '1.0', true],
    ['NumericGreaterThanEqualsIfExists', 1.2, undefined, true],
  ]);
});

describe('set operators', () => {
  conditionTable('aws:TagKeys', [
    ['ForAnyValue:StringEquals', ['a', 'b'], ['c', 'b'], true],
    ['ForAnyValue:StringEquals', ['a', 'b'], ['c', 'd'], false],
    ['ForAnyValue:StringEquals', ['a'], [], false],
    ['ForAnyValue:StringEquals', ['a'], undefined, false],
    ['ForAnyValue:StringEquals', ['a'], 'a', true],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'b'], true],
    ['ForAllValues:StringEquals', ['a', 'b'], ['a', 'c'], false],
    ['ForAllValues:StringEquals', ['a'], [], true],
    ['ForAllValues:StringEquals', ['a'], undefined, true],
    ['ForAllValues:StringLike', ['a*'], ['ab', 'ac'], true],
    ['ForAnyValue:StringNotEquals', ['a'], ['a', 'b'], true],
    ['ForAllValues:StringNotEquals', ['a'], ['a', 'b'], false],
    ['ForAllValues:StringNotEquals', ['a'], ['c', 'b'], true],
  ]);

  test('a single-valued operator on a multivalued request value is uncertain', () => {
    expect(() => isExplicitlyDenied(denyWhen('StringEquals', 'aws:TagKeys', 'a'), request({ context: { 'aws:TagKeys': ['a'] } })))
      .toThrow(UnsupportedPolicyFeature);
  });
});

describe('conditions', () => {
  test('condition keys are case-insensitive on both sides', () => {
    const doc = denyWhen('Bool', 'AWS:securetransport', 'false');
    expect(isExplicitlyDenied(doc, request({ context: { 'aws:SecureTransport': 'false' } }))).toBe(true);
    expect(isExplicitlyDenied(doc, request({ context: { 'AWS:SECURETRANSPORT': 'false' } }))).toBe(true);
  });

  test('several keys and several operators are ANDed', () => {
    const doc = policy({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `${BUCKET}/*`,
      Condition: {
        Null: { 's3:x-amz-server-side-encryption': 'false' },
        StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY },
      },
    });
    const put = (context: Record<string, string>) => isExplicitlyDenied(doc, request({ context }));
    const other = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other`;
    // Null is false only with a header; both StringNotEquals keys must differ (a missing key differs).
    expect(put({})).toBe(false);
    expect(put({ 's3:x-amz-server-side-encryption': 'AES256' })).toBe(true);
    expect(put({ 's3:x-amz-server-side-encryption': 'AES256', 's3:x-amz-server-side-encryption-aws-kms-key-id': other })).toBe(true);
    expect(put({ 's3:x-amz-server-side-encryption': 'AES256', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY })).toBe(false);
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms' })).toBe(false);
    expect(put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': other })).toBe(false);
  });

  test('IfExists does not exempt a missing header from a Deny (README: MATCH_IF_PRESENT needs Null)', () => {
    const doc = denyWhen('StringNotEqualsIfExists', 's3:x-amz-server-side-encryption', 'AES256');
    expect(isExplicitlyDenied(doc, request())).toBe(true);
  });

  test('an empty Condition block applies', () => {
    const doc = policy({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: {} });
    expect(isExplicitlyDenied(doc, request())).toBe(true);
  });

  test.each([
    ['BinaryEquals', 'QmluYXJ5'],
    ['StringEqualsFoo', 'x'],
    ['stringequals', 'x'],
    ['NullIfExists', 'true'],
    ['ForAnyValue:Null', 'true'],
    ['ForAnyValue:StringEqualsIfExists', 'x'],
  ])('unsupported operator %s makes the statement uncertain', (operator, value) => {
    const doc = denyWhen(operator, 'aws:SourceIp', value);
    expect(() => evaluatePolicy(doc, request())).toThrow(UnsupportedPolicyFeature);
    try {
      evaluatePolicy(doc, request());
    } catch (e) {
      expect((e as UnsupportedPolicyFeature).statementId).toBe('D');
      expect((e as UnsupportedPolicyFeature).feature).toContain(operator);
    }
  });

  test.each([
    // operator, key, policy value(s), request value, denied
    ['IpAddress', 'aws:SourceIp', '10.0.0.0/8', '10.1.2.3', true],
    ['IpAddress', 'aws:SourceIp', '10.0.0.0/8', '11.0.0.1', false],
    ['IpAddress', 'aws:SourceIp', '192.0.2.7', '192.0.2.7', true],
    ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], '192.168.9.9', false],
    ['NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8', '192.168.0.0/16'], '203.0.113.5', true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', '2001:db8:0:0:0:0:0:1', true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', '10.0.0.1', false],
    ['NotIpAddress', 'aws:SourceIp', '10.0.0.0/8', '2001:db8::1', true],
    ['DateGreaterThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z', '2021-06-01T00:00:00Z', true],
    ['DateGreaterThan', 'aws:CurrentTime', '2020-01-01T00:00:00Z', '2019-06-01T00:00:00Z', false],
    ['DateLessThan', 'aws:EpochTime', '1600000000', '1500000000', true],
    ['DateNotEquals', 'aws:CurrentTime', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z', false],
  ])('%s %s %j against %s: denied %s', (operator, key, value, requestValue, denied) => {
    const doc = denyWhen(operator as string, key as string, value as ConditionValue[]);
    expect(isExplicitlyDenied(doc, request({ context: { [key as string]: requestValue as string } })))
      .toBe(denied);
  });

  test.each([
    ['IpAddress', 'aws:SourceIp', '10.0.0.0/33'],
    ['IpAddress', 'aws:SourceIp', 'not-an-ip'],
    ['DateLessThan', 'aws:CurrentTime', 'yesterday'],
    ['NumericLessThan', 's3:TlsVersion', 'one point two'],
    ['Bool', 'aws:SecureTransport', 'yes'],
    ['Null', 'aws:SecureTransport', 'yes'],
    ['ArnEquals', 'aws:SourceArn', 'not-an-arn'],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:kms:*'],
    ['ArnLike', 'aws:SourceArn', 'ARN:AWS:KMS:*:111111111111:key/*'],
    ['StringEquals', 'aws:PrincipalArn', '${aws:username}'],
    ['StringEquals', 'aws:PrincipalArn', []],
  ])('malformed or unsupported value: %s %s %j', (operator, key, value) => {
    expect(() => evaluatePolicy(denyWhen(operator, key, value as ConditionValue[]), request())).toThrow(UnsupportedPolicyFeature);
  });

  test('an unresolved intrinsic in a condition value is uncertain', () => {
    const doc = policy({
      Effect: 'Deny',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': ['Key', 'Arn'] } as any } },
    });
    expect(() => evaluatePolicy(doc, request())).toThrow(/unresolved intrinsic/);
  });

  test('an unsupported condition does not matter when a supported one is false', () => {
    const doc = policy({
      Effect: 'Deny',
      Principal: '*',
      Action: '*',
      Resource: '*',
      Condition: { BinaryEquals: { 'aws:CurrentTime': 'QmluYXJ5' }, Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(isExplicitlyDenied(doc, request({ context: { 'aws:SecureTransport': 'true' } }))).toBe(false);
    expect(() => isExplicitlyDenied(doc, request({ context: { 'aws:SecureTransport': 'false' } }))).toThrow(UnsupportedPolicyFeature);
  });

  test('an uncertain Deny does not matter when another Deny applies for certain', () => {
    const doc = policy(
      { Sid: 'Uncertain', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { BinaryEquals: { 'aws:SourceIp': 'QmluYXJ5' } } },
      { Sid: 'Certain', Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    );
    expect(evaluateDenies(doc, request({ context: { 'aws:SecureTransport': 'false' } }))).toEqual({ denied: true, statementIds: ['Certain'] });
  });

  test('an uncertain Allow does not matter to the Deny helper, but does to the full evaluation', () => {
    const doc = policy({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { BinaryEquals: { 'aws:SourceIp': 'QmluYXJ5' } } });
    expect(isExplicitlyDenied(doc, request())).toBe(false);
    expect(() => evaluatePolicy(doc, request())).toThrow(UnsupportedPolicyFeature);
  });
});

describe('actions', () => {
  const denyActions = (Action: string | string[]) => policy({ Effect: 'Deny', Principal: '*', Action, Resource: '*' });
  const notActions = (NotAction: string | string[]) => policy({ Effect: 'Deny', Principal: '*', NotAction, Resource: '*' });
  test.each([
    ['*', 's3:PutObject', true],
    ['s3:*', 's3:PutObject', true],
    ['S3:PUTOBJECT', 's3:PutObject', true],
    ['s3:Put*', 's3:PutObject', true],
    ['s3:Put*', 's3:PutObjectAcl', true],
    ['s3:Put*', 's3:GetObject', false],
    ['s3:*Object', 's3:GetObject', true],
    ['s3:?etObject', 's3:GetObject', true],
    ['s3:PutObject', 's3:PutObjectAcl', false],
    ['kms:*', 's3:PutObject', false],
    ['s3*', 's3:PutObject', 'throws'],
  ])('Action %s against %s', (pattern, action, expected) => {
    const run = () => isExplicitlyDenied(denyActions(pattern), request({ action }));
    if (expected === 'throws') {
      expect(run).toThrow(UnsupportedPolicyFeature);
    } else {
      expect(run()).toBe(expected);
    }
  });

  test('an action list matches any of its entries; NotAction matches none of them', () => {
    expect(isExplicitlyDenied(denyActions(['s3:GetObject', 's3:PutObject']), request())).toBe(true);
    expect(isExplicitlyDenied(notActions(['s3:GetObject', 's3:PutObject']), request())).toBe(false);
    expect(isExplicitlyDenied(notActions(['s3:GetObject']), request())).toBe(true);
    expect(isExplicitlyDenied(notActions('s3:*'), request())).toBe(false);
  });
});

describe('resources', () => {
  const denyOn = (Resource: string | string[]) => policy({ Effect: 'Deny', Principal: '*', Action: '*', Resource });
  test.each([
    ['*', OBJECT, true],
    [`${BUCKET}/*`, OBJECT, true],
    [`${BUCKET}/*`, BUCKET, false],
    [BUCKET, OBJECT, false],
    [BUCKET, BUCKET, true],
    [`${BUCKET}/data/*`, OBJECT, true],
    [`${BUCKET}/other/*`, OBJECT, false],
    [`${BUCKET}/data/file.tx?`, OBJECT, true],
    [`${BUCKET}/DATA/*`, OBJECT, false],
    ['arn:aws:s3:::my-*', OBJECT, true],
    ['arn:aws:s3:::other-bucket/*', OBJECT, false],
    ['arn:*:s3:::my-bucket/*', OBJECT, true],
    ['arn:aws:s3:*:*:my-bucket/*', OBJECT, true],
    ['arn:aws:s3:eu-west-1::my-bucket/*', OBJECT, false],
    ['ARN:AWS:S3:::my-bucket/*', OBJECT, 'throws'],
    ['arn:aws:s3:::${aws:username}/*', OBJECT, 'throws'],
    ['my-bucket', OBJECT, 'throws'],
  ])('Resource %s against %s', (pattern, resource, expected) => {
    const run = () => isExplicitlyDenied(denyOn(pattern), request({ resource }));
    if (expected === 'throws') {
      expect(run).toThrow(UnsupportedPolicyFeature);
    } else {
      expect(run()).toBe(expected);
    }
  });

  test('NotResource applies to everything it does not name', () => {
    const doc = policy({ Effect: 'Deny', Principal: '*', Action: '*', NotResource: [`${BUCKET}/public/*`] });
    expect(isExplicitlyDenied(doc, request())).toBe(true);
    expect(isExplicitlyDenied(doc, request({ resource: `${BUCKET}/public/x` }))).toBe(false);
  });

  test('a certain mismatch wins over an uncertain entry', () => {
    // The action does not match, so the unresolved resource does not matter.
    const doc = policy({ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: [{ Ref: 'X' } as any] });
    expect(isExplicitlyDenied(doc, request())).toBe(false);
  });
});

describe('principals', () => {
  const allowFor = (Principal: any) => policy({ Sid: 'A', Effect: 'Allow', Principal, Action: 's3:*', Resource: `${BUCKET}/*` });
  const denyFor = (Principal: any) => policy({ Sid: 'D', Effect: 'Deny', Principal, Action: 's3:*', Resource: `${BUCKET}/*` });

  test.each([
    ['*', ROLE, 'allow'],
    [{ AWS: '*' }, ROLE, 'allow'],
    [{ AWS: ['arn:aws:iam::222222222222:root', '*'] }, ROLE, 'allow'],
    [{ AWS: ROLE }, ROLE, 'allow'],
    [{ AWS: [`arn:aws:iam::${ACCOUNT}:role/Other`, ROLE] }, ROLE, 'allow'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, ROLE, 'implicitDeny'],
    [{ AWS: ROLE }, `arn:aws:sts::${ACCOUNT}:assumed-role/Writer/session-1`, 'allow'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:role/path/Writer` }, `arn:aws:sts::${ACCOUNT}:assumed-role/Writer/s`, 'allow'],
    [{ AWS: 'arn:aws:iam::222222222222:role/Writer' }, `arn:aws:sts::${ACCOUNT}:assumed-role/Writer/s`, 'implicitDeny'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:root` }, ROLE, 'implicitDeny'],
    [{ AWS: ACCOUNT }, ROLE, 'implicitDeny'],
    [{ AWS: `arn:aws:iam::${ACCOUNT}:root` }, `arn:aws:iam::${ACCOUNT}:root`, 'allow'],
    [{ AWS: 'arn:aws:iam::222222222222:root' }, ROLE, 'implicitDeny'],
    [{ Service: 'cloudtrail.amazonaws.com' }, ROLE, 'implicitDeny'],
    [{ Service: 'cloudtrail.amazonaws.com' }, { service: 'cloudtrail.amazonaws.com' }, 'allow'],
    [{ Service: ['logging.s3.amazonaws.com', 'cloudtrail.amazonaws.com'] }, { service: 'cloudtrail.amazonaws.com' }, 'allow'],
    [{ AWS: '*' }, { service: 'cloudtrail.amazonaws.com' }, 'allow'],
    [{ AWS: ROLE }, { service: 'cloudtrail.amazonaws.com' }, 'implicitDeny'],
    [{ Federated: 'cognito-identity.amazonaws.com' }, ROLE, 'implicitDeny'],
  ])('Allow for %j, request from %j: %s', (principal, requester, decision) => {
    expect(evaluatePolicy(allowFor(principal), request({ principal: requester as any })).decision).toBe(decision);
  });

  test('an Allow that names the account delegates to identity policies', () => {
    const result = evaluatePolicy(allowFor({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), request());
    expect(result).toEqual({ decision: 'implicitDeny', statementIds: [], accountDelegations: ['A'] });
  });

  test('a Deny that names the account denies its principals', () => {
    expect(evaluateDenies(denyFor({ AWS: ACCOUNT }), request())).toEqual({ denied: true, statementIds: ['D'] });
    expect(isExplicitlyDenied(denyFor({ AWS: 'arn:aws:iam::222222222222:root' }), request())).toBe(false);
  });

  describe('NotPrincipal (Deny only; exempts a principal only if it names its whole chain)', () => {
    const notFor = (NotPrincipal: any, Effect = 'Deny') => policy({ Sid: 'D', Effect, NotPrincipal, Action: 's3:*', Resource: `${BUCKET}/*` });
    const root = `arn:aws:iam::${ACCOUNT}:root`;
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/Writer/s1`;
    test.each([
      // [NotPrincipal, request principal, denied (or 'uncertain')]
      [{ AWS: [ROLE, root] }, ROLE, false],
      [{ AWS: [ROLE, ACCOUNT] }, ROLE, false],
      [{ AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, ROLE, true],
      [{ AWS: 'arn:aws:iam::222222222222:root' }, ROLE, true],
      [{ AWS: '*' }, ROLE, false],
      [{ AWS: ROLE }, ROLE, 'uncertain'],
      [{ AWS: root }, ROLE, 'uncertain'],
      [{ AWS: root }, root, false],
      [{ AWS: ACCOUNT }, root, false],
      [{ AWS: [session, ROLE, root] }, session, false],
      [{ AWS: [ROLE, root] }, session, 'uncertain'],
      [{ AWS: [session, root] }, session, 'uncertain'],
      [{ AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, session, true],
      [{ Service: 'cloudtrail.amazonaws.com' }, { service: 'cloudtrail.amazonaws.com' }, false],
      [{ Service: 'cloudtrail.amazonaws.com' }, { service: 'logging.s3.amazonaws.com' }, true],
      [{ Service: 'cloudtrail.amazonaws.com' }, ROLE, true],
    ])('NotPrincipal %j, request from %j: denied %s', (notPrincipal, requester, expected) => {
      const run = () => isExplicitlyDenied(notFor(notPrincipal), request({ principal: requester as any }));
      if (expected === 'uncertain') {
        expect(run).toThrow(/NotPrincipal names only part/);
      } else {
        expect(run()).toBe(expected);
      }
    });

    test('NotPrincipal with Allow is not supported by AWS: uncertain', () => {
      expect(() => evaluatePolicy(notFor({ AWS: 'arn:aws:iam::222222222222:root' }, 'Allow'), request())).toThrow(/NotPrincipal with Allow/);
    });
  });

  test.each([
    [{ AWS: 'arn:aws:iam::*:role/Writer' }],
    [{ CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' }],
    [{ AWS: { 'Fn::GetAtt': ['Role', 'Arn'] } }],
  ])('principal %j is uncertain', (principal) => {
    expect(() => isExplicitlyDenied(denyFor(principal), request())).toThrow(UnsupportedPolicyFeature);
  });

  test('a certain principal match wins over an uncertain entry', () => {
    expect(isExplicitlyDenied(denyFor({ AWS: [ROLE, 'arn:aws:iam::*:role/x'] }), request())).toBe(true);
    expect(isExplicitlyDenied(denyFor({ AWS: [ACCOUNT, 'arn:aws:iam::*:role/x'] }), request())).toBe(true);
    expect(() => evaluatePolicy(allowFor({ AWS: [ACCOUNT, 'arn:aws:iam::*:role/x'] }), request())).toThrow(UnsupportedPolicyFeature);
  });
});

describe('decisions', () => {
  const deny: PolicyStatementJson = {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:*',
    Resource: [BUCKET, `${BUCKET}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
  const allow: PolicyStatementJson = { Effect: 'Allow', Principal: { AWS: ROLE }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET}/*` };

  test('Deny wins over Allow; Allow over nothing; statement ids explain the decision', () => {
    const doc = policy(allow, deny);
    expect(evaluatePolicy(doc, request({ context: { 'aws:SecureTransport': 'false' } })))
      .toEqual({ decision: 'explicitDeny', statementIds: ['DenyInsecureTransport'], accountDelegations: [] });
    expect(evaluatePolicy(doc, request({ context: { 'aws:SecureTransport': 'true' } })))
      .toEqual({ decision: 'allow', statementIds: ['#0'], accountDelegations: [] });
    expect(evaluatePolicy(doc, request({ action: 's3:DeleteObject', context: { 'aws:SecureTransport': 'true' } })))
      .toEqual({ decision: 'implicitDeny', statementIds: [], accountDelegations: [] });
  });

  test('Statement may be a single object', () => {
    expect(isExplicitlyDenied({ Version: '2012-10-17', Statement: deny }, request({ context: { 'aws:SecureTransport': 'false' } }))).toBe(true);
  });

  test('every applying Deny is named', () => {
    const doc = policy(deny, { ...deny, Sid: 'Second' });
    expect(evaluateDenies(doc, request({ context: { 'aws:SecureTransport': 'false' } })).statementIds).toEqual(['DenyInsecureTransport', 'Second']);
  });

  test.each([
    [{ Statement: [{ Effect: 'Maybe', Principal: '*', Action: '*', Resource: '*' }] }],
    [{ Statement: [{ Effect: 'Deny', Principal: '*', Resource: '*' }] }],
    [{ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', NotAction: 's3:*', Resource: '*' }] }],
    [{ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*' }] }],
    [{ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] }],
    [{ Statement: [{ Effect: 'Deny', Principal: '*', NotPrincipal: { AWS: ROLE }, Action: '*', Resource: '*' }] }],
    [{}],
    [{ Statement: ['not a statement'] }],
    [{ Statement: [{ Effect: 'Deny', Principal: ['*'], Action: '*', Resource: '*' }] }],
    [{ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: [] }] }],
    [{ Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: 'x' } }] }],
  ])('a malformed policy throws: %j', (doc) => {
    expect(() => evaluatePolicy(doc as any, request())).toThrow(UnsupportedPolicyFeature);
  });
});

describe('uncertain inputs', () => {
  const denyAll = (extra: Partial<PolicyStatementJson> = {}) => policy({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', ...extra });
  test.each([
    ['an action that is not a string', denyAll({ Action: [{ Ref: 'A' } as any] }), request()],
    ['a request resource that is not an ARN', denyAll({ Resource: `${BUCKET}/*` }), request({ resource: 'my-bucket/key' })],
    ['a request principal that is not an ARN', denyAll({ Principal: { AWS: ROLE } }), request({ principal: 'Writer' })],
    ['a request principal that is not an ARN, NotPrincipal', denyAll({ Principal: undefined, NotPrincipal: { AWS: ROLE } }), request({ principal: 'Writer' })],
    ['an unresolved NotPrincipal entry', denyAll({ Principal: undefined, NotPrincipal: { AWS: [{ Ref: 'R' } as any] } }), request()],
  ])('%s', (_, doc, req) => {
    expect(() => evaluatePolicy(doc, req)).toThrow(UnsupportedPolicyFeature);
  });

  test('a wildcard service principal is uncertain', () => {
    const doc = policy({ Effect: 'Allow', Principal: { Service: '*' }, Action: '*', Resource: '*' });
    expect(() => evaluatePolicy(doc, request({ principal: { service: 'cloudtrail.amazonaws.com' } }))).toThrow(UnsupportedPolicyFeature);
  });
});

describe('wildcardMatch', () => {
  test.each([
    ['a*c', 'abbbc', false, true],
    ['a*c', 'ab/c', false, true],
    ['a?c', 'abc', false, true],
    ['a?c', 'ac', false, false],
    ['a.c', 'abc', false, false],
    ['a+(c)', 'a+(c)', false, true],
    ['A*', 'abc', true, true],
    ['A*', 'abc', false, false],
    ['*', '', false, true],
    ['a*', 'a\nb', false, true],
  ])('%s ~ %j (ignoreCase %s) = %s', (pattern, value, ignoreCase, expected) => {
    expect(wildcardMatch(pattern, value, ignoreCase)).toBe(expected);
  });
});
