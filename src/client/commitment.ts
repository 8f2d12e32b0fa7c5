/**
 * Key commitment policy of the S3 Encryption Client, with AWS's names and AWS's default
 * (awslabs/aws-encryption-sdk-specification, `s3-encryption/key-commitment.md`).
 */
import { S3EncryptionClientError } from './errors';

/** Which algorithm suites the client writes and which it reads. */
export enum CommitmentPolicy {
  /**
   * Write the V2 format (`AES/GCM/NoPadding`, no key commitment); read both V2 and V3. Migration step 1: deploy
   * it to every reader before any writer starts to write V3.
   */
  FORBID_ENCRYPT_ALLOW_DECRYPT = 'FORBID_ENCRYPT_ALLOW_DECRYPT',
  /** Write V3 (suite 115, key-committing); read both V2 and V3. Migration step 2. */
  REQUIRE_ENCRYPT_ALLOW_DECRYPT = 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
  /** Write V3 and read only V3: V2 and legacy objects are refused. Migration step 3, and the default. */
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT = 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
}

/** The default of AWS's current S3 Encryption Clients (Java 4.x, Go v4, Python 4.x...). */
export const DEFAULT_COMMITMENT_POLICY = CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;

const ALL = Object.values(CommitmentPolicy) as string[];

/** The policy a config names, or a clear refusal of anything else (plain JavaScript callers). */
export function checkCommitmentPolicy(value: unknown): CommitmentPolicy {
  if (value === undefined) return DEFAULT_COMMITMENT_POLICY;
  if (typeof value !== 'string' || !ALL.includes(value)) {
    throw new S3EncryptionClientError('INVALID_ARGUMENT',
      `commitmentPolicy must be one of ${ALL.join(', ')} (CommitmentPolicy), got ${JSON.stringify(value)}`);
  }
  return value as CommitmentPolicy;
}

/** True when the policy writes key-committing (V3) objects. */
export function requiresCommittedEncryption(policy: CommitmentPolicy): boolean {
  return policy !== CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT;
}

/** True when the policy reads only key-committing (V3) objects. */
export function requiresCommittedDecryption(policy: CommitmentPolicy): boolean {
  return policy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
}
