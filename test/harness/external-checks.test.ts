import { App, Duration, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  controlTowerS3RuleFiles,
  ExternalFinding,
  externalChecks,
  GuardRuleFileResult,
  runExternalChecks,
  strictApp,
} from './external-checks';

const ids = (findings: ExternalFinding[], checker: ExternalFinding['checker']) =>
  [...new Set(findings.filter((f) => f.checker === checker).map((f) => f.ruleId))].sort();

const statusOf = (guard: GuardRuleFileResult[]) => Object.fromEntries(guard.map((g) => [g.ruleId, g.status]));

/** A bucket that satisfies every Control Tower S3 control that applies to a bucket and its policy. */
function wellConfiguredBucket(stack: Stack, id: string): s3.Bucket {
  const bucket = new s3.Bucket(stack, id, {
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    versioned: true,
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: new kms.Key(stack, `${id}Key`, { enableKeyRotation: true }),
    bucketKeyEnabled: true,
    objectLockEnabled: true,
    lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    serverAccessLogsBucket: s3.Bucket.fromBucketName(stack, `${id}Logs`, 'central-access-logs'),
  });
  // `eventBridgeEnabled` goes through a custom resource that guard cannot see; CT.S3.PR.4 reads the bucket's own property.
  (bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
  return bucket;
}

describe('externalChecks', () => {
  test('a plain s3.Bucket fails Control Tower S3 controls and cdk-nag rules, but passes the schema', () => {
    const app = strictApp();
    const stack = new Stack(app, 'Plain');
    const bucket = new s3.Bucket(stack, 'B');
    const logicalId = stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId);

    const { findings, guard } = runExternalChecks(app);

    expect(ids(findings, 'cfn-schema')).toEqual([]);
    // A bucket without Properties fails every bucket control, even CT.S3.PR.5 (which only forbids AccessControl) and
    // CT.S3.PR.3 (meant for versioned buckets), because the rules traverse Properties first.
    // No bucket policy means CT.S3.PR.8 does not apply (it never asks for one); no access point, no CT.S3.PR.12.
    expect(ids(findings, 'cfn-guard')).toEqual(['CT.S3.PR.1', 'CT.S3.PR.10', 'CT.S3.PR.11', 'CT.S3.PR.2', 'CT.S3.PR.3',
      'CT.S3.PR.4', 'CT.S3.PR.5', 'CT.S3.PR.6', 'CT.S3.PR.9']);
    expect(findings).toContainEqual(expect.objectContaining({
      checker: 'cfn-guard', ruleId: 'CT.S3.PR.1', resource: logicalId, stack: 'Plain', constructPath: 'Plain/B/Resource',
    }));
    expect(statusOf(guard)).toMatchObject({ 'CT.S3.PR.1': 'FAIL', 'CT.S3.PR.3': 'FAIL', 'CT.S3.PR.8': 'SKIP', 'CT.S3.PR.12': 'SKIP' });
    expect(guard).toHaveLength(controlTowerS3RuleFiles().length);

    const nag = ids(findings, 'cdk-nag');
    expect(nag).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10', 'NIST.800.53.R5-S3BucketSSLRequestsOnly',
      'HIPAA.Security-S3DefaultEncryptionKMS', 'PCI.DSS.321-S3BucketVersioningEnabled']));
    expect(findings).toContainEqual(expect.objectContaining({
      checker: 'cdk-nag', ruleId: 'AwsSolutions-S10', resource: 'Plain/B/Resource', logicalId, stack: 'Plain',
    }));
  });

  test('a well-configured bucket passes every applicable Control Tower S3 control', () => {
    const app = strictApp();
    const stack = new Stack(app, 'Good');
    wellConfiguredBucket(stack, 'B');

    const { findings, guard } = runExternalChecks(app, { checkers: ['cfn-schema', 'cfn-guard'] });

    expect(findings).toEqual([]);
    expect(statusOf(guard)).toEqual({
      'CT.S3.PR.1': 'PASS',
      'CT.S3.PR.2': 'PASS',
      'CT.S3.PR.3': 'PASS',
      'CT.S3.PR.4': 'PASS',
      'CT.S3.PR.5': 'PASS',
      'CT.S3.PR.6': 'PASS',
      'CT.S3.PR.8': 'PASS',
      'CT.S3.PR.9': 'PASS',
      'CT.S3.PR.10': 'PASS',
      'CT.S3.PR.11': 'PASS',
      'CT.S3.PR.12': 'SKIP',
    });
    // cdk-nag's S3 rules agree (AwsSolutions pack only, to keep this fast).
    const nag = externalChecks(app, { checkers: ['cdk-nag'], nagPacks: ['AwsSolutions'] });
    expect(nag.filter((f) => f.resource.startsWith('Good/B/'))).toEqual([]);
  });

  test('guard rule selection, per-resource findings and cdk-nag acknowledgements', () => {
    const app = strictApp();
    const stack = new Stack(app, 'Mixed');
    wellConfiguredBucket(stack, 'Good');
    const plain = new s3.Bucket(stack, 'Plain', { versioned: true });
    Validations.of(plain).acknowledge({ id: 'AwsSolutions-S1', reason: 'test' });
    // A bucket policy without the Deny-insecure-transport statement fails CT.S3.PR.8 (reported on the policy).
    const open = new s3.Bucket(stack, 'Open', { versioned: true, lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(1) }] });
    open.addToResourcePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [open.arnForObjects('*')], principals: [new iam.AccountRootPrincipal()] }));

    const { findings, guard } = runExternalChecks(app, {
      checkers: ['cfn-guard', 'cdk-nag'],
      guardRules: ['CT.S3.PR.3', 'ct-s3-pr-8'],
      nagPacks: ['AwsSolutions'],
    });

    expect(guard.map((g) => [g.ruleFile, g.status])).toEqual([['ct-s3-pr-3', 'FAIL'], ['ct-s3-pr-8', 'FAIL']]);
    const guardFindings = findings.filter((f) => f.checker === 'cfn-guard');
    expect(guardFindings.map((f) => [f.ruleId, f.constructPath])).toEqual([
      ['CT.S3.PR.3', 'Mixed/Plain/Resource'],
      ['CT.S3.PR.8', 'Mixed/Open/Policy/Resource'],
    ]);
    expect(guardFindings[0].message).toMatch(/versioning configured and a lifecycle policy.*Fix:/);

    const nag = findings.filter((f) => f.checker === 'cdk-nag' && f.resource === 'Mixed/Plain/Resource').map((f) => f.ruleId);
    expect(nag).toContain('AwsSolutions-S10');
    expect(nag).not.toContain('AwsSolutions-S1');
  });

  test('strict schema validation: synth throws, externalChecks turns the report into findings', () => {
    const build = () => {
      const app = strictApp();
      const stack = new Stack(app, 'Bad');
      const bucket = new s3.CfnBucket(stack, 'B');
      bucket.addPropertyOverride('VersioningConfiguration.Status', 'Maybe');
      bucket.addPropertyOverride('Bogus', 1);
      return app;
    };

    expect(() => build().synth()).toThrow(/Construct library strict mode considers these errors[\s\S]*'Maybe' is not one of/);

    const findings = externalChecks(build(), { checkers: ['cfn-schema'] });
    expect(findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ checker: 'cfn-schema', ruleId: 'W3030', resource: 'B', constructPath: 'Bad/B', stack: 'Bad', message: expect.stringContaining("'Maybe'") }),
      expect.objectContaining({ checker: 'cfn-schema', ruleId: 'F3002', resource: 'B', message: expect.stringContaining("'Bogus' was unexpected") }),
    ]));
    expect(findings).toHaveLength(2);
  });

  test('stacks inside a Stage are checked; a non-strict app is refused for the schema check', () => {
    const app = strictApp();
    const stage = new Stage(app, 'Prod');
    new s3.Bucket(new Stack(stage, 'Data'), 'B');
    const findings = externalChecks(stage, { checkers: ['cfn-schema', 'cfn-guard'], guardRules: ['CT.S3.PR.1'] });
    expect(findings).toEqual([expect.objectContaining({ checker: 'cfn-guard', ruleId: 'CT.S3.PR.1', stack: 'Prod/Data', constructPath: 'Prod/Data/B/Resource' })]);

    const lax = new App();
    new s3.Bucket(new Stack(lax, 'S'), 'B');
    expect(() => externalChecks(lax)).toThrow(/strictApp\(\)/);
    expect(externalChecks(lax, { checkers: ['cfn-guard'], guardRules: ['CT.S3.PR.11'] }).map((f) => f.ruleId)).toEqual(['CT.S3.PR.11']);
  });
});
