// Client-side encryption end to end: the construct provisions the bucket and the envelope key, the client encrypts
// before upload and decrypts after download. Type-checked with the examples; run it against your own account.
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ClientSideEncryptedBucket } from '../src';
import { S3EncryptionClient } from '../src/client';

/** Infrastructure: a bucket for ciphertext, its envelope key, and who may encrypt and decrypt. */
export function defineVault(stack: Stack, producer: iam.IGrantable, consumer: iam.IGrantable): ClientSideEncryptedBucket {
  const vault = new ClientSideEncryptedBucket(stack, 'Vault', { keyAlias: 'vault-envelopes' });
  vault.grantEncrypt(producer); // s3:PutObject + kms:GenerateDataKey for key-committing (V3) envelopes
  vault.grantDecrypt(consumer); // s3:GetObject + kms:Decrypt for authenticated (V3 or V2) envelopes
  return vault;
}

/** Application: the bucket name and key ARN come from the stack's outputs or configuration. */
export async function storeAndReadBack(bucketName: string, envelopeKeyArn: string, region: string): Promise<string> {
  const client = new S3EncryptionClient({
    s3Client: new S3Client({ region }),
    kmsClient: new KMSClient({ region }),
    kmsKeyId: envelopeKeyArn,
  });
  // Encrypted here (message format V3: AES-256-GCM under a key derived from a fresh data key, with key commitment).
  await client.putObject({
    Bucket: bucketName,
    Key: 'patients/42.json',
    Body: JSON.stringify({ id: 42, diagnosis: 'confidential' }),
    EncryptionContext: { tenant: 'clinic-7' },
  });
  // Returned only after the GCM tag has been verified; the same encryption context must be given back.
  const object = await client.getObjectAsBuffer({
    Bucket: bucketName,
    Key: 'patients/42.json',
    EncryptionContext: { tenant: 'clinic-7' },
  });
  return object.Body.toString('utf8');
}
