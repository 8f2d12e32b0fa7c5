import * as iam from 'aws-cdk-lib/aws-iam';

// Statements for the KMS key of a KMS-encrypted bucket: the key serves S3, for one bucket, and nothing else.

/** The cryptographic operations S3 performs with a bucket's key on a caller's behalf. */
export const S3_KEY_CRYPTO_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** Stable Sids of the key policy statements. */
export const KeyStatementIds = {
  DENY_USE_OUTSIDE_S3: 'DenyUseOutsideS3',
  DENY_OTHER_BUCKETS: 'DenyUseForOtherBuckets',
} as const;

/** Condition key of the encryption context S3 sends: the object ARN, or the bucket ARN with a Bucket Key. */
export const S3_ENCRYPTION_CONTEXT_KEY = 'kms:EncryptionContext:aws:s3:arn';

/** Where a bucket's key may be used: S3 in the bucket's Region, for the bucket and its objects. */
export interface S3KeyUse {
  /** ARN of the bucket. Must not be `Fn::GetAtt` of the bucket when the key is in the same stack (cycle). */
  readonly bucketArn: string;
  /** The bucket's Region (may be a token). */
  readonly region: string;
}

/** `s3.<region>.amazonaws.com`, the `kms:ViaService` value for S3. */
export function s3ServiceEndpoint(region: string): string {
  return `s3.${region}.amazonaws.com`;
}

/** The conditions under which a principal may use the key: through S3, for this bucket only. */
export function s3KeyUseConditions(use: S3KeyUse): Record<string, Record<string, unknown>> {
  return {
    StringEquals: { 'kms:ViaService': s3ServiceEndpoint(use.region) },
    StringLike: { [S3_ENCRYPTION_CONTEXT_KEY]: [use.bucketArn, `${use.bucketArn}/*`] },
  };
}

/**
 * Key policy statements that confine cryptographic use of the key to S3 and to one bucket, whoever the caller
 * and whatever their identity policies say. Administration (the account's statement that CDK adds) is left alone.
 */
export function s3OnlyKeyStatements(use: S3KeyUse): iam.PolicyStatement[] {
  const common = {
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: S3_KEY_CRYPTO_ACTIONS,
    resources: ['*'],
  };
  return [
    new iam.PolicyStatement({
      ...common,
      sid: KeyStatementIds.DENY_USE_OUTSIDE_S3,
      conditions: { StringNotEquals: { 'kms:ViaService': s3ServiceEndpoint(use.region) } },
    }),
    new iam.PolicyStatement({
      ...common,
      sid: KeyStatementIds.DENY_OTHER_BUCKETS,
      conditions: { StringNotLike: { [S3_ENCRYPTION_CONTEXT_KEY]: [use.bucketArn, `${use.bucketArn}/*`] } },
    }),
  ];
}
