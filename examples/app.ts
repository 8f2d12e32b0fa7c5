import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { printComplianceReport } from './report';
import {
  ClientSideEncryptedBucket, EncryptedBucket, KmsEncryptedBucket, KmsUsageAlarm, S3EncryptionChecks, SseCOnlyBucket,
  UploadHeaderRule,
} from '../src';

/** A data platform's storage: raw uploads, curated reports, customer records and a regulated archive. */
class DataPlatformStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Producers send the AES256 header themselves: no header, no upload.
    new EncryptedBucket(this, 'RawUploads', {
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });

    // Reports are written by tools that rely on default encryption, so a missing header is allowed.
    const reports = new EncryptedBucket(this, 'Reports', {
      uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT,
      minimumTLSVersion: 1.3,
    });
    Validations.of(reports).acknowledge({
      id: 'S3Encryption-UploadHeaderEnforced',
      reason: 'Report tools rely on default encryption; uploads naming another mode are still denied (MATCH_IF_PRESENT).',
    });

    // Customer records: SSE-KMS under a key the team controls and audits, with a Bucket Key to spare the quota.
    new KmsEncryptedBucket(this, 'CustomerRecords', { keyAlias: 'customer-records' });

    // Regulated archive: the standard asks for two layers of encryption at rest.
    new KmsEncryptedBucket(this, 'RegulatedArchive', { dualLayer: true });

    // Case evidence: keys that AWS must never hold, sent by the client with every request.
    new SseCOnlyBucket(this, 'CaseEvidence', { minimumTLSVersion: 1.3 });

    // Patient files: encrypted by the application before upload; S3 only ever holds ciphertext.
    const patientFiles = new ClientSideEncryptedBucket(this, 'PatientFiles', { keyAlias: 'patient-files-envelopes' });
    Validations.of(patientFiles).acknowledge({
      id: 'S3Encryption-UploadHeaderEnforced',
      reason: 'Objects are client-side encrypted; SSE-S3 is a second layer that header-less uploads get by default.',
    });

    // DSSE-KMS calls KMS on every object operation: watch the account's request quota.
    const alerts = new sns.Topic(this, 'StorageAlerts', {
      enforceSSL: true,
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
    });
    new KmsUsageAlarm(this, 'KmsUsage', { thresholdPercent: 80, topic: alerts });
  }
}

const app = new App();
new DataPlatformStack(app, 'DataPlatform', {
  env: { account: '111111111111', region: 'eu-west-1' },
});

// The organisation's encryption standard (SSE-C allowed for the evidence bucket, every bucket audited), then
// cdk-nag's packs. Every finding fails synthesis, and the CDK prints the findings.
const packs = [
  new S3EncryptionChecks(app, { allowSseC: true, requireAuditTrail: true }),
  new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(),
];
Validations.of(app).addPlugins(...packs);
app.synth();
printComplianceReport(app, packs);
