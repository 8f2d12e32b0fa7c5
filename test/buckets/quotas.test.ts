import { App, CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BucketAuditing, EncryptedBucket, EncryptionComplianceRules, EncryptionMode, KmsEncryptedBucket } from '../../src';
import {
  documentSize, MAX_BUCKET_POLICY_BYTES, MAX_KEY_POLICY_BYTES, MAX_STACK_OUTPUTS, MAX_STACK_RESOURCES,
} from '../../src/buckets/quotas';
import { TEST_ENV } from '../harness/cfn-resolve';
import { refusalOf } from '../harness/refusal';

// Each quota at the limit (synthesizes) and one past it (a ValidationError that names the quota and its source).

const env = { account: TEST_ENV.account, region: TEST_ENV.region };
const unaudited = BucketAuditing.none('Quota tests: no trail, so the stack holds only what is counted');
const newStack = () => new Stack(new App(), 'Test', { env });

/** A statement whose Sid pads the document by exactly `bytes` bytes more than a Sid of one character. */
function padding(bytes: number): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: `P${'a'.repeat(bytes)}`,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:DeleteBucket'],
    resources: ['*'],
  });
}

/**
 * Add the padding statement that brings a document to exactly `target` bytes, given the size of the same document
 * with `padding(0)` added (`withMinimalPadding`, measured on a twin).
 */
function padTo(target: number, withMinimalPadding: number, add: (s: iam.PolicyStatement) => void, size: () => number): void {
  add(padding(target - withMinimalPadding));
  expect(size()).toBe(target);
}

describe('bucket policy: 20 KB', () => {
  function bucketWithPolicyOf(bytes: number) {
    const sizeOf = (b: EncryptedBucket) => documentSize(b, b.policy!.document);
    const probeStack = newStack();
    const probe = new EncryptedBucket(probeStack, 'Data', { auditing: unaudited });
    probe.addToResourcePolicy(padding(0));
    const stack = newStack();
    const bucket = new EncryptedBucket(stack, 'Data', { auditing: unaudited });
    padTo(bytes, sizeOf(probe), (s) => bucket.addToResourcePolicy(s), () => sizeOf(bucket));
    return stack;
  }

  test(`${MAX_BUCKET_POLICY_BYTES} bytes synthesize`, () => {
    expect(() => Template.fromStack(bucketWithPolicyOf(MAX_BUCKET_POLICY_BYTES))).not.toThrow();
  });

  test(`${MAX_BUCKET_POLICY_BYTES + 1} bytes are refused, naming the quota and its source`, () => {
    const error = refusalOf(() => Template.fromStack(bucketWithPolicyOf(MAX_BUCKET_POLICY_BYTES + 1)));
    expect(error.message).toMatch(/bucket policy of bucket 'Test\/Data' is 20481 bytes, over the quota of 20480 bytes \(Amazon S3 User Guide/);
  });
});

describe('KMS key policy: 32 KB', () => {
  function keyWithPolicyOf(bytes: number) {
    const keyPolicy = (b: KmsEncryptedBucket) => (b.kmsKey.node.defaultChild as kms.CfnKey).keyPolicy;
    const sizeOf = (b: KmsEncryptedBucket) => documentSize(b, keyPolicy(b));
    const probe = new KmsEncryptedBucket(newStack(), 'Data', { auditing: unaudited });
    probe.kmsKey.addToResourcePolicy(padding(0));
    const stack = newStack();
    const bucket = new KmsEncryptedBucket(stack, 'Data', { auditing: unaudited });
    padTo(bytes, sizeOf(probe), (s) => bucket.kmsKey.addToResourcePolicy(s), () => sizeOf(bucket));
    return stack;
  }

  test(`${MAX_KEY_POLICY_BYTES} bytes synthesize`, () => {
    expect(() => Template.fromStack(keyWithPolicyOf(MAX_KEY_POLICY_BYTES))).not.toThrow();
  });

  test(`${MAX_KEY_POLICY_BYTES + 1} bytes are refused, naming the quota and its source`, () => {
    const error = refusalOf(() => Template.fromStack(keyWithPolicyOf(MAX_KEY_POLICY_BYTES + 1)));
    expect(error.message).toMatch(/key policy of the key of KmsEncryptedBucket 'Data' is 32769 bytes, over the quota of 32768 bytes \(AWS KMS Developer Guide/);
  });
});

describe('CloudFormation: 500 resources and 200 Outputs per stack', () => {
  function stackWith(resources: number, outputs: number) {
    const stack = newStack();
    new EncryptedBucket(stack, 'Data', { auditing: unaudited });
    const present = stack.node.findAll().filter((c) => CfnResource.isCfnResource(c)).length;
    for (let i = 0; i < resources - present; i++) new CfnResource(stack, `Filler${i}`, { type: 'AWS::CloudFormation::WaitConditionHandle' });
    for (let i = 0; i < outputs; i++) new CfnOutput(stack, `Out${i}`, { value: `${i}` });
    return stack;
  }
  const count = (stack: Stack, section: 'Resources' | 'Outputs') => Object.keys(Template.fromStack(stack).toJSON()[section] ?? {}).length;

  test(`${MAX_STACK_RESOURCES} resources and ${MAX_STACK_OUTPUTS} Outputs synthesize`, () => {
    const stack = stackWith(MAX_STACK_RESOURCES, MAX_STACK_OUTPUTS);
    expect(count(stack, 'Resources')).toBe(MAX_STACK_RESOURCES);
    expect(count(stack, 'Outputs')).toBe(MAX_STACK_OUTPUTS);
  });

  test(`${MAX_STACK_RESOURCES + 1} resources are refused, naming the quota and its source`, () => {
    const error = refusalOf(() => Template.fromStack(stackWith(MAX_STACK_RESOURCES + 1, 0)));
    expect(error.message).toMatch(/Stack 'Test' has 501 resources, over CloudFormation's quota of 500 per stack \(AWS CloudFormation User Guide, "CloudFormation quotas"\)/);
  });

  test(`${MAX_STACK_OUTPUTS + 1} Outputs are refused, naming the quota and its source`, () => {
    const error = refusalOf(() => Template.fromStack(stackWith(10, MAX_STACK_OUTPUTS + 1)));
    expect(error.message).toMatch(/Stack 'Test' has 201 Outputs, over CloudFormation's quota of 200 per stack \(AWS CloudFormation User Guide/);
  });
});

describe('AWS Config InputParameters: 1,024 characters', () => {
  // {"kmsKeyArns":"<ARNs, comma-separated>"}: 17 characters plus the list. An ARN in eu-west-1 is 75 characters.
  const arn = (region: string, i: number) => `arn:aws:kms:${region}:111122223333:key/${String(i).padStart(8, '0')}-12ab-34cd-56ef-1234567890ab`;
  const keys = (regions: string[]) => regions.map((region, i) => arn(region, i));
  const rules = (kmsKeyArns: string[]) => () => new EncryptionComplianceRules(newStack(), 'Rules', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns });
  const AT_LIMIT = [...Array(4).fill('ap-southeast-1'), ...Array(9).fill('eu-west-1')]; // 17 + 13 * 75 + 4 * 5 + 12 = 1,024

  test('1,024 characters synthesize', () => {
    const construct = rules(keys(AT_LIMIT))();
    const parameters = Stack.of(construct).resolve((construct.defaultEncryptionKms!.node.defaultChild as any).inputParameters);
    expect(JSON.stringify(parameters)).toHaveLength(1024);
  });

  test('1,025 characters are refused, naming the quota and its source', () => {
    const regions = ['ap-southeast-1', 'ap-southeast-1', 'ap-southeast-1', 'ap-southeast-1', 'eu-north-1', ...Array(8).fill('eu-west-1')];
    expect(JSON.stringify({ kmsKeyArns: keys(regions).join(',') })).toHaveLength(1025);
    expect(refusalOf(rules(keys(regions))).message)
      .toMatch(/InputParameters of s3-default-encryption-kms on EncryptionComplianceRules 'Rules' are 1025 characters.*quota of 1024 characters \(AWS Config API Reference/);
  });

  test('14 key ARNs (the issue\'s 1,080 characters) are refused', () => {
    expect(refusalOf(rules(keys(Array(14).fill('eu-west-1')))).message).toMatch(/are 1080 characters/);
  });
});
