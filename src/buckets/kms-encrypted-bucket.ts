import { ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { fixedBucketName } from './bucket-name';
import { checkKeyPolicySize } from './quotas';
import { finishSecureBucket, ISecureBucket, SecureBucketProps } from './secure-bucket';
import {
  addEncryptionPolicy, grantOnBucketKey, minimumTlsVersionOf, newBucketKey, publicAccessRefused, secureBucketProps, uploadHeaderRuleOf,
} from './shared';
import { checkBoolean, checkKeyAlias, checkObject, checkPropsObject } from './validation';
import { validationError } from '../errors';
import { s3KeyUseConditions, s3OnlyKeyStatements } from '../policy/key-policy';
import { EncryptionMode, UploadHeaderRule } from '../policy/requirement';

/**
 * Props for `KmsEncryptedBucket`.
 */
export interface KmsEncryptedBucketProps extends SecureBucketProps {
  /**
   * Use DSSE-KMS (`aws:kms:dsse`): two independent layers of encryption with the KMS key, for standards that
   * require dual-layer encryption at rest. DSSE-KMS does not support S3 Bucket Keys, so every object
   * operation calls KMS.
   *
   * @default false - SSE-KMS (`aws:kms`)
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingDSSEncryption.html
   */
  readonly dualLayer?: boolean;

  /**
   * Alias for the key the construct creates (without the `alias/` prefix is fine). Not allowed with
   * `encryptionKey`.
   *
   * @default - no alias
   */
  readonly keyAlias?: string;

  /**
   * What an upload must say about its encryption.
   *
   * `REQUIRED`: every upload must send `x-amz-server-side-encryption` (`aws:kms`, or `aws:kms:dsse` with
   * `dualLayer`) and the bucket's key ARN in `x-amz-server-side-encryption-aws-kms-key-id`.
   * `MATCH_IF_PRESENT`: an upload with no SSE header gets the bucket's key; one that names another method,
   * another key, or `aws:kms` without a key id (which would use the AWS managed key) is denied.
   *
   * @default UploadHeaderRule.REQUIRED
   */
  readonly uploadHeaderRule?: UploadHeaderRule;
}

/**
 * An S3 bucket whose objects are encrypted with SSE-KMS (or DSSE-KMS with `dualLayer`) under a customer-managed
 * KMS key, with a policy that denies uploads naming another method or another key.
 *
 * Without `encryptionKey`, the construct creates a key with rotation on, a 30-day deletion window and
 * `RemovalPolicy.RETAIN`, whose policy confines cryptographic use to S3 in the bucket's Region and to this
 * bucket's encryption context. To name the bucket in that key policy without a CloudFormation dependency cycle
 * (the bucket names the key, the key policy names the bucket), the bucket gets a fixed name derived from the
 * construct path, account and Region, unless you pass `bucketName`.
 *
 * S3 Bucket Keys are on by default for SSE-KMS: they cut KMS requests, and so the risk of hitting the KMS
 * request quota, by up to 99%. Grants (`grantRead`, `grantWrite`, ...) give the KMS permissions too, limited to
 * use through S3 for this bucket.
 *
 * @example
 * new KmsEncryptedBucket(this, 'Ledger', { keyAlias: 'ledger' });
 * new KmsEncryptedBucket(this, 'Records', { dualLayer: true });
 */
export class KmsEncryptedBucket extends s3.Bucket implements ISecureBucket {
  private static validatedProps(scope: Construct, id: string, given: KmsEncryptedBucketProps): s3.BucketProps {
    const where = `KmsEncryptedBucket '${id}'`;
    const site = { scope, where };
    const props = checkPropsObject(site, given);
    const dualLayer = checkBoolean(site, 'dualLayer', props.dualLayer) ?? false;
    checkKeyAlias(site, 'keyAlias', props.keyAlias);
    checkObject(site, 'encryptionKey', props.encryptionKey, 'a kms.IKey', false, ['keyArn']);
    const wanted = dualLayer ? s3.BucketEncryption.DSSE : s3.BucketEncryption.KMS;
    if (props.encryption !== undefined && props.encryption !== wanted) {
      throw validationError(scope, 'EncryptionMustMatchMode',
        `encryption ${props.encryption} is not allowed on ${where}${dualLayer ? ' with dualLayer' : ''}: it encrypts with ` +
        `a customer-managed key as ${wanted}. Remove the prop; set dualLayer: true for DSSE-KMS, or use EncryptedBucket for SSE-S3.`);
    }
    if (dualLayer && props.bucketKeyEnabled === true) {
      throw validationError(scope, 'BucketKeyNotSupportedWithDsse',
        `bucketKeyEnabled cannot be true on ${where} with dualLayer: DSSE-KMS does not support S3 Bucket Keys. ` +
        'Remove bucketKeyEnabled, or drop dualLayer to use SSE-KMS with a Bucket Key.');
    }
    if (props.keyAlias !== undefined && props.encryptionKey !== undefined) {
      throw validationError(scope, 'KeyAliasWithGivenKey',
        `keyAlias cannot be used with encryptionKey on ${where}: the alias is for a key the construct creates. ` +
        'Remove keyAlias and alias your key where it is defined.');
    }
    const stack = Stack.of(scope);
    const keyRegion = props.encryptionKey?.env?.region;
    if (keyRegion !== undefined && !Token.isUnresolved(keyRegion) && !Token.isUnresolved(stack.region) && keyRegion !== stack.region) {
      throw validationError(scope, 'KeyInAnotherRegion',
        `encryptionKey is in ${keyRegion} but ${where} is in ${stack.region}: S3 can only use a KMS key in the bucket's ` +
        'Region. Pass a key (or a multi-Region replica) from the same Region.');
    }
    const base = secureBucketProps(scope, id, props, { className: 'KmsEncryptedBucket', blocksSseC: true });
    return {
      ...base,
      encryption: wanted,
      bucketKeyEnabled: props.bucketKeyEnabled ?? (dualLayer ? undefined : true),
      // A created key's policy names the bucket: fix the name so the ARN needs no reference to the bucket.
      bucketName: props.bucketName ?? (props.encryptionKey ? undefined : fixedBucketName(scope, id)),
    };
  }

  /** How objects in this bucket are encrypted: `aws:kms` or `aws:kms:dsse`. */
  public readonly encryptionMode: EncryptionMode;

  /** What an upload must say about its encryption. */
  public readonly uploadHeaderRule: UploadHeaderRule;

  /** Lowest TLS version a request may use. */
  public readonly minimumTlsVersion: number;

  /** The KMS key that encrypts the objects. */
  public readonly kmsKey: kms.IKey;

  constructor(scope: Construct, id: string, props: KmsEncryptedBucketProps = {}) {
    const bucketProps = KmsEncryptedBucket.validatedProps(scope, id, props);
    const dualLayer = props.dualLayer ?? false;
    const kmsKey = props.encryptionKey ?? newBucketKey(scope, `${id}Key`,
      `Encrypts the objects of ${scope.node.path}/${id} (${dualLayer ? 'DSSE-KMS' : 'SSE-KMS'})`, props.keyAlias);
    super(scope, id, { ...bucketProps, encryptionKey: kmsKey });

    this.kmsKey = kmsKey;
    this.encryptionMode = dualLayer ? EncryptionMode.DSSE_KMS : EncryptionMode.SSE_KMS;
    this.uploadHeaderRule = uploadHeaderRuleOf(scope, id, 'KmsEncryptedBucket', props.uploadHeaderRule);
    this.minimumTlsVersion = minimumTlsVersionOf(props);

    if (!props.encryptionKey) {
      // The ARN from the fixed name, not Fn::GetAtt: the bucket already refers to the key.
      const bucketArn = this.stack.formatArn({
        service: 's3', region: '', account: '', resource: bucketProps.bucketName!, arnFormat: ArnFormat.NO_RESOURCE_NAME,
      });
      for (const statement of s3OnlyKeyStatements({ bucketArn, region: this.stack.region })) {
        kmsKey.addToResourcePolicy(statement);
      }
      checkKeyPolicySize(kmsKey, `the key of KmsEncryptedBucket '${id}'`);
    }
    addEncryptionPolicy(this, {
      mode: this.encryptionMode,
      kmsKeyArn: kmsKey.keyArn,
      headerRule: this.uploadHeaderRule,
      minimumTlsVersion: this.minimumTlsVersion,
    });
    finishSecureBucket(this, props);
  }

  /**
   * Grant KMS actions on the bucket's key, only for use through S3 in the bucket's Region and for this bucket's
   * encryption context. Called by `grantRead`, `grantWrite`, `grantReadWrite` and the other grants.
   */
  public grantOnKey(grantee: iam.IGrantable, ...actions: string[]): iam.GrantOnKeyResult {
    return {
      grant: grantOnBucketKey(this.kmsKey, grantee, actions, s3KeyUseConditions({ bucketArn: this.bucketArn, region: this.stack.region })),
    };
  }

  /**
   * Refused: the buckets of this library block all public access. Throws a `ValidationError`; grant access to
   * specific principals instead (`grantRead`, `grantWrite`, ...).
   */
  public grantPublicAccess(keyPrefix?: string, ...allowedActions: string[]): iam.Grant {
    throw publicAccessRefused(this, keyPrefix, allowedActions);
  }
}
