/**
 * `cdk-s3-encryption/client`: an S3 encryption client for TypeScript (S3 Encryption Client V2 format).
 *
 * Not part of the jsii API. Needs `@aws-sdk/client-s3` and `@aws-sdk/client-kms` in the application
 * (`npm install @aws-sdk/client-s3 @aws-sdk/client-kms`); they are loaded on first use, never at import.
 */
export {
  S3EncryptionClient,
  DEFAULT_BUFFER_SIZE,
  ONE_SHOT_ENCRYPTION_LIMIT,
  type S3EncryptionClientConfig,
  type EncryptedPutObjectInput,
  type EncryptedPutObjectCommandInput,
  type DecryptGetObjectInput,
  type DecryptedGetObjectOutput,
  type DecryptedObjectInfo,
  type GetObjectOptions,
} from './client';
export { S3EncryptionClientError, isS3EncryptionClientError, type S3EncryptionErrorCode } from './errors';
export type { PlaintextBody } from './body';
export {
  MetadataKey,
  ContentAlgorithm,
  WrapAlgorithm,
  EC_CONTENT_ALGORITHM_KEY,
  GCM_MAX_PLAINTEXT_LENGTH,
  type EncryptionContext,
} from './metadata';
export { GcmEncryptStream, GcmDecryptStream } from './crypto';
