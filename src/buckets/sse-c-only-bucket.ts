import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { finishSecureBucket, ISecureBucket, SecureBucketProps } from './secure-bucket';
import { addEncryptionPolicy, minimumTlsVersionOf, publicAccessRefused, refuseServerSideKms, secureBucketProps } from './shared';
import { checkPropsObject } from './validation';
import { validationError } from '../errors';
import { EncryptionMode, UploadHeaderRule } from '../policy/requirement';

/**
 * Props for `SseCOnlyBucket`.
 *
 * Every prop of `s3.Bucket` is accepted except those that contradict SSE-C: `encryption` other than
 * `S3_MANAGED`, `encryptionKey`, `bucketKeyEnabled`, `blockedEncryptionTypes` that block SSE-C,
 * `enforceSSL: false`, `minimumTLSVersion` below 1.2, `publicReadAccess`, and `serverAccessLogsPrefix`
 * without `serverAccessLogsBucket` (S3 log delivery cannot send a customer key, so it could not write into
 * this bucket). There is no `uploadHeaderRule`: every upload must send the SSE-C headers, since S3 cannot fall
 * back to a key it does not have.
 */
export interface SseCOnlyBucketProps extends SecureBucketProps {}

/**
 * An S3 bucket that accepts only objects encrypted with keys the customer provides (SSE-C), and whose policy
 * proves it.
 *
 * On top of `s3.Bucket`: SSE-C unblocked explicitly (`BlockedEncryptionType.NONE`; S3 blocks it on new buckets
 * by default); a policy that denies requests without TLS or below the TLS floor (`minimumTLSVersion`, 1.2 by
 * default, 1.3 allowed), uploads without the `x-amz-server-side-encryption-customer-algorithm: AES256` header,
 * and uploads that ask for server-managed encryption; public access blocked, bucket-owner-enforced ownership,
 * versioning on and `RemovalPolicy.RETAIN`, unless you say otherwise.
 *
 * S3 stores no copy of the key: the caller must send it on every write and every read of an object, and
 * losing it loses the object. See docs/SSE-C.md for the customer's duties, and note that an organisation SCP or
 * RCP that denies SSE-C overrides this bucket.
 *
 * @example
 * new SseCOnlyBucket(this, 'Evidence');
 */
export class SseCOnlyBucket extends s3.Bucket implements ISecureBucket {
  private static validatedProps(scope: Construct, id: string, given: SseCOnlyBucketProps): s3.BucketProps {
    const where = `SseCOnlyBucket '${id}'`;
    const props = checkPropsObject({ scope, where }, given);
    refuseServerSideKms(scope, where, props, {
      encryption: ': its objects are encrypted with the key each request sends, and S3 requires SSE-S3 as the default that no ' +
        'upload here uses. Remove the prop, or use KmsEncryptedBucket for SSE-KMS or DSSE-KMS.',
      encryptionKey: ': SSE-C keys are sent by the client with every request and never stored by AWS. Remove the prop, or use ' +
        'KmsEncryptedBucket to encrypt with your KMS key.',
    });
    // Not a prop of this construct; refused for JavaScript callers and spreads of another construct's props.
    if ((props as { uploadHeaderRule?: unknown }).uploadHeaderRule !== undefined) {
      throw validationError(scope, 'UploadHeaderRuleNotApplicable',
        `uploadHeaderRule is not allowed on ${where}: every upload must send the SSE-C headers, since S3 has no ` +
        'customer key to fall back to. Remove the prop.');
    }
    if (props.serverAccessLogsPrefix !== undefined && props.serverAccessLogsBucket === undefined) {
      throw validationError(scope, 'AccessLogsIntoSelfNotAllowed',
        `serverAccessLogsPrefix without serverAccessLogsBucket would deliver ${where}'s access logs into itself, and S3 ` +
        'log delivery sends no SSE-C key, so every delivery would be denied. Pass serverAccessLogsBucket as well.');
    }
    return {
      ...secureBucketProps(scope, id, props, { className: 'SseCOnlyBucket', blocksSseC: false }),
      // S3 requires a default encryption rule on every bucket, and BlockedEncryptionTypes lives inside it. SSE-C
      // requests override the default, and the policy denies every upload without SSE-C, so no new object gets it.
      encryption: s3.BucketEncryption.S3_MANAGED,
    };
  }

  /** How objects in this bucket are encrypted. */
  public readonly encryptionMode: EncryptionMode = EncryptionMode.SSE_C;

  /**
   * Always `REQUIRED`: every upload must send the SSE-C headers, since S3 has no customer key to fall back to.
   */
  public readonly uploadHeaderRule: UploadHeaderRule = UploadHeaderRule.REQUIRED;

  /** Lowest TLS version a request may use. */
  public readonly minimumTlsVersion: number;

  constructor(scope: Construct, id: string, props: SseCOnlyBucketProps = {}) {
    super(scope, id, SseCOnlyBucket.validatedProps(scope, id, props));
    this.minimumTlsVersion = minimumTlsVersionOf(props);
    addEncryptionPolicy(this, { mode: EncryptionMode.SSE_C, minimumTlsVersion: this.minimumTlsVersion });
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
