import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { checkKeyPolicySize } from './quotas';
import { finishSecureBucket, ISecureBucket, SecureBucketProps } from './secure-bucket';
import {
  addEncryptionPolicy, grantOnBucketKey, minimumTlsVersionOf, newBucketKey, publicAccessRefused, refuseServerSideKms, secureBucketProps,
  uploadHeaderRuleOf,
} from './shared';
import { checkKeyAlias, checkObject, checkPropsObject, checkString } from './validation';
import { validationError } from '../errors';
import {
  CLIENT_CONTENT_ALGORITHM, ENVELOPE_DECRYPT_ACTIONS, ENVELOPE_ENCRYPT_ACTIONS, envelopeKeyDecryptConditions, envelopeKeyEncryptConditions,
  envelopeKeyStatements, envelopeWriteAlgorithms,
} from '../policy/key-policy';
import { EncryptionMode, UploadHeaderRule } from '../policy/requirement';

/**
 * Props for `ClientSideEncryptedBucket`.
 */
export interface ClientSideEncryptedBucketProps extends SecureBucketProps {
  /**
   * The KMS key that wraps the clients' data keys (envelope encryption).
   *
   * @default - a key with rotation on, a 30-day deletion window and `RemovalPolicy.RETAIN`, whose policy allows use
   * only for authenticated (AES-GCM) envelopes with an encryption context
   */
  readonly envelopeKey?: kms.IKey;

  /**
   * Accept writers of S3 Encryption Client message format V2 (`aws:x-amz-cek-alg = AES/GCM/NoPadding`, no key
   * commitment) besides format V3 (`115`, key-committing).
   *
   * Current clients (AWS's Java 4.x, Go v4, Python 4.x; `cdk-s3-encryption/client`) write V3 by default. Set this
   * while clients with commitment policy `FORBID_ENCRYPT_ALLOW_DECRYPT` or older V2 clients still write to the
   * bucket (step 1 of the migration), and remove it once every writer writes V3. Reading V2 objects stays allowed
   * either way: a V2 data key exists under the key only if V2 writers were allowed when it was made. Applies to
   * the grants and to the key the construct creates (not to a given `envelopeKey`).
   *
   * @default false
   * @see https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/s3-encryption/key-commitment.md
   */
  readonly allowV2Writers?: boolean;

  /**
   * Alias for the envelope key the construct creates. Not allowed with `envelopeKey`.
   *
   * @default - no alias
   */
  readonly keyAlias?: string;

  /**
   * What an upload must say about the second layer, SSE-S3 at rest.
   *
   * The objects are already ciphertext; S3 encrypts them again with SSE-S3. With `MATCH_IF_PRESENT` a client that
   * sends no SSE header gets that layer from the default encryption; with `REQUIRED` clients must send
   * `x-amz-server-side-encryption: AES256` (pass `ServerSideEncryption: 'AES256'` to `putObject`).
   *
   * @default UploadHeaderRule.MATCH_IF_PRESENT
   */
  readonly uploadHeaderRule?: UploadHeaderRule;
}

/**
 * An S3 bucket for client-side encryption: objects are encrypted by the client before upload with a data key from
 * a dedicated KMS key (envelope encryption, S3 Encryption Client message format V3, or V2 with `allowV2Writers`), so S3 and anyone who can read the
 * bucket see only ciphertext. SSE-S3 is kept as a second layer at rest, with the shared secure defaults and
 * statements of `EncryptedBucket`, except that the upload header rule defaults to `MATCH_IF_PRESENT`: S3 Encryption
 * Clients send no SSE header. The default `S3EncryptionChecks` pack (`requireUploadHeader: true`) therefore reports
 * `UploadHeaderEnforced` on it; the README section on client-side encryption says why and what to choose.
 *
 * Use the TypeScript client in `cdk-s3-encryption/client` (or the S3 Encryption Client of another language) with
 * `envelopeKey`. `grantEncrypt` and `grantDecrypt` give both halves of the permissions: S3 on the objects, and KMS
 * on the key only for the client's encryption context.
 *
 * @example
 * const vault = new ClientSideEncryptedBucket(this, 'Vault');
 * vault.grantEncrypt(producer);
 * vault.grantDecrypt(consumer);
 */
export class ClientSideEncryptedBucket extends s3.Bucket implements ISecureBucket {
  private static validatedProps(scope: Construct, id: string, given: ClientSideEncryptedBucketProps): s3.BucketProps {
    const where = `ClientSideEncryptedBucket '${id}'`;
    const site = { scope, where };
    const props = checkPropsObject(site, given);
    checkObject(site, 'envelopeKey', props.envelopeKey, 'a kms.IKey', false, ['keyArn']);
    checkKeyAlias(site, 'keyAlias', props.keyAlias);
    refuseServerSideKms(scope, where, props, {
      encryption: ': the objects are encrypted by the client, and SSE-S3 is the second layer at rest. ' +
        'Remove the prop; pass envelopeKey to choose the key the client uses.',
      encryptionKey: ': server-side KMS is not the client\'s key. Pass envelopeKey for client-side encryption, ' +
        'or use KmsEncryptedBucket for SSE-KMS.',
    });
    if (props.keyAlias !== undefined && props.envelopeKey !== undefined) {
      throw validationError(scope, 'KeyAliasWithGivenKey',
        `keyAlias cannot be used with envelopeKey on ${where}: the alias is for a key the construct creates. ` +
        'Remove keyAlias and alias your key where it is defined.');
    }
    return {
      ...secureBucketProps(scope, id, props, { className: 'ClientSideEncryptedBucket', blocksSseC: true }),
      encryption: s3.BucketEncryption.S3_MANAGED,
    };
  }

  /** How objects are encrypted at rest by S3, under the client's own encryption: SSE-S3. */
  public readonly encryptionMode: EncryptionMode = EncryptionMode.SSE_S3;

  /** The content algorithm clients write by default: `115` (message format V3, key-committing). */
  public readonly clientContentAlgorithm: string = CLIENT_CONTENT_ALGORITHM;

  /** The content algorithms the envelope key accepts from writers: `115`, and `AES/GCM/NoPadding` with `allowV2Writers`. */
  public readonly clientWriteAlgorithms: string[];

  /** What an upload must say about the SSE-S3 layer. */
  public readonly uploadHeaderRule: UploadHeaderRule;

  /** Lowest TLS version a request may use. */
  public readonly minimumTlsVersion: number;

  /** The KMS key that wraps the clients' data keys. */
  public readonly envelopeKey: kms.IKey;

  private readonly allowV2Writers: boolean;

  constructor(scope: Construct, id: string, props: ClientSideEncryptedBucketProps = {}) {
    super(scope, id, ClientSideEncryptedBucket.validatedProps(scope, id, props));
    this.uploadHeaderRule = uploadHeaderRuleOf(scope, id, 'ClientSideEncryptedBucket',
      props.uploadHeaderRule ?? UploadHeaderRule.MATCH_IF_PRESENT);
    this.minimumTlsVersion = minimumTlsVersionOf(props);
    if (props.allowV2Writers !== undefined && typeof props.allowV2Writers !== 'boolean') {
      throw validationError(scope, 'AllowV2WritersNotBoolean',
        `allowV2Writers must be true or false on ClientSideEncryptedBucket '${id}'. Remove it to accept V3 writers only.`);
    }
    this.allowV2Writers = props.allowV2Writers ?? false;
    this.clientWriteAlgorithms = envelopeWriteAlgorithms({ allowV2Writers: this.allowV2Writers });
    this.envelopeKey = props.envelopeKey ?? newBucketKey(this, 'EnvelopeKey',
      `Wraps the data keys of client-side encrypted objects in ${this.node.path}`, props.keyAlias);
    if (!props.envelopeKey) {
      for (const statement of envelopeKeyStatements({ allowV2Writers: this.allowV2Writers })) this.envelopeKey.addToResourcePolicy(statement);
      checkKeyPolicySize(this.envelopeKey, `the envelope key of ClientSideEncryptedBucket '${id}'`);
    }
    addEncryptionPolicy(this, {
      mode: EncryptionMode.SSE_S3,
      headerRule: this.uploadHeaderRule,
      minimumTlsVersion: this.minimumTlsVersion,
    });
    finishSecureBucket(this, props);
  }

  /**
   * Let a principal write client-side encrypted objects: `s3:PutObject` on the objects and `kms:GenerateDataKey`
   * on the envelope key for the client's encryption context.
   *
   * @param objectsKeyPattern restrict the objects, e.g. `incoming/*`
   */
  public grantEncrypt(grantee: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    this.checkGrantArguments('grantEncrypt', grantee, objectsKeyPattern);
    return this.grantPut(grantee, objectsKeyPattern).combine(grantOnBucketKey(this.envelopeKey, grantee, ENVELOPE_ENCRYPT_ACTIONS,
      envelopeKeyEncryptConditions({ allowV2Writers: this.allowV2Writers })));
  }

  /**
   * Let a principal read and decrypt client-side encrypted objects: `s3:GetObject*` and `s3:List*` on the bucket
   * and `kms:Decrypt` on the envelope key for the client's encryption context.
   *
   * @param objectsKeyPattern restrict the objects, e.g. `reports/*`
   */
  public grantDecrypt(grantee: iam.IGrantable, objectsKeyPattern: string = '*'): iam.Grant {
    this.checkGrantArguments('grantDecrypt', grantee, objectsKeyPattern);
    return this.grantRead(grantee, objectsKeyPattern).combine(grantOnBucketKey(this.envelopeKey, grantee, ENVELOPE_DECRYPT_ACTIONS,
      envelopeKeyDecryptConditions()));
  }

  private checkGrantArguments(method: string, grantee: unknown, objectsKeyPattern: unknown): void {
    const site = { scope: this, where: `ClientSideEncryptedBucket '${this.node.path}'` };
    checkObject(site, `the grantee of ${method}(grantee)`, grantee, 'an iam.IGrantable (a role, user or group)', true, ['grantPrincipal']);
    checkString(site, `the objectsKeyPattern of ${method}(grantee, objectsKeyPattern)`, objectsKeyPattern);
  }

  /**
   * Refused: the buckets of this library block all public access. Throws a `ValidationError`; grant access to
   * specific principals instead (`grantRead`, `grantWrite`, ...).
   */
  public grantPublicAccess(keyPrefix?: string, ...allowedActions: string[]): iam.Grant {
    throw publicAccessRefused(this, keyPrefix, allowedActions);
  }
}
