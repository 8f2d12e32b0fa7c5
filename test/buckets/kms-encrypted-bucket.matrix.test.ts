import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KmsEncryptedBucket, UploadHeaderRule } from '../../src';
import { CfnResolver, TEST_ENV } from '../harness/cfn-resolve';
import {
  aliasEncryptionContextKeys, completeMultipartUpload, copyInto, createMultipartUpload, del, evaluate, get, identityPolicyOf,
  bucketPolicySids, keyPolicyOf, list, put, requestDeniedOnlyBy, S3Request, SAME_ACCOUNT_ROLE, simulate, uploadPart, Verdict,
} from '../harness/simulate';

// Multipart assumption as in the EncryptedBucket matrix (and the README): S3 evaluates UploadPart and
// CompleteMultipartUpload with the encryption that CreateMultipartUpload set, including the key id.

function synth(dualLayer: boolean, uploadHeaderRule: UploadHeaderRule) {
  const stack = new Stack(new App(), 'Matrix', { env: TEST_ENV });
  const bucket = new KmsEncryptedBucket(stack, 'Bucket', { dualLayer, uploadHeaderRule });
  bucket.grantReadWrite(new iam.Role(stack, 'Writer', { assumedBy: new iam.AccountRootPrincipal() }));
  new iam.Role(stack, 'Stranger', { assumedBy: new iam.AccountRootPrincipal() });
  const template = Template.fromStack(stack).toJSON() as any;
  const logicalId = (type: string) => Object.keys(template.Resources).find((id) => template.Resources[id].Type === type)!;
  const resolver = new CfnResolver(template);
  return {
    template,
    keyId: logicalId('AWS::KMS::Key'),
    keyArn: resolver.getAtt(logicalId('AWS::KMS::Key'), 'Arn'),
    bucketArn: resolver.getAtt(logicalId('AWS::S3::Bucket'), 'Arn'),
    roleId: (name: string) => Object.keys(template.Resources).find((id) => id.startsWith(name) && template.Resources[id].Type === 'AWS::IAM::Role')!,
  };
}

const kms = synth(false, UploadHeaderRule.REQUIRED);
const kmsLenient = synth(false, UploadHeaderRule.MATCH_IF_PRESENT);
const dsse = synth(true, UploadHeaderRule.REQUIRED);
const OTHER_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/other';
const http = { secureTransport: false };
const sseC = { sseCustomerAlgorithm: 'AES256' };

// Each row: request (built with the bucket's own key ARN), verdict for SSE-KMS REQUIRED, SSE-KMS MATCH_IF_PRESENT, DSSE-KMS REQUIRED.
type Row = [string, (key: string) => S3Request, Verdict, Verdict, Verdict];
const rows: Row[] = [
  // what                                            request                                                 KMS        KMS lenient  DSSE
  ['PutObject aws:kms with the right key', (k) => put({ sse: 'aws:kms', kmsKeyId: k }), 'allowed', 'allowed', 'denied'],
  ['PutObject aws:kms with the right key, TLS 1.3', (k) => put({ sse: 'aws:kms', kmsKeyId: k, tls: '1.3' }), 'allowed', 'allowed', 'denied'],
  ['PutObject aws:kms:dsse with the right key', (k) => put({ sse: 'aws:kms:dsse', kmsKeyId: k }), 'denied', 'denied', 'allowed'],
  ['PutObject aws:kms with another key ARN', () => put({ sse: 'aws:kms', kmsKeyId: OTHER_KEY }), 'denied', 'denied', 'denied'],
  ['PutObject aws:kms:dsse with another key ARN', () => put({ sse: 'aws:kms:dsse', kmsKeyId: OTHER_KEY }), 'denied', 'denied', 'denied'],
  ['PutObject aws:kms without a key id (AWS managed key)', () => put({ sse: 'aws:kms' }), 'denied', 'denied', 'denied'],
  ['PutObject aws:kms:dsse without a key id', () => put({ sse: 'aws:kms:dsse' }), 'denied', 'denied', 'denied'],
  ['PutObject with no SSE header', () => put(), 'denied', 'allowed', 'denied'],
  ['PutObject AES256', () => put({ sse: 'AES256' }), 'denied', 'denied', 'denied'],
  ['PutObject AES256 with the right key id', (k) => put({ sse: 'AES256', kmsKeyId: k }), 'denied', 'denied', 'denied'],
  ['PutObject with SSE-C headers', () => put(sseC), 'denied', 'allowed', 'denied'], // lenient: BlockedEncryptionTypes rejects it
  ['PutObject aws:kms, right key, over HTTP', (k) => put({ sse: 'aws:kms', kmsKeyId: k, ...http }), 'denied', 'denied', 'denied'],
  ['PutObject aws:kms:dsse, right key, over HTTP', (k) => put({ sse: 'aws:kms:dsse', kmsKeyId: k, ...http }), 'denied', 'denied', 'denied'],
  ['PutObject aws:kms, right key, TLS 1.0', (k) => put({ sse: 'aws:kms', kmsKeyId: k, tls: '1.0' }), 'denied', 'denied', 'denied'],
  ['PutObject aws:kms, right key, TLS 1.1', (k) => put({ sse: 'aws:kms', kmsKeyId: k, tls: '1.1' }), 'denied', 'denied', 'denied'],
  ['PutObject with no header, TLS 1.1', () => put({ tls: '1.1' }), 'denied', 'denied', 'denied'],
  ['GetObject, TLS 1.2', () => get(), 'allowed', 'allowed', 'allowed'],
  ['GetObject, TLS 1.3', () => get({ tls: '1.3' }), 'allowed', 'allowed', 'allowed'],
  ['GetObject over HTTP', () => get(http), 'denied', 'denied', 'denied'],
  ['GetObject, TLS 1.0', () => get({ tls: '1.0' }), 'denied', 'denied', 'denied'],
  ['GetObject, TLS 1.1', () => get({ tls: '1.1' }), 'denied', 'denied', 'denied'],
  ['ListBucket, TLS 1.2', () => list(), 'allowed', 'allowed', 'allowed'],
  ['ListBucket over HTTP', () => list(http), 'denied', 'denied', 'denied'],
  ['ListBucket, TLS 1.1', () => list({ tls: '1.1' }), 'denied', 'denied', 'denied'],
  ['DeleteObject, TLS 1.2', () => del(), 'allowed', 'allowed', 'allowed'],
  ['DeleteObject over HTTP', () => del(http), 'denied', 'denied', 'denied'],
  ['DeleteObject, TLS 1.0', () => del({ tls: '1.0' }), 'denied', 'denied', 'denied'],
  ['CopyObject into the bucket, aws:kms, right key', (k) => copyInto({ sse: 'aws:kms', kmsKeyId: k }), 'allowed', 'allowed', 'denied'],
  ['CopyObject into the bucket, aws:kms:dsse, right key', (k) => copyInto({ sse: 'aws:kms:dsse', kmsKeyId: k }), 'denied', 'denied', 'allowed'],
  ['CopyObject into the bucket with no header', () => copyInto(), 'denied', 'allowed', 'denied'],
  ['CopyObject into the bucket, aws:kms, another key', () => copyInto({ sse: 'aws:kms', kmsKeyId: OTHER_KEY }), 'denied', 'denied', 'denied'],
  ['CopyObject into the bucket, AES256', () => copyInto({ sse: 'AES256' }), 'denied', 'denied', 'denied'],
  ['CopyObject into the bucket over HTTP', (k) => copyInto({ sse: 'aws:kms', kmsKeyId: k, ...http }), 'denied', 'denied', 'denied'],
  ['CreateMultipartUpload aws:kms, right key', (k) => createMultipartUpload({ sse: 'aws:kms', kmsKeyId: k }), 'allowed', 'allowed', 'denied'],
  ['CreateMultipartUpload aws:kms:dsse, right key', (k) => createMultipartUpload({ sse: 'aws:kms:dsse', kmsKeyId: k }), 'denied', 'denied', 'allowed'],
  ['CreateMultipartUpload aws:kms, another key', () => createMultipartUpload({ sse: 'aws:kms', kmsKeyId: OTHER_KEY }), 'denied', 'denied', 'denied'],
  ['CreateMultipartUpload with no header', () => createMultipartUpload(), 'denied', 'allowed', 'denied'],
  ['UploadPart of an aws:kms upload with the right key', (k) => uploadPart({ sse: 'aws:kms', kmsKeyId: k }), 'allowed', 'allowed', 'denied'],
  ['UploadPart of an aws:kms:dsse upload with the right key', (k) => uploadPart({ sse: 'aws:kms:dsse', kmsKeyId: k }), 'denied', 'denied', 'allowed'],
  ['UploadPart over HTTP', (k) => uploadPart({ sse: 'aws:kms', kmsKeyId: k, ...http }), 'denied', 'denied', 'denied'],
  ['UploadPart if S3 sent no SSE context', () => uploadPart(), 'denied', 'allowed', 'denied'],
  ['CompleteMultipartUpload of an aws:kms upload, right key', (k) => completeMultipartUpload({ sse: 'aws:kms', kmsKeyId: k }), 'allowed', 'allowed', 'denied'],
  ['CompleteMultipartUpload of an aws:kms:dsse upload, right key', (k) => completeMultipartUpload({ sse: 'aws:kms:dsse', kmsKeyId: k }), 'denied', 'denied', 'allowed'],
  ['CompleteMultipartUpload, TLS 1.1', (k) => completeMultipartUpload({ sse: 'aws:kms', kmsKeyId: k, tls: '1.1' }), 'denied', 'denied', 'denied'],
];

describe('KmsEncryptedBucket bucket policy matrix (verdicts from @cloud-copilot/iam-simulate)', () => {
  // The verdicts come from the statements, and the table exercises each of them: removing one lets in a row it denied.
  const columns = [['SSE-KMS REQUIRED', kms, 2], ['SSE-KMS MATCH_IF_PRESENT', kmsLenient, 3], ['DSSE-KMS REQUIRED', dsse, 4]] as const;
  test.each(columns.flatMap(([name, bucket, column]) => bucketPolicySids(bucket.template).map((sid) => [name, sid, bucket, column] as const)))(
    '%s: every statement decides a row (%s)', async (_name, sid, bucket, column) => {
      const denied = rows.filter((row) => row[column] === 'denied').map(([, request]) => request(bucket.keyArn));
      expect(await requestDeniedOnlyBy(bucket.template, sid, denied)).toBeDefined();
    });

  test.each(rows)('%s: SSE-KMS REQUIRED', async (_what, request, expected) => {
    expect(await simulate(kms.template, request(kms.keyArn))).toBe(expected);
  });
  test.each(rows)('%s: SSE-KMS MATCH_IF_PRESENT', async (_what, request, _r, expected) => {
    expect(await simulate(kmsLenient.template, request(kmsLenient.keyArn))).toBe(expected);
  });
  test.each(rows)('%s: DSSE-KMS REQUIRED', async (_what, request, _r, _l, expected) => {
    expect(await simulate(dsse.template, request(dsse.keyArn))).toBe(expected);
  });
});

describe.each([['SSE-KMS', kms], ['DSSE-KMS', dsse]])('created key policy matrix (%s)', (_mode, bucket) => {
  const viaS3 = 's3.eu-west-1.amazonaws.com';
  const keyRequest = (action: string, roleName: string, context: Record<string, string>) => evaluate({
    resourcePolicy: aliasEncryptionContextKeys(keyPolicyOf(bucket.template, bucket.keyId)),
    identityPolicy: aliasEncryptionContextKeys(identityPolicyOf(bucket.template, bucket.roleId(roleName))),
    resourceArn: bucket.keyArn,
    action,
    principal: `arn:aws:iam::111111111111:role/${bucket.roleId(roleName)}`,
    context: aliasEncryptionContextKeys(context),
  });
  const object = `${bucket.bucketArn}/data/object.bin`;
  const context = (ec: string, via?: string) => ({ 'kms:EncryptionContext:aws:s3:arn': ec, ...(via ? { 'kms:ViaService': via } : {}) });

  test.each([
    // action                      caller       context                                                   expected
    ['kms:Decrypt', 'Writer', context(object, viaS3), 'allowed'], // download through S3
    ['kms:GenerateDataKey', 'Writer', context(object, viaS3), 'allowed'], // upload through S3
    ['kms:GenerateDataKey', 'Writer', context(bucket.bucketArn, viaS3), 'allowed'], // Bucket Key: context is the bucket ARN
    ['kms:Decrypt', 'Writer', context(object), 'denied'], // direct call, outside S3
    ['kms:Decrypt', 'Writer', context(object, 'dynamodb.eu-west-1.amazonaws.com'), 'denied'], // another service
    ['kms:Decrypt', 'Writer', context(object, 's3.us-east-1.amazonaws.com'), 'denied'], // S3 in another Region
    ['kms:Decrypt', 'Writer', context('arn:aws:s3:::another-bucket/data/object.bin', viaS3), 'denied'], // another bucket's context
    ['kms:GenerateDataKey', 'Writer', context('arn:aws:s3:::another-bucket', viaS3), 'denied'],
    ['kms:Decrypt', 'Stranger', context(object, viaS3), 'denied'], // not granted
  ])('%s by %s with %o is %s', async (action, role, ctx, expected) => {
    expect(await keyRequest(action as string, role as string, ctx as Record<string, string>)).toBe(expected);
  });

  test('an account administrator with kms:* in its identity policy still cannot decrypt outside S3', async () => {
    expect(await evaluate({
      resourcePolicy: aliasEncryptionContextKeys(keyPolicyOf(bucket.template, bucket.keyId)),
      resourceArn: bucket.keyArn,
      action: 'kms:Decrypt',
      principal: SAME_ACCOUNT_ROLE,
      context: aliasEncryptionContextKeys(context(object)),
    })).toBe('denied');
    expect(await evaluate({
      resourcePolicy: aliasEncryptionContextKeys(keyPolicyOf(bucket.template, bucket.keyId)),
      resourceArn: bucket.keyArn,
      action: 'kms:ScheduleKeyDeletion',
      principal: SAME_ACCOUNT_ROLE,
      context: {},
    })).toBe('allowed'); // administration stays with the account
  });
});
