import { Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';
import { EncryptionStandardProps } from './standard';
import { isKmsMode, resolveStandard, validateKeyArns } from './validation';
import { checkStackQuotas } from '../buckets/quotas';
import { checkPropsObject, checkString, checkStringArray } from '../buckets/validation';
import { validationError } from '../errors';
import { resourceControlPolicyStatements } from '../policy/organization';

/**
 * Props for `S3EncryptionResourceControlPolicy`.
 */
export interface S3EncryptionResourceControlPolicyProps extends EncryptionStandardProps {
  /**
   * IDs of the root (`r-...`), organizational units (`ou-...-...`) or accounts (12 digits) to attach the
   * policy to.
   */
  readonly targetIds: string[];

  /**
   * KMS key ARNs an SSE-KMS or DSSE-KMS upload may name. Uploads that name another key, or `aws:kms` without a
   * key (S3 would use the AWS managed key `aws/s3`), are denied. Only for a KMS `encryptionMode`.
   *
   * @default - any key
   */
  readonly allowedKmsKeyArns?: string[];

  /**
   * Buckets that accept SSE-C uploads, by name or ARN (`arn:aws:s3:::name`; wildcards allowed). A name becomes
   * an `aws`-partition ARN: pass ARNs in other partitions. Every other bucket in the targets refuses SSE-C. With
   * a `REQUIRED` header rule these buckets are exempt from it too (an SSE-C upload sends no SSE header).
   *
   * @default - no bucket accepts SSE-C
   */
  readonly sseCExemptBuckets?: string[];

  /**
   * ARNs of principals the policy does not apply to, such as a break-glass role (wildcards allowed, e.g.
   * `arn:aws:iam::*:role/BreakGlass`). AWS service principals are always exempt.
   *
   * @default - none
   */
  readonly exemptPrincipalArns?: string[];

  /**
   * Name of the policy in AWS Organizations (unique per organisation and policy type).
   *
   * @default - derived from the construct path
   */
  readonly policyName?: string;

  /**
   * @default - a description of the standard
   */
  readonly description?: string;
}

/** Largest resource control policy document AWS Organizations accepts, in characters. */
const RCP_MAX_CHARACTERS = 5120;

const TARGET_ID = /^(r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/**
 * A resource control policy (`AWS::Organizations::Policy`, type `RESOURCE_CONTROL_POLICY`) that holds every S3
 * bucket in the target accounts to an encryption standard, whatever the buckets' own policies say: requests
 * without TLS or below the TLS floor are denied, uploads that ask for another encryption (or, for KMS, another
 * key) are denied, and SSE-C uploads are denied outside the exempt buckets.
 *
 * The statements are those of the bucket constructs, with Principal `"*"`, every S3 resource, and in every Deny
 * `BoolIfExists aws:PrincipalIsAWSService = false`, so that AWS services delivering into buckets (CloudTrail,
 * log delivery) are not stopped. RCPs do not apply to AWS managed KMS keys, and they only deny: a bucket's
 * default encryption is still the bucket's business (see `EnforceBucketEncryption`, `EncryptionComplianceRules`).
 *
 * Deploy it in the organisation's management account (or a delegated administrator for policies). The
 * rendered document is checked against the 5,120-character quota at synthesis.
 *
 * @example
 * new S3EncryptionResourceControlPolicy(this, 'S3Encryption', {
 *   targetIds: ['ou-abcd-12345678'],
 *   encryptionMode: EncryptionMode.SSE_KMS,
 * });
 */
export class S3EncryptionResourceControlPolicy extends Construct {
  /** The `AWS::Organizations::Policy` resource. */
  public readonly policy: organizations.CfnPolicy;

  /** ID of the policy (`p-...`). */
  public readonly policyId: string;

  /** The policy document. */
  public readonly document: iam.PolicyDocument;

  /** Length of the document as AWS Organizations counts it (minified JSON), in characters. */
  public readonly documentSize: number;

  constructor(scope: Construct, id: string, givenProps: S3EncryptionResourceControlPolicyProps) {
    super(scope, id);
    const where = `S3EncryptionResourceControlPolicy '${id}'`;
    const site = { scope: this, where };
    const props = checkPropsObject(site, givenProps, true);
    if (props.targetIds === undefined) {
      throw validationError(this, 'TargetIdsRequired',
        `targetIds is required on ${where}: a resource control policy that is attached nowhere enforces nothing. ` +
        'Pass the root (r-...), OU (ou-...) or account IDs.');
    }
    for (const prop of ['targetIds', 'allowedKmsKeyArns', 'sseCExemptBuckets', 'exemptPrincipalArns'] as const) {
      checkStringArray(site, prop, props[prop]);
    }
    for (const [prop, max] of [['policyName', 128], ['description', 512]] as const) {
      const value = checkString(site, prop, props[prop]);
      if (value !== undefined && !Token.isUnresolved(value) && (value.length < 1 || value.length > max)) {
        throw validationError(this, 'PropOutOfRange',
          `${prop} on ${where} is ${value.length} characters long: AWS Organizations allows 1 to ${max}. Pass a shorter one, or remove the prop.`);
      }
    }
    checkStackQuotas(this);
    const standard = resolveStandard(this, where, props);
    const keys = props.allowedKmsKeyArns ?? [];
    const exemptPrincipals = props.exemptPrincipalArns ?? [];

    if (props.targetIds.length === 0) {
      throw validationError(this, 'TargetIdsRequired',
        `targetIds is empty on ${where}: a resource control policy that is attached nowhere enforces nothing. ` +
        'Pass the root (r-...), OU (ou-...) or account IDs.');
    }
    for (const target of props.targetIds) {
      if (!Token.isUnresolved(target) && !TARGET_ID.test(target)) {
        throw validationError(this, 'InvalidTargetId',
          `targetIds has '${target}' on ${where}, which is neither a root (r-...), an OU (ou-...-...) nor an account ID (12 digits).`);
      }
    }
    if (keys.length > 0 && !isKmsMode(standard.mode)) {
      throw validationError(this, 'KmsKeysNeedKmsMode',
        `allowedKmsKeyArns is set on ${where}, whose encryptionMode is ${standard.mode}: keys apply to SSE-KMS and DSSE-KMS only. ` +
        'Remove the prop, or set encryptionMode to EncryptionMode.SSE_KMS or DSSE_KMS.');
    }
    validateKeyArns(this, where, 'allowedKmsKeyArns', keys);
    const literals: Array<[string, string[]]> = [
      ['allowedKmsKeyArns', keys], ['sseCExemptBuckets', props.sseCExemptBuckets ?? []], ['exemptPrincipalArns', exemptPrincipals],
    ];
    for (const [prop, values] of literals) {
      if (values.some((value) => Token.isUnresolved(value))) {
        // The quota is checked at synthesis on the rendered document, which a token would leave unknown.
        throw validationError(this, 'LiteralValuesRequired',
          `${prop} on ${where} holds a token: a resource control policy is checked against the 5,120-character quota ` +
          'when it is synthesized, so its values must be literal strings. Pass the ARNs themselves.');
      }
    }

    const exemptBuckets = (props.sseCExemptBuckets ?? []).map((bucket) => bucketArnOf(this, where, bucket));

    this.document = new iam.PolicyDocument({
      statements: resourceControlPolicyStatements({
        mode: standard.mode,
        allowedKmsKeyArns: keys,
        headerRule: standard.headerRule,
        minimumTlsVersion: standard.minimumTlsVersion,
        sseCExemptBucketArns: exemptBuckets,
        exemptPrincipalArns: exemptPrincipals,
      }),
    });
    const content = Stack.of(this).resolve(this.document);
    // CloudFormation sends the object to Organizations as compact JSON; every character counts toward the quota.
    this.documentSize = Buffer.byteLength(JSON.stringify(content), 'utf8');
    if (this.documentSize > RCP_MAX_CHARACTERS) {
      const statements: any[] = content.Statement;
      const withNotResource = statements.filter((statement) => statement.NotResource !== undefined).length;
      const parts = [
        `exemptPrincipalArns (${exemptPrincipals.length} ARNs, ${listSize(exemptPrincipals)} characters in each of ` +
          `${statements.length} statements: ${listSize(exemptPrincipals) * statements.length})`,
        `sseCExemptBuckets (${exemptBuckets.length} buckets, ${listSize(exemptBuckets.map((arn) => `${arn}/*`))} characters in each of ` +
          `${withNotResource} statements: ${listSize(exemptBuckets.map((arn) => `${arn}/*`)) * withNotResource})`,
        `allowedKmsKeyArns (${keys.length} keys: ${listSize(keys)} characters)`,
      ];
      throw validationError(this, 'ResourceControlPolicyTooLarge',
        `The resource control policy of ${where} is ${this.documentSize} characters, ${this.documentSize - RCP_MAX_CHARACTERS} over ` +
        `the AWS Organizations quota of ${RCP_MAX_CHARACTERS}. Trim what the lists add: ${parts.join(', ')}. ` +
        'Use wildcards so that one entry covers many (arn:aws:iam::*:role/BreakGlass*, a shared bucket name prefix such as ' +
        'sse-c-*). A second policy does not help with exemptions: every policy attached to a target must carry them.');
    }

    this.policy = new organizations.CfnPolicy(this, 'Resource', {
      name: props.policyName ?? Names.uniqueResourceName(this, { maxLength: 128 }),
      type: 'RESOURCE_CONTROL_POLICY',
      description: props.description ?? `S3 encryption standard: TLS ${standard.minimumTlsVersion}+, ${standard.mode} uploads ` +
        `(${standard.headerRule}), SSE-C ${exemptBuckets.length > 0 ? 'only in exempt buckets' : 'denied'}`,
      content,
      targetIds: props.targetIds,
    });
    this.policyId = this.policy.attrId;
  }
}

const BUCKET_ARN = /^arn:[a-z-]+:s3:::[^/]+$/;

function bucketArnOf(scope: Construct, where: string, bucket: string): string {
  const arn = bucket.startsWith('arn:') ? bucket.replace(/\/\*?$/, '') : `arn:aws:s3:::${bucket}`;
  if (!BUCKET_ARN.test(arn)) {
    throw validationError(scope, 'InvalidExemptBucket',
      `sseCExemptBuckets has '${bucket}' on ${where}, which is neither a bucket name nor a bucket ARN (arn:<partition>:s3:::<name>).`);
  }
  return arn;
}

function listSize(values: string[]): number {
  return values.reduce((sum, value) => sum + JSON.stringify(value).length + 1, 0);
}
