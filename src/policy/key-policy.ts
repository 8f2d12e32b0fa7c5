import * as iam from 'aws-cdk-lib/aws-iam';

// Statements for the KMS key of a KMS-encrypted bucket: the key serves S3, for one bucket, and nothing else.

/** The cryptographic operations S3 performs with a bucket's key on a caller's behalf. */
const S3_KEY_CRYPTO_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** Stable Sids of the key policy statements. */
export const KeyStatementIds = {
  DENY_USE_OUTSIDE_S3: 'DenyUseOutsideS3',
  DENY_OTHER_BUCKETS: 'DenyUseForOtherBuckets',
} as const;

/** Condition key of the encryption context S3 sends: the object ARN, or the bucket ARN with a Bucket Key. */
const S3_ENCRYPTION_CONTEXT_KEY = 'kms:EncryptionContext:aws:s3:arn';

/** Where a bucket's key may be used: S3 in the bucket's Region, for the bucket and its objects. */
export interface S3KeyUse {
  /** ARN of the bucket. Must not be `Fn::GetAtt` of the bucket when the key is in the same stack (cycle). */
  readonly bucketArn: string;
  /** The bucket's Region (may be a token). */
  readonly region: string;
}

/** `s3.<region>.amazonaws.com`, the `kms:ViaService` value for S3. */
function s3ServiceEndpoint(region: string): string {
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

/** The encryption context key the S3 Encryption Client (`kms+context`, formats V2 and V3) adds for the content algorithm. */
const CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY = 'kms:EncryptionContext:aws:x-amz-cek-alg';

/**
 * The content algorithm current clients write: suite 115, ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY (message format V3,
 * key-committing; AWS's Java 4.x, Go v4, Python 4.x clients and `cdk-s3-encryption/client` by default).
 */
export const CLIENT_CONTENT_ALGORITHM = '115';

/** The content algorithm of message format V2 (authenticated AES-GCM without key commitment). */
export const CLIENT_CONTENT_ALGORITHM_V2 = 'AES/GCM/NoPadding';

/** Stable Sid of the envelope key's statement for writers (data keys, encryption). */
export const ENVELOPE_KEY_STATEMENT_ID = 'DenyUseOutsideAuthenticatedEnvelopes';
/** Stable Sid of the envelope key's statement for readers (decryption). */
export const ENVELOPE_KEY_DECRYPT_STATEMENT_ID = 'DenyDecryptOutsideAuthenticatedEnvelopes';

/** The actions an S3 encryption client needs: a data key to encrypt, a decryption to read. */
export const ENVELOPE_ENCRYPT_ACTIONS = ['kms:GenerateDataKey'];
export const ENVELOPE_DECRYPT_ACTIONS = ['kms:Decrypt'];

/** Key actions that create wrapped data keys (the writer's side). */
const ENVELOPE_WRITE_ACTIONS = ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** What the envelope key is for. */
export interface EnvelopeKeyUse {
  /** Accept V2 writers (`AES/GCM/NoPadding`) besides V3 (`115`). */
  readonly allowV2Writers: boolean;
}

/** Content algorithms a writer may bind into a new data key. */
export function envelopeWriteAlgorithms(use: EnvelopeKeyUse): string[] {
  return use.allowV2Writers ? [CLIENT_CONTENT_ALGORITHM, CLIENT_CONTENT_ALGORITHM_V2] : [CLIENT_CONTENT_ALGORITHM];
}

/**
 * Content algorithms a reader may decrypt data keys for: both authenticated formats. A V2 data key can only exist
 * under the key if V2 writers were allowed when it was made, so reading it stays possible after they are turned off.
 */
function envelopeReadAlgorithms(): string[] {
  return [CLIENT_CONTENT_ALGORITHM, CLIENT_CONTENT_ALGORITHM_V2];
}

/** The conditions of a writer's grant: data keys only for the allowed content algorithms. */
export function envelopeKeyEncryptConditions(use: EnvelopeKeyUse): Record<string, Record<string, unknown>> {
  return { StringEquals: { [CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY]: oneOrMany(envelopeWriteAlgorithms(use)) } };
}

/** The conditions of a reader's grant: decryption only for authenticated envelopes. */
export function envelopeKeyDecryptConditions(): Record<string, Record<string, unknown>> {
  return { StringEquals: { [CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY]: envelopeReadAlgorithms() } };
}

/**
 * Key policy statements for a client-side envelope key: every data key must be generated under the client's
 * encryption context with a content algorithm the bucket accepts from writers (V3 `115`; V2 `AES/GCM/NoPadding`
 * only with `allowV2Writers`), and decrypted only for an authenticated one. Legacy `kms` wrapping (no context)
 * and CBC content are refused by KMS itself, not only by the client.
 */
export function envelopeKeyStatements(use: EnvelopeKeyUse): iam.PolicyStatement[] {
  const common = { effect: iam.Effect.DENY, principals: [new iam.AnyPrincipal()], resources: ['*'] };
  return [
    new iam.PolicyStatement({
      ...common,
      sid: ENVELOPE_KEY_STATEMENT_ID,
      actions: ENVELOPE_WRITE_ACTIONS,
      conditions: { StringNotEquals: { [CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY]: oneOrMany(envelopeWriteAlgorithms(use)) } },
    }),
    new iam.PolicyStatement({
      ...common,
      sid: ENVELOPE_KEY_DECRYPT_STATEMENT_ID,
      actions: ['kms:Decrypt'],
      conditions: { StringNotEquals: { [CLIENT_CONTENT_ALGORITHM_CONTEXT_KEY]: envelopeReadAlgorithms() } },
    }),
  ];
}

function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}
