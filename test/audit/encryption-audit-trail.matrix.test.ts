import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptionAuditTrail } from '../../src/audit/encryption-audit-trail';
import { evaluateServiceRequest, logBucketsOf, onlyTrail, trailArnOf } from '../harness/audit';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';
import {
  aliasEncryptionContextKeys, bucketPolicyOf, contextOf, evaluate, keyPolicyOf, S3Request, SAME_ACCOUNT_ROLE, titled, Verdict,
} from '../harness/simulate';

/*
 * The verdicts come from @cloud-copilot/iam-simulate. How it treats the callers here (read from its
 * DefaultServiceAuthorizer): a service principal such as cloudtrail.amazonaws.com is allowed only if the resource
 * policy allows it (no identity policy applies) and no Deny matches; aws:SourceArn, aws:SourceAccount and
 * s3:x-amz-acl are ordinary context keys that it evaluates as given (it fills in none of them for a service), and
 * the harness fails any row whose context key it ignored. KMS key policies get KMS's own rule: a same-account role
 * needs the key policy to allow the account (or the role) before its identity policy counts. The simulator drops
 * kms:EncryptionContext:<key> keys, so the helpers rename them on both sides to aws:RequestTag/ec-<key>.
 */

const app = new App();
const stack = new Stack(app, 'Audit', { env: TEST_ENV });
new EncryptionAuditTrail(stack, 'Trail', { cloudWatchLogs: true });
const template = Template.fromStack(stack).toJSON() as any;
const resolver = new CfnResolver(template);

const account = TEST_ENV.account;
const otherAccount = '222222222222';
const trailArn = trailArnOf(template);
const otherTrailArn = `arn:aws:cloudtrail:${TEST_ENV.region}:${account}:trail/another-trail`;
const otherAccountTrailArn = `arn:aws:cloudtrail:${TEST_ENV.region}:${otherAccount}:trail/their-trail`;
const keyId = Object.keys(template.Resources).find((id) => template.Resources[id].Type === 'AWS::KMS::Key')!;
const trailKeyArn = resolver.getAtt(keyId, 'Arn');
const otherKeyArn = `arn:aws:kms:${TEST_ENV.region}:${account}:key/another-key`;
const logBucketId = logBucketsOf(template)[0];
const bucketArn = resolver.getAtt(logBucketId, 'Arn');
const logGroupName = resolver.resolve((Object.values(template.Resources).find((r: any) => r.Type === 'AWS::Logs::LogGroup')! as any).Properties.LogGroupName);
const logGroupArn = `arn:aws:logs:${TEST_ENV.region}:${account}:log-group:${logGroupName}`;

/** A policy without the conditions on `key` in every statement (to show the matrix depends on them). */
function withoutCondition(policy: any, key: string): any {
  return {
    ...policy,
    Statement: policy.Statement.map(({ Condition, ...st }: any) => {
      if (Condition === undefined) return st;
      const kept = Object.entries(Condition)
        .map(([op, keys]: [string, any]) => [op, Object.fromEntries(Object.entries(keys).filter(([k]) => k !== key))] as const)
        .filter(([, keys]) => Object.keys(keys).length > 0);
      return kept.length > 0 ? { ...st, Condition: Object.fromEntries(kept) } : st;
    }),
  };
}

describe('the fixture', () => {
  test('has one trail whose key and bucket the matrix evaluates', () => {
    expect(onlyTrail(template)).toBeDefined();
    expect(logBucketsOf(template)).toEqual([logBucketId]);
    expect(template.Resources[onlyTrail(template)].Properties.KMSKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Log bucket policy
// ---------------------------------------------------------------------------------------------------------

const logFile = `AWSLogs/${account}/CloudTrail/eu-west-1/2026/01/01/${account}_CloudTrail_eu-west-1_20260101T0000Z_abc.json.gz`;
const digestFile = `AWSLogs/${account}/CloudTrail-Digest/eu-west-1/2026/01/01/${account}_CloudTrail-Digest_eu-west-1_trail_eu-west-1_20260101T000000Z.json.gz`;

interface Delivery {
  readonly key?: string;
  /** `aws:SourceArn`; `null` for a request without it. @default this trail */
  readonly sourceArn?: string | null;
  readonly acl?: string;
  readonly sse?: string;
  readonly kmsKeyId?: string;
  readonly secureTransport?: boolean;
}

/** PutObject as CloudTrail delivers a log file: over TLS, with the canned ACL, for this trail, under the trail key. */
function cloudTrailPut(d: Delivery = {}): ServiceCall {
  const context: Record<string, string> = { 'aws:SourceAccount': account };
  if (d.sourceArn !== null) context['aws:SourceArn'] = d.sourceArn ?? trailArn;
  if (d.acl !== undefined) context['s3:x-amz-acl'] = d.acl;
  const request: S3Request = { action: 's3:PutObject', secureTransport: d.secureTransport, sse: d.sse, kmsKeyId: d.kmsKeyId, context };
  return { action: 's3:PutObject', resourceArn: `${bucketArn}/${d.key ?? logFile}`, context: contextOf(request) };
}

function cloudTrailAclCheck(sourceArn?: string): ServiceCall {
  const context: Record<string, string> = { 'aws:SourceAccount': account };
  if (sourceArn !== undefined) context['aws:SourceArn'] = sourceArn;
  return { action: 's3:GetBucketAcl', resourceArn: bucketArn, context: contextOf({ action: 's3:GetBucketAcl', context }) };
}

interface ServiceCall {
  readonly action: string;
  readonly resourceArn: string;
  readonly context: Record<string, string | string[]>;
}

const acl = 'bucket-owner-full-control';
const logKms = { acl, sse: 'aws:kms', kmsKeyId: trailKeyArn };

const cloudTrailRows: Array<[string, ServiceCall, Verdict]> = [
  // what                                                            request                                                        expected
  ['log file, aws:kms with the trail key, for this trail', cloudTrailPut(logKms), 'allowed'],
  ['digest file with AES256 (SSE-S3, as CloudTrail encrypts digests)', cloudTrailPut({ key: digestFile, acl, sse: 'AES256' }), 'allowed'],
  ['digest file with no SSE header (bucket default SSE-S3)', cloudTrailPut({ key: digestFile, acl }), 'allowed'],
  ['digest file, aws:kms with the trail key', cloudTrailPut({ ...logKms, key: digestFile }), 'allowed'],
  ['log file for another trail of the account (aws:SourceArn)', cloudTrailPut({ ...logKms, sourceArn: otherTrailArn }), 'denied'],
  ['log file for a trail of another account (aws:SourceArn)', cloudTrailPut({ ...logKms, sourceArn: otherAccountTrailArn }), 'denied'],
  ['log file without aws:SourceArn', cloudTrailPut({ ...logKms, sourceArn: null }), 'denied'],
  ['log file without the bucket-owner-full-control ACL', cloudTrailPut({ sse: 'aws:kms', kmsKeyId: trailKeyArn }), 'denied'],
  ['log file with the private ACL', cloudTrailPut({ ...logKms, acl: 'private' }), 'denied'],
  ['log file over HTTP', cloudTrailPut({ ...logKms, secureTransport: false }), 'denied'],
  ['log file with aws:kms and another key', cloudTrailPut({ ...logKms, kmsKeyId: otherKeyArn }), 'denied'],
  ['log file with aws:kms and no key id (aws/s3)', cloudTrailPut({ acl, sse: 'aws:kms' }), 'denied'],
  ['log file with aws:kms:dsse and the trail key', cloudTrailPut({ ...logKms, sse: 'aws:kms:dsse' }), 'denied'],
  ['log file outside AWSLogs/<account>/', cloudTrailPut({ ...logKms, key: 'elsewhere/file.json.gz' }), 'denied'],
  ['log file under another account\'s AWSLogs/ prefix', cloudTrailPut({ ...logKms, key: `AWSLogs/${otherAccount}/CloudTrail/x.json.gz` }), 'denied'],
  ['GetBucketAcl for this trail', cloudTrailAclCheck(trailArn), 'allowed'],
  ['GetBucketAcl for another trail', cloudTrailAclCheck(otherTrailArn), 'denied'],
  ['GetBucketAcl without aws:SourceArn', cloudTrailAclCheck(), 'denied'],
];

describe('log bucket policy: CloudTrail (service principal) delivering', () => {
  const policy = bucketPolicyOf(template, logBucketId);
  test.each(titled(cloudTrailRows))('%s', async (_what, call, expected) => {
    expect(await evaluateServiceRequest({ resourcePolicy: policy, ...call })).toBe(expected);
  });
});

const principalRows: Array<[string, S3Request & { key?: string }, Verdict]> = [
  // what                                                           request                                                                    expected
  ['the account reads a log file over TLS', { action: 's3:GetObject', key: logFile }, 'allowed'],
  ['the account reads a log file over HTTP', { action: 's3:GetObject', key: logFile, secureTransport: false }, 'denied'],
  ['the account reads a log file over TLS 1.1', { action: 's3:GetObject', key: logFile, tls: '1.1' }, 'denied'],
  ['the account lists the bucket over HTTP', { action: 's3:ListBucket', secureTransport: false }, 'denied'],
  ['the account writes with AES256', { action: 's3:PutObject', key: 'notes.txt', sse: 'AES256' }, 'allowed'],
  ['the account writes with aws:kms and another key', { action: 's3:PutObject', key: 'notes.txt', sse: 'aws:kms', kmsKeyId: otherKeyArn }, 'denied'],
  ['the account writes with aws:kms and no key id', { action: 's3:PutObject', key: 'notes.txt', sse: 'aws:kms' }, 'denied'],
  ['the account deletes a log file over HTTP', { action: 's3:DeleteObject', key: logFile, secureTransport: false }, 'denied'],
  ['another account reads a log file', { action: 's3:GetObject', key: logFile, principal: `arn:aws:iam::${otherAccount}:role/Reader` }, 'denied'],
  ['anyone over HTTP reads a log file', { action: 's3:GetObject', key: logFile, secureTransport: false, principal: `arn:aws:iam::${otherAccount}:role/Reader` }, 'denied'],
];

describe('log bucket policy: principals', () => {
  const policy = bucketPolicyOf(template, logBucketId);
  test.each(titled(principalRows))('%s', async (_what, request, expected) => {
    expect(await evaluate({
      resourcePolicy: policy,
      resourceArn: request.key === undefined ? bucketArn : `${bucketArn}/${request.key}`,
      action: request.action,
      principal: request.principal,
      context: contextOf(request),
    })).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Trail key policy
// ---------------------------------------------------------------------------------------------------------

const keyArn = trailKeyArn;
const trailContext = (sourceArn: string | undefined, encryptionContextTrail: string | undefined) => ({
  ...(sourceArn !== undefined ? { 'aws:SourceArn': sourceArn } : {}),
  'aws:SourceAccount': account,
  ...(encryptionContextTrail !== undefined ? { 'kms:EncryptionContext:aws:cloudtrail:arn': encryptionContextTrail } : {}),
});

const keyServiceRows: Array<[string, string, string, Record<string, string>, Verdict]> = [
  // what                                                               service                        action                   context                                          expected
  ['CloudTrail GenerateDataKey for this trail', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', trailContext(trailArn, trailArn), 'allowed'],
  ['CloudTrail GenerateDataKey for another trail (aws:SourceArn)', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', trailContext(otherTrailArn, otherTrailArn), 'denied'],
  ['CloudTrail GenerateDataKey without aws:SourceArn', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', trailContext(undefined, trailArn), 'denied'],
  ['CloudTrail GenerateDataKey without the CloudTrail encryption context', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', trailContext(trailArn, undefined), 'denied'],
  ['CloudTrail GenerateDataKey with another account\'s trail in the context', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', trailContext(trailArn, otherAccountTrailArn), 'denied'],
  ['CloudTrail DescribeKey', 'cloudtrail.amazonaws.com', 'kms:DescribeKey', trailContext(trailArn, undefined), 'allowed'],
  ['CloudTrail Decrypt', 'cloudtrail.amazonaws.com', 'kms:Decrypt', trailContext(trailArn, trailArn), 'denied'],
  ['CloudTrail Encrypt', 'cloudtrail.amazonaws.com', 'kms:Encrypt', trailContext(trailArn, trailArn), 'denied'],
  ['CloudWatch Logs GenerateDataKey for the trail\'s log group', 'logs.eu-west-1.amazonaws.com', 'kms:GenerateDataKey',
    { 'kms:EncryptionContext:aws:logs:arn': logGroupArn }, 'allowed'],
  ['CloudWatch Logs Decrypt for the trail\'s log group', 'logs.eu-west-1.amazonaws.com', 'kms:Decrypt',
    { 'kms:EncryptionContext:aws:logs:arn': logGroupArn }, 'allowed'],
  ['CloudWatch Logs GenerateDataKey for another log group', 'logs.eu-west-1.amazonaws.com', 'kms:GenerateDataKey',
    { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${account}:log-group:other` }, 'denied'],
  ['S3 (another service) GenerateDataKey', 's3.amazonaws.com', 'kms:GenerateDataKey',
    { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::some-bucket/some-object' }, 'denied'],
];

describe('trail key policy: services', () => {
  const policy = keyPolicyOf(template, keyId);
  test.each(titled(keyServiceRows))('%s', async (_what, service, action, context, expected) => {
    expect(await evaluateServiceRequest({ resourcePolicy: policy, resourceArn: keyArn, action, service, context })).toBe(expected);
  });
});

const otherRole = `arn:aws:iam::${otherAccount}:role/Reader`;
const keyPrincipalRows: Array<[string, string, string, Record<string, string>, Verdict]> = [
  // what                                                              principal         action                 context                                                          expected
  ['the account decrypts a trail log file', SAME_ACCOUNT_ROLE, 'kms:Decrypt', { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn }, 'allowed'],
  ['the account decrypts a log file of another trail of the account', SAME_ACCOUNT_ROLE, 'kms:Decrypt', { 'kms:EncryptionContext:aws:cloudtrail:arn': otherTrailArn }, 'allowed'],
  ['the account decrypts without the CloudTrail encryption context', SAME_ACCOUNT_ROLE, 'kms:Decrypt', {}, 'denied'],
  ['the account decrypts an S3 object (not a trail log)', SAME_ACCOUNT_ROLE, 'kms:Decrypt', { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/o' }, 'denied'],
  ['the account generates a data key', SAME_ACCOUNT_ROLE, 'kms:GenerateDataKey', { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn }, 'denied'],
  ['the account encrypts', SAME_ACCOUNT_ROLE, 'kms:Encrypt', {}, 'denied'],
  ['the account describes the key', SAME_ACCOUNT_ROLE, 'kms:DescribeKey', {}, 'allowed'],
  ['the account administers the key (PutKeyPolicy)', SAME_ACCOUNT_ROLE, 'kms:PutKeyPolicy', {}, 'allowed'],
  ['another account decrypts a trail log file', otherRole, 'kms:Decrypt', { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArn }, 'denied'],
];

describe('trail key policy: principals (identity policy allows everything)', () => {
  const policy = keyPolicyOf(template, keyId);
  test.each(titled(keyPrincipalRows))('%s', async (_what, principal, action, context, expected) => {
    expect(await evaluate({
      resourcePolicy: aliasEncryptionContextKeys(policy),
      resourceArn: keyArn,
      action,
      principal,
      context: aliasEncryptionContextKeys(context),
    })).toBe(expected);
  });
});

describe('the matrix depends on the conditions it claims to test', () => {
  // If the simulator ignored aws:SourceArn or the encryption context, these rows would not flip.
  test('without the aws:SourceArn condition, CloudTrail could deliver for another trail', async () => {
    const policy = withoutCondition(bucketPolicyOf(template, logBucketId), 'aws:SourceArn');
    expect(await evaluateServiceRequest({ resourcePolicy: policy, ...cloudTrailPut({ ...logKms, sourceArn: otherTrailArn }) })).toBe('allowed');
  });

  test('without the ACL condition, CloudTrail could deliver without bucket-owner-full-control', async () => {
    const policy = withoutCondition(bucketPolicyOf(template, logBucketId), 's3:x-amz-acl');
    expect(await evaluateServiceRequest({ resourcePolicy: policy, ...cloudTrailPut({ sse: 'aws:kms', kmsKeyId: trailKeyArn }) })).toBe('allowed');
  });

  test('without the encryption-context condition, the account could decrypt anything under the key', async () => {
    const policy = withoutCondition(keyPolicyOf(template, keyId), 'kms:EncryptionContext:aws:cloudtrail:arn');
    expect(await evaluate({ resourcePolicy: policy, resourceArn: keyArn, action: 'kms:Decrypt', context: {} })).toBe('allowed');
  });

  test('without the aws:SourceArn condition, CloudTrail could encrypt for another trail', async () => {
    const policy = withoutCondition(keyPolicyOf(template, keyId), 'aws:SourceArn');
    expect(await evaluateServiceRequest({
      resourcePolicy: policy, resourceArn: keyArn, action: 'kms:GenerateDataKey', context: trailContext(otherTrailArn, otherTrailArn),
    })).toBe('allowed');
  });
});
