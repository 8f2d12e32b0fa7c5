import { App, CfnParameter, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BucketAuditing, ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, SseCOnlyBucket } from '../../src';
import { TEST_ENV } from '../harness/cfn-resolve';
import { refusalOf } from '../harness/refusal';

// What a Python, Java, .NET or plain-JavaScript user can pass: every wrong type, weakening prop and weakening call
// ends in a ValidationError that names the prop (never a TypeError, never a weaker bucket).

type BucketClass = new (scope: Construct, id: string, props?: any) => s3.Bucket;

const CONSTRUCTS: Array<[string, BucketClass]> = [
  ['EncryptedBucket', EncryptedBucket],
  ['KmsEncryptedBucket', KmsEncryptedBucket],
  ['SseCOnlyBucket', SseCOnlyBucket],
  ['ClientSideEncryptedBucket', ClientSideEncryptedBucket],
];

const tlsParameter = (stack: Stack) => Token.asNumber(new CfnParameter(stack, 'Tls', { type: 'Number' }).valueAsNumber);

/** [what, props (or a function of the stack that returns them), the prop the message must name] */
type Case = [string, any, RegExp];

const COMMON: Case[] = [
  ['props null', null, /props/],
  ['props a string', 'Data', /props/],
  ['props a number', 5, /props/],
  ['props an array', [], /props/],
  ['publicReadAccess true', { publicReadAccess: true }, /publicReadAccess/],
  ['publicReadAccess 1', { publicReadAccess: 1 }, /publicReadAccess/],
  ['publicReadAccess \'false\'', { publicReadAccess: 'false' }, /publicReadAccess/],
  ['publicReadAccess 1 with BLOCK_ACLS_ONLY', { publicReadAccess: 1, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY }, /publicReadAccess/],
  ['blockPublicAccess BLOCK_ACLS_ONLY', { blockPublicAccess: s3.BlockPublicAccess.BLOCK_ACLS_ONLY }, /blockPublicAccess.*blockPublicPolicy/],
  ['blockPublicAccess without restrictPublicBuckets', {
    blockPublicAccess: new s3.BlockPublicAccess({
      blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false,
    }),
  }, /blockPublicAccess.*restrictPublicBuckets/],
  ['blockPublicAccess with truthy non-true settings', {
    blockPublicAccess: { blockPublicAcls: 1, blockPublicPolicy: 'yes', ignorePublicAcls: true, restrictPublicBuckets: true },
  }, /blockPublicAccess/],
  ['blockPublicAccess a string', { blockPublicAccess: 'BLOCK_ALL' }, /blockPublicAccess/],
  ['blockPublicAccess null', { blockPublicAccess: null }, /blockPublicAccess/],
  ['accessControl PUBLIC_READ', { accessControl: s3.BucketAccessControl.PUBLIC_READ }, /accessControl/],
  ['accessControl PUBLIC_READ_WRITE', { accessControl: s3.BucketAccessControl.PUBLIC_READ_WRITE }, /accessControl/],
  ['accessControl AUTHENTICATED_READ', { accessControl: s3.BucketAccessControl.AUTHENTICATED_READ }, /accessControl/],
  ['accessControl unknown', { accessControl: 'Everyone' }, /accessControl/],
  ['enforceSSL false', { enforceSSL: false }, /enforceSSL/],
  ['enforceSSL 0', { enforceSSL: 0 }, /enforceSSL/],
  ['enforceSSL \'false\'', { enforceSSL: 'false' }, /enforceSSL/],
  ['minimumTLSVersion 1.1', { minimumTLSVersion: 1.1 }, /minimumTLSVersion/],
  ['minimumTLSVersion \'1.2\'', { minimumTLSVersion: '1.2' }, /minimumTLSVersion/],
  ['minimumTLSVersion NaN', { minimumTLSVersion: NaN }, /minimumTLSVersion/],
  ['minimumTLSVersion from a CfnParameter', (stack: Stack) => ({ minimumTLSVersion: tlsParameter(stack) }), /minimumTLSVersion.*token.*concrete/],
  ['blockedEncryptionTypes a string', { blockedEncryptionTypes: 'SSE_C' }, /blockedEncryptionTypes/],
  ['blockedEncryptionTypes [null]', { blockedEncryptionTypes: [null] }, /blockedEncryptionTypes\[0\]/],
  ['blockedEncryptionTypes [\'SSE-C\']', { blockedEncryptionTypes: ['SSE-C'] }, /blockedEncryptionTypes\[0\]/],
  ['bucketName a number', { bucketName: 123 }, /bucketName/],
  ['bucketName too short', { bucketName: 'ab' }, /bucketName 'ab'/],
  ['bucketName too long', { bucketName: 'a'.repeat(64) }, /bucketName/],
  ['bucketName with capitals', { bucketName: 'My-Data' }, /bucketName 'My-Data'/],
  ['bucketName with an underscore', { bucketName: 'my_data' }, /bucketName/],
  ['bucketName ending in -', { bucketName: 'my-data-' }, /bucketName/],
  ['bucketName with ..', { bucketName: 'my..data' }, /bucketName/],
  ['bucketName an IP address', { bucketName: '192.168.5.4' }, /bucketName.*IP address/],
  ['bucketName prefix xn--', { bucketName: 'xn--data' }, /bucketName.*xn--/],
  ['bucketName prefix sthree-', { bucketName: 'sthree-data' }, /bucketName.*sthree-/],
  ['bucketName prefix amzn-s3-demo-', { bucketName: 'amzn-s3-demo-data' }, /bucketName.*amzn-s3-demo-/],
  ['bucketName suffix -s3alias', { bucketName: 'data-s3alias' }, /bucketName.*-s3alias/],
  ['bucketName suffix --ol-s3', { bucketName: 'data--ol-s3' }, /bucketName.*--ol-s3/],
  ['bucketName suffix .mrap', { bucketName: 'data.mrap' }, /bucketName.*\.mrap/],
  ['bucketName suffix --x-s3', { bucketName: 'data--x-s3' }, /bucketName.*--x-s3/],
  ['bucketName suffix --table-s3', { bucketName: 'data--table-s3' }, /bucketName.*--table-s3/],
  ['versioned \'yes\'', { versioned: 'yes' }, /versioned/],
  ['autoDeleteObjects 1', { autoDeleteObjects: 1 }, /autoDeleteObjects/],
  ['bucketKeyEnabled \'true\'', { bucketKeyEnabled: 'true' }, /bucketKeyEnabled/],
  ['encryption a number', { encryption: 5 }, /encryption/],
  ['encryptionKey a string', { encryptionKey: 'arn:aws:kms:eu-west-1:111122223333:key/x' }, /encryptionKey/],
  ['removalPolicy unknown', { removalPolicy: 'keep' }, /removalPolicy/],
  ['objectOwnership unknown', { objectOwnership: 'mine' }, /objectOwnership/],
  ['lifecycleRules an object', { lifecycleRules: {} }, /lifecycleRules/],
  ['lifecycleRules [null]', { lifecycleRules: [null] }, /lifecycleRules\[0\]/],
  ['serverAccessLogsBucket a string', { serverAccessLogsBucket: 'logs' }, /serverAccessLogsBucket/],
  ['auditing a string', { auditing: 'none' }, /auditing/],
  ['auditing an object that is not a BucketAuditing', { auditing: { kind: 'EVERYTHING' } }, /auditing/],
  ['auditing: BucketAuditing.trail(undefined)', () => ({ auditing: BucketAuditing.trail(undefined as any) }), /BucketAuditing\.trail\(trail\)/],
  ['auditing: BucketAuditing.none(5)', () => ({ auditing: BucketAuditing.none(5 as any) }), /BucketAuditing\.none\(reason\)/],
  ['auditing: BucketAuditing.sharedTrail(null)', () => ({ auditing: BucketAuditing.sharedTrail(null as any) }), /options/],
  ['auditing: BucketAuditing.sharedTrail({ readWriteType: \'x\' })', { auditing: BucketAuditing.sharedTrail({ readWriteType: 'x' as any }) }, /readWriteType/],
];

const SPECIFIC: Record<string, Case[]> = {
  EncryptedBucket: [
    ['uploadHeaderRule unknown', { uploadHeaderRule: 'OPTIONAL' }, /uploadHeaderRule/],
    ['uploadHeaderRule a number', { uploadHeaderRule: 5 }, /uploadHeaderRule/],
  ],
  KmsEncryptedBucket: [
    ['dualLayer \'yes\'', { dualLayer: 'yes' }, /dualLayer/],
    ['dualLayer 1', { dualLayer: 1 }, /dualLayer/],
    ['keyAlias a number', { keyAlias: 5 }, /keyAlias/],
    ['keyAlias in the aws/ namespace', { keyAlias: 'alias/aws/s3' }, /keyAlias/],
    ['keyAlias with spaces', { keyAlias: 'my key' }, /keyAlias/],
    ['encryptionKey without a key ARN', { encryptionKey: {} }, /encryptionKey/],
    ['uploadHeaderRule unknown', { uploadHeaderRule: 'OPTIONAL' }, /uploadHeaderRule/],
  ],
  SseCOnlyBucket: [
    ['uploadHeaderRule (not a prop here)', { uploadHeaderRule: 'REQUIRED' }, /uploadHeaderRule/],
    ['blockedEncryptionTypes [SSE_C]', { blockedEncryptionTypes: [s3.BlockedEncryptionType.SSE_C] }, /blockedEncryptionTypes/],
  ],
  ClientSideEncryptedBucket: [
    ['envelopeKey a string', { envelopeKey: 'arn:aws:kms:eu-west-1:111122223333:key/x' }, /envelopeKey/],
    ['keyAlias a number', { keyAlias: 5 }, /keyAlias/],
    ['keyAlias in the aws/ namespace', { keyAlias: 'aws/envelopes' }, /keyAlias/],
    ['uploadHeaderRule unknown', { uploadHeaderRule: 'NEVER' }, /uploadHeaderRule/],
  ],
};

const TABLE: Array<[string, string, BucketClass, any, RegExp]> = CONSTRUCTS.flatMap(([name, cls]) =>
  [...COMMON, ...SPECIFIC[name]].map(([what, props, prop]) => [name, what, cls, props, prop] as [string, string, BucketClass, any, RegExp]));

describe('bad input to the bucket constructs', () => {
  test.each(TABLE)('%s: %s is a ValidationError naming the prop', (_name, _what, cls, props, prop) => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const error = refusalOf(() => {
      new cls(stack, 'Data', typeof props === 'function' ? props(stack) : props);
      Template.fromStack(stack);
    });
    expect(error.message).toMatch(prop);
  });

  test.each(CONSTRUCTS)('%s: grantPublicAccess() is a ValidationError, and adds nothing to the policy', (_name, cls) => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const bucket = new cls(stack, 'Data');
    const before = JSON.stringify(stack.resolve(bucket.policy!.document));
    expect(refusalOf(() => bucket.grantPublicAccess()).message).toMatch(/grantPublicAccess.*s3:GetObject on '\*'/);
    expect(refusalOf(() => bucket.grantPublicAccess('public/*', 's3:GetObject', 's3:PutObject')).message)
      .toMatch(/grantPublicAccess \(s3:GetObject, s3:PutObject on 'public\/\*'\)/);
    // The grants API refuses too: the bucket always blocks public policies (blockPublicAccess must be BLOCK_ALL).
    expect(refusalOf(() => bucket.grants.publicAccess()).message).toMatch(/public access/);
    expect(JSON.stringify(stack.resolve(bucket.policy!.document))).toEqual(before);
  });

  test.each([
    ['grantEncrypt(undefined)', (b: ClientSideEncryptedBucket) => b.grantEncrypt(undefined as any), /grantee of grantEncrypt/],
    ['grantDecrypt(\'role\')', (b: ClientSideEncryptedBucket) => b.grantDecrypt('role' as any), /grantee of grantDecrypt/],
    ['grantEncrypt(role, 5)', (b: ClientSideEncryptedBucket) => b.grantEncrypt(new iam.Role(b, 'R', { assumedBy: new iam.AccountRootPrincipal() }), 5 as any),
      /objectsKeyPattern of grantEncrypt/],
  ])('ClientSideEncryptedBucket: %s is a ValidationError naming the argument', (_what, act, argument) => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const bucket = new ClientSideEncryptedBucket(stack, 'Data');
    expect(refusalOf(() => act(bucket)).message).toMatch(argument);
  });

  test.each(CONSTRUCTS)('%s: publicReadAccess: false and BLOCK_ALL are accepted (they weaken nothing)', (_name, cls) => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    new cls(stack, 'Data', { publicReadAccess: false, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
  });

  test('a valid literal bucketName and a bucketName with a token are accepted', () => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    new EncryptedBucket(stack, 'Literal', { bucketName: 'my.data-1' });
    new EncryptedBucket(stack, 'Token', { bucketName: `data-${Stack.of(stack).account}-${new CfnParameter(stack, 'Suffix').valueAsString}` });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test('a KMS key from another stack of the same Region is accepted (IKey, not only kms.Key)', () => {
    const app = new App();
    const keys = new Stack(app, 'Keys', { env: TEST_ENV });
    const stack = new Stack(app, 'Test', { env: TEST_ENV });
    const key = kms.Key.fromKeyArn(keys, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    expect(() => new KmsEncryptedBucket(stack, 'Data', { encryptionKey: key })).not.toThrow();
  });

  // Every prop of s3.BucketProps with a value of the wrong type. The compiler keeps the list complete: a prop that
  // aws-cdk-lib adds to s3.BucketProps fails the tests' type check until it is here.
  const WRONG_TYPE: Record<keyof s3.BucketProps, unknown> = {
    abacStatus: 'on',
    accessControl: 'Everyone',
    autoDeleteObjects: 'yes',
    blockedEncryptionTypes: 'SSE_C',
    blockPublicAccess: 'BLOCK_ALL',
    bucketKeyEnabled: 1,
    bucketName: 42,
    bucketNamePrefix: 42,
    bucketNamespace: 'everywhere',
    cors: {},
    encryption: 5,
    encryptionKey: 'arn:aws:kms:eu-west-1:111122223333:key/x',
    enforceSSL: 'true',
    eventBridgeEnabled: 'yes',
    intelligentTieringConfigurations: {},
    inventories: {},
    lifecycleRules: {},
    metrics: {},
    minimumTLSVersion: '1.2',
    notificationsHandlerRole: 'arn:aws:iam::111122223333:role/x',
    notificationsSkipDestinationValidation: 'yes',
    objectLockDefaultRetention: 'GOVERNANCE',
    objectLockEnabled: 1,
    objectOwnership: 'mine',
    publicReadAccess: 'no',
    removalPolicy: 'keep',
    replicationRole: 'arn:aws:iam::111122223333:role/x',
    replicationRules: {},
    serverAccessLogsBucket: 'logs',
    serverAccessLogsPrefix: 42,
    targetObjectKeyFormat: 'simple',
    transferAcceleration: 'yes',
    transitionDefaultMinimumObjectSize: 'small',
    versioned: 'yes',
    websiteErrorDocument: 42,
    websiteIndexDocument: 42,
    websiteRedirect: 'example.com',
    websiteRoutingRules: {},
  };

  test.each(CONSTRUCTS.flatMap(([name, cls]) => Object.entries(WRONG_TYPE).map(([prop, value]) => [name, prop, cls, value] as const)))(
    '%s: a wrong type for %s (any prop of s3.BucketProps) is a ValidationError naming it', (_name, prop, cls, value) => {
      const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
      const error = refusalOf(() => {
        new cls(stack, 'Data', { [prop]: value });
        Template.fromStack(stack);
      });
      expect(error.message).toMatch(new RegExp(`\\b${prop}\\b`));
    });
});
