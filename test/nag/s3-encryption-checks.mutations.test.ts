import { Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Built, FIXTURES } from './fixtures';
import { confirmCounterexamples, dropStatement, editProperty, editStatement, editStatements, findings, id, ruleIds } from './helpers';
import { S3EncryptionChecks } from '../../src/nag/s3-encryption-checks';

/*
 * Mutation test: each row takes a compliant template of one construct of the library, applies ONE change through an
 * escape hatch (addPropertyOverride / addDeletionOverride on the synthesized L1), and names the rule that must flag it.
 * The unmutated templates have no findings (first test), so each finding comes from the mutation.
 */

const SSE = 's3:x-amz-server-side-encryption';
const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const SSE_RULE = 'BucketEncryption.ServerSideEncryptionConfiguration.0';
const OTHER_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/11111111-2222-3333-4444-555555555555';

type Mutation = [fixture: keyof typeof FIXTURES, change: string, mutate: (b: Built) => void, rule: string];

const renameOperator = (from: string, to: string) => (s: any) => {
  s.Condition[to] = s.Condition[from];
  delete s.Condition[from];
  return s;
};

const MUTATIONS: Mutation[] = [
  // --- EncryptedBucket (SSE-S3, REQUIRED) ----------------------------------------------------------------------
  ['sseS3', 'drop DenyInsecureTransport', (b) => dropStatement(b.policy, 'DenyInsecureTransport'), 'TlsOnlyEnforced'],
  ['sseS3', 'flip aws:SecureTransport false -> true', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Condition: { Bool: { 'aws:SecureTransport': 'true' } } })), 'TlsOnlyEnforced'],
  ['sseS3', 'narrow DenyInsecureTransport to the bucket ARN', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Resource: s.Resource[0] })), 'TlsOnlyEnforced'],
  ['sseS3', 'narrow DenyInsecureTransport to s3:GetObject', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Action: 's3:GetObject' })), 'TlsOnlyEnforced'],
  ['sseS3', 'flip DenyInsecureTransport to Allow', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Effect: 'Allow' })), 'TlsOnlyEnforced'],
  ['sseS3', 'narrow DenyInsecureTransport to the own account', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Principal: { AWS: 'arn:aws:iam::111111111111:root' } })), 'TlsOnlyEnforced'],
  ['sseS3', 'misspell aws:SecureTransport', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Condition: { Bool: { 'aws:SecureTransports': 'false' } } })), 'TlsOnlyEnforced'],
  ['sseS3', 'add an unsupported operator to DenyInsecureTransport', (b) => editStatement(b.policy, 'DenyInsecureTransport', (s) => ({ ...s, Condition: { ...s.Condition, DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } })), 'TlsOnlyEnforced'],
  ['sseS3', 'drop DenyOutdatedTls', (b) => dropStatement(b.policy, 'DenyOutdatedTls'), 'TlsFloorEnforced'],
  ['sseS3', 'lower the TLS floor to 1.0', (b) => editStatement(b.policy, 'DenyOutdatedTls', (s) => ({ ...s, Condition: { NumericLessThan: { 's3:TlsVersion': 1.0 } } })), 'TlsFloorEnforced'],
  ['sseS3', 'NumericLessThan -> NumericGreaterThan', (b) => editStatement(b.policy, 'DenyOutdatedTls', renameOperator('NumericLessThan', 'NumericGreaterThan')), 'TlsFloorEnforced'],
  ['sseS3', 'narrow DenyOutdatedTls to the objects', (b) => editStatement(b.policy, 'DenyOutdatedTls', (s) => ({ ...s, Resource: s.Resource[1] })), 'TlsFloorEnforced'],
  ['sseS3', 'drop DenyWrongEncryptionHeader', (b) => dropStatement(b.policy, 'DenyWrongEncryptionHeader'), 'UploadHeaderEnforced'],
  ['sseS3', 'header value AES256 -> aws:kms', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { StringNotEquals: { [SSE]: 'aws:kms' } } })), 'UploadHeaderEnforced'],
  ['sseS3', 'StringNotEquals -> StringEquals', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', renameOperator('StringNotEquals', 'StringEquals')), 'UploadHeaderEnforced'],
  ['sseS3', 'REQUIRED -> MATCH_IF_PRESENT (Null condition)', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { ...s.Condition, Null: { [SSE]: 'false' } } })), 'UploadHeaderEnforced'],
  ['sseS3', 'narrow DenyWrongEncryptionHeader to uploads/*', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Stack.of(b.bucket).resolve(b.bucket.logicalId), 'Arn'] }, '/uploads/*']] } })), 'UploadHeaderEnforced'],
  ['sseS3', 'remove BlockedEncryptionTypes', (b) => b.bucket.addDeletionOverride(`Properties.${SSE_RULE}.BlockedEncryptionTypes`), 'SseCBlockedUnlessRequired'],
  ['sseS3', 'BlockedEncryptionTypes SSE-C -> NONE', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.BlockedEncryptionTypes.EncryptionType`, ['NONE']), 'SseCBlockedUnlessRequired'],
  // Without BucketEncryption S3 still encrypts with SSE-S3 (allowed here), but SSE-C is no longer blocked.
  ['sseS3', 'remove BucketEncryption', (b) => b.bucket.addDeletionOverride('Properties.BucketEncryption'), 'SseCBlockedUnlessRequired'],
  ['sseS3', 'SSEAlgorithm AES256 -> aws:kms without a key', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.ServerSideEncryptionByDefault.SSEAlgorithm`, 'aws:kms'), 'KmsKeyCustomerManaged'],
  ['sseS3', 'SSEAlgorithm AES256 -> aws:fsx', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.ServerSideEncryptionByDefault.SSEAlgorithm`, 'aws:fsx'), 'DefaultEncryptionAllowed'],
  ['sseS3', 'a second policy resource for the bucket', (b) => new s3.CfnBucketPolicy(b.stack, 'SecondPolicy', { bucket: b.bucket.ref, policyDocument: { Statement: [] } }), 'SingleBucketPolicy'],

  // --- EncryptedBucket (SSE-S3, MATCH_IF_PRESENT) ----------------------------------------------------------------
  ['sseS3MatchIfPresent', 'drop DenyWrongEncryptionHeader', (b) => dropStatement(b.policy, 'DenyWrongEncryptionHeader'), 'UploadHeaderEnforced'],
  ['sseS3MatchIfPresent', 'Null false -> true', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { ...s.Condition, Null: { [SSE]: 'true' } } })), 'UploadHeaderEnforced'],
  ['sseS3MatchIfPresent', 'header value AES256 -> aws:kms:dsse', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { ...s.Condition, StringNotEquals: { [SSE]: 'aws:kms:dsse' } } })), 'UploadHeaderEnforced'],
  ['sseS3MatchIfPresent', 'drop DenyInsecureTransport', (b) => dropStatement(b.policy, 'DenyInsecureTransport'), 'TlsOnlyEnforced'],

  // --- KmsEncryptedBucket (SSE-KMS) --------------------------------------------------------------------------
  ['sseKms', 'drop DenyWrongKmsKey', (b) => dropStatement(b.policy, 'DenyWrongKmsKey'), 'KmsKeyPinnedByPolicy'],
  ['sseKms', 'DenyWrongKmsKey only when a key id is sent', (b) => editStatement(b.policy, 'DenyWrongKmsKey', (s) => ({ ...s, Condition: { ...s.Condition, Null: { [KEY_ID]: 'false' } } })), 'KmsKeyPinnedByPolicy'],
  ['sseKms', 'DenyWrongKmsKey pins another key', (b) => editStatement(b.policy, 'DenyWrongKmsKey', (s) => ({ ...s, Condition: { StringNotEquals: { [KEY_ID]: OTHER_KEY } } })), 'UploadHeaderEnforced'],
  ['sseKms', 'DenyWrongKmsKey StringNotEquals -> StringEquals', (b) => editStatement(b.policy, 'DenyWrongKmsKey', renameOperator('StringNotEquals', 'StringEquals')), 'KmsKeyPinnedByPolicy'],
  ['sseKms', 'header value aws:kms -> AES256', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { StringNotEquals: { [SSE]: 'AES256' } } })), 'UploadHeaderEnforced'],
  ['sseKms', 'flip DenyWrongKmsKey to Allow', (b) => editStatement(b.policy, 'DenyWrongKmsKey', (s) => ({ ...s, Effect: 'Allow' })), 'KmsKeyPinnedByPolicy'],
  ['sseKms', 'disable key rotation', (b) => b.key!.addPropertyOverride('EnableKeyRotation', false), 'KmsKeyRotated'],
  ['sseKms', 'disable the Bucket Key', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.BucketKeyEnabled`, false), 'BucketKeyEnabled'],
  ['sseKms', 'remove KMSMasterKeyID (aws/s3)', (b) => b.bucket.addDeletionOverride(`Properties.${SSE_RULE}.ServerSideEncryptionByDefault.KMSMasterKeyID`), 'KmsKeyCustomerManaged'],
  ['sseKms', 'KMSMasterKeyID -> alias/aws/s3', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.ServerSideEncryptionByDefault.KMSMasterKeyID`, 'alias/aws/s3'), 'KmsKeyCustomerManaged'],
  ['sseKms', 'asymmetric key spec', (b) => b.key!.addPropertyOverride('KeySpec', 'RSA_2048'), 'KmsKeyCustomerManaged'],
  ['sseKms', 'SSEAlgorithm aws:kms -> aws:kms:dsse with the Bucket Key on', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.ServerSideEncryptionByDefault.SSEAlgorithm`, 'aws:kms:dsse'), 'BucketKeyEnabled'],
  ['sseKms', 'key policy grants kms:Decrypt to everyone', (b) => editStatements(b.key!, (st) => [...st, { Sid: 'Open', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }], 'KeyPolicy'), 'KmsKeyPolicyRestricted'],
  ['sseKms', 'key policy grants kms:* to "*"', (b) => editStatements(b.key!, (st) => [...st, { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }], 'KeyPolicy'), 'KmsKeyPolicyRestricted'],
  ['sseKms', 'remove BlockedEncryptionTypes', (b) => b.bucket.addDeletionOverride(`Properties.${SSE_RULE}.BlockedEncryptionTypes`), 'SseCBlockedUnlessRequired'],
  ['sseKms', 'drop DenyOutdatedTls', (b) => dropStatement(b.policy, 'DenyOutdatedTls'), 'TlsFloorEnforced'],

  // --- KmsEncryptedBucket (SSE-KMS, MATCH_IF_PRESENT) ----------------------------------------------------------
  ['sseKmsMatchIfPresent', 'DenyWrongKmsKey Null on the key id instead of the header', (b) => editStatement(b.policy, 'DenyWrongKmsKey', (s) => ({ ...s, Condition: { ...s.Condition, Null: { [KEY_ID]: 'false' } } })), 'KmsKeyPinnedByPolicy'],
  ['sseKmsMatchIfPresent', 'drop DenyWrongKmsKey', (b) => dropStatement(b.policy, 'DenyWrongKmsKey'), 'KmsKeyPinnedByPolicy'],
  ['sseKmsMatchIfPresent', 'both upload statements only for uploads/*', (b) => {
    for (const sid of ['DenyWrongEncryptionHeader', 'DenyWrongKmsKey']) {
      editStatement(b.policy, sid, (s) => ({ ...s, Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Stack.of(b.bucket).resolve(b.bucket.logicalId), 'Arn'] }, '/uploads/*']] } }));
    }
  }, 'UploadHeaderEnforced'],
  ['sseKmsMatchIfPresent', 'disable key rotation', (b) => b.key!.addPropertyOverride('EnableKeyRotation', false), 'KmsKeyRotated'],

  // --- KmsEncryptedBucket (DSSE-KMS) -------------------------------------------------------------------------
  ['dsseKms', 'turn the Bucket Key on', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.BucketKeyEnabled`, true), 'BucketKeyEnabled'],
  ['dsseKms', 'header value aws:kms:dsse -> aws:kms', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { StringNotEquals: { [SSE]: 'aws:kms' } } })), 'UploadHeaderEnforced'],
  ['dsseKms', 'header accepts aws:kms as well', (b) => editStatement(b.policy, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { StringNotEquals: { [SSE]: ['aws:kms', 'aws:kms:dsse'] } } })), 'UploadHeaderEnforced'],
  ['dsseKms', 'drop DenyWrongKmsKey', (b) => dropStatement(b.policy, 'DenyWrongKmsKey'), 'KmsKeyPinnedByPolicy'],
  ['dsseKms', 'disable key rotation', (b) => b.key!.addPropertyOverride('EnableKeyRotation', false), 'KmsKeyRotated'],
  ['dsseKms', 'remove KMSMasterKeyID', (b) => b.bucket.addDeletionOverride(`Properties.${SSE_RULE}.ServerSideEncryptionByDefault.KMSMasterKeyID`), 'KmsKeyCustomerManaged'],

  // --- SseCOnlyBucket -----------------------------------------------------------------------------------------
  ['sseC', 'BlockedEncryptionTypes NONE -> SSE-C', (b) => b.bucket.addPropertyOverride(`${SSE_RULE}.BlockedEncryptionTypes.EncryptionType`, ['SSE-C']), 'SseCBlockedUnlessRequired'],
  ['sseC', 'remove BlockedEncryptionTypes', (b) => b.bucket.addDeletionOverride(`Properties.${SSE_RULE}.BlockedEncryptionTypes`), 'SseCBlockedUnlessRequired'],
  ['sseC', 'drop DenyMissingSseC', (b) => dropStatement(b.policy, 'DenyMissingSseC'), 'SseCBlockedUnlessRequired'],
  ['sseC', 'DenyMissingSseC demands another algorithm', (b) => editStatement(b.policy, 'DenyMissingSseC', (s) => ({ ...s, Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-customer-algorithm': 'AES128' } } })), 'SseCBlockedUnlessRequired'],
  ['sseC', 'drop DenyInsecureTransport', (b) => dropStatement(b.policy, 'DenyInsecureTransport'), 'TlsOnlyEnforced'],
  ['sseC', 'drop DenyOutdatedTls', (b) => dropStatement(b.policy, 'DenyOutdatedTls'), 'TlsFloorEnforced'],

  // --- ClientSideEncryptedBucket (the objects are ciphertext; SSE-S3 is the second layer) -----------------------
  ['clientSide', 'drop DenyWrongEncryptionHeader', (b) => dropStatement(b.policy, 'DenyWrongEncryptionHeader'), 'UploadHeaderEnforced'],
  ['clientSide', 'drop DenyInsecureTransport', (b) => dropStatement(b.policy, 'DenyInsecureTransport'), 'TlsOnlyEnforced'],
  ['clientSide', 'remove BlockedEncryptionTypes', (b) => b.bucket.addDeletionOverride(`Properties.${SSE_RULE}.BlockedEncryptionTypes`), 'SseCBlockedUnlessRequired'],
  ['clientSide', 'envelope key policy grants kms:Decrypt to everyone', (b) => editStatements(b.key!, (st) => [...st, { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }], 'KeyPolicy'), 'KmsKeyPolicyRestricted'],

  // --- EncryptionAuditTrail -------------------------------------------------------------------------------------
  ['auditTrail', 'drop the S3 data-event selector', (b) => editProperty(b.trail!, 'AdvancedEventSelectors', (sels) => sels.filter((s: any) => !JSON.stringify(s).includes('"Data"'))), 'ObjectEventsAudited'],
  ['auditTrail', 'narrow the selector to logs/', (b) => editProperty(b.trail!, 'AdvancedEventSelectors', (sels) => sels.map((s: any) => ({ ...s, FieldSelectors: s.FieldSelectors.map((f: any) => (f.Field === 'resources.ARN' ? { ...f, StartsWith: f.StartsWith.map((p: string) => `${p}logs/`) } : f)) }))), 'ObjectEventsAudited'],
  ['auditTrail', 'record reads only', (b) => editProperty(b.trail!, 'AdvancedEventSelectors', (sels) => sels.map((s: any) => (JSON.stringify(s).includes('"Data"') ? { ...s, FieldSelectors: [...s.FieldSelectors, { Field: 'readOnly', Equals: ['true'] }] } : s))), 'ObjectEventsAudited'],
  ['auditTrail', 'exclude a prefix of the bucket', (b) => editProperty(b.trail!, 'AdvancedEventSelectors', (sels) => sels.map((s: any) => ({ ...s, FieldSelectors: s.FieldSelectors.map((f: any) => (f.Field === 'resources.ARN' ? { ...f, NotStartsWith: f.StartsWith.map((p: string) => `${p}private/`) } : f)) }))), 'ObjectEventsAudited'],
  ['auditTrail', 'turn log file validation off', (b) => b.trail!.addPropertyOverride('EnableLogFileValidation', false), 'ObjectEventsAudited'],
  ['auditTrail', 'remove the trail key', (b) => b.trail!.addDeletionOverride('Properties.KMSKeyId'), 'ObjectEventsAudited'],
  ['auditTrail', 'stop logging', (b) => b.trail!.addPropertyOverride('IsLogging', false), 'ObjectEventsAudited'],
  ['auditTrail', 'log bucket requires an AES256 header on every upload', (b) => editStatement(b.logBucketPolicy!, 'DenyWrongEncryptionHeader', (s) => ({ ...s, Condition: { StringNotEquals: { [SSE]: 'AES256' } } })), 'UploadHeaderEnforced'],
  ['auditTrail', 'log bucket: drop DenyWrongKmsKey', (b) => dropStatement(b.logBucketPolicy!, 'DenyWrongKmsKey'), 'KmsKeyPinnedByPolicy'],
  ['auditTrail', 'log bucket: deny CloudTrail (AllowCloudTrailWrite -> Deny)', (b) => editStatement(b.logBucketPolicy!, 'AllowCloudTrailWrite', (s) => ({ ...s, Effect: 'Deny' })), 'UploadHeaderEnforced'],
  ['auditTrail', 'trail key policy grants kms:Decrypt to everyone', (b) => editStatements(b.trailKey!, (st) => [...st, { Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Decrypt'], Resource: '*' }], 'KeyPolicy'), 'KmsKeyPolicyRestricted'],
  ['auditTrail', 'five more trails in the Region', (b) => {
    for (let i = 0; i < 5; i++) {
      new cloudtrail.CfnTrail(b.stack, `ExtraTrail${i}`, { isLogging: true, s3BucketName: b.logBucket!.ref });
    }
  }, 'TrailsWithinQuota'],

  // --- a hand-written policy in another stack --------------------------------------------------------------------
  ['crossStackL1', 'the other stack\'s policy names another bucket', (b) => b.policy.addPropertyOverride('Bucket', 'somebody-elses-bucket'), 'TlsOnlyEnforced'],
  ['crossStackL1', 'the other stack\'s object statement names another bucket', (b) => editStatement(b.policy, 'DenyHttpOnObjects', (s) => ({ ...s, Resource: 'arn:aws:s3:::somebody-elses-bucket/*' })), 'TlsOnlyEnforced'],
  ['crossStackL1', 'the other stack\'s bucket statement loses s3:ListBucket', (b) => editStatement(b.policy, 'DenyHttpOnBucket', (s) => ({ ...s, Action: 's3:GetBucketPolicy' })), 'TlsOnlyEnforced'],
  ['crossStackL1', 'the other stack drops the header statement', (b) => dropStatement(b.policy, 'DenyOtherEncryption'), 'UploadHeaderEnforced'],
  ['crossStackL1', 'the other stack\'s TLS floor uses an unresolvable value', (b) => editStatement(b.policy, 'DenyOldTls', (s) => ({ ...s, Condition: { NumericLessThan: { 's3:TlsVersion': { 'Fn::If': ['Modern', '1.3', '1.2'] } } } })), 'TlsFloorEnforced'],
];

describe.each(Object.entries(FIXTURES))('the unmutated %s', (_key, fixture) => {
  test(`${fixture.name} has no findings`, () => {
    expect(findings(fixture.build().app, fixture.props)).toEqual([]);
  });
});

// With the test below (each mutation is flagged by the rule it names): every rule of the pack fires on some broken
// configuration, and every fixture is broken in some way.
test('every rule of the pack has a mutation it must flag, and every fixture is mutated', () => {
  expect(new Set(MUTATIONS.map(([, , , rule]) => id(rule)))).toEqual(new Set(S3EncryptionChecks.RULE_IDS));
  expect(new Set(MUTATIONS.map(([f]) => f))).toEqual(new Set(Object.keys(FIXTURES)));
});

let confirmed = 0;
test.each(MUTATIONS.map(([fixture, change, mutate, rule]) => [`${FIXTURES[fixture].name}: ${change}`, rule, fixture, mutate] as const))(
  '%s is flagged by S3Encryption-%s',
  async (_title, rule, fixture, mutate) => {
    const built = FIXTURES[fixture].build();
    mutate(built);
    const found = findings(built.app, FIXTURES[fixture].props);
    expect(ruleIds(found)).toContain(id(rule));
    // Every finding says how to fix it, and none is cdk-nag's generic "rule threw an error".
    for (const f of found) expect(f.description).not.toMatch(/Rule threw an error|The rule failed/);
    // Every request the pack reports as getting through a bucket policy gets through it in iam-simulate too.
    confirmed += await confirmCounterexamples(built.app, FIXTURES[fixture].props);
  },
);

test('the counterexamples of the mutations went through the simulator (runs after them, in file order)', () => {
  // Not vacuous: the mutations' counterexamples (and the compliant buckets' allowed uploads) were confirmed.
  expect(confirmed).toBeGreaterThan(100);
});
