import * as iam from 'aws-cdk-lib/aws-iam';
import { BUCKET_ARN, documentOf, jsonOf, KEY_ARN, OTHER_KEY_ARN } from './documents';
import { EncryptionMode, EncryptionRequirement, UploadHeaderRule } from '../../src/policy/requirement';
import {
  bucketScope, denyInsecureTransport, denyMissingSseC, denyOutdatedTls, denyServerManagedEncryption, denySseCUpload,
  denyWrongEncryptionHeader, denyWrongKmsKey, encryptionStatements, StatementIds, StatementScope, transportStatements, uploadStatements,
} from '../../src/policy/statements';
import { contextOf, del, evaluate, get, list, put, S3Request, titled, Verdict } from '../harness/simulate';

// Each builder of src/policy/statements.ts on its own, as a bucket policy under @cloud-copilot/iam-simulate: the
// verdicts, not the JSON, say what a statement denies. The caller's identity policy allows everything, so a request
// is denied only by the statements under test.

const scope = bucketScope(BUCKET_ARN);

function verdict(statements: iam.PolicyStatement[], request: S3Request): Promise<Verdict> {
  return evaluate({
    resourcePolicy: documentOf(...statements),
    resourceArn: request.key === undefined ? BUCKET_ARN : `${BUCKET_ARN}/${request.key}`,
    action: request.action,
    principal: request.principal,
    context: contextOf(request),
  });
}

const http = { secureTransport: false };

describe('bucketScope', () => {
  test('is the bucket and its objects, for every principal', () => {
    expect(scope).toEqual({ bucketArns: [BUCKET_ARN], objectArns: [`${BUCKET_ARN}/*`] });
    expect(jsonOf(denyInsecureTransport(scope))).toMatchObject({ Principal: { AWS: '*' }, Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`] });
  });
});

describe('denyInsecureTransport', () => {
  test.each(titled([
    ['GetObject over TLS', get(), 'allowed'],
    ['GetObject over HTTP', get(http), 'denied'],
    ['PutObject over HTTP', put({ sse: 'AES256', ...http }), 'denied'],
    ['ListBucket over HTTP (the bucket, not an object)', list(http), 'denied'],
    ['DeleteObject over HTTP', del(http), 'denied'],
  ] as Array<[string, S3Request, Verdict]>))('%s', async (_what, request, expected) => {
    expect(await verdict([denyInsecureTransport(scope)], request)).toBe(expected);
  });

  test('has the stable Sid', () => expect(denyInsecureTransport(scope).sid).toBe(StatementIds.DENY_INSECURE_TRANSPORT));
});

describe('denyOutdatedTls', () => {
  test.each([
    // floor       TLS     expected
    [undefined, '1.1', 'denied'],
    [undefined, '1.2', 'allowed'],
    [undefined, '1.3', 'allowed'],
    [1.3, '1.2', 'denied'],
    [1.3, '1.3', 'allowed'],
  ] as Array<[number | undefined, string, Verdict]>)('floor %s: GetObject over TLS %s is %s', async (floor, tls, expected) => {
    expect(await verdict([denyOutdatedTls(scope, floor)], get({ tls }))).toBe(expected);
  });

  test('applies to the bucket as well as the objects', async () => {
    expect(await verdict([denyOutdatedTls(scope)], list({ tls: '1.1' }))).toBe('denied');
  });
});

describe('denyWrongEncryptionHeader', () => {
  test.each([
    // mode                      header rule                         request                          expected
    [EncryptionMode.SSE_S3, UploadHeaderRule.REQUIRED, put({ sse: 'AES256' }), 'allowed'],
    [EncryptionMode.SSE_S3, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms' }), 'denied'],
    [EncryptionMode.SSE_S3, UploadHeaderRule.REQUIRED, put(), 'denied'], // no header, no upload
    [EncryptionMode.SSE_S3, UploadHeaderRule.MATCH_IF_PRESENT, put(), 'allowed'], // the default encryption applies
    [EncryptionMode.SSE_S3, UploadHeaderRule.MATCH_IF_PRESENT, put({ sse: 'aws:kms' }), 'denied'],
    [EncryptionMode.SSE_KMS, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms' }), 'allowed'],
    [EncryptionMode.SSE_KMS, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms:dsse' }), 'denied'],
    [EncryptionMode.DSSE_KMS, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms:dsse' }), 'allowed'],
    [EncryptionMode.DSSE_KMS, UploadHeaderRule.MATCH_IF_PRESENT, put({ sse: 'AES256' }), 'denied'],
    [EncryptionMode.SSE_S3, UploadHeaderRule.REQUIRED, get(), 'allowed'], // reads send no SSE header
  ] as Array<[EncryptionMode.SSE_S3 | EncryptionMode.SSE_KMS | EncryptionMode.DSSE_KMS, UploadHeaderRule, S3Request, Verdict]>)(
    '%s, %s: %o is %s', async (mode, rule, request, expected) => {
      expect(await verdict([denyWrongEncryptionHeader(scope, mode, rule)], request)).toBe(expected);
    });

  test('MATCH_IF_PRESENT is a Null condition next to StringNotEquals, not StringNotEqualsIfExists', () => {
    expect(jsonOf(denyWrongEncryptionHeader(scope, EncryptionMode.SSE_S3, UploadHeaderRule.MATCH_IF_PRESENT)).Condition).toEqual({
      Null: { 's3:x-amz-server-side-encryption': 'false' },
      StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' },
    });
  });
});

describe('denyWrongKmsKey', () => {
  test.each([
    // key ARNs                   header rule                         request                                                expected
    [KEY_ARN, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms', kmsKeyId: KEY_ARN }), 'allowed'],
    [KEY_ARN, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms', kmsKeyId: OTHER_KEY_ARN }), 'denied'],
    [KEY_ARN, UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms' }), 'denied'], // S3 would use aws/s3
    [KEY_ARN, UploadHeaderRule.MATCH_IF_PRESENT, put({ sse: 'aws:kms' }), 'denied'],
    [KEY_ARN, UploadHeaderRule.MATCH_IF_PRESENT, put(), 'allowed'], // the bucket's key applies
    [KEY_ARN, UploadHeaderRule.REQUIRED, put(), 'denied'],
    [[KEY_ARN, OTHER_KEY_ARN], UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms', kmsKeyId: OTHER_KEY_ARN }), 'allowed'],
    [[KEY_ARN, OTHER_KEY_ARN], UploadHeaderRule.REQUIRED, put({ sse: 'aws:kms', kmsKeyId: 'arn:aws:kms:eu-west-1:111111111111:key/third' }), 'denied'],
  ] as Array<[string | string[], UploadHeaderRule, S3Request, Verdict]>)('keys %j, %s: %o is %s', async (keys, rule, request, expected) => {
    expect(await verdict([denyWrongKmsKey(scope, keys, rule)], request)).toBe(expected);
  });
});

describe('the SSE-C statements', () => {
  const sseC = { sseCustomerAlgorithm: 'AES256' };
  test.each([
    // builder                       request                                       expected
    ['denyMissingSseC', put(sseC), 'allowed'],
    ['denyMissingSseC', put(), 'denied'],
    ['denyMissingSseC', put({ sseCustomerAlgorithm: 'AES128' }), 'denied'],
    ['denyMissingSseC', put({ sse: 'AES256' }), 'denied'],
    ['denyServerManagedEncryption', put(sseC), 'allowed'],
    ['denyServerManagedEncryption', put({ sse: 'AES256' }), 'denied'],
    ['denyServerManagedEncryption', put({ sse: 'aws:kms', ...sseC }), 'denied'],
    ['denySseCUpload', put(sseC), 'denied'],
    ['denySseCUpload', put({ sseCustomerAlgorithm: 'anything' }), 'denied'],
    ['denySseCUpload', put({ sse: 'AES256' }), 'allowed'],
  ] as Array<[string, S3Request, Verdict]>)('%s: %o is %s', async (builder, request, expected) => {
    const build = { denyMissingSseC, denyServerManagedEncryption, denySseCUpload }[builder]!;
    expect(await verdict([build(scope)], request)).toBe(expected);
  });

  test.each([denyMissingSseC, denyServerManagedEncryption, denySseCUpload])('%p denies uploads to objects only', (build) => {
    // Reading an SSE-C object needs the key too, but the upload headers are what the statements are about.
    expect(jsonOf(build(scope))).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Resource: `${BUCKET_ARN}/*` });
  });
});

describe('a scope\'s principal and extra conditions', () => {
  const exemptTagged: StatementScope = {
    ...scope,
    // Deny only callers without the tag: merged into the statement's own Null operator, not replacing it.
    extraConditions: { Null: { 'aws:PrincipalTag/exempt': 'true' } },
  };

  test.each(titled([
    ['an untagged caller sending an SSE header', put({ sse: 'AES256' }), 'denied'],
    ['a tagged caller sending an SSE header', put({ sse: 'AES256', context: { 'aws:PrincipalTag/exempt': 'yes' } }), 'allowed'],
    ['an untagged caller without an SSE header', put(), 'allowed'],
  ] as Array<[string, S3Request, Verdict]>))('%s', async (_what, request, expected) => {
    expect(await verdict([denyServerManagedEncryption(exemptTagged)], request)).toBe(expected);
  });

  test('the condition operators are merged key by key', () => {
    expect(jsonOf(denyServerManagedEncryption(exemptTagged)).Condition).toEqual({
      Null: { 's3:x-amz-server-side-encryption': 'false', 'aws:PrincipalTag/exempt': 'true' },
    });
  });

  test('the principal of every Deny is the scope\'s', () => {
    const star: StatementScope = { ...scope, principal: new iam.StarPrincipal() };
    for (const statement of encryptionStatements(star, { mode: EncryptionMode.SSE_S3 })) expect(jsonOf(statement).Principal).toBe('*');
  });
});

describe('the statement sets', () => {
  test.each([
    // requirement                                                            Sids
    [{ mode: EncryptionMode.SSE_S3 }, ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']],
    [{ mode: EncryptionMode.SSE_KMS, kmsKeyArn: KEY_ARN }, ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', 'DenyWrongKmsKey']],
    [{ mode: EncryptionMode.SSE_KMS }, ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader']],
    [{ mode: EncryptionMode.DSSE_KMS, kmsKeyArn: KEY_ARN }, ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', 'DenyWrongKmsKey']],
    [{ mode: EncryptionMode.SSE_C }, ['DenyInsecureTransport', 'DenyOutdatedTls', 'DenyMissingSseC', 'DenyServerManagedEncryption']],
  ] as Array<[EncryptionRequirement, string[]]>)('%j: transport first, then uploads, with stable Sids', (requirement, sids) => {
    expect(encryptionStatements(scope, requirement).map((s) => s.sid)).toEqual(sids);
    expect(transportStatements(scope).map((s) => s.sid)).toEqual(sids.slice(0, 2));
    expect(uploadStatements(scope, requirement).map((s) => s.sid)).toEqual(sids.slice(2));
  });

  const good: Record<EncryptionMode, S3Request> = {
    [EncryptionMode.SSE_S3]: put({ sse: 'AES256' }),
    [EncryptionMode.SSE_KMS]: put({ sse: 'aws:kms', kmsKeyId: KEY_ARN }),
    [EncryptionMode.DSSE_KMS]: put({ sse: 'aws:kms:dsse', kmsKeyId: KEY_ARN }),
    [EncryptionMode.SSE_C]: put({ sseCustomerAlgorithm: 'AES256' }),
  };

  // Every mode, under the full set for each other mode: only its own set lets its upload in.
  test.each(Object.values(EncryptionMode).flatMap((required) => Object.values(EncryptionMode).map((sent) => [required, sent] as const)))(
    'a bucket requiring %s: a correct %s upload is allowed only when the modes match', async (required, sent) => {
      const statements = encryptionStatements(scope, { mode: required, kmsKeyArn: KEY_ARN, minimumTlsVersion: 1.2 });
      expect(await verdict(statements, good[sent])).toBe(required === sent ? 'allowed' : 'denied');
    });

  test.each(Object.values(EncryptionMode))('%s: the correct upload is denied over HTTP and below the TLS floor', async (mode) => {
    const statements = encryptionStatements(scope, { mode, kmsKeyArn: KEY_ARN, minimumTlsVersion: 1.3 });
    expect(await verdict(statements, { ...good[mode], secureTransport: false, tls: undefined })).toBe('denied');
    expect(await verdict(statements, { ...good[mode], tls: '1.2' })).toBe('denied');
    expect(await verdict(statements, { ...good[mode], tls: '1.3' })).toBe('allowed');
  });
});
