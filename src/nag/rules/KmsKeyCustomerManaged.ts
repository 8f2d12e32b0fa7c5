import { parse } from 'path';
import {
  defaultEncryptionOf, defaultKeyArnOf, isAwsManagedKeyReference, isKmsAlgorithm, requiresSseC,
} from '../bucket-encryption';
import { concreteString } from '../cfn-values';
import { listOf, ResourceHandle, RuleCompliance, RuleContext, RuleResult, verdict } from '../rule';

/**
 * An SSE-KMS or DSSE-KMS bucket encrypts with a customer-managed, symmetric key (not the AWS managed `aws/s3`),
 * and with one of the standard's allowed keys when it lists them.
 */
export default Object.defineProperty((node: ResourceHandle, { model, standard }: RuleContext): RuleResult => {
  const bucket = model.bucket(node);
  if (!bucket) return RuleCompliance.NOT_APPLICABLE;
  const encryption = defaultEncryptionOf(bucket);
  if (!isKmsAlgorithm(encryption.algorithm) || requiresSseC(model, bucket) === true) return RuleCompliance.NOT_APPLICABLE;
  if (encryption.kmsMasterKeyUnresolved) {
    return ['The default encryption\'s KMSMasterKeyID could not be resolved (a parameter without a default, Fn::If, ...), ' +
      'so it cannot be shown to be a customer-managed key. Reference the key (key.keyArn) or write its ARN.'];
  }
  if (isAwsManagedKeyReference(encryption.kmsMasterKeyId)) {
    return [`The default encryption is '${encryption.algorithm}' with ${encryption.kmsMasterKeyId ?? 'no KMSMasterKeyID'}, so S3 ` +
      'uses the AWS managed key aws/s3, whose policy nobody can restrict and whose use cannot be separated per bucket. ' +
      'Set KMSMasterKeyID to a customer-managed key (encryptionKey on s3.Bucket, or KmsEncryptedBucket).'];
  }
  const { arn, key } = defaultKeyArnOf(model, bucket);
  const reasons: string[] = [];
  const keySpec = concreteString(key?.properties.KeySpec);
  if (key && keySpec !== undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
    reasons.push(`The key ${key.record.path} has KeySpec ${keySpec}; S3 encrypts only with symmetric keys. ` +
      'Use a SYMMETRIC_DEFAULT key.');
  }
  const allowed = standard.allowedKmsKeyArns;
  if (allowed !== undefined) {
    const reference = encryption.kmsMasterKeyId!;
    const names = [arn, reference, key?.arn, key?.keyId].filter((n): n is string => n !== undefined);
    if (!names.some((n) => allowed.has(n))) {
      const unresolved = standard.unresolvedKmsKeyArns.length > 0
        ? ` (${standard.unresolvedKmsKeyArns.length} entries of allowedKmsKeyArns could not be resolved and were not compared)` : '';
      reasons.push(`The default encryption key ${arn ?? reference} is not one of the standard's allowed keys ` +
        `${listOf([...allowed])}${unresolved}. Encrypt with an allowed key, or add this key to allowedKmsKeyArns.`);
    }
  }
  return verdict(reasons);
}, 'name', { value: parse(__filename).name });
