import * as iam from 'aws-cdk-lib/aws-iam';
import { ACCOUNT_ADMINISTERS_KEY, BUCKET_ARN, documentOf, jsonOf, KEY_ARN } from './documents';
import {
  CLIENT_CONTENT_ALGORITHM, CLIENT_CONTENT_ALGORITHM_V2, ENVELOPE_DECRYPT_ACTIONS, ENVELOPE_ENCRYPT_ACTIONS, ENVELOPE_KEY_DECRYPT_STATEMENT_ID,
  ENVELOPE_KEY_STATEMENT_ID, envelopeKeyDecryptConditions,
  envelopeKeyEncryptConditions, envelopeKeyStatements, envelopeWriteAlgorithms, KeyStatementIds, s3KeyUseConditions, s3OnlyKeyStatements,
} from '../../src/policy/key-policy';
import { TEST_ENV } from '../harness/cfn-resolve';
import { aliasEncryptionContextKeys, evaluate, SAME_ACCOUNT_ROLE, titled, Verdict } from '../harness/simulate';

// The key policy builders of src/policy/key-policy.ts under @cloud-copilot/iam-simulate. Each key policy is the
// builder's statements plus the account's own statement CDK adds to every key; the caller is a role of the account.
// The simulator drops kms:EncryptionContext:<key> context keys, so they are renamed to an alias on both sides.

const REGION = TEST_ENV.region;
const VIA_S3 = `s3.${REGION}.amazonaws.com`;
const OTHER_BUCKET_ARN = 'arn:aws:s3:::another-bucket';

interface KmsRequest {
  readonly action: string;
  readonly context: Record<string, string>;
  /** Statements of the caller's identity policy. @default allows everything */
  readonly identity?: iam.PolicyStatement[];
}

function verdict(keyPolicy: iam.PolicyStatement[], request: KmsRequest): Promise<Verdict> {
  return evaluate({
    resourcePolicy: aliasEncryptionContextKeys(documentOf(ACCOUNT_ADMINISTERS_KEY, ...keyPolicy)),
    identityPolicy: request.identity ? aliasEncryptionContextKeys(documentOf(...request.identity)) : undefined,
    resourceArn: KEY_ARN,
    action: request.action,
    principal: SAME_ACCOUNT_ROLE,
    context: aliasEncryptionContextKeys(request.context),
  });
}

const s3Context = (objectArn: string, viaService = VIA_S3) => ({ 'kms:ViaService': viaService, 'kms:EncryptionContext:aws:s3:arn': objectArn });

describe('s3OnlyKeyStatements: the key serves S3, for one bucket', () => {
  const statements = s3OnlyKeyStatements({ bucketArn: BUCKET_ARN, region: REGION });

  test.each(titled([
    // what                                                   action                     context                                            expected
    ['S3 decrypts an object of the bucket', 'kms:Decrypt', s3Context(`${BUCKET_ARN}/data/o`), 'allowed'],
    ['S3 generates a data key for an object of the bucket', 'kms:GenerateDataKey', s3Context(`${BUCKET_ARN}/data/o`), 'allowed'],
    ['S3 uses the Bucket Key (context: the bucket ARN)', 'kms:GenerateDataKey', s3Context(BUCKET_ARN), 'allowed'],
    ['S3 decrypts an object of another bucket', 'kms:Decrypt', s3Context(`${OTHER_BUCKET_ARN}/o`), 'denied'],
    ['S3 of another Region', 'kms:Decrypt', s3Context(`${BUCKET_ARN}/o`, 's3.us-east-1.amazonaws.com'), 'denied'],
    ['a direct call (no kms:ViaService)', 'kms:Decrypt', { 'kms:EncryptionContext:aws:s3:arn': `${BUCKET_ARN}/o` }, 'denied'],
    ['another service on the caller\'s behalf', 'kms:Encrypt', s3Context(`${BUCKET_ARN}/o`, `sqs.${REGION}.amazonaws.com`), 'denied'],
    ['a direct ReEncrypt', 'kms:ReEncryptFrom', {}, 'denied'],
    ['administration is left to the account', 'kms:DescribeKey', {}, 'allowed'],
  ] as Array<[string, string, Record<string, string>, Verdict]>))('%s', async (_what, action, context, expected) => {
    expect(await verdict(statements, { action, context })).toBe(expected);
  });

  test('has the stable Sids, Deny for everyone', () => {
    expect(statements.map((s) => s.sid)).toEqual([KeyStatementIds.DENY_USE_OUTSIDE_S3, KeyStatementIds.DENY_OTHER_BUCKETS]);
    for (const s of statements) expect(jsonOf(s)).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Resource: '*' });
  });
});

describe('s3KeyUseConditions: a grant on the key, through S3 for this bucket only', () => {
  const grant = (conditions: Record<string, Record<string, unknown>>) => [new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [KEY_ARN], conditions,
  })];
  const identity = grant(s3KeyUseConditions({ bucketArn: BUCKET_ARN, region: REGION }));

  test.each(titled([
    ['Decrypt through S3, for an object of the bucket', s3Context(`${BUCKET_ARN}/o`), 'allowed'],
    ['Decrypt through S3, for the bucket (Bucket Key)', s3Context(BUCKET_ARN), 'allowed'],
    ['Decrypt through S3, for another bucket', s3Context(`${OTHER_BUCKET_ARN}/o`), 'denied'],
    ['Decrypt directly', { 'kms:EncryptionContext:aws:s3:arn': `${BUCKET_ARN}/o` }, 'denied'],
  ] as Array<[string, Record<string, string>, Verdict]>))('%s', async (_what, context, expected) => {
    // The key policy lets the account delegate to IAM; the grant in the identity policy is what decides.
    expect(await verdict([], { action: 'kms:Decrypt', context, identity })).toBe(expected);
  });
});

describe('envelopeKeyStatements: data keys only for authenticated envelopes', () => {
  const cek = (algorithm?: string): Record<string, string> => (algorithm === undefined ? {} : { 'kms:EncryptionContext:aws:x-amz-cek-alg': algorithm });

  test.each([
    // allowV2Writers  action                  content algorithm          expected
    [false, 'kms:GenerateDataKey', CLIENT_CONTENT_ALGORITHM, 'allowed'],
    [false, 'kms:GenerateDataKey', CLIENT_CONTENT_ALGORITHM_V2, 'denied'],
    [true, 'kms:GenerateDataKey', CLIENT_CONTENT_ALGORITHM_V2, 'allowed'],
    [true, 'kms:GenerateDataKey', 'AES/CBC/PKCS5Padding', 'denied'],
    [false, 'kms:GenerateDataKey', undefined, 'denied'], // legacy kms wrapping: no context
    [false, 'kms:Encrypt', CLIENT_CONTENT_ALGORITHM, 'allowed'],
    [false, 'kms:Encrypt', undefined, 'denied'],
    [false, 'kms:Decrypt', CLIENT_CONTENT_ALGORITHM, 'allowed'],
    [false, 'kms:Decrypt', CLIENT_CONTENT_ALGORITHM_V2, 'allowed'], // V2 objects stay readable
    [false, 'kms:Decrypt', 'AES/CBC/PKCS5Padding', 'denied'],
    [false, 'kms:Decrypt', undefined, 'denied'],
  ] as Array<[boolean, string, string | undefined, Verdict]>)('allowV2Writers %s: %s for %s is %s', async (allowV2Writers, action, algorithm, expected) => {
    expect(await verdict(envelopeKeyStatements({ allowV2Writers }), { action, context: cek(algorithm) })).toBe(expected);
  });

  test.each([
    // allowV2Writers  grant       content algorithm            expected
    [false, 'encrypt', CLIENT_CONTENT_ALGORITHM, 'allowed'],
    [false, 'encrypt', CLIENT_CONTENT_ALGORITHM_V2, 'denied'],
    [true, 'encrypt', CLIENT_CONTENT_ALGORITHM_V2, 'allowed'],
    [false, 'decrypt', CLIENT_CONTENT_ALGORITHM_V2, 'allowed'],
    [false, 'decrypt', 'AES/CBC/PKCS5Padding', 'denied'],
  ] as Array<[boolean, 'encrypt' | 'decrypt', string, Verdict]>)('allowV2Writers %s: the %s grant for %s is %s', async (allowV2Writers, side, algorithm, expected) => {
    const [actions, conditions] = side === 'encrypt'
      ? [ENVELOPE_ENCRYPT_ACTIONS, envelopeKeyEncryptConditions({ allowV2Writers })]
      : [ENVELOPE_DECRYPT_ACTIONS, envelopeKeyDecryptConditions()];
    const identity = [new iam.PolicyStatement({ actions, resources: [KEY_ARN], conditions })];
    expect(await verdict([], { action: actions[0], context: cek(algorithm), identity })).toBe(expected);
  });

  test('has the stable Sids, Deny for everyone', () => {
    const statements = envelopeKeyStatements({ allowV2Writers: false });
    expect(statements.map((s) => s.sid)).toEqual([ENVELOPE_KEY_STATEMENT_ID, ENVELOPE_KEY_DECRYPT_STATEMENT_ID]);
    for (const s of statements) expect(jsonOf(s)).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Resource: '*' });
  });

  test('writers may bind only the allowed content algorithms', () => {
    expect(envelopeWriteAlgorithms({ allowV2Writers: false })).toEqual(['115']);
    expect(envelopeWriteAlgorithms({ allowV2Writers: true })).toEqual(['115', 'AES/GCM/NoPadding']);
  });
});
