import * as iam from 'aws-cdk-lib/aws-iam';
import { DEFAULT_MINIMUM_TLS_VERSION, EncryptionMode, UploadHeaderRule } from './requirement';
import {
  ConditionKeys, StatementScope, denyInsecureTransport, denyOutdatedTls, denySseCUpload, denyWrongEncryptionHeader,
  denyWrongKmsKey,
} from './statements';

// The statements of a resource control policy. They are the bucket statements of `statements.ts`, with the
// scope an RCP needs: Principal "*", every S3 resource, AWS service principals exempt, and optional exemptions
// for principals and (for SSE-C) buckets.

/** Condition key naming the calling principal, for exemptions. */
const PRINCIPAL_ARN = 'aws:PrincipalArn';

/** What an organisation requires of every S3 request in the accounts an RCP is attached to. */
export interface OrganizationRequirement {
  /** Server-side encryption every upload must ask for, when it asks. */
  readonly mode: EncryptionMode.SSE_S3 | EncryptionMode.SSE_KMS | EncryptionMode.DSSE_KMS;
  /** Key ARNs an SSE-KMS or DSSE-KMS upload may name. @default - any key */
  readonly allowedKmsKeyArns?: string[];
  /** @default UploadHeaderRule.MATCH_IF_PRESENT */
  readonly headerRule?: UploadHeaderRule;
  /** @default 1.2 */
  readonly minimumTlsVersion?: number;
  /** Deny SSE-C uploads (outside `sseCExemptBucketArns`). @default true */
  readonly denySseC?: boolean;
  /** ARNs of buckets that accept SSE-C (`arn:aws:s3:::name`, wildcards allowed). @default - none */
  readonly sseCExemptBucketArns?: string[];
  /** ARNs of principals no statement applies to (wildcards allowed). @default - none */
  readonly exemptPrincipalArns?: string[];
}

/**
 * The scope of an RCP statement: Principal `"*"` (the only principal an RCP accepts), every resource, and
 * conditions that leave AWS service principals (the usual data-perimeter pattern: services such as CloudTrail
 * deliver with the headers they choose) and the exempt principals alone.
 */
export function organizationScope(exemptPrincipalArns: string[] = []): StatementScope {
  return {
    bucketArns: [],
    objectArns: ['*'],
    principal: new iam.StarPrincipal(),
    extraConditions: {
      BoolIfExists: { [ConditionKeys.PRINCIPAL_IS_AWS_SERVICE]: 'false' },
      ...(exemptPrincipalArns.length > 0 ? { ArnNotLikeIfExists: { [PRINCIPAL_ARN]: exemptPrincipalArns } } : {}),
    },
  };
}

/**
 * The same statement for every resource but the given ones (`NotResource`). No condition key carries the bucket
 * of an S3 request (`aws:ResourceArn` is not one S3 sets), so an exemption by bucket must be a `NotResource`.
 */
export function exceptResources(statement: iam.PolicyStatement, notResources: string[]): iam.PolicyStatement {
  if (notResources.length === 0) return statement;
  return statement.copy({ resources: [], notResources });
}

/** The object ARNs (`<bucket ARN>/*`) of buckets given by ARN. */
export function objectArnsOf(bucketArns: string[]): string[] {
  return bucketArns.map((arn) => `${arn.replace(/\/\*?$/, '')}/*`);
}

/**
 * Every statement of the RCP: TLS only, the TLS floor, the upload-header rule (and pinned keys), and SSE-C
 * denied outside the exempt buckets. With a `REQUIRED` header rule the exempt buckets are exempt from the
 * header statements too, since an SSE-C upload sends no `x-amz-server-side-encryption` header.
 */
export function resourceControlPolicyStatements(requirement: OrganizationRequirement): iam.PolicyStatement[] {
  const scope = organizationScope(requirement.exemptPrincipalArns);
  const headerRule = requirement.headerRule ?? UploadHeaderRule.MATCH_IF_PRESENT;
  const exemptObjects = objectArnsOf(requirement.sseCExemptBucketArns ?? []);
  const keys = requirement.allowedKmsKeyArns ?? [];
  // An SSE-C upload sends no x-amz-server-side-encryption header: only a REQUIRED header rule would deny it.
  const headerExempt = headerRule === UploadHeaderRule.REQUIRED ? exemptObjects : [];
  const header = [
    denyWrongEncryptionHeader(scope, requirement.mode, headerRule),
    ...(requirement.mode !== EncryptionMode.SSE_S3 && keys.length > 0
      ? [denyWrongKmsKey(scope, keys.length === 1 ? keys[0] : keys, headerRule)] : []),
  ];
  return [
    denyInsecureTransport(scope),
    denyOutdatedTls(scope, requirement.minimumTlsVersion ?? DEFAULT_MINIMUM_TLS_VERSION),
    ...header.map((statement) => exceptResources(statement, headerExempt)),
    ...(requirement.denySseC ?? true ? [exceptResources(denySseCUpload(scope), exemptObjects)] : []),
  ];
}
