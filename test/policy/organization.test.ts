import { BUCKET_ARN, documentOf, jsonOf, KEY_ARN, OTHER_KEY_ARN } from './documents';
import {
  exceptResources, objectArnsOf, OrganizationRequirement, organizationScope, resourceControlPolicyStatements,
} from '../../src/policy/organization';
import { EncryptionMode, UploadHeaderRule } from '../../src/policy/requirement';
import { denyInsecureTransport } from '../../src/policy/statements';
import { contextOf, evaluate, get, list, put, S3Request, SAME_ACCOUNT_ROLE, titled, Verdict } from '../harness/simulate';

// The resource control policy builders of src/policy/organization.ts, as an RCP above the bucket's account under
// @cloud-copilot/iam-simulate. The simulator does not derive aws:PrincipalIsAWSService or aws:PrincipalArn from the
// caller, so each request carries them as S3 would.

const EXEMPT_BUCKET_ARN = 'arn:aws:s3:::sse-c-vault';
const BREAK_GLASS = 'arn:aws:iam::111111111111:role/BreakGlass';
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

type Caller = 'role' | 'break-glass role' | 'CloudTrail';
const CALLERS: Record<Caller, { principal: string; context: Record<string, string> }> = {
  'role': { principal: SAME_ACCOUNT_ROLE, context: { 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalArn': SAME_ACCOUNT_ROLE } },
  'break-glass role': { principal: BREAK_GLASS, context: { 'aws:PrincipalIsAWSService': 'false', 'aws:PrincipalArn': BREAK_GLASS } },
  'CloudTrail': { principal: CLOUDTRAIL, context: { 'aws:PrincipalIsAWSService': 'true' } },
};

/** Evaluate `request` by `caller` on `bucketArn`, whose policy lets CloudTrail in, under the RCP of `requirement`. */
function verdict(requirement: OrganizationRequirement, request: S3Request, caller: Caller = 'role', bucketArn = BUCKET_ARN): Promise<Verdict> {
  return evaluate({
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: CLOUDTRAIL }, Action: 's3:PutObject', Resource: `${bucketArn}/*` }],
    },
    resourceArn: request.key === undefined ? bucketArn : `${bucketArn}/${request.key}`,
    action: request.action,
    principal: CALLERS[caller].principal,
    context: { ...contextOf(request), ...CALLERS[caller].context },
    resourceControlPolicies: [documentOf(...resourceControlPolicyStatements(requirement))],
  });
}

const kms: OrganizationRequirement = {
  mode: EncryptionMode.SSE_KMS,
  allowedKmsKeyArns: [KEY_ARN],
  sseCExemptBucketArns: [EXEMPT_BUCKET_ARN],
  exemptPrincipalArns: ['arn:aws:iam::*:role/BreakGlass'],
};
const sseS3Required: OrganizationRequirement = {
  mode: EncryptionMode.SSE_S3, headerRule: UploadHeaderRule.REQUIRED, sseCExemptBucketArns: [EXEMPT_BUCKET_ARN],
};
const sseC = { sseCustomerAlgorithm: 'AES256' };

describe('resourceControlPolicyStatements', () => {
  test.each(titled([
    // what                                                    requirement     request                                           caller               bucket              expected
    ['aws:kms with the allowed key', kms, put({ sse: 'aws:kms', kmsKeyId: KEY_ARN }), 'role', BUCKET_ARN, 'allowed'],
    ['aws:kms with another key', kms, put({ sse: 'aws:kms', kmsKeyId: OTHER_KEY_ARN }), 'role', BUCKET_ARN, 'denied'],
    ['aws:kms without a key id', kms, put({ sse: 'aws:kms' }), 'role', BUCKET_ARN, 'denied'],
    ['no SSE header (MATCH_IF_PRESENT by default)', kms, put(), 'role', BUCKET_ARN, 'allowed'],
    ['AES256 under a KMS standard', kms, put({ sse: 'AES256' }), 'role', BUCKET_ARN, 'denied'],
    ['GetObject over HTTP', kms, get({ secureTransport: false }), 'role', BUCKET_ARN, 'denied'],
    ['ListBucket over TLS 1.1', kms, list({ tls: '1.1' }), 'role', BUCKET_ARN, 'denied'],
    ['SSE-C upload', kms, put(sseC), 'role', BUCKET_ARN, 'denied'],
    ['SSE-C upload to the exempt bucket', kms, put(sseC), 'role', EXEMPT_BUCKET_ARN, 'allowed'],
    ['AES256 by CloudTrail (service principals are exempt)', kms, put({ sse: 'AES256' }), 'CloudTrail', BUCKET_ARN, 'allowed'],
    ['AES256 by the exempt principal', kms, put({ sse: 'AES256' }), 'break-glass role', BUCKET_ARN, 'allowed'],
    ['GetObject over HTTP by the exempt principal', kms, get({ secureTransport: false }), 'break-glass role', BUCKET_ARN, 'allowed'],
    ['SSE-S3 REQUIRED: no SSE header', sseS3Required, put(), 'role', BUCKET_ARN, 'denied'],
    ['SSE-S3 REQUIRED: AES256', sseS3Required, put({ sse: 'AES256' }), 'role', BUCKET_ARN, 'allowed'],
    ['SSE-S3 REQUIRED: SSE-C to the exempt bucket (no SSE header there is fine)', sseS3Required, put(sseC), 'role', EXEMPT_BUCKET_ARN, 'allowed'],
    ['SSE-S3 REQUIRED: no SSE header to the exempt bucket', sseS3Required, put(), 'role', EXEMPT_BUCKET_ARN, 'allowed'],
    ['SSE-C allowed everywhere (denySseC false)', { ...kms, denySseC: false }, put(sseC), 'role', BUCKET_ARN, 'allowed'],
    ['TLS 1.2 under a 1.3 floor', { ...kms, minimumTlsVersion: 1.3 }, get({ tls: '1.2' }), 'role', BUCKET_ARN, 'denied'],
  ] as Array<[string, OrganizationRequirement, S3Request, Caller, string, Verdict]>))('%s', async (_what, requirement, request, caller, bucket, expected) => {
    expect(await verdict(requirement, request, caller, bucket)).toBe(expected);
  });

  test('every statement is a Deny for Principal "*" that exempts AWS service principals', () => {
    for (const statement of resourceControlPolicyStatements(kms)) {
      const json = jsonOf(statement);
      expect(json).toMatchObject({ Effect: 'Deny', Principal: '*' });
      expect(json.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
      expect(json.Condition.ArnNotLikeIfExists).toEqual({ 'aws:PrincipalArn': ['arn:aws:iam::*:role/BreakGlass'] });
    }
  });

  test('the Sids are the bucket statements\' (one source of truth)', () => {
    expect(resourceControlPolicyStatements(kms).map((s) => s.sid)).toEqual([
      'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', 'DenyWrongKmsKey', 'DenySseCUpload',
    ]);
    expect(resourceControlPolicyStatements({ mode: EncryptionMode.SSE_S3, denySseC: false }).map((s) => s.sid)).toEqual([
      'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader',
    ]);
  });
});

describe('the RCP helpers', () => {
  test('organizationScope: every object, no bucket ARNs, exemptions only when there are exempt principals', () => {
    const scope = organizationScope();
    expect(scope).toMatchObject({ bucketArns: [], objectArns: ['*'] });
    expect(scope.extraConditions).toEqual({ BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' } });
  });

  test('objectArnsOf: the objects of each bucket, however the bucket ARN ends', () => {
    expect(objectArnsOf(['arn:aws:s3:::a', 'arn:aws:s3:::b/', 'arn:aws:s3:::c/*'])).toEqual(['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::c/*']);
  });

  test('exceptResources: the same statement on every resource but the given ones', () => {
    const statement = exceptResources(denyInsecureTransport(organizationScope()), [`${EXEMPT_BUCKET_ARN}/*`]);
    expect(jsonOf(statement)).toMatchObject({ NotResource: `${EXEMPT_BUCKET_ARN}/*` });
    expect(jsonOf(statement).Resource).toBeUndefined();
    expect(exceptResources(statement, [])).toBe(statement);
  });
});
