import { BucketAuditing } from '../../src';

/**
 * Auditing for a bucket construct's snapshot test: the bucket alone, without the stack's shared audit trail, so that a
 * change to the trail shows in the trail's own snapshot (test/audit) and a bucket's logical-ID change in its own.
 */
export const WITHOUT_TRAIL = BucketAuditing.none('Snapshot of the bucket alone: the audit trail has its own snapshot test');
