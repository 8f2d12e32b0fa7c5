import { Match, Template } from 'aws-cdk-lib/assertions';

/**
 * The shared secure defaults every bucket construct of the library applies (README.md, "What is enforced"): retained,
 * public access blocked, bucket-owner-enforced ownership, versioning on, and abandoned multipart uploads aborted after
 * 7 days.
 */
export function expectSharedSecureDefaults(template: Template): void {
  template.hasResource('AWS::S3::Bucket', {
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: Match.objectLike({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })] },
    }),
  });
}
