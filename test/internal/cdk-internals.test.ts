import { App, CfnCondition, CfnParameter, Fn, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CdkInternal, cfnProperties, generateStackName, rawOverrides, renderProperties, toCloudFormation,
} from '../../src/internal/cdk-internals';

// The canary for the aws-cdk-lib members outside its public API that the library uses (src/internal/cdk-internals.ts).
// Each test runs one accessor against the installed aws-cdk-lib and checks that it still means what the library
// relies on; when aws-cdk-lib renames or removes the member, the accessor's error names it.

function bucketStack() {
  const stack = new Stack(new App(), 'Canary');
  const bucket = new s3.CfnBucket(stack, 'Bucket', { bucketName: 'canary-bucket', versioningConfiguration: { status: 'Enabled' } });
  return { stack, bucket };
}

describe('aws-cdk-lib internals the library uses', () => {
  test(`${CdkInternal.TO_CLOUDFORMATION}: a resource's fragment, and a parameter's and a condition's`, () => {
    const { stack, bucket } = bucketStack();
    const id = stack.resolve(bucket.logicalId);
    expect(stack.resolve(toCloudFormation(bucket))).toEqual({
      Resources: { [id]: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'canary-bucket', VersioningConfiguration: { Status: 'Enabled' } } } },
    });
    const parameter = new CfnParameter(stack, 'Tier', { default: 'gold', allowedValues: ['gold', 'silver'] });
    expect(stack.resolve(toCloudFormation(parameter))).toEqual({
      Parameters: { Tier: { Type: 'String', Default: 'gold', AllowedValues: ['gold', 'silver'] } },
    });
    const condition = new CfnCondition(stack, 'IsGold', { expression: Fn.conditionEquals(parameter.valueAsString, 'gold') });
    expect(stack.resolve(toCloudFormation(condition))).toEqual({
      Conditions: { IsGold: { 'Fn::Equals': [{ Ref: 'Tier' }, 'gold'] } },
    });
  });

  test(`${CdkInternal.RAW_OVERRIDES}: empty, then what addPropertyOverride added`, () => {
    const { bucket } = bucketStack();
    expect(Object.keys(rawOverrides(bucket))).toEqual([]);
    bucket.addPropertyOverride('BucketName', 'overridden');
    expect(rawOverrides(bucket)).toEqual({ Properties: { BucketName: 'overridden' } });
  });

  test(`${CdkInternal.CFN_PROPERTIES}: the L1 properties by their camelCase names`, () => {
    const { bucket } = bucketStack();
    const properties = cfnProperties(bucket);
    expect(properties.bucketName).toBe('canary-bucket');
    expect(properties.versioningConfiguration).toEqual({ status: 'Enabled' });
    bucket.bucketName = 'changed';
    expect(cfnProperties(bucket).bucketName).toBe('changed');
  });

  test(`${CdkInternal.RENDER_PROPERTIES}: CloudFormation names and structures`, () => {
    const { bucket } = bucketStack();
    expect(renderProperties(bucket, { bucketName: 'x', bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] } }))
      .toEqual({ BucketName: 'x', BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } });
  });

  test(`${CdkInternal.GENERATE_STACK_NAME}: the name a stack gets when none is passed`, () => {
    const app = new App();
    expect(generateStackName(new Stack(app, 'Data'))).toBe('Data');
    const named = new Stack(app, 'Named', { stackName: 'custom-name' });
    expect(named.stackName).toBe('custom-name');
    expect(generateStackName(named)).toBe('Named');
    const stage = new Stage(app, 'Prod');
    const inStage = new Stack(stage, 'Data');
    expect(generateStackName(inStage)).toBe(inStage.stackName);
    expect(inStage.stackName).toBe('Prod-Data');
  });

  test.each([
    ['toCloudFormation', CdkInternal.TO_CLOUDFORMATION, () => toCloudFormation(Object.create(null))],
    ['rawOverrides', CdkInternal.RAW_OVERRIDES, () => rawOverrides(Object.create(null))],
    ['cfnProperties', CdkInternal.CFN_PROPERTIES, () => cfnProperties(Object.create(null))],
    ['renderProperties', CdkInternal.RENDER_PROPERTIES, () => renderProperties(Object.create(null), {})],
    ['generateStackName', CdkInternal.GENERATE_STACK_NAME, () => generateStackName(Object.create(null))],
  ])('%s names the member when it is missing', (_accessor, internal, act) => {
    expect(act).toThrow('aws-cdk-lib 2.');
    expect(act).toThrow(internal);
  });
});
