export { EncryptionMode, UploadHeaderRule, EncryptionRequirement } from './policy/requirement';
export * from './buckets/encrypted-bucket';
