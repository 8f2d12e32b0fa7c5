import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EncryptedBucket, KmsEncryptedBucket } from '../../src';
import { registerBucketAuditing } from '../../src/audit/bucket-auditing';
import { SseCOnlyBucket } from '../../src/buckets/sse-c-only-bucket';
import { selectorsOf, trailsOf, unauditedBuckets } from '../harness/audit';
import { TEST_ENV } from '../harness/cfn-resolve';

/*
 * Issue 5, "done when": a stack with one bucket of each kind has exactly one trail that records all their object
 * events and the KMS calls. The bucket constructs register themselves at the end of their constructors; the
 * explicit registerBucketAuditing calls below make this test independent of that wiring (registering a bucket
 * twice with the same option records it once).
 */
function stackWithEveryKind() {
  const stack = new Stack(new App(), 'EveryKind', { env: TEST_ENV });
  const buckets: s3.IBucket[] = [
    new EncryptedBucket(stack, 'SseS3'),
    new KmsEncryptedBucket(stack, 'SseKms'),
    new KmsEncryptedBucket(stack, 'DsseKms', { dualLayer: true }),
    new SseCOnlyBucket(stack, 'SseC'),
  ];
  buckets.forEach((b) => registerBucketAuditing(b));
  return Template.fromStack(stack).toJSON() as any;
}

describe('a stack with one bucket of each kind', () => {
  const template = stackWithEveryKind();

  test('has exactly one trail', () => {
    expect(trailsOf(template)).toHaveLength(1);
  });

  test('records every bucket\'s object events, read and write (fails if a bucket falls out of the selectors)', () => {
    expect(unauditedBuckets(template)).toEqual([]);
  });

  test('records the KMS calls: management events, read and write', () => {
    expect(selectorsOf(template)).toContainEqual(expect.objectContaining({
      FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
    }));
  });
});
