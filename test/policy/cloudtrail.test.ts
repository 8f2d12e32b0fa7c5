import { ACCOUNT_ADMINISTERS_KEY, BUCKET_ARN, documentOf, jsonOf, KEY_ARN, OTHER_KEY_ARN } from './documents';
import {
  CloudTrailStatementIds, cloudTrailDeliveryStatements, cloudTrailLogGroupStatements, cloudTrailLogUploadStatements, trailKeyPolicyStatements,
} from '../../src/policy/cloudtrail';
import { bucketScope } from '../../src/policy/statements';
import { evaluateServiceRequest } from '../harness/audit';
import { TEST_ENV } from '../harness/cfn-resolve';
import { aliasEncryptionContextKeys, contextOf, evaluate, put, S3Request, SAME_ACCOUNT_ROLE, titled, Verdict } from '../harness/simulate';

// The CloudTrail builders of src/policy/cloudtrail.ts under @cloud-copilot/iam-simulate: the log bucket's statements,
// the trail key's policy and the trail role's permissions, each on its own.

const { account, region } = TEST_ENV;
const TRAIL_ARN = `arn:aws:cloudtrail:${region}:${account}:trail/audit`;
const OTHER_TRAIL_ARN = `arn:aws:cloudtrail:${region}:${account}:trail/other`;
const LOG_FILE = `AWSLogs/${account}/CloudTrail/${region}/2026/01/01/log.json.gz`;
const ACL = 'bucket-owner-full-control';

describe('cloudTrailLogUploadStatements: what CloudTrail sends is allowed, nothing else', () => {
  const statements = cloudTrailLogUploadStatements(bucketScope(BUCKET_ARN), KEY_ARN);
  const upload = (h: Omit<S3Request, 'action'> = {}) => put(h);

  test.each(titled([
    // what                                                  request                                          expected
    ['a log file, aws:kms with the trail key', upload({ sse: 'aws:kms', kmsKeyId: KEY_ARN }), 'allowed'],
    ['a digest file, AES256', upload({ sse: 'AES256' }), 'allowed'],
    ['an upload with no SSE header (default encryption)', upload(), 'allowed'],
    ['aws:kms with another key', upload({ sse: 'aws:kms', kmsKeyId: OTHER_KEY_ARN }), 'denied'],
    ['aws:kms without a key id (aws/s3)', upload({ sse: 'aws:kms' }), 'denied'],
    ['aws:kms:dsse with the trail key', upload({ sse: 'aws:kms:dsse', kmsKeyId: KEY_ARN }), 'denied'],
  ] as Array<[string, S3Request, Verdict]>))('%s', async (_what, request, expected) => {
    expect(await evaluate({
      resourcePolicy: documentOf(...statements),
      resourceArn: `${BUCKET_ARN}/${request.key}`,
      action: request.action,
      context: contextOf(request),
    })).toBe(expected);
  });
});

describe('cloudTrailDeliveryStatements: CloudTrail delivers for this trail only', () => {
  const policy = documentOf(...cloudTrailDeliveryStatements({ trailArn: TRAIL_ARN, bucketArn: BUCKET_ARN, account }));
  const call = (action: string, resource: string, context: Record<string, string>) =>
    evaluateServiceRequest({ resourcePolicy: policy, resourceArn: resource, action, context: contextOf({ action, context }) });

  test.each(titled([
    // what                                                       action             resource                            context                                                   expected
    ['PutObject of a log file for this trail', 's3:PutObject', `${BUCKET_ARN}/${LOG_FILE}`, { 'aws:SourceArn': TRAIL_ARN, 's3:x-amz-acl': ACL }, 'allowed'],
    ['PutObject for another trail', 's3:PutObject', `${BUCKET_ARN}/${LOG_FILE}`, { 'aws:SourceArn': OTHER_TRAIL_ARN, 's3:x-amz-acl': ACL }, 'denied'],
    ['PutObject without the owner\'s ACL', 's3:PutObject', `${BUCKET_ARN}/${LOG_FILE}`, { 'aws:SourceArn': TRAIL_ARN }, 'denied'],
    ['PutObject outside AWSLogs/<account>/', 's3:PutObject', `${BUCKET_ARN}/elsewhere/log.json.gz`, { 'aws:SourceArn': TRAIL_ARN, 's3:x-amz-acl': ACL }, 'denied'],
    ['PutObject under another account\'s prefix', 's3:PutObject', `${BUCKET_ARN}/AWSLogs/222222222222/x.gz`, { 'aws:SourceArn': TRAIL_ARN, 's3:x-amz-acl': ACL }, 'denied'],
    ['GetBucketAcl for this trail', 's3:GetBucketAcl', BUCKET_ARN, { 'aws:SourceArn': TRAIL_ARN }, 'allowed'],
    ['GetBucketAcl for another trail', 's3:GetBucketAcl', BUCKET_ARN, { 'aws:SourceArn': OTHER_TRAIL_ARN }, 'denied'],
  ] as Array<[string, string, string, Record<string, string>, Verdict]>))('%s', async (_what, action, resource, context, expected) => {
    expect(await call(action, resource, context)).toBe(expected);
  });
});

describe('trailKeyPolicyStatements', () => {
  const logGroupArn = `arn:aws:logs:${region}:${account}:log-group:/aws/cloudtrail/audit`;
  const statements = trailKeyPolicyStatements({ trailArn: TRAIL_ARN, partition: 'aws', account, logGroup: { arn: logGroupArn, region } });
  const trailLogs = (trail: string) => ({ 'kms:EncryptionContext:aws:cloudtrail:arn': trail });

  test.each(titled([
    // what                                                      principal                           action                   context                                                    expected
    ['CloudTrail generates a data key for this trail', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceArn': TRAIL_ARN, ...trailLogs(TRAIL_ARN) }, 'allowed'],
    ['CloudTrail generates a data key for another trail', 'cloudtrail.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceArn': OTHER_TRAIL_ARN, ...trailLogs(OTHER_TRAIL_ARN) }, 'denied'],
    ['CloudTrail decrypts', 'cloudtrail.amazonaws.com', 'kms:Decrypt', { 'aws:SourceArn': TRAIL_ARN, ...trailLogs(TRAIL_ARN) }, 'denied'],
    ['CloudWatch Logs encrypts for the trail\'s log group', `logs.${region}.amazonaws.com`, 'kms:Encrypt', { 'kms:EncryptionContext:aws:logs:arn': logGroupArn }, 'allowed'],
    ['CloudWatch Logs encrypts for another log group', `logs.${region}.amazonaws.com`, 'kms:Encrypt', { 'kms:EncryptionContext:aws:logs:arn': `${logGroupArn}-other` }, 'denied'],
  ] as Array<[string, string, string, Record<string, string>, Verdict]>))('%s', async (_what, service, action, context, expected) => {
    const resourcePolicy = documentOf(...statements);
    expect(await evaluateServiceRequest({ resourcePolicy, resourceArn: KEY_ARN, action, service, context })).toBe(expected);
  });

  test('the account decrypts trail logs only, and produces no ciphertext under the key', async () => {
    const byAccount = (action: string, context: Record<string, string>) => evaluate({
      resourcePolicy: aliasEncryptionContextKeys(documentOf(...statements)),
      resourceArn: KEY_ARN,
      action,
      principal: SAME_ACCOUNT_ROLE,
      context: aliasEncryptionContextKeys(context),
    });
    expect(await byAccount('kms:Decrypt', trailLogs(TRAIL_ARN))).toBe('allowed');
    expect(await byAccount('kms:Decrypt', {})).toBe('denied');
    expect(await byAccount('kms:Encrypt', {})).toBe('denied');
    expect(await byAccount('kms:GenerateDataKey', trailLogs(TRAIL_ARN))).toBe('denied');
    expect(await byAccount('kms:ScheduleKeyDeletion', {})).toBe('allowed');
  });

  test('has no statement for CloudWatch Logs without a log group, and stable Sids', () => {
    const sids = trailKeyPolicyStatements({ trailArn: TRAIL_ARN, partition: 'aws', account }).map((s) => s.sid);
    expect(sids).toEqual([
      CloudTrailStatementIds.ALLOW_KEY_ADMINISTRATION, CloudTrailStatementIds.ALLOW_CLOUDTRAIL_ENCRYPT,
      CloudTrailStatementIds.ALLOW_CLOUDTRAIL_DESCRIBE_KEY, CloudTrailStatementIds.ALLOW_ACCOUNT_DECRYPT,
    ]);
    expect(statements.map((s) => s.sid)).toEqual([...sids, CloudTrailStatementIds.ALLOW_LOGS_ENCRYPT]);
  });

  test('is not the usual blanket kms:* for the account', () => {
    expect(statements.some((s) => jsonOf(s).Action === 'kms:*')).toBe(false);
    expect(documentOf(ACCOUNT_ADMINISTERS_KEY).Statement[0].Action).toBe('kms:*'); // what it replaces
  });
});

describe('cloudTrailLogGroupStatements: the trail role writes its own log streams', () => {
  const logGroupArn = `arn:aws:logs:${region}:${account}:log-group:/aws/cloudtrail/audit`;
  const identityPolicy = documentOf(...cloudTrailLogGroupStatements({ logGroupArn, account }));

  test.each([
    [`${logGroupArn}:log-stream:${account}_CloudTrail_${region}`, 'logs:PutLogEvents', 'allowed'],
    [`${logGroupArn}:log-stream:${account}_CloudTrail_us-east-1`, 'logs:CreateLogStream', 'allowed'],
    [`${logGroupArn}:log-stream:someone-else`, 'logs:PutLogEvents', 'denied'],
    [`arn:aws:logs:${region}:${account}:log-group:other:log-stream:${account}_CloudTrail_${region}`, 'logs:PutLogEvents', 'denied'],
  ] as Array<[string, string, Verdict]>)('%s: %s is %s', async (resource, action, expected) => {
    expect(await evaluate({ resourcePolicy: undefined, identityPolicy, resourceArn: resource, action, context: {} })).toBe(expected);
  });
});
