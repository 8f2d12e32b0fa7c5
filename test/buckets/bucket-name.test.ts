import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptionAuditTrail, KmsEncryptedBucket } from '../../src';
import { bucketNameProblem } from '../../src/buckets/bucket-name';
import { TEST_ENV } from '../harness/cfn-resolve';

function namedBuckets(stack: Stack): string[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'))
    .map((b: any) => b.Properties?.BucketName).filter((n) => n !== undefined);
}

const env = { account: TEST_ENV.account, region: TEST_ENV.region };

function bucketNameOf(stack: Stack): string {
  const names = namedBuckets(stack);
  expect(names).toHaveLength(1);
  return names[0];
}

function kmsBucketIn(app: App | Stage, stackId: string, stackName?: string, bucketId = 'Data'): Stack {
  const stack = new Stack(app, stackId, { env, stackName });
  new KmsEncryptedBucket(stack, bucketId);
  return stack;
}

describe('generated bucket names (KmsEncryptedBucket without bucketName)', () => {
  test('are unchanged for stacks with the default stack name (pinned: a changed name replaces the bucket)', () => {
    // The same values as in the snapshots of kms-encrypted-bucket.test.ts and of earlier releases.
    expect(bucketNameOf(kmsBucketIn(new App(), 'Test', undefined, 'Bucket'))).toBe('bucket-b828dcf0-111111111111-eu-west-1');
    expect(bucketNameOf(kmsBucketIn(new App(), 'Test', 'Test', 'Bucket'))).toBe('bucket-b828dcf0-111111111111-eu-west-1');
  });

  test('one app deployed twice under different stack names gets two names', () => {
    const blue = bucketNameOf(kmsBucketIn(new App(), 'Service', 'service-blue'));
    const green = bucketNameOf(kmsBucketIn(new App(), 'Service', 'service-green'));
    const byDefault = bucketNameOf(kmsBucketIn(new App(), 'Service'));
    expect(new Set([blue, green, byDefault]).size).toBe(3);
  });

  test('two stacks of one app with different stack names get two names', () => {
    const app = new App();
    const a = kmsBucketIn(app, 'A', 'data-eu');
    const b = kmsBucketIn(app, 'B', 'data-us');
    expect(bucketNameOf(a)).not.toEqual(bucketNameOf(b));
  });

  test('the same stack in two stages (default stack names) gets two names', () => {
    const app = new App();
    const dev = kmsBucketIn(new Stage(app, 'Dev'), 'Service');
    const prod = kmsBucketIn(new Stage(app, 'Prod'), 'Service');
    expect(bucketNameOf(dev)).not.toEqual(bucketNameOf(prod));
  });

  test.each(['sthree-x', 'amzn-s3-demo-x', 'xn--x', 'Sthree', 'AMZN-S3-DEMO', 'xn', '---', 'A'.repeat(80), 'data.mrap', 'x--ol-s3'])(
    'id %j gives a name S3 accepts', (id) => {
      const name = bucketNameOf(kmsBucketIn(new App(), 'Test', undefined, id));
      expect(bucketNameProblem(name)).toBeUndefined();
    });

  test('reserved-prefix ids give distinct names', () => {
    const app = new App();
    const stack = new Stack(app, 'Test', { env });
    const ids = ['sthree-x', 'amzn-s3-demo-x', 'b-sthree-x', 'Sthree-X'];
    ids.forEach((id) => new KmsEncryptedBucket(stack, id));
    const names = namedBuckets(stack);
    expect(names).toHaveLength(4);
    expect(new Set(names).size).toBe(4);
    for (const name of names) expect(bucketNameProblem(name)).toBeUndefined();
  });
});

describe('generated trail names', () => {
  const trailNameOf = (stack: Stack) => EncryptionAuditTrail.of(stack).trailName;

  test('are unchanged for stacks with the default stack name', () => {
    expect(trailNameOf(new Stack(new App(), 'Test', { env }))).toBe('Test-EncryptionAuditTrail-5C8D62D4');
  });

  test('differ between deployments of one app under different stack names', () => {
    const blue = trailNameOf(new Stack(new App(), 'Service', { env, stackName: 'service-blue' }));
    const green = trailNameOf(new Stack(new App(), 'Service', { env, stackName: 'service-green' }));
    expect(blue).not.toEqual(green);
    expect(blue).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/);
    expect(blue.length).toBeLessThanOrEqual(128);
  });
});

describe('bucketNameProblem', () => {
  test.each(['abc', 'my.data-1', 'a'.repeat(63), '1data', 'xn-data', 'sthree', 'data-s3alias1'])('%j is valid', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });
});
