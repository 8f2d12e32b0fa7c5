import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BucketAuditing, ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, SseCOnlyBucket } from '../src';

/** A bucket construct of the library and its hand-written equivalent in plain aws-cdk-lib. */
export interface BucketKind {
  readonly name: string;
  readonly library: (scope: Construct, id: string) => void;
  readonly baseline: (scope: Construct, id: string) => void;
}

const ENV = { account: '111111111111', region: 'eu-west-1' };

// Like for like: the hand-written baselines have no audit trail, so the library's buckets opt out of theirs here.
// The shared trail is a fixed cost per stack, measured by the 'EncryptedBucket + shared trail' row.
const auditing = BucketAuditing.none('benchmark: compared with hand-written buckets that have no trail');

/** The shared secure defaults, written out as a user of plain aws-cdk-lib would. */
const plainDefaults: s3.BucketProps = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
  blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C],
  lifecycleRules: [{ id: 'AbortIncompleteMultipartUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) }],
};

function denyOn(bucket: s3.Bucket) {
  return (sid: string, actions: string[], resources: string[], conditions: Record<string, any>) =>
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid, effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], actions, resources, conditions,
    }));
}

/** TLS only, TLS 1.2 or later, by hand. */
function handWrittenTransport(bucket: s3.Bucket) {
  const everything = [bucket.bucketArn, bucket.arnForObjects('*')];
  const deny = denyOn(bucket);
  deny('DenyInsecureTransport', ['s3:*'], everything, { Bool: { 'aws:SecureTransport': 'false' } });
  deny('DenyOutdatedTls', ['s3:*'], everything, { NumericLessThan: { 's3:TlsVersion': 1.2 } });
}

/** The same Deny statements the library writes, spelled out by hand (the baseline must not use the library). */
function handWrittenDenies(bucket: s3.Bucket, header: string, keyArn?: string) {
  const deny = denyOn(bucket);
  handWrittenTransport(bucket);
  deny('DenyWrongEncryptionHeader', ['s3:PutObject'], [bucket.arnForObjects('*')],
    { StringNotEquals: { 's3:x-amz-server-side-encryption': header } });
  if (keyArn) {
    deny('DenyWrongKmsKey', ['s3:PutObject'], [bucket.arnForObjects('*')],
      { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } });
  }
}

/** A KMS key confined to S3 and one bucket, and the bucket, by hand: a fixed name breaks the cycle. */
function kmsBaseline(scope: Construct, id: string, dualLayer: boolean) {
  const stack = Stack.of(scope);
  const bucketName = `${id.toLowerCase()}-${stack.account}-${stack.region}`;
  const bucketArn = `arn:${stack.partition}:s3:::${bucketName}`;
  const key = new kms.Key(scope, `${id}Key`, { enableKeyRotation: true, pendingWindow: Duration.days(30), removalPolicy: RemovalPolicy.RETAIN });
  const crypto = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyUseOutsideS3',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: crypto,
    resources: ['*'],
    conditions: { StringNotEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
  }));
  key.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'DenyUseForOtherBuckets',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: crypto,
    resources: ['*'],
    conditions: { StringNotLike: { 'kms:EncryptionContext:aws:s3:arn': [bucketArn, `${bucketArn}/*`] } },
  }));
  const bucket = new s3.Bucket(scope, id, {
    ...plainDefaults,
    bucketName,
    encryptionKey: key,
    encryption: dualLayer ? s3.BucketEncryption.DSSE : s3.BucketEncryption.KMS,
    bucketKeyEnabled: dualLayer ? undefined : true,
  });
  handWrittenDenies(bucket, dualLayer ? 'aws:kms:dsse' : 'aws:kms', key.keyArn);
}

export const KINDS: BucketKind[] = [
  {
    name: 'EncryptedBucket',
    library: (scope, id) => new EncryptedBucket(scope, id, { auditing }),
    baseline: (scope, id) => handWrittenDenies(
      new s3.Bucket(scope, id, { ...plainDefaults, encryption: s3.BucketEncryption.S3_MANAGED }), 'AES256'),
  },
  {
    name: 'EncryptedBucket + shared trail',
    library: (scope, id) => new EncryptedBucket(scope, id),
    baseline: (scope, id) => handWrittenDenies(
      new s3.Bucket(scope, id, { ...plainDefaults, encryption: s3.BucketEncryption.S3_MANAGED }), 'AES256'),
  },
  {
    name: 'KmsEncryptedBucket',
    library: (scope, id) => new KmsEncryptedBucket(scope, id, { auditing }),
    baseline: (scope, id) => kmsBaseline(scope, id, false),
  },
  {
    name: 'KmsEncryptedBucket (DSSE)',
    library: (scope, id) => new KmsEncryptedBucket(scope, id, { dualLayer: true, auditing }),
    baseline: (scope, id) => kmsBaseline(scope, id, true),
  },
  {
    name: 'SseCOnlyBucket',
    library: (scope, id) => new SseCOnlyBucket(scope, id, { auditing }),
    baseline: (scope, id) => {
      const bucket = new s3.Bucket(scope, id, {
        ...plainDefaults, encryption: s3.BucketEncryption.S3_MANAGED, blockedEncryptionTypes: [s3.BlockedEncryptionType.NONE],
      });
      const objects = [bucket.arnForObjects('*')];
      handWrittenTransport(bucket);
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyMissingSseC',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: objects,
        conditions: { StringNotEquals: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' } },
      }));
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyServerManagedEncryption',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: objects,
        conditions: { Null: { 's3:x-amz-server-side-encryption': 'false' } },
      }));
    },
  },
  {
    name: 'ClientSideEncryptedBucket',
    library: (scope, id) => new ClientSideEncryptedBucket(scope, id, { auditing }),
    baseline: (scope, id) => {
      const bucket = new s3.Bucket(scope, id, { ...plainDefaults, encryption: s3.BucketEncryption.S3_MANAGED });
      const key = new kms.Key(bucket, 'EnvelopeKey', { enableKeyRotation: true, pendingWindow: Duration.days(30), removalPolicy: RemovalPolicy.RETAIN });
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyUseOutsideAuthenticatedEnvelopes',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        resources: ['*'],
        conditions: { StringNotEquals: { 'kms:EncryptionContext:aws:x-amz-cek-alg': 'AES/GCM/NoPadding' } },
      }));
      handWrittenTransport(bucket);
      bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'DenyWrongEncryptionHeader',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects('*')],
        conditions: { Null: { 's3:x-amz-server-side-encryption': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } },
      }));
    },
  },
];

/** CloudFormation's limit of resources per stack. */
export const MAX_RESOURCES_PER_STACK = 500;

/** Resources one bucket of a kind adds to a stack, and template bytes per bucket, measured on a stack of one. */
export function footprint(make: (scope: Construct, id: string) => void): { resources: number; bytes: number; fixed: number } {
  const count = (n: number) => {
    const app = new App();
    const stack = new Stack(app, 'Probe', { env: ENV });
    for (let i = 0; i < n; i++) make(stack, `Bucket${i}`);
    const template = app.synth().getStackByName('Probe').template;
    return { resources: Object.keys(template.Resources).length, bytes: JSON.stringify(template).length };
  };
  const one = count(1);
  const two = count(2);
  const resources = two.resources - one.resources;
  return { resources, bytes: two.bytes - one.bytes, fixed: one.resources - resources };
}

/** An app of `count` buckets spread over as few stacks as CloudFormation's resource limit allows. */
export function fleet(make: (scope: Construct, id: string) => void, count: number, perStack: number): App {
  const app = new App();
  let stack: Stack | undefined;
  for (let i = 0; i < count; i++) {
    if (i % perStack === 0) stack = new Stack(app, `Fleet${i / perStack}`, { env: ENV });
    make(stack!, `Bucket${i}`);
  }
  return app;
}
