import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, SseCOnlyBucket } from '../../src';
import { selectorsOf, trailsOf, unauditedBuckets } from '../harness/audit';
import { TEST_ENV } from '../harness/cfn-resolve';

/*
 * Issue 5, "done when": a stack with one bucket of each kind has exactly one trail that records all their object
 * events and the KMS calls. Nothing registers the buckets here: the constructs register themselves with the
 * stack's shared trail at the end of their constructors.
 */
function stackWithEveryKind() {
  const stack = new Stack(new App(), 'EveryKind', { env: TEST_ENV });
  new EncryptedBucket(stack, 'SseS3');
  new KmsEncryptedBucket(stack, 'SseKms');
  new KmsEncryptedBucket(stack, 'DsseKms', { dualLayer: true });
  new SseCOnlyBucket(stack, 'SseC');
  new ClientSideEncryptedBucket(stack, 'ClientSide');
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
