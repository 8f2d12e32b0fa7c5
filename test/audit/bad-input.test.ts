import { App, CfnParameter, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketAuditing, EncryptionAuditTrail, KmsUsageAlarm } from '../../src';
import { registerBucketAuditing } from '../../src/audit/bucket-auditing';
import { TEST_ENV } from '../harness/cfn-resolve';
import { refusalOf } from '../harness/refusal';

// Wrong types and out-of-range values for the audit constructs and calls: each a ValidationError naming the prop.

const env = { account: TEST_ENV.account, region: TEST_ENV.region };
const newStack = () => new Stack(new App(), 'Audit', { env });
const token = (stack: Stack) => Token.asNumber(new CfnParameter(stack, 'P', { type: 'Number' }).valueAsNumber);

type Case = [string, any, RegExp];

const TRAIL_PROPS: Case[] = [
  ['props null', null, /props/],
  ['props a string', 'trail', /props/],
  ['trailName a number', { trailName: 5 }, /trailName/],
  ['isMultiRegionTrail \'yes\'', { isMultiRegionTrail: 'yes' }, /isMultiRegionTrail/],
  ['includeManagementEvents 1', { includeManagementEvents: 1 }, /includeManagementEvents/],
  ['transitionLogsAfter a number', { transitionLogsAfter: 90 }, /transitionLogsAfter/],
  ['transitionLogsAfter in hours', { transitionLogsAfter: Duration.hours(5) }, /transitionLogsAfter/],
  ['transitionLogsAfter 0 days', { transitionLogsAfter: Duration.days(0) }, /transitionLogsAfter/],
  ['transitionStorageClass a string', { transitionStorageClass: 'GLACIER' }, /transitionStorageClass/],
  ['expireLogsAfter a string', { expireLogsAfter: 'forever' }, /expireLogsAfter/],
  ['cloudWatchLogs \'true\'', { cloudWatchLogs: 'true' }, /cloudWatchLogs/],
  ['cloudWatchLogsRetention unknown', { cloudWatchLogs: true, cloudWatchLogsRetention: 12345 }, /cloudWatchLogsRetention/],
  ['cloudWatchLogsRetention a string', { cloudWatchLogs: true, cloudWatchLogsRetention: 'ONE_YEAR' }, /cloudWatchLogsRetention/],
];

const ALARM_PROPS: Case[] = [
  ['props null', null, /props/],
  ['props a number', 80, /props/],
  ['thresholdPercent a string', { thresholdPercent: '80' }, /thresholdPercent/],
  ['thresholdPercent 0', { thresholdPercent: 0 }, /thresholdPercent/],
  ['thresholdPercent 101', { thresholdPercent: 101 }, /thresholdPercent/],
  ['thresholdPercent NaN', { thresholdPercent: NaN }, /thresholdPercent/],
  ['thresholdPercent from a CfnParameter', (stack: Stack) => ({ thresholdPercent: token(stack) }), /thresholdPercent.*token.*concrete/],
  ['evaluationPeriods 0', { evaluationPeriods: 0 }, /evaluationPeriods/],
  ['evaluationPeriods 1.5', { evaluationPeriods: 1.5 }, /evaluationPeriods/],
  ['evaluationPeriods a string', { evaluationPeriods: '3' }, /evaluationPeriods/],
  ['evaluationPeriods over a day', { evaluationPeriods: 1441 }, /evaluationPeriods/],
  ['topic a string', { topic: 'arn:aws:sns:eu-west-1:111111111111:alerts' }, /topic/],
  ['alarmName a number', { alarmName: 5 }, /alarmName/],
  ['alarmName too long', { alarmName: 'a'.repeat(256) }, /alarmName/],
];

/** Calls: [what, act(stack, trail), prop] */
const CALLS: Array<[string, (stack: Stack, trail: EncryptionAuditTrail) => unknown, RegExp]> = [
  ['addBucket(undefined)', (_s, trail) => trail.addBucket(undefined as any), /bucket of addBucket/],
  ['addBucket(\'name\')', (_s, trail) => trail.addBucket('my-bucket' as any), /bucket of addBucket/],
  ['addBucket(bucket, null)', (s, trail) => trail.addBucket(new s3.Bucket(s, 'B'), null as any), /options of addBucket/],
  ['addBucket(bucket, { readWriteType: \'x\' })', (s, trail) => trail.addBucket(new s3.Bucket(s, 'B'), { readWriteType: 'x' as any }), /readWriteType/],
  ['logBucket.grantPublicAccess()', (_s, trail) => trail.logBucket.grantPublicAccess(), /grantPublicAccess/],
  ['registerBucketAuditing(bucket, BucketAuditing.trail(undefined))',
    (s) => registerBucketAuditing(new s3.Bucket(s, 'B'), BucketAuditing.trail(undefined as any)), /BucketAuditing\.trail\(trail\)/],
  ['registerBucketAuditing(bucket, BucketAuditing.trail({}))',
    (s) => registerBucketAuditing(new s3.Bucket(s, 'B'), BucketAuditing.trail({} as any)), /BucketAuditing\.trail\(trail\)/],
  ['registerBucketAuditing(bucket, BucketAuditing.none(undefined))',
    (s) => registerBucketAuditing(new s3.Bucket(s, 'B'), BucketAuditing.none(undefined as any)), /BucketAuditing\.none/],
  ['registerBucketAuditing(bucket, { kind: \'ALL\' })',
    (s) => registerBucketAuditing(new s3.Bucket(s, 'B'), { kind: 'ALL' } as any), /auditing\.kind/],
  ['BucketAuditing.none(undefined)', () => BucketAuditing.none(undefined as any), /BucketAuditing\.none\(reason\)/],
  ['BucketAuditing.trail(\'Central\')', () => BucketAuditing.trail('Central' as any), /BucketAuditing\.trail\(trail\)/],
  ['BucketAuditing.sharedTrail(5)', () => BucketAuditing.sharedTrail(5 as any), /options/],
  ['EncryptionAuditTrail.of(undefined)', () => EncryptionAuditTrail.of(undefined as any), /scope/],
  ['registerBucketAuditing(bucket, null)', (s) => registerBucketAuditing(new s3.Bucket(s, 'B'), null as any), /auditing/],
];

describe('bad input to the audit constructs', () => {
  test.each(TRAIL_PROPS)('EncryptionAuditTrail: %s is a ValidationError naming the prop', (_what, props, prop) => {
    const stack = newStack();
    expect(refusalOf(() => {
      new EncryptionAuditTrail(stack, 'Trail', props);
      Template.fromStack(stack);
    }).message).toMatch(prop);
  });

  test.each(ALARM_PROPS)('KmsUsageAlarm: %s is a ValidationError naming the prop', (_what, props, prop) => {
    const stack = newStack();
    const given = typeof props === 'function' ? props(stack) : props;
    expect(refusalOf(() => new KmsUsageAlarm(stack, 'Alarm', given)).message).toMatch(prop);
  });

  test.each(CALLS)('%s is a ValidationError naming what is wrong', (_what, act, prop) => {
    const stack = newStack();
    const trail = new EncryptionAuditTrail(stack, 'Trail');
    expect(refusalOf(() => act(stack, trail)).message).toMatch(prop);
  });
});
