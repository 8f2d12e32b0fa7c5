import { App, Stack } from 'aws-cdk-lib';
import { EncryptionMode, S3EncryptionResourceControlPolicy, UploadHeaderRule } from '../../src';
import { contextOf, del, evaluate, get, list, put, S3Request, SAME_ACCOUNT_ROLE, Verdict } from '../harness/simulate';

// The resource control policy under @cloud-copilot/iam-simulate, which evaluates RCPs (and validates them: it
// rejects an RCP statement that is not a Deny or whose Action is "*"). The bucket is in TEST_ENV.account; the
// RCP is attached above it. The simulator does not derive aws:PrincipalIsAWSService or aws:PrincipalArn from
// the caller, so each request carries them as S3 would: every request has aws:PrincipalIsAWSService (true only
// for a service principal), and an IAM caller's aws:PrincipalArn is its role ARN.

const KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/0000aaaa-0000-0000-0000-000000000000';
const TRAIL_KEY = 'arn:aws:kms:eu-west-1:333333333333:key/trail';
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::222222222222:role/Partner';
const BREAK_GLASS = 'arn:aws:iam::111111111111:role/BreakGlass';
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';
const BUCKET = 'arn:aws:s3:::data-bucket';
const EXEMPT_BUCKET = 'arn:aws:s3:::sse-c-vault';

function rcpDocument(props: Partial<ConstructorParameters<typeof S3EncryptionResourceControlPolicy>[2]>) {
  const stack = new Stack(new App(), 'Org');
  const rcp = new S3EncryptionResourceControlPolicy(stack, 'Rcp', {
    targetIds: ['r-ab12'],
    encryptionMode: EncryptionMode.SSE_KMS,
    allowedKmsKeyArns: [KEY],
    sseCExemptBuckets: ['sse-c-vault'],
    exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'],
    ...props,
  });
  return stack.resolve(rcp.document);
}

const kmsRcp = rcpDocument({});
const sseS3RequiredRcp = rcpDocument({
  encryptionMode: EncryptionMode.SSE_S3, allowedKmsKeyArns: undefined, uploadHeaderRule: UploadHeaderRule.REQUIRED,
});

/** A bucket policy that lets the partner account and CloudTrail in (the RCP must not stop either for good requests). */
function permissivePolicy(bucketArn: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`] },
      { Effect: 'Allow', Principal: { Service: CLOUDTRAIL }, Action: 's3:PutObject', Resource: `${bucketArn}/AWSLogs/*` },
    ],
  };
}

type Caller = 'in-account role' | 'partner role' | 'CloudTrail' | 'break-glass role';
const CALLERS: Record<Caller, { principal: string; context: Record<string, string> }> = {
  'in-account role': { principal: SAME_ACCOUNT_ROLE, context: { 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalArn': SAME_ACCOUNT_ROLE } },
  'partner role': { principal: OTHER_ACCOUNT_ROLE, context: { 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalArn': OTHER_ACCOUNT_ROLE } },
  'CloudTrail': { principal: CLOUDTRAIL, context: { 'aws:PrincipalIsAWSService': 'true' } },
  'break-glass role': { principal: BREAK_GLASS, context: { 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalArn': BREAK_GLASS } },
};

async function run(rcp: any, caller: Caller, request: S3Request, options: { bucket?: string; bucketPolicy?: boolean } = {}): Promise<Verdict> {
  const bucketArn = options.bucket ?? BUCKET;
  const key = caller === 'CloudTrail' ? 'AWSLogs/111111111111/CloudTrail/log.json.gz' : request.key;
  return evaluate({
    resourcePolicy: options.bucketPolicy === false ? undefined : permissivePolicy(bucketArn),
    resourceArn: key === undefined ? bucketArn : `${bucketArn}/${key}`,
    action: request.action,
    principal: CALLERS[caller].principal,
    context: { ...contextOf(request), ...CALLERS[caller].context },
    resourceControlPolicies: [rcp],
  });
}

const http = { secureTransport: false };
const sseC = { sseCustomerAlgorithm: 'AES256' };
const kmsPut = (h = {}) => put({ sse: 'aws:kms', kmsKeyId: KEY, ...h });

type Row = [string, Caller, Verdict, S3Request, { bucket?: string; bucketPolicy?: boolean }];
const kmsRows: Row[] = [
  // what                                                     caller             expected   request                     options
  ['aws:kms with the allowed key', 'in-account role', 'allowed', kmsPut(), {}],
  ['aws:kms with the allowed key, TLS 1.3', 'in-account role', 'allowed', kmsPut({ tls: '1.3' }), {}],
  ['no SSE header (bucket default applies)', 'in-account role', 'allowed', put(), {}],
  ['aws:kms with the allowed key, no bucket policy', 'in-account role', 'allowed', kmsPut(), { bucketPolicy: false }],
  ['cross-account, granted by the bucket policy', 'partner role', 'allowed', kmsPut(), {}],
  ['cross-account, no header, granted', 'partner role', 'allowed', put(), {}],
  ['cross-account, GetObject, granted', 'partner role', 'allowed', get(), {}],
  ['cross-account without a bucket policy (the RCP grants nothing)', 'partner role', 'denied', kmsPut(), { bucketPolicy: false }],
  ['CloudTrail log delivery, no header', 'CloudTrail', 'allowed', put(), {}],
  ['CloudTrail log delivery with its trail key', 'CloudTrail', 'allowed', put({ sse: 'aws:kms', kmsKeyId: TRAIL_KEY }), {}],
  ['GetObject', 'in-account role', 'allowed', get(), {}],
  ['ListBucket', 'in-account role', 'allowed', list(), {}],
  ['DeleteObject', 'in-account role', 'allowed', del(), {}],
  ['PutObject over HTTP', 'in-account role', 'denied', kmsPut(http), {}],
  ['GetObject over HTTP', 'in-account role', 'denied', get(http), {}],
  ['ListBucket over HTTP', 'in-account role', 'denied', list(http), {}],
  ['cross-account over HTTP', 'partner role', 'denied', get(http), {}],
  ['PutObject over TLS 1.1', 'in-account role', 'denied', kmsPut({ tls: '1.1' }), {}],
  ['GetObject over TLS 1.0', 'in-account role', 'denied', get({ tls: '1.0' }), {}],
  ['cross-account over TLS 1.1', 'partner role', 'denied', kmsPut({ tls: '1.1' }), {}],
  ['AES256 header (wrong method)', 'in-account role', 'denied', put({ sse: 'AES256' }), {}],
  ['aws:kms:dsse header (wrong method)', 'in-account role', 'denied', put({ sse: 'aws:kms:dsse', kmsKeyId: KEY }), {}],
  ['aws:kms with another key', 'in-account role', 'denied', put({ sse: 'aws:kms', kmsKeyId: OTHER_KEY }), {}],
  ['aws:kms without a key id (AWS managed key)', 'in-account role', 'denied', put({ sse: 'aws:kms' }), {}],
  ['cross-account, wrong header', 'partner role', 'denied', put({ sse: 'AES256' }), {}],
  ['SSE-C on a bucket that is not exempt', 'in-account role', 'denied', put(sseC), {}],
  ['SSE-C on a bucket that is not exempt, cross-account', 'partner role', 'denied', put(sseC), {}],
  ['SSE-C on the exempt bucket', 'in-account role', 'allowed', put(sseC), { bucket: EXEMPT_BUCKET }],
  ['SSE-C on the exempt bucket, cross-account', 'partner role', 'allowed', put(sseC), { bucket: EXEMPT_BUCKET }],
  ['SSE-C on the exempt bucket over HTTP', 'in-account role', 'denied', put({ ...sseC, ...http }), { bucket: EXEMPT_BUCKET }],
  ['wrong header on the exempt bucket (MATCH_IF_PRESENT: the header rule holds there)', 'in-account role', 'denied', put({ sse: 'AES256' }), { bucket: EXEMPT_BUCKET }],
  ['break-glass role over HTTP', 'break-glass role', 'allowed', get(http), {}],
  ['break-glass role, SSE-C', 'break-glass role', 'allowed', put(sseC), {}],
  ['break-glass role, wrong key', 'break-glass role', 'allowed', put({ sse: 'aws:kms', kmsKeyId: OTHER_KEY }), {}],
];

describe('S3EncryptionResourceControlPolicy (SSE-KMS, one allowed key, MATCH_IF_PRESENT) under the simulator', () => {
  test.each(kmsRows)('%s (%s) is %s', async (_what, caller, expected, request, options) => {
    expect(await run(kmsRcp, caller, request, options)).toBe(expected);
  });
});

const sseS3Rows: Row[] = [
  ['AES256 header', 'in-account role', 'allowed', put({ sse: 'AES256' }), {}],
  ['no SSE header (REQUIRED)', 'in-account role', 'denied', put(), {}],
  ['aws:kms header', 'partner role', 'denied', put({ sse: 'aws:kms', kmsKeyId: KEY }), {}],
  ['CloudTrail without a header, even with REQUIRED', 'CloudTrail', 'allowed', put(), {}],
  ['SSE-C on the exempt bucket, even with REQUIRED', 'in-account role', 'allowed', put(sseC), { bucket: EXEMPT_BUCKET }],
  ['wrong header on the exempt bucket (REQUIRED: exempt from the header rule)', 'in-account role', 'allowed', put({ sse: 'aws:kms' }), { bucket: EXEMPT_BUCKET }],
  ['SSE-C elsewhere', 'in-account role', 'denied', put({ ...sseC, sse: 'AES256' }), {}],
];

describe('S3EncryptionResourceControlPolicy (SSE-S3, REQUIRED) under the simulator', () => {
  test.each(sseS3Rows)('%s (%s) is %s', async (_what, caller, expected, request, options) => {
    expect(await run(sseS3RequiredRcp, caller, request, options)).toBe(expected);
  });
});

test('the exempt principal is matched on aws:PrincipalArn: another role with the same name in a name prefix is not exempt', async () => {
  const impostor = 'arn:aws:iam::111111111111:role/BreakGlassNot';
  expect(await evaluate({
    resourcePolicy: undefined,
    resourceArn: `${BUCKET}/k`,
    action: 's3:GetObject',
    principal: impostor,
    context: { ...contextOf(get(http)), 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalArn': impostor },
    resourceControlPolicies: [kmsRcp],
  })).toBe('denied');
});


test('the service-principal exemption is what lets CloudTrail in: without it, its header-less delivery is denied', async () => {
  const withoutExemption = JSON.parse(JSON.stringify(sseS3RequiredRcp, (k, v) => (k === 'BoolIfExists' ? undefined : v)));
  expect(await run(sseS3RequiredRcp, 'CloudTrail', put())).toBe('allowed');
  expect(await run(withoutExemption, 'CloudTrail', put())).toBe('denied');
});

test('every Deny of the RCP exempts AWS service principals, and its Principal is "*"', () => {
  for (const document of [kmsRcp, sseS3RequiredRcp]) {
    for (const statement of document.Statement) {
      expect(statement).toMatchObject({ Effect: 'Deny', Principal: '*', Condition: { BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } } });
    }
  }
});
