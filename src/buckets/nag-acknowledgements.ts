import * as s3 from 'aws-cdk-lib/aws-s3';
import { COMPLIANCE_NAG_PACKS, NagAcknowledgement } from './shared';
import { BucketAuditing, BucketAuditingKind } from '../audit/bucket-auditing';
import { EncryptionMode } from '../policy/requirement';

/** What the acknowledgements depend on: the props of a bucket construct (`SecureBucketProps`). */
interface AcknowledgedProps extends s3.BucketProps {
  readonly auditing?: BucketAuditing;
}

const LOGGING_REASON =
  'Server access logs need a destination bucket that is the user\'s to choose (pass serverAccessLogsBucket). ' +
  'Object-level access is recorded by CloudTrail data events through EncryptionAuditTrail, which every bucket ' +
  'construct of this library registers with by default (Security Hub S3.22/S3.23).';

const REPLICATION_REASON =
  'Replication is a resilience choice, not an encryption control: it needs a second bucket, usually in another ' +
  'Region or account, that the user owns. Pass replicationRules to enable it.';

const DSSE_REASON =
  'False positive: the bucket uses DSSE-KMS (aws:kms:dsse), which encrypts with a customer-managed KMS key twice. ' +
  'cdk-nag\'s rule only accepts SSE-KMS (aws:kms) and counts DSSE-KMS as not KMS-encrypted.';

const SSE_S3_REASON =
  'SSE-S3 (AES256) is what this construct is for. A standard that requires KMS keys uses KmsEncryptedBucket.';

const SSE_C_REASON =
  'SSE-C is what this construct is for: every object is encrypted with a key the client sends and AWS never stores, ' +
  'and the bucket policy denies any upload without it. The SSE-S3 default is required by S3 and applies to no new ' +
  'object. A standard that requires KMS keys uses KmsEncryptedBucket.';

// Why `*-S3DefaultEncryptionKMS` does not apply, per mode; SSE-KMS satisfies the rule.
const NOT_KMS_REASONS: Partial<Record<EncryptionMode, string>> = {
  [EncryptionMode.SSE_S3]: SSE_S3_REASON,
  [EncryptionMode.DSSE_KMS]: DSSE_REASON,
  [EncryptionMode.SSE_C]: SSE_C_REASON,
};

/**
 * The cdk-nag findings a bucket construct acknowledges on its bucket resource, each with the reason a
 * security reviewer reads. Only findings about features the user did not configure are acknowledged.
 */
export function nagAcknowledgementsFor(props: AcknowledgedProps, mode: EncryptionMode): NagAcknowledgement[] {
  const acknowledgements: NagAcknowledgement[] = [];
  const logsConfigured = props.serverAccessLogsBucket !== undefined || props.serverAccessLogsPrefix !== undefined;
  if (!logsConfigured) {
    // A bucket left out of this library's trails says who audits it instead.
    const reason = props.auditing?.kind === BucketAuditingKind.NONE ?
      `Server access logs are not configured, and object-level access is audited outside this app: ${props.auditing.reason}` :
      LOGGING_REASON;
    acknowledgements.push({ id: 'AwsSolutions-S1', reason });
    for (const pack of COMPLIANCE_NAG_PACKS) {
      acknowledgements.push({ id: `${pack}-S3BucketLoggingEnabled`, reason });
    }
  }
  if (props.replicationRules === undefined) {
    for (const pack of COMPLIANCE_NAG_PACKS) {
      acknowledgements.push({ id: `${pack}-S3BucketReplicationEnabled`, reason: REPLICATION_REASON });
    }
  }
  const notKmsReason = NOT_KMS_REASONS[mode];
  if (notKmsReason !== undefined) {
    for (const pack of COMPLIANCE_NAG_PACKS) {
      acknowledgements.push({ id: `${pack}-S3DefaultEncryptionKMS`, reason: notKmsReason });
    }
  }
  return acknowledgements;
}
