import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketAuditing, EncryptedBucket, EncryptionAuditTrail, KmsEncryptedBucket } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { refusalOf } from '../harness/refusal';

const env = { account: TEST_ENV.account, region: TEST_ENV.region };

function trailSelectors(stack: Stack, trail: EncryptionAuditTrail): any[] {
  return Template.fromStack(stack).toJSON().Resources[stack.resolve(trail.cfnTrail.logicalId)].Properties.AdvancedEventSelectors;
}

function objectSelector(selectors: any[], readOnly?: string): any[] {
  const selector = selectors.find((s) => s.FieldSelectors.some((f: any) => f.Field === 'resources.ARN')
    && (readOnly === undefined
      ? !s.FieldSelectors.some((f: any) => f.Field === 'readOnly')
      : s.FieldSelectors.some((f: any) => f.Field === 'readOnly' && f.Equals[0] === readOnly)));
  return selector.FieldSelectors.find((f: any) => f.Field === 'resources.ARN').StartsWith;
}

/** Follow `Fn::Select [i, Fn::Split [',', Fn::ImportValue name]]` into the exporting stack's Output. */
function exportedEntry(value: any, outputs: Record<string, any>): any {
  const [index, split] = value['Fn::Select'];
  const exportName = split['Fn::Split'][1]['Fn::ImportValue'];
  const output = Object.values(outputs).find((o: any) => o.Export?.Name === exportName) as any;
  expect(split['Fn::Split'][0]).toBe(',');
  expect(output.Value['Fn::Join'][0]).toBe(',');
  return output.Value['Fn::Join'][1][index];
}

describe('registering buckets with a trail of another stack', () => {
  test('201 buckets of one stack make one Output, not one per bucket, and every bucket is recorded', () => {
    const app = new App();
    const auditStack = new Stack(app, 'Audit', { env });
    const dataStack = new Stack(app, 'Data', { env });
    const trail = new EncryptionAuditTrail(auditStack, 'Central');
    const buckets = Array.from({ length: 201 }, (_, i) => new EncryptedBucket(dataStack, `B${i}`, { auditing: BucketAuditing.trail(trail) }));

    const data = Template.fromStack(dataStack).toJSON();
    expect(Object.keys(data.Outputs)).toHaveLength(1);
    const values = objectSelector(trailSelectors(auditStack, trail));
    expect(values).toHaveLength(201);
    // Each value picks, out of the one exported list, the ARN of a distinct bucket of the data stack.
    const picked = values.map((v) => exportedEntry(v, data.Outputs));
    const expected = buckets.map((b) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [dataStack.resolve((b.node.defaultChild as s3.CfnBucket).logicalId), 'Arn'] }, '/']] }));
    expect(picked).toEqual(expected);
    expect(auditStack.dependencies).toContain(dataStack);
    Template.fromStack(dataStack).resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  test('a trail audits its full 500 selector values from buckets of two other stacks', () => {
    const app = new App();
    const auditStack = new Stack(app, 'Audit', { env });
    const trail = new EncryptionAuditTrail(auditStack, 'Central');
    // 1 (management) + 2 (eventCategory, resources.type) + 497 buckets = 500.
    for (const [name, count] of [['DataA', 250], ['DataB', 247]] as const) {
      const stack = new Stack(app, name, { env });
      for (let i = 0; i < count; i++) trail.addBucket(new s3.Bucket(stack, `B${i}`));
    }
    expect(objectSelector(trailSelectors(auditStack, trail))).toHaveLength(497);
    for (const name of ['DataA', 'DataB']) {
      expect(Object.keys(Template.fromStack(app.node.findChild(name) as Stack).toJSON().Outputs)).toHaveLength(1);
    }
  });

  test('one more bucket is the selector quota error, not a CloudFormation failure', () => {
    const app = new App();
    const auditStack = new Stack(app, 'Audit', { env });
    const trail = new EncryptionAuditTrail(auditStack, 'Central');
    const stack = new Stack(app, 'Data', { env });
    for (let i = 0; i < 498; i++) trail.addBucket(new s3.Bucket(stack, `B${i}`));
    expect(refusalOf(() => Template.fromStack(auditStack)).message).toMatch(/needs 501 condition values/);
  });

  test('buckets whose names are known at synthesis (KmsEncryptedBucket, imported) need no export at all', () => {
    const app = new App();
    const auditStack = new Stack(app, 'Audit', { env });
    const dataStack = new Stack(app, 'Data', { env });
    const trail = new EncryptionAuditTrail(auditStack, 'Central');
    new KmsEncryptedBucket(dataStack, 'Ledger', { auditing: BucketAuditing.trail(trail) });
    trail.addBucket(s3.Bucket.fromBucketName(dataStack, 'Imported', 'imported-bucket'));
    expect(Template.fromStack(dataStack).toJSON().Outputs).toBeUndefined();
    const partitionAware = (rest: unknown) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, rest]] });
    expect(objectSelector(trailSelectors(auditStack, trail))).toEqual([
      partitionAware(expect.stringMatching(/^:s3:::ledger-[0-9a-f]{8}-111111111111-eu-west-1\/$/)),
      partitionAware(':s3:::imported-bucket/'),
    ]);
  });

  test('registering one bucket twice across stacks widens it, as in one stack', () => {
    const app = new App();
    const auditStack = new Stack(app, 'Audit', { env });
    const dataStack = new Stack(app, 'Data', { env });
    const trail = new EncryptionAuditTrail(auditStack, 'Central');
    const bucket = new s3.Bucket(dataStack, 'B');
    trail.addBucket(bucket, { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
    trail.addBucket(bucket, { readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY });
    const selectors = trailSelectors(auditStack, trail);
    expect(objectSelector(selectors)).toHaveLength(1);
    expect(selectors).toHaveLength(2);
  });

  test.each([
    ['another Region', { account: env.account, region: 'us-east-1' }, /Region us-east-1.*Region eu-west-1/],
    ['another account', { account: '222222222222', region: env.region }, /account 222222222222.*account 111111111111/],
  ])('a bucket in %s is a ValidationError naming the bucket and the trail', (_what, bucketEnv, envs) => {
    const app = new App();
    const auditStack = new Stack(app, 'Audit', { env });
    const dataStack = new Stack(app, 'Data', { env: bucketEnv });
    const trail = new EncryptionAuditTrail(auditStack, 'Central');
    const viaConstruct = refusalOf(() => new EncryptedBucket(dataStack, 'Reports', { auditing: BucketAuditing.trail(trail) }));
    expect(viaConstruct.message).toMatch(/Bucket 'Data\/Reports'.*EncryptionAuditTrail 'Audit\/Central'/);
    expect(viaConstruct.message).toMatch(envs);
    const viaAddBucket = refusalOf(() => trail.addBucket(s3.Bucket.fromBucketName(dataStack, 'Imported', 'imported-bucket')));
    expect(viaAddBucket.message).toMatch(/Bucket 'Data\/Imported'.*EncryptionAuditTrail 'Audit\/Central'/);
  });
});
