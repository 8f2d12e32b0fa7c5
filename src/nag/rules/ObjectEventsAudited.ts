import { parse } from 'path';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult, verdict } from '../rule';
import { eventsRecorded, objectPrefixOf, RecordedEvents, trailDefects, trailsSeeing, union } from '../trail-coverage';

/**
 * A trail of the app records every object event (reads and writes) of the bucket, and that trail logs, validates
 * its log files and encrypts them with a KMS key. A trail's own log bucket is exempt: recording the trail's writes
 * to it would record every delivery in another delivery.
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  if (!standard.requireAuditTrail) return RuleCompliance.NOT_APPLICABLE;
  const bucket = model.bucket(node);
  if (!bucket || bucket.deliveringTrails.length > 0) return RuleCompliance.NOT_APPLICABLE;
  let recorded: RecordedEvents = { read: false, write: false };
  const defective: string[] = [];
  for (const trail of trailsSeeing(model, bucket)) {
    const events = eventsRecorded(model, trail, bucket);
    if (!events.read && !events.write) continue;
    const defects = trailDefects(trail);
    if (defects.length > 0) defective.push(`trail ${trail.record.path} records them but ${listOf(defects)}`);
    else recorded = union(recorded, events);
  }
  if (recorded.read && recorded.write) return RuleCompliance.COMPLIANT;
  const missing = recorded.read ? 'write' : recorded.write ? 'read' : 'read and write';
  const reasons = [`No trail of the app that logs, validates and encrypts its log files records the ${missing} events of ` +
    `the bucket's objects (${objectPrefixOf(bucket)}*). Register the bucket with an EncryptionAuditTrail ` +
    '(EncryptionAuditTrail.of(stack).addBucket(bucket)), or give a trail an advanced event selector with ' +
    `eventCategory = Data, resources.type = AWS::S3::Object and resources.ARN StartsWith ${objectPrefixOf(bucket)}; ` +
    'where an organisation trail outside the app records it, acknowledge the finding with that reason.'];
  if (defective.length > 0) reasons.push(`${listOf(defective)}.`);
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });
