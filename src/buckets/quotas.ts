import { CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { validationError } from '../errors';

// AWS quotas that synthesis can know, checked where the resource is made. Each refusal names the quota and where
// AWS documents it. Sizes are measured on the synthesized JSON, compact, as CloudFormation passes it on; where a
// value is an intrinsic function (an ARN from Fn::GetAtt, say) the deployed text differs from the template text, so
// a document within a few bytes of a limit may still be refused at deployment.

/** Bucket policy size (S3: "Bucket policies are limited to 20 KB in size"). */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;
const BUCKET_POLICY_SOURCE = 'Amazon S3 User Guide, "Bucket policies": bucket policies are limited to 20 KB';

/** Key policy document size (KMS resource quotas). */
export const MAX_KEY_POLICY_BYTES = 32 * 1024;
const KEY_POLICY_SOURCE = 'AWS KMS Developer Guide, "Resource quotas": key policy document size, 32 KB (32,768 bytes)';

/** Resources per CloudFormation stack. */
export const MAX_STACK_RESOURCES = 500;
/** Outputs per CloudFormation stack. */
export const MAX_STACK_OUTPUTS = 200;
const STACK_QUOTA_SOURCE = 'AWS CloudFormation User Guide, "CloudFormation quotas"';

/** Size in bytes of a resolved policy document as compact JSON. */
export function documentSize(scope: IConstruct, document: unknown): number {
  return Buffer.byteLength(JSON.stringify(Stack.of(scope).resolve(document) ?? {}), 'utf8');
}

/** At synthesis, refuse a bucket policy over S3's 20 KB quota. */
export function checkBucketPolicySize(bucket: s3.Bucket, where: string): void {
  bucket.node.addValidation({
    validate: () => {
      if (bucket.policy === undefined) return [];
      const size = documentSize(bucket, bucket.policy.document);
      if (size > MAX_BUCKET_POLICY_BYTES) {
        throw validationError(bucket, 'BucketPolicyTooLarge',
          `The bucket policy of ${where} is ${size} bytes, over the quota of ${MAX_BUCKET_POLICY_BYTES} bytes (${BUCKET_POLICY_SOURCE}). ` +
          'Grant through IAM identity policies (grants on roles) instead of the bucket policy, or combine statements.');
      }
      return [];
    },
  });
}

/** At synthesis, refuse a key policy over KMS's 32 KB quota. */
export function checkKeyPolicySize(key: kms.IKey, where: string): void {
  const cfnKey = key.node.defaultChild;
  if (!(cfnKey instanceof kms.CfnKey)) return;
  key.node.addValidation({
    validate: () => {
      const size = documentSize(cfnKey, cfnKey.keyPolicy);
      if (size > MAX_KEY_POLICY_BYTES) {
        throw validationError(key, 'KeyPolicyTooLarge',
          `The key policy of ${where} is ${size} bytes, over the quota of ${MAX_KEY_POLICY_BYTES} bytes (${KEY_POLICY_SOURCE}). ` +
          'Grant the key through IAM identity policies instead of the key policy, or combine statements.');
      }
      return [];
    },
  });
}

const STACK_QUOTAS_CHECKED = Symbol.for('cdk-s3-encryption.StackQuotasChecked');

/**
 * At synthesis, refuse a stack of more resources or Outputs than CloudFormation accepts. Registered once per stack by
 * every construct of this library; it counts everything in the stack (including the exports CDK adds for
 * cross-stack references), since CloudFormation does.
 */
export function checkStackQuotas(scope: IConstruct): void {
  const stack = Stack.of(scope);
  if ((stack as unknown as Record<symbol, unknown>)[STACK_QUOTAS_CHECKED]) return;
  Object.defineProperty(stack, STACK_QUOTAS_CHECKED, { value: true });
  stack.node.addValidation({
    validate: () => {
      const inStack = stack.node.findAll().filter((c) => Stack.of(c) === stack);
      const resources = inStack.filter((c) => CfnResource.isCfnResource(c)).length;
      const outputs = inStack.filter((c) => c instanceof CfnOutput).length;
      if (resources > MAX_STACK_RESOURCES) {
        throw validationError(stack, 'TooManyResourcesInStack',
          `Stack '${stack.node.path}' has ${resources} resources, over CloudFormation's quota of ${MAX_STACK_RESOURCES} per ` +
          `stack (${STACK_QUOTA_SOURCE}). Move some buckets (each bucket construct adds a bucket and its policy, and a ` +
          'KMS key where it creates one) into another stack.');
      }
      if (outputs > MAX_STACK_OUTPUTS) {
        throw validationError(stack, 'TooManyOutputsInStack',
          `Stack '${stack.node.path}' has ${outputs} Outputs, over CloudFormation's quota of ${MAX_STACK_OUTPUTS} per stack ` +
          `(${STACK_QUOTA_SOURCE}). Cross-stack references create an Output each: pass literal names instead of ` +
          'references, or move the resources that refer to each other into one stack.');
      }
      return [];
    },
  });
}
