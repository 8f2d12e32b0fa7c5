export { EncryptionMode, UploadHeaderRule, EncryptionRequirement } from './policy/requirement';
export * from './buckets/encrypted-bucket';
export * from './buckets/kms-encrypted-bucket';
export * from './audit/kms-usage-alarm';
