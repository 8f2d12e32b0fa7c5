/**
 * Test doubles for the S3 encryption client: an AWS KMS that really generates and wraps AES keys (and checks
 * the encryption context like KMS does), and an in-memory S3. Both plug into the real SDK clients through
 * aws-sdk-client-mock.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DecryptCommand,
  DecryptCommandInput,
  GenerateDataKeyCommand,
  GenerateDataKeyCommandInput,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { GetObjectCommand, GetObjectCommandInput, NoSuchKey, PutObjectCommand, PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

export const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const OTHER_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/ffffffff-12ab-34cd-56ef-1234567890ab';
export const BUCKET = 'client-side-bucket';

const MAGIC = Buffer.from('FKMS1');

/** Canonical form of an encryption context: KMS treats it as an unordered map. */
function canonicalContext(keyArn: string, context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify([keyArn, entries]), 'utf8');
}

/**
 * A KMS stand-in: GenerateDataKey returns a fresh random AES-256 key and a ciphertext blob that wraps it with
 * AES-GCM under a master key, with the key ARN and the encryption context as AAD. Decrypt succeeds only with the
 * same key and the same context, like KMS.
 */
export class FakeKms {
  public readonly generateCalls: GenerateDataKeyCommandInput[] = [];
  public readonly decryptCalls: DecryptCommandInput[] = [];
  /** Next data keys to hand out (known-answer tests); random when empty. */
  public readonly nextDataKeys: Buffer[] = [];
  private readonly masterKey = randomBytes(32);

  public wrap(dataKey: Buffer, context: Record<string, string> | undefined, keyArn = KEY_ARN): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(canonicalContext(keyArn, context));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    const arn = Buffer.from(keyArn, 'utf8');
    return Buffer.concat([MAGIC, Buffer.from([arn.length]), arn, iv, ct, cipher.getAuthTag()]);
  }

  public generateDataKey(input: GenerateDataKeyCommandInput) {
    this.generateCalls.push(input);
    if (input.KeyId !== KEY_ARN && input.KeyId !== OTHER_KEY_ARN) {
      throw new NotFoundException({ message: `Key '${input.KeyId}' does not exist`, $metadata: {} });
    }
    if (input.KeySpec !== 'AES_256') throw new Error('expected KeySpec AES_256');
    const dataKey = this.nextDataKeys.shift() ?? randomBytes(32);
    return {
      KeyId: input.KeyId,
      Plaintext: new Uint8Array(dataKey),
      CiphertextBlob: new Uint8Array(this.wrap(dataKey, input.EncryptionContext, input.KeyId)),
    };
  }

  public decrypt(input: DecryptCommandInput) {
    this.decryptCalls.push(input);
    const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
    const invalid = () => new InvalidCiphertextException({ message: 'The ciphertext is invalid', $metadata: {} });
    if (blob.length < MAGIC.length + 1 || !blob.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid();
    const arnLength = blob[MAGIC.length];
    let offset = MAGIC.length + 1;
    const keyArn = blob.subarray(offset, offset + arnLength).toString('utf8');
    offset += arnLength;
    if (input.KeyId !== undefined && input.KeyId !== keyArn) {
      throw new IncorrectKeyException({ message: 'The key ID in the request does not identify a KMS key that can perform this operation', $metadata: {} });
    }
    const iv = blob.subarray(offset, offset + 12);
    const ct = blob.subarray(offset + 12, blob.length - 16);
    const tag = blob.subarray(blob.length - 16);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv);
      decipher.setAAD(canonicalContext(keyArn, input.EncryptionContext));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ct), decipher.final()]);
      return { KeyId: keyArn, Plaintext: new Uint8Array(plaintext) };
    } catch {
      throw invalid();
    }
  }
}

export interface StoredObject {
  body: Buffer;
  metadata: Record<string, string>;
}

/** Consume a PutObject body (Buffer or stream) into memory. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Split bytes into a stream of chunks of the given sizes (cycled). */
export function chunked(bytes: Buffer, sizes: number[] = [bytes.length || 1]): Readable {
  const parts: Buffer[] = [];
  let i = 0;
  for (let offset = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]);
    parts.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(parts);
}

/** In-memory S3: stores what PutObject sends, as S3 would (metadata keys lower-cased, length checked). */
export class FakeS3 {
  public readonly objects = new Map<string, StoredObject>();
  public readonly putInputs: PutObjectCommandInput[] = [];
  /** Chunk sizes GetObject streams the body in. */
  public getChunkSizes: number[] = [64 * 1024];
  /** Omit ContentLength on GetObject responses. */
  public hideContentLength = false;

  public async put(input: PutObjectCommandInput) {
    this.putInputs.push(input);
    const body = await bodyBytes(input.Body);
    if (input.ContentLength !== undefined && input.ContentLength !== body.length) {
      throw new Error(`IncompleteBody: ContentLength ${input.ContentLength} but ${body.length} bytes sent`);
    }
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.Metadata ?? {})) metadata[k.toLowerCase()] = v;
    this.objects.set(input.Key!, { body, metadata });
    return { ETag: '"etag"', $metadata: { httpStatusCode: 200 } };
  }

  public get(input: GetObjectCommandInput) {
    const obj = this.objects.get(input.Key!);
    if (!obj) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return {
      Body: chunked(obj.body, this.getChunkSizes) as never,
      ContentLength: this.hideContentLength ? undefined : obj.body.length,
      Metadata: { ...obj.metadata },
      ETag: '"etag"',
      $metadata: { httpStatusCode: 200 },
    };
  }
}

/** Real SDK clients with their `send` replaced by the fakes. */
export function mockedClients() {
  const kms = new FakeKms();
  const s3 = new FakeS3();
  const s3Mock = mockClient(S3Client);
  const kmsMock = mockClient(KMSClient);
  s3Mock.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => s3.put(input));
  s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => s3.get(input));
  kmsMock.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommandInput) => kms.generateDataKey(input));
  kmsMock.on(DecryptCommand).callsFake((input: DecryptCommandInput) => kms.decrypt(input));
  return {
    kms,
    s3,
    s3Mock,
    kmsMock,
    s3Client: new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
    kmsClient: new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
    restore: () => {
      s3Mock.restore();
      kmsMock.restore();
    },
  };
}

/** Await a promise that must reject with an S3EncryptionClientError of the given code; returns it. */
export async function expectCode<T>(promise: Promise<T>, code: string): Promise<Error & { code: string }> {
  let result: T | undefined;
  try {
    result = await promise;
  } catch (e) {
    const err = e as Error & { code: string };
    expect(err.name).toBe('S3EncryptionClientError');
    expect(err.code).toBe(code);
    return err;
  }
  throw new Error(`expected rejection with ${code}, got a result: ${String(result).slice(0, 80)}`);
}
