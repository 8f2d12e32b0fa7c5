import { App, Aspects, CfnParameter, Stack, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  EncryptionComplianceRules, EncryptionMode, EnforceBucketEncryption, S3EncryptionResourceControlPolicy,
} from '../../src';
import { refusalOf } from '../harness/refusal';

// Wrong types and out-of-range values for the organisation guardrails: each a ValidationError naming the prop.

const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const tlsToken = (stack: Stack) => Token.asNumber(new CfnParameter(stack, 'Tls', { type: 'Number' }).valueAsNumber);

type Case = [string, any, RegExp];

const BASE_RCP = { targetIds: ['r-ab12'], encryptionMode: EncryptionMode.SSE_KMS };
const RCP: Case[] = [
  ['props undefined', undefined, /props/],
  ['props null', null, /props/],
  ['props a string', 'r-ab12', /props/],
  ['targetIds missing', { encryptionMode: EncryptionMode.SSE_S3 }, /targetIds/],
  ['targetIds a string', { ...BASE_RCP, targetIds: 'r-ab12' }, /targetIds/],
  ['targetIds [5]', { ...BASE_RCP, targetIds: [5] }, /targetIds\[0\]/],
  ['allowedKmsKeyArns a string', { ...BASE_RCP, allowedKmsKeyArns: KEY }, /allowedKmsKeyArns/],
  ['allowedKmsKeyArns [null]', { ...BASE_RCP, allowedKmsKeyArns: [null] }, /allowedKmsKeyArns\[0\]/],
  ['sseCExemptBuckets a number', { ...BASE_RCP, sseCExemptBuckets: 5 }, /sseCExemptBuckets/],
  ['exemptPrincipalArns an object', { ...BASE_RCP, exemptPrincipalArns: {} }, /exemptPrincipalArns/],
  ['policyName a number', { ...BASE_RCP, policyName: 5 }, /policyName/],
  ['policyName too long', { ...BASE_RCP, policyName: 'p'.repeat(129) }, /policyName/],
  ['description too long', { ...BASE_RCP, description: 'd'.repeat(513) }, /description/],
  ['encryptionMode unknown', { ...BASE_RCP, encryptionMode: 'KMS' }, /encryptionMode/],
  ['encryptionMode a number', { ...BASE_RCP, encryptionMode: 5 }, /encryptionMode/],
  ['uploadHeaderRule unknown', { ...BASE_RCP, uploadHeaderRule: 'SOMETIMES' }, /uploadHeaderRule/],
  ['minimumTlsVersion a string', { ...BASE_RCP, minimumTlsVersion: '1.2' }, /minimumTlsVersion/],
  ['minimumTlsVersion 1.1', { ...BASE_RCP, minimumTlsVersion: 1.1 }, /minimumTlsVersion/],
  ['minimumTlsVersion from a CfnParameter', (stack: Stack) => ({ ...BASE_RCP, minimumTlsVersion: tlsToken(stack) }), /minimumTlsVersion.*token.*concrete/],
];

const RULES: Case[] = [
  ['props null', null, /props/],
  ['props a string', 'SSE_KMS', /props/],
  ['encryptionMode a number', { encryptionMode: 5 }, /encryptionMode/],
  ['encryptionMode SSE-C', { encryptionMode: EncryptionMode.SSE_C }, /encryptionMode/],
  ['kmsKeyArns a string', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns: KEY }, /kmsKeyArns/],
  ['kmsKeyArns [5]', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns: [5] }, /kmsKeyArns\[0\]/],
  ['kmsKeyArns a key id', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArns: ['1234abcd-12ab-34cd-56ef-1234567890ab'] }, /kmsKeyArns/],
  ['ruleNamePrefix a number', { ruleNamePrefix: 5 }, /ruleNamePrefix/],
  ['ruleNamePrefix too long', { ruleNamePrefix: 'r'.repeat(89) }, /ruleNamePrefix/],
];

const ENFORCE: Case[] = [
  ['props null', null, /props/],
  ['props a string', 'AES256', /props/],
  ['mode unknown', { encryptionMode: EncryptionMode.SSE_S3, mode: 'FIX' }, /mode/],
  ['encryptionMode a number', { encryptionMode: 5 }, /encryptionMode/],
  ['kmsKeyArn a number', { encryptionMode: EncryptionMode.SSE_KMS, kmsKeyArn: 5 }, /kmsKeyArn/],
  ['exclude a string', { encryptionMode: EncryptionMode.SSE_S3, exclude: 'Legacy' }, /exclude/],
  ['exclude [null]', { encryptionMode: EncryptionMode.SSE_S3, exclude: [null] }, /exclude\[0\]/],
  ['minimumTlsVersion from a CfnParameter', (stack: Stack) => ({ encryptionMode: EncryptionMode.SSE_S3, minimumTlsVersion: tlsToken(stack) }),
    /minimumTlsVersion.*token.*concrete/],
];

const given = (stack: Stack, props: any) => (typeof props === 'function' ? props(stack) : props);

describe('bad input to the organisation guardrails', () => {
  test.each(RCP)('S3EncryptionResourceControlPolicy: %s is a ValidationError naming the prop', (_what, props, prop) => {
    const stack = new Stack(new App(), 'Org');
    expect(refusalOf(() => new S3EncryptionResourceControlPolicy(stack, 'Rcp', given(stack, props))).message).toMatch(prop);
  });

  test.each(RULES)('EncryptionComplianceRules: %s is a ValidationError naming the prop', (_what, props, prop) => {
    const stack = new Stack(new App(), 'Org');
    expect(refusalOf(() => new EncryptionComplianceRules(stack, 'Rules', given(stack, props))).message).toMatch(prop);
  });

  test.each(ENFORCE)('EnforceBucketEncryption: %s is a ValidationError naming the prop, at synthesis', (_what, props, prop) => {
    const app = new App();
    const stack = new Stack(app, 'Estate');
    new s3.Bucket(stack, 'Legacy');
    expect(refusalOf(() => {
      Aspects.of(app).add(new EnforceBucketEncryption(given(stack, props)));
      app.synth();
    }).message).toMatch(prop);
  });
});
