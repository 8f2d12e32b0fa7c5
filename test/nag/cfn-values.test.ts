import { App, CfnOutput, CfnResource, Fn, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket, KmsEncryptedBucket, SseCOnlyBucket } from '../../src';
import { AppModel } from '../../src/nag/app-model';
import { modelInputOf } from '../../src/nag/cdk-input';
import { isConcrete, partitionOf, PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, resolveValue, ValueHost, ValueScope } from '../../src/nag/cfn-values';

const scope: ValueScope = { account: '111111111111', region: 'eu-west-1', partition: 'aws', stackName: 'Data' };

/** A host with one bucket `Bucket` (named `data-bucket`) and one export. */
const host: ValueHost = {
  ref: (_s, logicalId) => (logicalId === 'Bucket' ? 'data-bucket' : undefined),
  getAtt: (_s, logicalId, attribute) => (logicalId === 'Bucket' && attribute === 'Arn' ? 'arn:aws:s3:::data-bucket' : undefined),
  importValue: (name) => (name === 'Data:BucketArn' ? 'arn:aws:s3:::data-bucket' : undefined),
};

const resolve = (value: unknown) => resolveValue(value, scope, host);

describe('resolveValue', () => {
  test.each([
    [{ Ref: 'AWS::AccountId' }, '111111111111'],
    [{ Ref: 'AWS::Partition' }, 'aws'],
    [{ Ref: 'AWS::URLSuffix' }, 'amazonaws.com'],
    [{ Ref: 'AWS::StackName' }, 'Data'],
    [{ Ref: 'Bucket' }, 'data-bucket'],
    [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, 'arn:aws:s3:::data-bucket'],
    [{ 'Fn::GetAtt': 'Bucket.Arn' }, 'arn:aws:s3:::data-bucket'],
    [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/*']] }, 'arn:aws:s3:::data-bucket/*'],
    [{ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' }, 'arn:aws:s3:::data-bucket/*'],
    [{ 'Fn::Sub': '${Bucket.Arn}/logs/${!Literal}' }, 'arn:aws:s3:::data-bucket/logs/${Literal}'],
    [{ 'Fn::Sub': ['${Name}-${AWS::Region}', { Name: { Ref: 'Bucket' } }] }, 'data-bucket-eu-west-1'],
    [{ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] }, 'b'],
    [{ 'Fn::ImportValue': 'Data:BucketArn' }, 'arn:aws:s3:::data-bucket'],
    [{ 'Fn::ImportValue': { 'Fn::Join': [':', ['Data', 'BucketArn']] } }, 'arn:aws:s3:::data-bucket'],
    [['a', { Ref: 'AWS::NoValue' }, 'b'], ['a', 'b']],
    [{ Key: { Ref: 'AWS::NoValue' }, Other: 1 }, { Other: 1 }],
  ])('%j resolves to %j', (value, expected) => {
    expect(resolve(value)).toEqual(expected);
  });

  test.each([
    [{ Ref: 'Unknown' }],
    [{ 'Fn::If': ['IsProd', 'a', 'b'] }],
    [{ 'Fn::ImportValue': 'Nobody:Exports' }],
    [{ 'Fn::FindInMap': ['Map', 'Key', 'Value'] }],
  ])('%j is left as an intrinsic', (value) => {
    expect(isConcrete(resolve(value))).toBe(false);
  });

  test('a join with an unresolved part stays a join of what resolved', () => {
    expect(resolve({ 'Fn::Join': ['', [{ Ref: 'Bucket' }, { Ref: 'Unknown' }]] })).toEqual({ 'Fn::Join': ['', ['data-bucket', { Ref: 'Unknown' }]] });
  });

  test('partitions follow the Region', () => {
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-west-1')).toBe('aws');
  });
});

describe('the app model', () => {
  test('names buckets: BucketName when set (tokens resolved), else a placeholder per stack and logical ID', () => {
    const app = new App();
    const agnostic = new Stack(app, 'Agnostic');
    const named = new s3.CfnBucket(agnostic, 'Named', { bucketName: Fn.join('-', ['data', agnostic.account, agnostic.region]) });
    const unnamed = new s3.CfnBucket(agnostic, 'Unnamed');
    const model = AppModel.build(modelInputOf(app));
    expect(model.bucket(named)!.name).toBe(`data-${PLACEHOLDER_ACCOUNT}-${PLACEHOLDER_REGION}`);
    expect(model.bucket(unnamed)!.name).toBe('agnostic-unnamed');
    expect(model.bucket(unnamed)!.arn).toBe('arn:aws:s3:::agnostic-unnamed');
  });

  test('finds a bucket\'s policies by name, Ref and export of another stack', () => {
    const app = new App();
    const data = new Stack(app, 'Data');
    const other = new Stack(app, 'Other');
    const bucket = new s3.CfnBucket(data, 'Bucket');
    new CfnOutput(data, 'Out', { value: bucket.ref, exportName: 'data-bucket-name' });
    new s3.CfnBucketPolicy(data, 'ByRef', { bucket: bucket.ref, policyDocument: { Statement: [] } });
    new s3.CfnBucketPolicy(other, 'ByExport', { bucket: Fn.importValue('data-bucket-name'), policyDocument: { Statement: [] } });
    new s3.CfnBucketPolicy(other, 'ByName', { bucket: 'somebody-elses-bucket', policyDocument: { Statement: [] } });
    const model = AppModel.build(modelInputOf(app));
    expect(model.bucket(bucket)!.policies.map((p) => p.record.path)).toEqual(['Data/ByRef', 'Other/ByExport']);
  });
});

test('the properties the rules read are rendered as the full template renders them', () => {
  const app = new App({ context: { '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true } });
  const stack = new Stack(app, 'Rendered');
  const logs = new EncryptedBucket(stack, 'Logs');
  new KmsEncryptedBucket(stack, 'Kms', { serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'kms/' });
  new KmsEncryptedBucket(stack, 'Dsse', { dualLayer: true, bucketName: Fn.join('-', ['dsse', stack.account]) });
  new SseCOnlyBucket(stack, 'SseC');
  const fast = AppModel.build(modelInputOf(app));
  const resources = app.node.findAll().filter(CfnResource.isCfnResource);
  // Any override makes the model render the whole resource, as the template does.
  for (const r of resources) r.addOverride('Metadata.FullRender', true);
  const full = AppModel.build(modelInputOf(app));
  const read: Record<string, string[]> = {
    'AWS::S3::Bucket': ['BucketName', 'BucketEncryption', 'LoggingConfiguration'],
    'AWS::S3::BucketPolicy': ['Bucket', 'PolicyDocument'],
    'AWS::KMS::Key': ['KeyPolicy', 'EnableKeyRotation', 'KeySpec'],
  };
  let compared = 0;
  for (const r of resources) {
    const keys = read[r.cfnResourceType];
    if (!keys) continue;
    const pick = (model: AppModel) => {
      const props = r instanceof kms.CfnKey ? model.key(r)!.properties
        : r instanceof s3.CfnBucket ? model.bucket(r)!.properties
          : model.propertiesOf(model.record(r)!);
      return Object.fromEntries(keys.map((k) => [k, props[k]]));
    };
    expect(pick(fast)).toEqual(pick(full));
    compared++;
  }
  expect(compared).toBeGreaterThanOrEqual(10);
});
