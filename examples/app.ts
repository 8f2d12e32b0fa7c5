import { App, Duration, Stack, StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { Construct } from 'constructs';
import { printComplianceReport } from './report';
import { EncryptedBucket, UploadHeaderRule } from '../src';

/** A data platform's storage: raw uploads and curated reports. */
class DataPlatformStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Producers send the AES256 header themselves: no header, no upload.
    new EncryptedBucket(this, 'RawUploads', {
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
    });

    // Reports are written by tools that rely on default encryption, so a missing header is allowed.
    new EncryptedBucket(this, 'Reports', {
      uploadHeaderRule: UploadHeaderRule.MATCH_IF_PRESENT,
      minimumTLSVersion: 1.3,
    });
  }
}

const app = new App();
new DataPlatformStack(app, 'DataPlatform', {
  env: { account: '111111111111', region: 'eu-west-1' },
});

// Every finding of these packs fails synthesis, and the CDK prints the findings.
const packs = [new AwsSolutionsChecks(), new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks()];
Validations.of(app).addPlugins(...packs);
app.synth();
printComplianceReport(app, packs);
