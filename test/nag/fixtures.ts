import { App, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, UploadHeaderRule } from '../../src';
import { EncryptionAuditTrail } from '../../src/audit/encryption-audit-trail';
import { SseCOnlyBucket } from '../../src/buckets/sse-c-only-bucket';
import { S3EncryptionChecksProps } from '../../src/nag/s3-encryption-checks';
import { TEST_ENV } from '../harness/cfn-resolve';

/** The L1 resources of a compliant template that mutations edit. */
export interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly bucket: s3.CfnBucket;
  readonly policy: s3.CfnBucketPolicy;
  readonly key?: kms.CfnKey;
  readonly trail?: cloudtrail.CfnTrail;
  readonly logBucket?: s3.CfnBucket;
  readonly logBucketPolicy?: s3.CfnBucketPolicy;
  readonly trailKey?: kms.CfnKey;
}

/** A compliant template of one construct of the library, and the standard it complies with. */
export interface Fixture {
  readonly name: string;
  readonly props: S3EncryptionChecksProps;
  build(): Built;
}

function l1(bucket: s3.Bucket) {
  return {
    bucket: bucket.node.defaultChild as s3.CfnBucket,
    policy: bucket.policy!.node.defaultChild as s3.CfnBucketPolicy,
  };
}

function stackIn(app: App, id = 'Checked', env = TEST_ENV): Stack {
  return new Stack(app, id, { env });
}

export const FIXTURES: Record<string, Fixture> = {
  sseS3: {
    name: 'EncryptedBucket (REQUIRED)',
    props: {},
    build() {
      const app = new App();
      const stack = stackIn(app);
      return { app, stack, ...l1(new EncryptedBucket(stack, 'Bucket')) };
    },
  },
  sseS3MatchIfPresent: {
    name: 'EncryptedBucket (MATCH_IF_PRESENT)',
    props: { requireUploadHeader: false },
    build() {
      const app = new App();
      const stack = stackIn(app);
      return { app, stack, ...l1(new EncryptedBucket(stack, 'Bucket', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT })) };
    },
  },
  sseKms: {
    name: 'KmsEncryptedBucket (SSE-KMS)',
    props: { },
    build() {
      const app = new App();
      const stack = stackIn(app);
      const bucket = new KmsEncryptedBucket(stack, 'Bucket');
      return { app, stack, ...l1(bucket), key: bucket.kmsKey.node.defaultChild as kms.CfnKey };
    },
  },
  sseKmsMatchIfPresent: {
    name: 'KmsEncryptedBucket (SSE-KMS, MATCH_IF_PRESENT)',
    props: { requireUploadHeader: false },
    build() {
      const app = new App();
      const stack = stackIn(app);
      const bucket = new KmsEncryptedBucket(stack, 'Bucket', { uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT });
      return { app, stack, ...l1(bucket), key: bucket.kmsKey.node.defaultChild as kms.CfnKey };
    },
  },
  dsseKms: {
    name: 'KmsEncryptedBucket (DSSE-KMS)',
    props: { },
    build() {
      const app = new App();
      const stack = stackIn(app);
      const bucket = new KmsEncryptedBucket(stack, 'Bucket', { dualLayer: true });
      return { app, stack, ...l1(bucket), key: bucket.kmsKey.node.defaultChild as kms.CfnKey };
    },
  },
  sseC: {
    name: 'SseCOnlyBucket',
    props: { allowSseC: true },
    build() {
      const app = new App();
      const stack = stackIn(app);
      return { app, stack, ...l1(new SseCOnlyBucket(stack, 'Bucket')) };
    },
  },
  clientSide: {
    name: 'ClientSideEncryptedBucket (MATCH_IF_PRESENT, its default)',
    props: { requireUploadHeader: false },
    build() {
      const app = new App();
      const stack = stackIn(app);
      const bucket = new ClientSideEncryptedBucket(stack, 'Bucket');
      return { app, stack, ...l1(bucket), key: bucket.envelopeKey.node.defaultChild as kms.CfnKey };
    },
  },
  auditTrail: {
    name: 'EncryptionAuditTrail recording an EncryptedBucket',
    props: { requireAuditTrail: true },
    build() {
      const app = new App();
      const stack = stackIn(app);
      const bucket = new EncryptedBucket(stack, 'Bucket');
      const trail = EncryptionAuditTrail.of(stack);
      trail.addBucket(bucket);
      const logBucket = trail.logBucket as s3.Bucket;
      return {
        app,
        stack,
        ...l1(bucket),
        trail: trail.cfnTrail,
        logBucket: logBucket.node.defaultChild as s3.CfnBucket,
        logBucketPolicy: logBucket.policy!.node.defaultChild as s3.CfnBucketPolicy,
        trailKey: trail.encryptionKey.node.defaultChild as kms.CfnKey,
      };
    },
  },
  crossStackL1: {
    name: 'L1 bucket with its policy in another stack (synthesized: Fn::ImportValue)',
    props: {},
    build() {
      const app = new App();
      const data = stackIn(app, 'Data');
      const policies = stackIn(app, 'Policies');
      const bucket = new s3.CfnBucket(data, 'Bucket', {
        bucketEncryption: {
          serverSideEncryptionConfiguration: [{
            serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' },
            blockedEncryptionTypes: { encryptionType: ['SSE-C'] },
          }],
        },
      });
      const objects = `${bucket.attrArn}/*`;
      const policy = new s3.CfnBucketPolicy(policies, 'BucketPolicy', {
        bucket: bucket.ref,
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Sid: 'DenyHttpOnBucket', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: bucket.attrArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
            { Sid: 'DenyHttpOnObjects', Effect: 'Deny', Principal: '*', Action: ['s3:*Object*', 's3:*MultipartUpload*', 's3:Replicate*', 's3:BypassGovernanceRetention'], Resource: objects, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
            { Sid: 'DenyOldTls', Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [bucket.attrArn, objects], Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } },
            { Sid: 'DenyOtherEncryption', Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: objects, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } },
          ],
        },
      });
      app.synth();
      return { app, stack: policies, bucket, policy };
    },
  },
};
