/**
 * The cryptographic materials manager: picks the algorithm suite the commitment policy allows, asks the keyring
 * for a data key, and checks a stored object's suite against the policy before any key is unwrapped.
 */
import { CommitmentPolicy, requiresCommittedDecryption, requiresCommittedEncryption } from './commitment';
import { S3EncryptionClientError } from './errors';
import type { Keyring, WrappedDataKey } from './keyrings';
import type { EncryptionContext } from './metadata';
import { ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, ALG_AES_256_GCM_IV12_TAG16_NO_KDF, type AlgorithmSuite } from './suites';

/** Data key and suite for one object. */
export interface EncryptionMaterials extends WrappedDataKey {
  readonly suite: AlgorithmSuite;
}

export class DefaultMaterialsManager {
  constructor(public readonly keyring: Keyring, public readonly commitmentPolicy: CommitmentPolicy) {}

  /** The suite this policy writes: 115 unless the policy forbids committed encryption. */
  public get encryptionSuite(): AlgorithmSuite {
    return requiresCommittedEncryption(this.commitmentPolicy) ? ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY : ALG_AES_256_GCM_IV12_TAG16_NO_KDF;
  }

  public async getEncryptionMaterials(encryptionContext: EncryptionContext, abortSignal?: AbortSignal): Promise<EncryptionMaterials> {
    const suite = this.encryptionSuite;
    const wrapped = await this.keyring.onEncrypt({ suite, encryptionContext, abortSignal });
    return { ...wrapped, suite };
  }

  /** Throws `COMMITMENT_POLICY_VIOLATION` when the policy does not allow reading `suite`. */
  public checkDecryptionSuite(suite: AlgorithmSuite): void {
    if (!suite.committing && requiresCommittedDecryption(this.commitmentPolicy)) {
      throw new S3EncryptionClientError('COMMITMENT_POLICY_VIOLATION',
        `the object is encrypted with ${suite.name} (x-amz-cek-alg ${suite.contentAlgorithm}), which does not commit to its data key, and the `
        + `commitment policy ${this.commitmentPolicy} reads only key-committing objects. To read V2 objects during a migration, use `
        + `commitmentPolicy ${CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT}, and re-encrypt them`);
    }
  }

  /**
   * Throws `COMMITMENT_POLICY_VIOLATION` for a V1 or V2 object (no key commitment, whatever its suite) when the
   * policy reads only key-committing objects; checked before the metadata is interpreted further.
   */
  public checkDecryptionFormat(format: 'V1' | 'V2' | 'V3' | undefined): void {
    if ((format === 'V1' || format === 'V2') && requiresCommittedDecryption(this.commitmentPolicy)) {
      throw new S3EncryptionClientError('COMMITMENT_POLICY_VIOLATION',
        `the object is in message format ${format}, which does not commit to its data key, and the commitment policy `
        + `${this.commitmentPolicy} reads only key-committing (V3) objects. To read ${format} objects during a migration, use `
        + `commitmentPolicy ${CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT}, and re-encrypt them`);
    }
  }

  /** Throws `UNSUPPORTED_FORMAT` when the keyring cannot unwrap keys of `wrapAlgorithm`. */
  public checkWrapAlgorithm(wrapAlgorithm: string): void {
    if (!this.keyring.wrapAlgorithms.includes(wrapAlgorithm)) {
      throw new S3EncryptionClientError('UNSUPPORTED_FORMAT',
        `the object's data key is wrapped with ${wrapAlgorithm}, which the configured keyring does not unwrap (it handles ${this.keyring.wrapAlgorithms.join(', ')})`);
    }
  }

  /** Unwrap the data key after checking the wrapping algorithm is one this keyring handles. */
  public async decryptDataKey(suite: AlgorithmSuite, wrapAlgorithm: string, encryptedDataKey: Buffer, storedContext: EncryptionContext,
    abortSignal?: AbortSignal): Promise<Buffer> {
    this.checkDecryptionSuite(suite);
    this.checkWrapAlgorithm(wrapAlgorithm);
    return this.keyring.onDecrypt({ suite, wrapAlgorithm, encryptedDataKey, storedContext, abortSignal });
  }
}
