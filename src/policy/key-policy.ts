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

/** The encryption context key the S3 Encryption Client (format V2, `kms+context`) adds for the content algorithm. */
export const CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY = 'kms:EncryptionContext:aws:x-amz-cek-alg';

/** The content algorithm the client writes: authenticated AES-GCM. */
export const CLIENT_CONTENT_ALGORITHM = 'AES/GCM/NoPadding';

/** Stable Sid of the envelope key's statement. */
export const ENVELOPE_KEY_STATEMENT_ID = 'DenyUseOutsideAuthenticatedEnvelopes';

/** The actions an S3 encryption client needs: a data key to encrypt, a decryption to read. */
export const ENVELOPE_ENCRYPT_ACTIONS = ['kms:GenerateDataKey'];
export const ENVELOPE_DECRYPT_ACTIONS = ['kms:Decrypt'];

/** The condition under which a principal may use an envelope key: only for AES-GCM envelopes with context. */
export function envelopeKeyUseConditions(): Record<string, Record<string, unknown>> {
  return { StringEquals: { [CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY]: CLIENT_CONTENT_ALGORITHM } };
}

/**
 * Key policy statement for a client-side envelope key: every data key must be generated and decrypted under the
 * client's encryption context with the authenticated content algorithm. Legacy `kms` wrapping (no context) and
 * CBC content are refused by KMS itself, not only by the client.
 */
export function envelopeKeyStatements(): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({
    sid: ENVELOPE_KEY_STATEMENT_ID,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: S3_KEY_CRYPTO_ACTIONS,
    resources: ['*'],
    conditions: { StringNotEquals: { [CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY]: CLIENT_CONTENT_ALGORITHM } },
  })];
}
