export { EncryptionMode, UploadHeaderRule, EncryptionRequirement } from './policy/requirement';
export { SecureBucketProps } from './buckets/secure-bucket';
export * from './buckets/encrypted-bucket';
export * from './buckets/kms-encrypted-bucket';
export * from './buckets/sse-c-only-bucket';
export * from './buckets/client-side-encrypted-bucket';
export * from './audit/kms-usage-alarm';
export * from './audit/encryption-audit-trail';
export { BucketAuditing, BucketAuditingKind } from './audit/bucket-auditing';
