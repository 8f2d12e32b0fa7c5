import { App, Aspects, Duration, Stack, ValidationError } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketAuditing, registerBucketAuditing } from '../../src/audit/bucket-auditing';
import { EncryptionAuditTrail, EncryptionAuditTrailProps } from '../../src/audit/encryption-audit-trail';
import { TOO_MANY_TRAILS_WARNING } from '../../src/audit/trail-quota';
import { auditedObjectPrefixes, objectPrefixOf, selectorsOf, trailsOf, unauditedBuckets } from '../harness/audit';
import { TEST_ENV } from '../harness/cfn-resolve';

function newStack(app: App = new App(), id = 'Audit', env = TEST_ENV) {
  return new Stack(app, id, { env });
}

function synth(props?: EncryptionAuditTrailProps, buckets = 1) {
  const stack = newStack();
  const trail = new EncryptionAuditTrail(stack, 'Trail', props);
  const added = Array.from({ length: buckets }, (_, i) => new s3.Bucket(stack, `Data${i}`));
  added.forEach((b) => trail.addBucket(b));
  return { stack, trail, buckets: added, template: Template.fromStack(stack) };
}

const json = (t: Template) => t.toJSON() as any;
const logicalIdOf = (stack: Stack, c: { node: { defaultChild?: any } }) => stack.resolve(c.node.defaultChild.logicalId);

describe('EncryptionAuditTrail', () => {
  test('template (selectors, key policy, bucket policy and logical IDs are part of the contract)', () => {
    const stack = newStack();
    const trail = EncryptionAuditTrail.of(stack);
    trail.addBucket(new s3.Bucket(stack, 'Reports'));
    trail.addBucket(new s3.Bucket(stack, 'Archive'), { readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY });
    trail.addBucket(s3.Bucket.fromBucketName(stack, 'Imported', 'imported-bucket'), { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });

  test('template with CloudWatch Logs', () => {
    expect(synth({ cloudWatchLogs: true }).template.toJSON()).toMatchSnapshot();
  });

  describe('the trail', () => {
    test('is one AWS::CloudTrail::Trail, logging, validated, multi-Region, KMS-encrypted, into its log bucket', () => {
      const { stack, trail, template } = synth();
      template.resourceCountIs('AWS::CloudTrail::Trail', 1);
      template.hasResource('AWS::CloudTrail::Trail', {
        Properties: {
          TrailName: trail.trailName,
          IsLogging: true,
          EnableLogFileValidation: true,
          IsMultiRegionTrail: true,
          IncludeGlobalServiceEvents: true,
          KMSKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, trail.encryptionKey), 'Arn'] },
          S3BucketName: { Ref: logicalIdOf(stack, trail.logBucket) },
          EventSelectors: Match.absent(),
          CloudWatchLogsLogGroupArn: Match.absent(),
        },
        // CloudTrail checks the bucket policy when it creates the trail.
        DependsOn: [stack.resolve((trail.logBucket.policy!.node.defaultChild as any).logicalId)],
      });
    });

    test('is single-Region on request', () => {
      synth({ isMultiRegionTrail: false }).template.hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: false });
    });

    test('has a name fixed at synthesis and an ARN built from it (no Fn::GetAtt of the trail anywhere)', () => {
      const { stack, trail, template } = synth({ trailName: 'org-data-events' });
      expect(trail.trailName).toBe('org-data-events');
      expect(stack.resolve(trail.trailArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:eu-west-1:111111111111:trail/org-data-events']],
      });
      expect(JSON.stringify(template.toJSON())).not.toMatch(/"Fn::GetAtt":\["[A-Za-z0-9]*Trail[0-9A-F]{8}"/);
    });

    test('default names are unique per stack and construct path and valid trail names', () => {
      const app = new App();
      const a = new EncryptionAuditTrail(newStack(app, 'A'), 'Trail');
      const b = new EncryptionAuditTrail(newStack(app, 'B'), 'Trail');
      expect(a.trailName).not.toEqual(b.trailName);
      expect(a.trailName).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$/);
    });
  });

  describe('advanced event selectors', () => {
    test('management events first, read and write (no readOnly field), so KMS GenerateDataKey and Decrypt are recorded', () => {
      const selectors = selectorsOf(json(synth().template));
      expect(selectors[0]).toEqual({
        Name: expect.stringContaining('Management'),
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      });
    });

    test('one S3 object selector per read/write option, each bucket as `<bucket ARN>/`', () => {
      const stack = newStack();
      const trail = new EncryptionAuditTrail(stack, 'Trail');
      const all = new s3.Bucket(stack, 'All');
      const reads = new s3.Bucket(stack, 'Reads');
      const writes = new s3.Bucket(stack, 'Writes');
      trail.addBucket(all);
      trail.addBucket(reads, { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
      trail.addBucket(writes, { readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY });
      const template = json(Template.fromStack(stack));
      const selectors = selectorsOf(template);
      expect(selectors.map((s) => s.FieldSelectors)).toEqual([
        [{ Field: 'eventCategory', Equals: ['Management'] }],
        [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'resources.ARN', StartsWith: [objectPrefixOf(template, logicalIdOf(stack, all))] },
        ],
        [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'readOnly', Equals: ['true'] },
          { Field: 'resources.ARN', StartsWith: [objectPrefixOf(template, logicalIdOf(stack, reads))] },
        ],
        [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'readOnly', Equals: ['false'] },
          { Field: 'resources.ARN', StartsWith: [objectPrefixOf(template, logicalIdOf(stack, writes))] },
        ],
      ]);
    });

    test('buckets with the same option share one selector', () => {
      const { template } = synth({}, 3);
      const selectors = selectorsOf(json(template));
      expect(selectors).toHaveLength(2);
      expect(selectors[1].FieldSelectors[2].StartsWith).toHaveLength(3);
    });

    test('registering a bucket twice widens it: read-only plus write-only is all; the same option twice is one value', () => {
      const stack = newStack();
      const trail = new EncryptionAuditTrail(stack, 'Trail');
      const widened = new s3.Bucket(stack, 'Widened');
      const twice = new s3.Bucket(stack, 'Twice');
      trail.addBucket(widened, { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
      trail.addBucket(widened, { readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY });
      trail.addBucket(twice, { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
      trail.addBucket(twice, { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
      const template = json(Template.fromStack(stack));
      expect(Object.fromEntries(auditedObjectPrefixes(template))).toEqual({
        [objectPrefixOf(template, logicalIdOf(stack, widened))]: 'All',
        [objectPrefixOf(template, logicalIdOf(stack, twice))]: 'ReadOnly',
      });
    });

    test('are partition-aware: bucket ARNs are tokens, imported buckets use AWS::Partition', () => {
      const stack = newStack();
      const trail = new EncryptionAuditTrail(stack, 'Trail');
      trail.addBucket(s3.Bucket.fromBucketName(stack, 'Imported', 'imported-bucket'));
      const template = json(Template.fromStack(stack));
      const raw = template.Resources[trailsOf(template)[0]].Properties.AdvancedEventSelectors[1].FieldSelectors[2].StartsWith[0];
      expect(raw).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::imported-bucket/']] });
      const govCloud = { account: TEST_ENV.account, region: 'us-gov-west-1', partition: 'aws-us-gov' };
      expect([...auditedObjectPrefixes(template, undefined, govCloud).keys()]).toEqual(['arn:aws-us-gov:s3:::imported-bucket/']);
    });

    test('are rendered at synthesis: buckets added after the trail was created are recorded', () => {
      const stack = newStack();
      const trail = EncryptionAuditTrail.of(stack);
      const early = new s3.Bucket(stack, 'Early');
      trail.addBucket(early);
      const late = new s3.Bucket(stack, 'Late');
      EncryptionAuditTrail.of(late).addBucket(late);
      expect(unauditedBuckets(json(Template.fromStack(stack)))).toEqual([]);
    });

    test('without management events, only the S3 object selectors remain', () => {
      const selectors = selectorsOf(json(synth({ includeManagementEvents: false }).template));
      expect(selectors.map((s) => s.FieldSelectors[0].Equals[0])).toEqual(['Data']);
    });

    test('pass CloudFormation\'s schema (see encryption-audit-trail.checks.test.ts for strict validation)', () => {
      // Equals is the only operator CloudTrail accepts on readOnly, eventCategory and resources.type.
      for (const selector of selectorsOf(json(synth({}, 2).template))) {
        for (const field of selector.FieldSelectors) {
          if (['readOnly', 'eventCategory', 'resources.type'].includes(field.Field)) expect(Object.keys(field).sort()).toEqual(['Equals', 'Field']);
        }
      }
    });
  });

  describe('every registered bucket stays in the selectors', () => {
    // These tests fail if a bucket falls out of the selectors, whatever the reason.
    function twoBuckets() {
      const stack = newStack();
      const first = new s3.Bucket(stack, 'First');
      const second = new s3.Bucket(stack, 'Second');
      registerBucketAuditing(first);
      registerBucketAuditing(second);
      return { stack, first, second, template: json(Template.fromStack(stack)) };
    }

    test('two buckets, one trail, both recorded, read and write', () => {
      const { stack, first, second, template } = twoBuckets();
      expect(trailsOf(template)).toHaveLength(1);
      expect(unauditedBuckets(template)).toEqual([]);
      expect(Object.fromEntries(auditedObjectPrefixes(template))).toEqual({
        [objectPrefixOf(template, logicalIdOf(stack, first))]: 'All',
        [objectPrefixOf(template, logicalIdOf(stack, second))]: 'All',
      });
    });

    test('the check fails when a bucket is removed from the selectors', () => {
      const { stack, second, template } = twoBuckets();
      const trail = template.Resources[trailsOf(template)[0]];
      const arns = trail.Properties.AdvancedEventSelectors[1].FieldSelectors[2].StartsWith;
      trail.Properties.AdvancedEventSelectors[1].FieldSelectors[2].StartsWith = arns.slice(0, 1);
      expect(unauditedBuckets(template)).toEqual([logicalIdOf(stack, second)]);
    });

    test('the check fails when a bucket is recorded for reads only', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket');
      registerBucketAuditing(bucket, BucketAuditing.sharedTrail({ readWriteType: cloudtrail.ReadWriteType.READ_ONLY }));
      expect(unauditedBuckets(json(Template.fromStack(stack)))).toEqual([logicalIdOf(stack, bucket)]);
    });

    test('the check fails when a bucket is not registered', () => {
      const stack = newStack();
      registerBucketAuditing(new s3.Bucket(stack, 'Registered'));
      const forgotten = new s3.Bucket(stack, 'Forgotten');
      expect(unauditedBuckets(json(Template.fromStack(stack)))).toEqual([logicalIdOf(stack, forgotten)]);
    });
  });

  describe('the trail key', () => {
    test('is rotated, retained, and its policy names the trail by its built ARN', () => {
      const { stack, trail, template } = synth();
      template.hasResource('AWS::KMS::Key', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({ EnableKeyRotation: true }),
      });
      const policy = template.findResources('AWS::KMS::Key')[logicalIdOf(stack, trail.encryptionKey)].Properties.KeyPolicy;
      expect(policy.Statement.map((s: any) => s.Sid)).toEqual([
        'AllowKeyAdministration', 'AllowCloudTrailEncryptForThisTrail', 'AllowCloudTrailDescribeKey', 'AllowAccountDecryptTrailLogs',
      ]);
      const partition = { Ref: 'AWS::Partition' };
      expect(policy.Statement[1]).toEqual({
        Sid: 'AllowCloudTrailEncryptForThisTrail',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 'kms:GenerateDataKey*',
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceArn': stack.resolve(trail.trailArn) },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', partition, ':cloudtrail:*:111111111111:trail/*']] } },
        },
      });
      expect(policy.Statement[3]).toMatchObject({
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', partition, ':iam::111111111111:root']] } },
        Action: 'kms:Decrypt',
        Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': expect.anything() } },
      });
    });

    test('gives the account no blanket kms:* and no way to encrypt', () => {
      const { template } = synth();
      const statements = Object.values(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
      const accountActions = statements.filter((s: any) => s.Principal.AWS).flatMap((s: any) => [s.Action].flat());
      expect(accountActions).not.toContain('kms:*');
      expect(accountActions.filter((a: string) => /Encrypt|GenerateDataKey|ReEncrypt/.test(a))).toEqual([]);
    });

    test('lets CloudWatch Logs use it for the trail\'s log group only, when there is one', () => {
      const { stack, trail, template } = synth({ cloudWatchLogs: true });
      const policy = template.findResources('AWS::KMS::Key')[logicalIdOf(stack, trail.encryptionKey)].Properties.KeyPolicy;
      expect(policy.Statement[4]).toMatchObject({
        Sid: 'AllowCloudWatchLogsForTrailLogGroup',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Condition: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:111111111111:log-group:/aws/cloudtrail/${trail.trailName}`]],
            },
          },
        },
      });
    });
  });

  describe('the log bucket', () => {
    test('is secured like an EncryptedBucket, with SSE-S3 as the default for header-less writes (digest files)', () => {
      synth().template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
              BlockedEncryptionTypes: { EncryptionType: ['SSE-C'] },
            }],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      });
    });

    test('policy: the EncryptedBucket transport statements, the upload rule CloudTrail satisfies, CloudTrail\'s delivery', () => {
      const { stack, trail, template } = synth();
      const statements = Object.values(template.findResources('AWS::S3::BucketPolicy'))[0].Properties.PolicyDocument.Statement;
      expect(statements.map((s: any) => s.Sid)).toEqual([
        'DenyInsecureTransport', 'DenyOutdatedTls', 'DenyWrongEncryptionHeader', 'DenyWrongKmsKey',
        'AllowCloudTrailAclCheck', 'AllowCloudTrailWrite',
      ]);
      const bucketArn = { 'Fn::GetAtt': [logicalIdOf(stack, trail.logBucket), 'Arn'] };
      expect(statements[5]).toEqual({
        Sid: 'AllowCloudTrailWrite',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [bucketArn, '/AWSLogs/111111111111/*']] },
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': stack.resolve(trail.trailArn) } },
      });
      expect(statements[4]).toMatchObject({ Action: 's3:GetBucketAcl', Resource: bucketArn });
      expect(statements[3].Condition.StringNotEquals).toEqual({
        's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [logicalIdOf(stack, trail.encryptionKey), 'Arn'] },
      });
    });

    test('keeps logs: abort stale uploads, move to Glacier Instant Retrieval after 90 days, no expiration', () => {
      const rules = Object.values(synth().template.findResources('AWS::S3::Bucket'))
        .map((b: any) => b.Properties?.LifecycleConfiguration).filter(Boolean)[0].Rules;
      expect(rules).toEqual([
        { Id: 'AbortIncompleteMultipartUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' },
        {
          Id: 'TransitionOldLogs',
          Status: 'Enabled',
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
          NoncurrentVersionTransitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 90 }],
        },
      ]);
    });

    test('expires logs only when asked, after the transition', () => {
      const rules = Object.values(synth({
        transitionLogsAfter: Duration.days(30), transitionStorageClass: s3.StorageClass.GLACIER, expireLogsAfter: Duration.days(2555),
      }).template.findResources('AWS::S3::Bucket')).map((b: any) => b.Properties?.LifecycleConfiguration).filter(Boolean)[0].Rules;
      expect(rules[1].Transitions).toEqual([{ StorageClass: 'GLACIER', TransitionInDays: 30 }]);
      expect(rules[2]).toEqual({
        Id: 'ExpireOldLogs', Status: 'Enabled', ExpirationInDays: 2555, NoncurrentVersionExpiration: { NoncurrentDays: 2555 },
      });
    });
  });

  describe('CloudWatch Logs', () => {
    test('are off by default', () => {
      const { template } = synth();
      template.resourceCountIs('AWS::Logs::LogGroup', 0);
      template.resourceCountIs('AWS::IAM::Role', 0);
    });

    test('on request: an encrypted log group with retention, a role CloudTrail assumes, a managed policy', () => {
      const { stack, trail, template } = synth({ cloudWatchLogs: true, cloudWatchLogsRetention: logs.RetentionDays.TWO_YEARS });
      template.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: {
          LogGroupName: `/aws/cloudtrail/${trail.trailName}`,
          RetentionInDays: 731,
          KmsKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, trail.encryptionKey), 'Arn'] },
        },
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudtrail.amazonaws.com' } })] },
      });
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':log-stream:111111111111_CloudTrail_\\*$')])] },
          })],
        },
      });
      const cfnTrail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0] as any;
      expect(cfnTrail.Properties.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(stack, trail.logGroup as any), 'Arn'] });
      expect(cfnTrail.Properties.CloudWatchLogsRoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TrailLogsRole/), 'Arn'] });
      expect(cfnTrail.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^TrailLogsPolicy/)]));
    });
  });

  describe('EncryptionAuditTrail.of', () => {
    test('creates the stack\'s trail on first use, at a well-known id at the stack root, and returns it after', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket');
      const first = EncryptionAuditTrail.of(bucket);
      expect(first.node.path).toBe(`Audit/${EncryptionAuditTrail.SHARED_TRAIL_ID}`);
      expect(EncryptionAuditTrail.of(stack)).toBe(first);
      expect(EncryptionAuditTrail.of(first.logBucket)).toBe(first);
      first.addBucket(bucket);
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::CloudTrail::Trail', 1);
      template.resourceCountIs('AWS::KMS::Key', 1);
    });

    test('gives each stack its own trail', () => {
      const app = new App();
      const a = EncryptionAuditTrail.of(newStack(app, 'A'));
      const b = EncryptionAuditTrail.of(newStack(app, 'B'));
      expect(a).not.toBe(b);
    });

    test('refuses an id taken by another construct', () => {
      const stack = newStack();
      new s3.Bucket(stack, EncryptionAuditTrail.SHARED_TRAIL_ID);
      expect(() => EncryptionAuditTrail.of(stack)).toThrow(/reserved for the shared trail/);
    });
  });

  describe('BucketAuditing', () => {
    test('sharedTrail() is the default, and passes its options on', () => {
      const stack = newStack();
      const bucket = new s3.Bucket(stack, 'Bucket');
      registerBucketAuditing(bucket, BucketAuditing.sharedTrail({ readWriteType: cloudtrail.ReadWriteType.WRITE_ONLY }));
      const template = json(Template.fromStack(stack));
      expect([...auditedObjectPrefixes(template).values()]).toEqual(['WriteOnly']);
      expect(stack.node.tryFindChild(EncryptionAuditTrail.SHARED_TRAIL_ID)).toBeDefined();
    });

    test('trail(t) registers with that trail, e.g. one in another stack, and creates no shared trail', () => {
      const app = new App();
      const auditStack = newStack(app, 'AuditStack');
      const dataStack = newStack(app, 'DataStack');
      const trail = new EncryptionAuditTrail(auditStack, 'Central');
      const bucket = new s3.Bucket(dataStack, 'Bucket');
      registerBucketAuditing(bucket, BucketAuditing.trail(trail));
      expect(dataStack.node.tryFindChild(EncryptionAuditTrail.SHARED_TRAIL_ID)).toBeUndefined();
      // The bucket's ARN is picked out of the one list its stack exports for the trail.
      const trailResource = json(Template.fromStack(auditStack)).Resources[auditStack.resolve(trail.cfnTrail.logicalId)];
      const selectors = trailResource.Properties.AdvancedEventSelectors;
      expect(selectors[1].FieldSelectors[2].StartsWith).toEqual([
        { 'Fn::Select': [0, { 'Fn::Split': [',', { 'Fn::ImportValue': expect.stringMatching(/^DataStack:AuditedBuckets:/) }] }] },
      ]);
      Template.fromStack(dataStack).resourceCountIs('AWS::CloudTrail::Trail', 0);
    });

    test('none(reason) registers nowhere and creates no trail', () => {
      const stack = newStack();
      registerBucketAuditing(new s3.Bucket(stack, 'Bucket'), BucketAuditing.none('The organisation trail records S3 data events of every bucket'));
      Template.fromStack(stack).resourceCountIs('AWS::CloudTrail::Trail', 0);
    });

    test.each(['', '   ', 'org'])('none(%j) is refused: the reason is what a reviewer reads', (reason) => {
      const stack = newStack();
      expect(() => registerBucketAuditing(new s3.Bucket(stack, 'Bucket'), BucketAuditing.none(reason))).toThrow(ValidationError);
    });

    test('exposes what it says', () => {
      expect(BucketAuditing.none('The organisation trail records it')).toMatchObject({ kind: 'NONE', reason: 'The organisation trail records it' });
      expect(BucketAuditing.sharedTrail()).toMatchObject({ kind: 'SHARED_TRAIL', options: {} });
    });
  });

  describe('refusals', () => {
    const cases: Array<[string, () => void, RegExp]> = [
      ['ReadWriteType.NONE', () => synth().trail.addBucket(s3.Bucket.fromBucketName(newStack(), 'X', 'xyz-bucket'), { readWriteType: cloudtrail.ReadWriteType.NONE }),
        /readWriteType 'None'.*records nothing/],
      ['write events of the trail\'s own log bucket', () => { const { trail } = synth(); trail.addBucket(trail.logBucket); },
        /own log deliveries.*READ_ONLY/],
      ['an invalid trail name', () => synth({ trailName: 'bad name!' }), /trailName 'bad name!'/],
      ['a trail name with two separators in a row', () => synth({ trailName: 'bad--name' }), /trailName 'bad--name'/],
      ['a trail name in IP address form', () => synth({ trailName: '10.0.0.1' }), /IP address form/],
      ['expiration before the transition', () => synth({ expireLogsAfter: Duration.days(30) }), /expireLogsAfter \(30 days\).*transitionLogsAfter \(90 days\)/],
      ['log group retention without CloudWatch Logs', () => synth({ cloudWatchLogsRetention: logs.RetentionDays.ONE_WEEK }), /cloudWatchLogsRetention.*cloudWatchLogs: true/],
      ['a trail that records nothing', () => synth({ includeManagementEvents: false }, 0), /would record nothing/],
    ];
    test.each(cases)('%s is a ValidationError', (_what, act, message) => {
      expect(act).toThrow(ValidationError);
      expect(act).toThrow(message);
    });

    test('reading the log bucket is allowed: it records who reads the logs, not the deliveries', () => {
      const stack = newStack();
      const trail = new EncryptionAuditTrail(stack, 'Trail');
      trail.addBucket(trail.logBucket, { readWriteType: cloudtrail.ReadWriteType.READ_ONLY });
      expect([...auditedObjectPrefixes(json(Template.fromStack(stack))).values()]).toEqual(['ReadOnly']);
    });
  });

  describe('quota: 500 condition values across the advanced event selectors', () => {
    // Management selector: 1 value. S3 object selector (all events): 2 values plus one per bucket.
    function trailWith(buckets: number) {
      const stack = newStack();
      const trail = new EncryptionAuditTrail(stack, 'Trail');
      for (let i = 0; i < buckets; i++) trail.addBucket(s3.Bucket.fromBucketName(stack, `B${i}`, `bucket-${i}`));
      return stack;
    }

    test('497 buckets (500 values) synthesize', () => {
      const template = json(Template.fromStack(trailWith(497)));
      expect(auditedObjectPrefixes(template).size).toBe(497);
    });

    test('498 buckets (501 values) are a ValidationError at synthesis that says how to split', () => {
      const stack = trailWith(498);
      const act = () => Template.fromStack(stack);
      expect(act).toThrow(ValidationError);
      expect(act).toThrow(/needs 501 condition values.*allows 500.*second trail.*BucketAuditing\.trail\(trail\)/);
    });

    test('counts buckets added after the trail, through registerBucketAuditing', () => {
      const stack = trailWith(0);
      const trail = stack.node.findChild('Trail') as EncryptionAuditTrail;
      for (let i = 0; i < 498; i++) registerBucketAuditing(s3.Bucket.fromBucketName(stack, `Late${i}`, `late-${i}`), BucketAuditing.trail(trail));
      expect(() => Template.fromStack(stack)).toThrow(/needs 501 condition values/);
    });
  });

  describe('quota: 5 trails per Region', () => {
    const warningsOf = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('CloudTrail trails'));

    function appWith(otherTrails: number, otherEnv = TEST_ENV, multiRegion = true) {
      const app = new App();
      const stack = newStack(app, 'Audit');
      EncryptionAuditTrail.of(stack);
      const other = newStack(app, 'Other', otherEnv);
      for (let i = 0; i < otherTrails; i++) {
        new cloudtrail.CfnTrail(other, `Trail${i}`, { isLogging: true, s3BucketName: 'logs', isMultiRegionTrail: multiRegion });
      }
      return stack;
    }

    test('5 trails in one account and Region: no warning', () => {
      expect(warningsOf(appWith(4))).toEqual([]);
    });

    test('6 trails (ours and any AWS::CloudTrail::Trail, in any stack): a warning on our trail', () => {
      const warnings = warningsOf(appWith(5));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].id).toBe(`/Audit/${EncryptionAuditTrail.SHARED_TRAIL_ID}`);
      expect(warnings[0].entry.data).toMatch(/6 CloudTrail trails in account 111111111111, Region eu-west-1.*allows 5/);
      expect(warnings[0].entry.data).toContain(TOO_MANY_TRAILS_WARNING);
    });

    test('L2 cloudtrail.Trail counts too', () => {
      const app = new App();
      const stack = newStack(app, 'Audit');
      EncryptionAuditTrail.of(stack);
      for (let i = 0; i < 5; i++) new cloudtrail.Trail(stack, `L2Trail${i}`);
      expect(warningsOf(stack)).toHaveLength(1);
    });

    test('multi-Region trails of the account count in every Region; single-Region ones only in theirs', () => {
      const elsewhere = { account: TEST_ENV.account, region: 'us-east-1' };
      expect(warningsOf(appWith(5, elsewhere, true))).toHaveLength(1);
      expect(warningsOf(appWith(5, elsewhere, false))).toEqual([]);
    });

    test('trails of another account do not count', () => {
      expect(warningsOf(appWith(5, { account: '222222222222', region: TEST_ENV.region }))).toEqual([]);
    });

    test('environment-agnostic stacks count as one environment', () => {
      const app = new App();
      const stack = new Stack(app, 'Agnostic');
      EncryptionAuditTrail.of(stack);
      for (let i = 0; i < 5; i++) EncryptionAuditTrail.of(new Stack(app, `Agnostic${i}`));
      const warnings = warningsOf(stack);
      expect(warnings).toHaveLength(1);
      expect(warnings[0].entry.data).toMatch(/\(deployment account\)/);
    });

    test('is checked once per app, however many trails there are', () => {
      const app = new App();
      for (let i = 0; i < 3; i++) EncryptionAuditTrail.of(newStack(app, `S${i}`));
      expect(Aspects.of(app).all).toHaveLength(1);
    });
  });
});

