import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ConditionKeys,
  DEFAULT_MINIMUM_TLS_VERSION,
  EncryptionMode,
  EncryptionRequirement,
  SSE_C_ALGORITHM,
  UploadHeaderRule,
} from './requirement';

// The only module that knows the shape of each statement. Buckets, the Aspect and the resource control
// policy call these builders; the rule pack evaluates what they produce.

/** Stable statement ids: part of the snapshot contract. */
export const StatementIds = {
  DENY_INSECURE_TRANSPORT: 'DenyInsecureTransport',
  DENY_OUTDATED_TLS: 'DenyOutdatedTls',
  DENY_WRONG_ENCRYPTION_HEADER: 'DenyWrongEncryptionHeader',
  DENY_WRONG_KMS_KEY: 'DenyWrongKmsKey',
  DENY_MISSING_SSE_C: 'DenyMissingSseC',
  DENY_SERVER_MANAGED_ENCRYPTION: 'DenyServerManagedEncryption',
  DENY_SSE_C_UPLOAD: 'DenySseCUpload',
} as const;


// The condition keys and the SSE-C algorithm live with the requirement (a leaf module, free of aws-cdk-lib).
export { ConditionKeys, SSE_C_ALGORITHM } from './requirement';

type Conditions = Record<string, Record<string, unknown>>;

/**
 * What the statements apply to and who they apply to.
 */
export interface StatementScope {
  /** Bucket ARNs (for statements that cover bucket-level actions). */
  readonly bucketArns: string[];
  /** Object ARNs (`<bucket ARN>/*`). */
  readonly objectArns: string[];
  /**
   * Principal of every Deny.
   *
   * @default - `{ AWS: '*' }`, as a bucket policy writes it
   */
  readonly principal?: iam.IPrincipal;
  /**
   * Conditions added to every statement, e.g. an exemption for AWS service principals in an RCP.
   *
   * @default - none
   */
  readonly extraConditions?: Conditions;
}

/** The scope of one bucket and its objects. */
export function bucketScope(bucketArn: string): StatementScope {
  return { bucketArns: [bucketArn], objectArns: [`${bucketArn}/*`] };
}

function deny(scope: StatementScope, sid: string, actions: string[], resources: string[], conditions: Conditions) {
  const merged: Conditions = { ...conditions };
  for (const [operator, values] of Object.entries(scope.extraConditions ?? {})) {
    merged[operator] = { ...(merged[operator] ?? {}), ...values };
  }
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [scope.principal ?? new iam.AnyPrincipal()],
    actions,
    resources,
    conditions: merged,
  });
}

/** Every request to the bucket and its objects without TLS is denied. */
export function denyInsecureTransport(scope: StatementScope): iam.PolicyStatement {
  return deny(scope, StatementIds.DENY_INSECURE_TRANSPORT, ['s3:*'], [...scope.bucketArns, ...scope.objectArns], {
    Bool: { [ConditionKeys.SECURE_TRANSPORT]: 'false' },
  });
}

/** Every request to the bucket and its objects over TLS older than the floor is denied. */
export function denyOutdatedTls(scope: StatementScope, minimumTlsVersion: number = DEFAULT_MINIMUM_TLS_VERSION): iam.PolicyStatement {
  return deny(scope, StatementIds.DENY_OUTDATED_TLS, ['s3:*'], [...scope.bucketArns, ...scope.objectArns], {
    NumericLessThan: { [ConditionKeys.TLS_VERSION]: minimumTlsVersion },
  });
}

/**
 * An upload whose `x-amz-server-side-encryption` header is not the bucket's mode is denied.
 *
 * With `REQUIRED`, a missing header is denied too (a negated operator is true for an absent key). With
 * `MATCH_IF_PRESENT`, a `Null = false` condition limits the Deny to uploads that send the header:
 * `StringNotEqualsIfExists` would not do that, since it is true for an absent key.
 */
export function denyWrongEncryptionHeader(
  scope: StatementScope,
  mode: EncryptionMode.SSE_S3 | EncryptionMode.SSE_KMS | EncryptionMode.DSSE_KMS,
  headerRule: UploadHeaderRule = UploadHeaderRule.REQUIRED,
): iam.PolicyStatement {
  return deny(scope, StatementIds.DENY_WRONG_ENCRYPTION_HEADER, ['s3:PutObject'], scope.objectArns, {
    ...onlyWhenHeaderSent(headerRule),
    StringNotEquals: { [ConditionKeys.SSE]: mode },
  });
}

/**
 * An SSE-KMS or DSSE-KMS upload that does not name the bucket's key ARN (or one of several allowed key ARNs,
 * as a resource control policy has them) is denied.
 *
 * With `MATCH_IF_PRESENT`, an upload with no SSE header at all is allowed (it gets the bucket's key), but
 * one that names `aws:kms` without the key id is denied, since S3 would then use the AWS managed key.
 */
export function denyWrongKmsKey(
  scope: StatementScope,
  kmsKeyArn: string | string[],
  headerRule: UploadHeaderRule = UploadHeaderRule.REQUIRED,
): iam.PolicyStatement {
  return deny(scope, StatementIds.DENY_WRONG_KMS_KEY, ['s3:PutObject'], scope.objectArns, {
    ...onlyWhenHeaderSent(headerRule),
    StringNotEquals: { [ConditionKeys.SSE_KMS_KEY_ID]: kmsKeyArn },
  });
}

/** An upload without the SSE-C algorithm header, or with another algorithm than `AES256`, is denied. */
export function denyMissingSseC(scope: StatementScope): iam.PolicyStatement {
  // StringNotEquals is also true when the header is absent, so one condition covers "missing" and "other".
  return deny(scope, StatementIds.DENY_MISSING_SSE_C, ['s3:PutObject'], scope.objectArns, {
    StringNotEquals: { [ConditionKeys.SSE_CUSTOMER_ALGORITHM]: SSE_C_ALGORITHM },
  });
}

/** An upload that asks for server-managed encryption (`AES256`, `aws:kms`, `aws:kms:dsse`) is denied. */
export function denyServerManagedEncryption(scope: StatementScope): iam.PolicyStatement {
  return deny(scope, StatementIds.DENY_SERVER_MANAGED_ENCRYPTION, ['s3:PutObject'], scope.objectArns, {
    Null: { [ConditionKeys.SSE]: 'false' },
  });
}

/**
 * An upload that asks for SSE-C (sends the customer-algorithm header, whatever its value) is denied. For an
 * organisation that does not accept SSE-C outside a few exempt buckets; a bucket blocks SSE-C with
 * `BlockedEncryptionTypes` instead.
 */
export function denySseCUpload(scope: StatementScope): iam.PolicyStatement {
  return deny(scope, StatementIds.DENY_SSE_C_UPLOAD, ['s3:PutObject'], scope.objectArns, {
    Null: { [ConditionKeys.SSE_CUSTOMER_ALGORITHM]: 'false' },
  });
}

function onlyWhenHeaderSent(headerRule: UploadHeaderRule): Conditions {
  return headerRule === UploadHeaderRule.MATCH_IF_PRESENT ? { Null: { [ConditionKeys.SSE]: 'false' } } : {};
}

/** The transport statements: TLS only, and no TLS older than the floor. */
export function transportStatements(scope: StatementScope, minimumTlsVersion?: number): iam.PolicyStatement[] {
  return [denyInsecureTransport(scope), denyOutdatedTls(scope, minimumTlsVersion)];
}

/** The upload statements for a mode: what an object written to the scope must be encrypted with. */
export function uploadStatements(scope: StatementScope, requirement: EncryptionRequirement): iam.PolicyStatement[] {
  const headerRule = requirement.headerRule ?? UploadHeaderRule.REQUIRED;
  switch (requirement.mode) {
    case EncryptionMode.SSE_C:
      return [denyMissingSseC(scope), denyServerManagedEncryption(scope)];
    case EncryptionMode.SSE_S3:
      return [denyWrongEncryptionHeader(scope, requirement.mode, headerRule)];
    case EncryptionMode.SSE_KMS:
    case EncryptionMode.DSSE_KMS:
      return [
        denyWrongEncryptionHeader(scope, requirement.mode, headerRule),
        ...(requirement.kmsKeyArn ? [denyWrongKmsKey(scope, requirement.kmsKeyArn, headerRule)] : []),
      ];
  }
}

/** Every statement an encryption requirement needs: transport first, then uploads. */
export function encryptionStatements(scope: StatementScope, requirement: EncryptionRequirement): iam.PolicyStatement[] {
  return [...transportStatements(scope, requirement.minimumTlsVersion), ...uploadStatements(scope, requirement)];
}
