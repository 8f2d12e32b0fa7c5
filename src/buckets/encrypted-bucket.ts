import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { finishSecureBucket, ISecureBucket, SecureBucketProps } from './secure-bucket';
import {
  addEncryptionPolicy, minimumTlsVersionOf, publicAccessRefused, refuseServerSideKms, secureBucketProps, uploadHeaderRuleOf,
} from './shared';
import { checkPropsObject } from './validation';
import { EncryptionMode, UploadHeaderRule } from '../policy/requirement';

/**
 * Props for `EncryptedBucket`.
 */
export interface EncryptedBucketProps extends SecureBucketProps {
  /**
   * What an upload must say about its encryption.
   *
   * `REQUIRED`: every upload must send `x-amz-server-side-encryption: AES256`. `MATCH_IF_PRESENT`: an upload
   * without the header gets the bucket's default encryption (SSE-S3), one that names another mode is denied.
   *
   * @default UploadHeaderRule.REQUIRED
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html
   */
  readonly uploadHeaderRule?: UploadHeaderRule;
}

/**
 * An S3 bucket whose objects are encrypted with SSE-S3 (`AES256`), and whose policy proves it.
 *
 * On top of `s3.Bucket`: `AES256` default encryption set explicitly; SSE-C blocked; a policy that denies
 * requests without TLS or below the TLS floor (`minimumTLSVersion`, 1.2 by default, 1.3 allowed) and uploads
 * that ask for another encryption; public access blocked, bucket-owner-enforced ownership, versioning on and
 * `RemovalPolicy.RETAIN`, unless you say otherwise.
 *
 * Props that would weaken the guarantee (`encryption` other than `S3_MANAGED`, `encryptionKey`,
 * `bucketKeyEnabled`, `enforceSSL: false`, `minimumTLSVersion` below 1.2, `blockedEncryptionTypes` that let
 * SSE-C in, `publicReadAccess`) raise a `ValidationError`.
 *
 * @example
 * new EncryptedBucket(this, 'Reports');
 */
export class EncryptedBucket extends s3.Bucket implements ISecureBucket {
  private static validatedProps(scope: Construct, id: string, given: EncryptedBucketProps): s3.BucketProps {
    const where = `EncryptedBucket '${id}'`;
    const props = checkPropsObject({ scope, where }, given);
    refuseServerSideKms(scope, where, props, {
      encryption: ', which is SSE-S3 by definition. Remove the prop, or use KmsEncryptedBucket for SSE-KMS or DSSE-KMS.',
      encryptionKey: ': SSE-S3 uses keys that S3 owns. Remove the prop, or use KmsEncryptedBucket to encrypt with your KMS key.',
    });
    return {
      ...secureBucketProps(scope, id, props, { className: 'EncryptedBucket', blocksSseC: true }),
      encryption: s3.BucketEncryption.S3_MANAGED,
    };
  }

  /** How objects in this bucket are encrypted. */
  public readonly encryptionMode: EncryptionMode = EncryptionMode.SSE_S3;

  /** What an upload must say about its encryption. */
  public readonly uploadHeaderRule: UploadHeaderRule;

  /** Lowest TLS version a request may use. */
  public readonly minimumTlsVersion: number;

  constructor(scope: Construct, id: string, props: EncryptedBucketProps = {}) {
    super(scope, id, EncryptedBucket.validatedProps(scope, id, props));
    this.uploadHeaderRule = uploadHeaderRuleOf(scope, id, 'EncryptedBucket', props.uploadHeaderRule);
    this.minimumTlsVersion = minimumTlsVersionOf(props);
    addEncryptionPolicy(this, {
      mode: EncryptionMode.SSE_S3,
      headerRule: this.uploadHeaderRule,
      minimumTlsVersion: this.minimumTlsVersion,
    });
    finishSecureBucket(this, props);
  }

  /**
   * Refused: the buckets of this library block all public access. Throws a `ValidationError`; grant access to
   * specific principals instead (`grantRead`, `grantWrite`, ...).
   */
  public grantPublicAccess(keyPrefix?: string, ...allowedActions: string[]): iam.Grant {
    throw publicAccessRefused(this, keyPrefix, allowedActions);
  }
}
