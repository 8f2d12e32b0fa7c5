export { EncryptionMode, UploadHeaderRule, EncryptionRequirement } from './policy/requirement';
export * from './buckets/encrypted-bucket';
export * from './buckets/kms-encrypted-bucket';
export * from './buckets/sse-c-only-bucket';
export * from './audit/kms-usage-alarm';
export * from './org/standard';
export * from './org/enforce-bucket-encryption';
export * from './org/resource-control-policy';
export * from './org/compliance-rules';
