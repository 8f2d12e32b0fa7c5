import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EncryptionStandardProps } from './standard';
import { checkNumber, checkStringArray } from '../buckets/validation';
import { validationError } from '../errors';
import { ALLOWED_TLS_VERSIONS, DEFAULT_MINIMUM_TLS_VERSION, EncryptionMode, UploadHeaderRule } from '../policy/requirement';

// Checks shared by the organisation guardrails. Not part of the public API.

/** A server-side mode a standard may require. */
export type ServerSideMode = EncryptionMode.SSE_S3 | EncryptionMode.SSE_KMS | EncryptionMode.DSSE_KMS;

/** A standard with its defaults filled in. */
export interface ResolvedStandard {
  readonly mode: ServerSideMode;
  readonly headerRule: UploadHeaderRule;
  readonly minimumTlsVersion: number;
}

/** Whether a mode uses a KMS key. */
export function isKmsMode(mode: EncryptionMode): boolean {
  return mode === EncryptionMode.SSE_KMS || mode === EncryptionMode.DSSE_KMS;
}

/** Validate a standard and fill in its defaults; `where` names the guardrail in messages. */
export function resolveStandard(scope: IConstruct, where: string, props: EncryptionStandardProps): ResolvedStandard {
  checkNumber({ scope, where }, 'minimumTlsVersion', props.minimumTlsVersion, { hint: '1.2 (the default) or 1.3' });
  const mode = props.encryptionMode;
  if (mode === EncryptionMode.SSE_C) {
    throw validationError(scope, 'SseCNotAStandard',
      `encryptionMode SSE-C is not allowed on ${where}: an estate-wide standard cannot ask every writer for a customer key. ` +
      'Use EncryptionMode.SSE_S3, SSE_KMS or DSSE_KMS, and SseCOnlyBucket (with an exemption) for the buckets that need SSE-C.');
  }
  if (!Object.values(EncryptionMode).includes(mode)) {
    throw validationError(scope, 'UnknownEncryptionMode',
      `encryptionMode '${mode}' on ${where} is not a mode: use EncryptionMode.SSE_S3, SSE_KMS or DSSE_KMS.`);
  }
  const rule = props.uploadHeaderRule;
  if (rule !== undefined && !Object.values(UploadHeaderRule).includes(rule)) {
    throw validationError(scope, 'UnknownUploadHeaderRule',
      `uploadHeaderRule '${rule}' on ${where} is not a rule: use UploadHeaderRule.MATCH_IF_PRESENT (the default) or REQUIRED.`);
  }
  const tls = props.minimumTlsVersion;
  if (tls !== undefined && !ALLOWED_TLS_VERSIONS.includes(tls)) {
    throw validationError(scope, 'UnsupportedMinimumTlsVersion',
      `minimumTlsVersion ${tls} is not allowed on ${where}: use 1.2 (the default) or 1.3.`);
  }
  return {
    mode: mode as ServerSideMode,
    headerRule: rule ?? UploadHeaderRule.MATCH_IF_PRESENT,
    minimumTlsVersion: tls ?? DEFAULT_MINIMUM_TLS_VERSION,
  };
}

const KMS_KEY_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** Key ARNs must be key ARNs (not ids or aliases): the condition key and Config compare ARNs. */
export function validateKeyArns(scope: IConstruct, where: string, prop: string, arns: string[]): void {
  checkStringArray({ scope, where }, prop, arns);
  for (const arn of arns) {
    if (Token.isUnresolved(arn)) continue;
    if (!KMS_KEY_ARN.test(arn)) {
      throw validationError(scope, 'KmsKeyArnRequired',
        `${prop} on ${where} has '${arn}', which is not a KMS key ARN. S3 puts the key ARN in ` +
        's3:x-amz-server-side-encryption-aws-kms-key-id, so a key id or alias never matches: pass ' +
        'arn:<partition>:kms:<region>:<account>:key/<key id>.');
    }
  }
}
