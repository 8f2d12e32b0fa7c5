/**
 * `cdk-s3-encryption/client`: an S3 encryption client for TypeScript (S3 Encryption Client formats V3 and V2).
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
  type CallOptions,
} from './client';
export { CommitmentPolicy, DEFAULT_COMMITMENT_POLICY } from './commitment';
export { S3EncryptionClientError, isS3EncryptionClientError, type S3EncryptionErrorCode } from './errors';
export type { PlaintextBody } from './body';
export {
  KmsKeyring,
  RawAesKeyring,
  RawRsaKeyring,
  type Keyring,
  type KmsKeyringOptions,
  type RawAesKeyringOptions,
  type RawRsaKeyringOptions,
  type KeyringEncryptRequest,
  type KeyringDecryptRequest,
  type WrappedDataKey,
} from './keyrings';
export { DefaultMaterialsManager, type EncryptionMaterials } from './materials';
export { MetadataStrategy, INSTRUCTION_FILE_SUFFIX } from './strategy';
export {
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
  ALG_AES_256_GCM_IV12_TAG16_NO_KDF,
  ALG_AES_256_CBC_IV16_NO_KDF,
  deriveCommitment,
  deriveEncryptionKey,
  type AlgorithmSuite,
} from './suites';
export {
  MetadataKey,
  MetadataKeyV3,
  ContentAlgorithm,
  WrapAlgorithm,
  EC_CONTENT_ALGORITHM_KEY,
  GCM_MAX_PLAINTEXT_LENGTH,
  type EncryptionContext,
} from './metadata';
export { GcmEncryptStream, GcmDecryptStream } from './crypto';
