import { App, Stack, ValidationError } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { KmsUsageAlarm, KmsUsageAlarmProps } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { runExternalChecks, strictApp } from '../harness/external-checks';

function synth(props?: KmsUsageAlarmProps, app: App = new App()) {
  const stack = new Stack(app, 'Alarm', { env: TEST_ENV });
  new KmsUsageAlarm(stack, 'KmsUsage', { ...props, topic: props?.topic ?? new sns.Topic(stack, 'Alerts', { enforceSSL: true }) });
  return Template.fromStack(stack);
}

describe('KmsUsageAlarm', () => {
  test('alarms at 80% of the symmetric cryptographic request quota, as a per-second rate, and notifies the topic', () => {
    const template = synth();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 80,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }],
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: '(m / PERIOD(m)) / SERVICE_QUOTA(m) * 100', ReturnData: true }),
        Match.objectLike({
          Id: 'm',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Usage',
              MetricName: 'CallCount',
              Dimensions: [
                { Name: 'Class', Value: 'None' }, { Name: 'Resource', Value: 'CryptographicOperationsSymmetric' },
                { Name: 'Service', Value: 'KMS' }, { Name: 'Type', Value: 'API' },
              ],
            },
            Period: 60,
            Stat: 'Sum',
          },
        }),
      ]),
    });
  });

  test('threshold is configurable', () => {
    synth({ thresholdPercent: 50 }).hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 50 });
  });

  test.each([0, -5, 150, Number.NaN])('thresholdPercent %p is refused', (thresholdPercent) => {
    expect(() => synth({ thresholdPercent })).toThrow(ValidationError);
    expect(() => synth({ thresholdPercent })).toThrow(/thresholdPercent/);
  });

  test('passes strict CloudFormation validation', () => {
    const app = strictApp();
    synth({}, app);
    expect(runExternalChecks(app, { checkers: ['cfn-schema'] }).findings).toEqual([]);
  });
});
