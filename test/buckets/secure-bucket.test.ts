import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  BucketAuditing, ClientSideEncryptedBucket, EncryptedBucket, EncryptionMode, ISecureBucket, KmsEncryptedBucket, SecureBucket,
  SseCOnlyBucket, UploadHeaderRule,
} from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';

const auditing = BucketAuditing.none('ISecureBucket tests: the trail is not what they are about');

function newStack() {
  return new Stack(new App(), 'Test', { env: TEST_ENV });
}

describe('ISecureBucket', () => {
  test.each([
    ['EncryptedBucket', (s: Stack) => new EncryptedBucket(s, 'B', { auditing }), EncryptionMode.SSE_S3, UploadHeaderRule.REQUIRED, 1.2, false],
    ['EncryptedBucket, MATCH_IF_PRESENT, TLS 1.3', (s: Stack) => new EncryptedBucket(s, 'B', {
      auditing, uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT, minimumTLSVersion: 1.3,
    }), EncryptionMode.SSE_S3, UploadHeaderRule.MATCH_IF_PRESENT, 1.3, false],
    ['KmsEncryptedBucket', (s: Stack) => new KmsEncryptedBucket(s, 'B', { auditing }), EncryptionMode.SSE_KMS, UploadHeaderRule.REQUIRED, 1.2, true],
    ['KmsEncryptedBucket, dualLayer', (s: Stack) => new KmsEncryptedBucket(s, 'B', { auditing, dualLayer: true }),
      EncryptionMode.DSSE_KMS, UploadHeaderRule.REQUIRED, 1.2, true],
    ['SseCOnlyBucket, TLS 1.3', (s: Stack) => new SseCOnlyBucket(s, 'B', { auditing, minimumTLSVersion: 1.3 }),
      EncryptionMode.SSE_C, UploadHeaderRule.REQUIRED, 1.3, false],
    ['ClientSideEncryptedBucket', (s: Stack) => new ClientSideEncryptedBucket(s, 'B', { auditing }),
      EncryptionMode.SSE_S3, UploadHeaderRule.MATCH_IF_PRESENT, 1.2, false],
  ])('%s says what it enforces', (_name, build, mode, headerRule, tls, hasKey) => {
    const bucket: ISecureBucket = build(newStack());
    expect(SecureBucket.isSecureBucket(bucket)).toBe(true);
    expect(bucket.encryptionMode).toBe(mode);
    expect(bucket.uploadHeaderRule).toBe(headerRule);
    expect(bucket.minimumTlsVersion).toBe(tls);
    // The key uploads must name is s3.IBucket's encryptionKey: the bucket's KMS key, or none.
    if (hasKey) {
      expect(bucket.encryptionKey).toBe((bucket as KmsEncryptedBucket).kmsKey);
    } else {
      expect(bucket.encryptionKey).toBeUndefined();
    }
  });

  test('a KmsEncryptedBucket with a given key names that key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    expect(new KmsEncryptedBucket(stack, 'B', { auditing, encryptionKey: key }).encryptionKey).toBe(key);
  });

  test.each([
    ['an s3.Bucket', (s: Stack) => new s3.Bucket(s, 'B')],
    ['an s3.Bucket with an encryptionMode field', (s: Stack) => Object.assign(new s3.Bucket(s, 'B'), { encryptionMode: EncryptionMode.SSE_S3 })],
    ['an imported bucket', (s: Stack) => s3.Bucket.fromBucketName(s, 'B', 'imported')],
    ['a plain object with the fields', () => ({ encryptionMode: 'AES256', uploadHeaderRule: 'REQUIRED', minimumTlsVersion: 1.2 })],
    ['null', () => null],
    ['a string', () => 'EncryptedBucket'],
  ])('%s is not an ISecureBucket', (_what, build) => {
    expect(SecureBucket.isSecureBucket(build(newStack()))).toBe(false);
  });

  test('a bucket of another copy of this library is recognised (the mark is a global symbol)', () => {
    const foreign = Object.defineProperty({}, Symbol.for('cdk-s3-encryption.SecureBucket'), { value: true });
    expect(SecureBucket.isSecureBucket(foreign)).toBe(true);
  });
});
