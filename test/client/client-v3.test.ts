/**
 * Message format V3 (suite 115, key commitment) and commitment policies, end to end against the real SDK clients
 * with S3 and KMS mocked: known answers, the policy matrix, instruction files, tampering, raw keyrings.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, KEY_ARN, bodyBytes, chunked, expectCode, mockedClients } from './helpers';
import { HKDF_KAT, V3_OBJECT_KAT } from './vectors';
import {
  ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY,
  CommitmentPolicy,
  MetadataStrategy,
  RawAesKeyring,
  RawRsaKeyring,
  S3EncryptionClient,
  deriveCommitment,
  deriveEncryptionKey,
  type S3EncryptionClientConfig,
} from '../../src/client';
import { parseContentMetadata } from '../../src/client/metadata';

let env: ReturnType<typeof mockedClients>;
let workDir: string;

beforeEach(() => {
  env = mockedClients();
  workDir = mkdtempSync(path.join(tmpdir(), 's3ec-v3-'));
});
afterEach(() => {
  env.restore();
  rmSync(workDir, { recursive: true, force: true });
});

function client(extra: Partial<S3EncryptionClientConfig> = {}): S3EncryptionClient {
  return new S3EncryptionClient({ s3Client: env.s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN, ...extra });
}
const v2Writer = () => client({ commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT });

function stored(key: string) {
  const obj = env.s3.objects.get(key);
  if (!obj) throw new Error(`no object ${key}`);
  return obj;
}

describe('suite 115 key derivation and commitment (AWS Go v4 known answers)', () => {
  test.each(HKDF_KAT.map((v, i) => [i + 1, v] as const))('vector %d', (_i, v) => {
    expect(deriveEncryptionKey(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, v.dataKey, v.messageId).toString('hex')).toBe(v.encryptionKey.toString('hex'));
    expect(deriveCommitment(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, v.dataKey, v.messageId).toString('hex')).toBe(v.commitment.toString('hex'));
  });

  test('a message id or data key of the wrong length is refused', () => {
    const v = HKDF_KAT[0];
    expect(() => deriveCommitment(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, v.dataKey, v.messageId.subarray(0, 12))).toThrow(/28 bytes/);
    expect(() => deriveCommitment(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, v.dataKey.subarray(0, 16), v.messageId)).toThrow(/32 bytes/);
  });
});

describe('a whole V3 object (independently computed answer)', () => {
  const context = { department: 'finance' };
  const expectedMetadata = (blob: string) => ({
    'x-amz-c': '115',
    'x-amz-3': blob,
    'x-amz-w': '12',
    'x-amz-d': V3_OBJECT_KAT.commitmentBase64,
    'x-amz-i': V3_OBJECT_KAT.messageIdBase64,
    'x-amz-t': '{"aws:x-amz-cek-alg":"115","department":"finance"}',
  });

  test('putObject stores the known body and exactly the V3 metadata map', async () => {
    env.kms.nextDataKeys.push(Buffer.from(V3_OBJECT_KAT.dataKey));
    await client({ randomBytes: () => Buffer.from(V3_OBJECT_KAT.messageId) })
      .putObject({ Bucket: BUCKET, Key: 'kat', Body: V3_OBJECT_KAT.plaintext, EncryptionContext: context });
    const obj = stored('kat');
    expect(obj.body.toString('hex')).toBe(V3_OBJECT_KAT.body.toString('hex'));
    expect(obj.metadata).toStrictEqual(expectedMetadata(obj.metadata['x-amz-3']));
    // KMS was asked for a key bound to the suite id, as AWS's V3 writers do.
    expect(env.kms.generateCalls[0].EncryptionContext).toStrictEqual({ 'department': 'finance', 'aws:x-amz-cek-alg': '115' });
  });

  test('getObject of the hand-built object returns the plaintext, and says it is V3', async () => {
    const blob = env.kms.wrap(V3_OBJECT_KAT.dataKey, { 'aws:x-amz-cek-alg': '115', 'department': 'finance' }).toString('base64');
    env.s3.objects.set('hand-built', { body: Buffer.from(V3_OBJECT_KAT.body), metadata: expectedMetadata(blob) });
    const out = await client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'hand-built', EncryptionContext: context });
    expect(out.Body.equals(V3_OBJECT_KAT.plaintext)).toBe(true);
    expect(out).toMatchObject({ Format: 'V3', ContentAlgorithm: '115', WrapAlgorithm: 'kms+context', EncryptionContext: context });
  });
});

describe('commitment policy', () => {
  test('has AWS\'s names and AWS\'s default', () => {
    expect(Object.values(CommitmentPolicy)).toStrictEqual(['FORBID_ENCRYPT_ALLOW_DECRYPT', 'REQUIRE_ENCRYPT_ALLOW_DECRYPT', 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT']);
    expect(client().commitmentPolicy).toBe(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  });

  test.each([
    // policy                                          writes
    [CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT, 'V2'],
    [CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT, 'V3'],
    [CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, 'V3'],
  ])('%s writes %s', async (policy, format) => {
    await client({ commitmentPolicy: policy }).putObject({ Bucket: BUCKET, Key: 'k', Body: 'x' });
    const keys = Object.keys(stored('k').metadata);
    expect(keys.includes('x-amz-c')).toBe(format === 'V3');
    expect(keys.includes('x-amz-key-v2')).toBe(format === 'V2');
  });

  test.each([
    // policy                                          reads V2   reads V3
    [CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT, true, true],
    [CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT, true, true],
    [CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, false, true],
  ])('%s: reads V2 %s, reads V3 %s', async (policy, readsV2, readsV3) => {
    await v2Writer().putObject({ Bucket: BUCKET, Key: 'v2', Body: 'old' });
    await client().putObject({ Bucket: BUCKET, Key: 'v3', Body: 'new' });
    const reader = client({ commitmentPolicy: policy });
    if (readsV2) {
      expect((await reader.getObjectAsBuffer({ Bucket: BUCKET, Key: 'v2' })).Body.toString()).toBe('old');
    } else {
      const decryptsBefore = env.kms.decryptCalls.length;
      const err = await expectCode(reader.getObjectAsBuffer({ Bucket: BUCKET, Key: 'v2' }), 'COMMITMENT_POLICY_VIOLATION');
      expect(err.message).toContain('REQUIRE_ENCRYPT_REQUIRE_DECRYPT');
      expect(env.kms.decryptCalls.length).toBe(decryptsBefore); // refused before KMS is asked
    }
    expect(readsV3).toBe(true);
    expect((await reader.getObjectAsBuffer({ Bucket: BUCKET, Key: 'v3' })).Body.toString()).toBe('new');
  });

  test.each<[string, Record<string, string>]>([
    ['a legacy CBC object', {
      'x-amz-key-v2': 'AQIDBA==',
      'x-amz-iv': 'AAECAwQFBgcICQoLDA0ODw==',
      'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
      'x-amz-wrap-alg': 'kms',
      'x-amz-matdesc': '{}',
    }],
    ['a V1 object', { 'x-amz-key': 'AQIDBA==', 'x-amz-iv': 'AAECAwQFBgcICQoLDA0ODw==', 'x-amz-matdesc': '{}' }],
    ['a malformed V2 object', { 'x-amz-key-v2': 'AQIDBA==', 'x-amz-iv': 'AAAA' }],
  ])('REQUIRE_ENCRYPT_REQUIRE_DECRYPT refuses %s with COMMITMENT_POLICY_VIOLATION naming the policy', async (_name, metadata) => {
    env.s3.objects.set('old', { body: Buffer.alloc(32), metadata });
    const err = await expectCode(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'old' }), 'COMMITMENT_POLICY_VIOLATION');
    expect(err.message).toContain('REQUIRE_ENCRYPT_REQUIRE_DECRYPT');
    expect(env.kms.decryptCalls).toHaveLength(0);
  });

  test('legacy modes cannot be combined with REQUIRE_ENCRYPT_REQUIRE_DECRYPT; an unknown policy is refused', () => {
    expect(() => client({ allowLegacy: true })).toThrow(/REQUIRE_ENCRYPT_REQUIRE_DECRYPT/);
    expect(() => client({ allowLegacy: true, commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT })).not.toThrow();
    expect(() => client({ commitmentPolicy: 'REQUIRE' as never })).toThrow(/commitmentPolicy must be one of/);
  });
});

describe('V3 round trips', () => {
  const big = randomBytes(17 * 1024 * 1024 + 5); // over the one-shot limit: streamed
  test.each<[string, () => { body: unknown; length?: number; expected: Buffer }]>([
    ['a string', () => ({ body: 'hello, key commitment', expected: Buffer.from('hello, key commitment') })],
    ['an empty body', () => ({ body: '', expected: Buffer.alloc(0) })],
    ['a large Buffer', () => ({ body: big, expected: big })],
    ['a Readable in odd chunks', () => { const b = randomBytes(300_001); return { body: chunked(b, [1, 7, 65536, 13]), length: b.length, expected: b }; }],
  ])('%s', async (_name, make) => {
    const { body, length, expected } = make();
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: body as never, ContentLength: length, EncryptionContext: { a: 'b' } });
    expect(stored('k').body.length).toBe(expected.length + 16);
    const input = { Bucket: BUCKET, Key: 'k', EncryptionContext: { a: 'b' } };
    expect((await c.getObjectAsBuffer(input)).Body.equals(expected)).toBe(true);
    const file = path.join(workDir, 'out');
    await c.getObjectToFile(input, file);
    const delayed = await c.getObject(input, { delayedAuthentication: true });
    expect((await bodyBytes(delayed.Body)).equals(expected)).toBe(true);
  });

  test('encryptPutObjectInput (multipart through lib-storage) of a stream of unknown length', async () => {
    const plaintext = randomBytes(200_000);
    const prepared = await client().encryptPutObjectInput({ Bucket: BUCKET, Key: 'mp', Body: chunked(plaintext, [4096]) });
    expect(prepared.ContentLength).toBeUndefined();
    env.s3.objects.set('mp', { body: await bodyBytes(prepared.Body), metadata: prepared.Metadata });
    expect((await client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'mp' })).Body.equals(plaintext)).toBe(true);
  });
});

describe('instruction file strategy', () => {
  test('V3: x-amz-c, x-amz-d and x-amz-i stay on the object; the rest goes to <key>.instruction', async () => {
    const c = client({ metadataStrategy: MetadataStrategy.INSTRUCTION_FILE });
    await c.putObject({ Bucket: BUCKET, Key: 'doc', Body: 'instructed', EncryptionContext: { t: '1' } });
    expect(Object.keys(stored('doc').metadata).sort()).toStrictEqual(['x-amz-c', 'x-amz-d', 'x-amz-i']);
    const instruction = JSON.parse(stored('doc.instruction').body.toString('utf8'));
    expect(Object.keys(instruction).sort()).toStrictEqual(['x-amz-3', 'x-amz-t', 'x-amz-w']);
    expect((await client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'doc', EncryptionContext: { t: '1' } })).Body.toString()).toBe('instructed');
  });

  test('V2: everything goes to the instruction file, and reads find it', async () => {
    const c = client({ metadataStrategy: MetadataStrategy.INSTRUCTION_FILE, commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT });
    await c.putObject({ Bucket: BUCKET, Key: 'doc', Body: 'instructed v2' });
    expect(stored('doc').metadata).toStrictEqual({});
    expect(JSON.parse(stored('doc.instruction').body.toString('utf8'))['x-amz-cek-alg']).toBe('AES/GCM/NoPadding');
    expect((await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'doc' })).Body.toString()).toBe('instructed v2');
  });

  test('an instruction file carrying a key that must stay on the object, or a missing instruction file, is refused', async () => {
    const c = client({ metadataStrategy: MetadataStrategy.INSTRUCTION_FILE });
    await c.putObject({ Bucket: BUCKET, Key: 'doc', Body: 'x' });
    const instr = stored('doc.instruction');
    const parsed = JSON.parse(instr.body.toString('utf8'));
    env.s3.objects.set('doc.instruction', { ...instr, body: Buffer.from(JSON.stringify({ ...parsed, 'x-amz-d': stored('doc').metadata['x-amz-d'] })) });
    expect((await expectCode(c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'doc' }), 'METADATA_INVALID')).message).toMatch(/x-amz-d/);
    env.s3.objects.delete('doc.instruction');
    expect((await expectCode(c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'doc' }), 'METADATA_INVALID')).message).toMatch(/missing x-amz-3, x-amz-w/);
  });

  test('encryptPutObjectInput refuses the instruction-file strategy (it returns a single PutObject input)', async () => {
    await expectCode(client({ metadataStrategy: MetadataStrategy.INSTRUCTION_FILE }).encryptPutObjectInput({ Bucket: BUCKET, Key: 'k', Body: 'x' }), 'INVALID_ARGUMENT');
  });
});

describe('V3 tampering: refused before any plaintext is released', () => {
  const SECRET = 'TOP-SECRET-V3-PLAINTEXT '.repeat(40);

  async function writeObject(): Promise<S3EncryptionClient> {
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: SECRET, EncryptionContext: { purpose: 'audit' } });
    return c;
  }

  function mutate(fn: (obj: { body: Buffer; metadata: Record<string, string> }) => void) {
    const obj = stored('k');
    const copy = { body: Buffer.from(obj.body), metadata: { ...obj.metadata } };
    fn(copy);
    env.s3.objects.set('k', copy);
  }

  /** Every read path fails with `code`, releases nothing (also with delayed authentication when `early`), leaves no file. */
  async function expectRefused(c: S3EncryptionClient, code: string, early: boolean, message?: RegExp): Promise<void> {
    const input = { Bucket: BUCKET, Key: 'k', EncryptionContext: { purpose: 'audit' } };
    const err = await expectCode(c.getObjectAsBuffer(input), code);
    expect(err.message).not.toContain('TOP-SECRET');
    if (message) expect(err.message).toMatch(message);
    const file = path.join(workDir, 'out.txt');
    await expectCode(c.getObjectToFile(input, file), code);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(workDir)).toStrictEqual([]);
    if (early) {
      // Refused when opened: not one byte reaches even a delayed-authentication reader.
      await expectCode(c.getObject(input, { delayedAuthentication: true }), code);
    } else {
      const out = await c.getObject(input, { delayedAuthentication: true });
      const chunks: Buffer[] = [];
      await expect(pipeline(out.Body, new Writable({ write(chunk, _e, cb) { chunks.push(chunk); cb(); } })))
        .rejects.toMatchObject({ code });
    }
  }

  const flip = (buf: Buffer, i: number) => { buf[i] = (buf[i] + 1) % 256; };
  const flipBase64 = (value: string, i: number) => { const b = Buffer.from(value, 'base64'); flip(b, i); return b.toString('base64'); };

  test('key commitment (x-amz-d) changed: KEY_COMMITMENT_MISMATCH', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-d'] = flipBase64(o.metadata['x-amz-d'], 27); });
    await expectRefused(c, 'KEY_COMMITMENT_MISMATCH', true);
  });

  test('message id (x-amz-i) changed: KEY_COMMITMENT_MISMATCH', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-i'] = flipBase64(o.metadata['x-amz-i'], 0); });
    await expectRefused(c, 'KEY_COMMITMENT_MISMATCH', true);
  });

  test('commitment and message id swapped for those of another object: KEY_COMMITMENT_MISMATCH', async () => {
    const c = await writeObject();
    await c.putObject({ Bucket: BUCKET, Key: 'other', Body: 'other', EncryptionContext: { purpose: 'audit' } });
    const other = stored('other').metadata;
    mutate((o) => { o.metadata['x-amz-d'] = other['x-amz-d']; o.metadata['x-amz-i'] = other['x-amz-i']; });
    await expectRefused(c, 'KEY_COMMITMENT_MISMATCH', true);
  });

  test('tag changed: AUTHENTICATION_FAILED', async () => {
    const c = await writeObject();
    mutate((o) => flip(o.body, o.body.length - 1));
    await expectRefused(c, 'AUTHENTICATION_FAILED', false);
  });

  test('ciphertext changed: AUTHENTICATION_FAILED', async () => {
    const c = await writeObject();
    mutate((o) => flip(o.body, 10));
    await expectRefused(c, 'AUTHENTICATION_FAILED', false);
  });

  test('truncated by one byte, and to less than a tag', async () => {
    const c = await writeObject();
    mutate((o) => { o.body = o.body.subarray(0, o.body.length - 1); });
    await expectRefused(c, 'AUTHENTICATION_FAILED', false);
    mutate((o) => { o.body = o.body.subarray(0, 5); });
    await expectRefused(c, 'AUTHENTICATION_FAILED', true);
  });

  test('the encrypted data key (x-amz-3) changed: KEY_UNWRAP_FAILED', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-3'] = flipBase64(o.metadata['x-amz-3'], 60); });
    await expectRefused(c, 'KEY_UNWRAP_FAILED', true);
  });

  test('the stored encryption context (x-amz-t) changed: ENCRYPTION_CONTEXT_MISMATCH, or KEY_UNWRAP_FAILED when the caller expects it', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-t'] = '{"aws:x-amz-cek-alg":"115","purpose":"audit2"}'; });
    await expectRefused(c, 'ENCRYPTION_CONTEXT_MISMATCH', true);
    const lax = client();
    await expectCode(lax.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k', EncryptionContext: { purpose: 'audit2' } }), 'KEY_UNWRAP_FAILED');
  });

  test.each<[string, (m: Record<string, string>) => void, string, RegExp]>([
    ['x-amz-c removed', (m) => { delete m['x-amz-c']; }, 'METADATA_INVALID', /missing x-amz-c/],
    ['x-amz-3 removed', (m) => { delete m['x-amz-3']; }, 'METADATA_INVALID', /missing x-amz-3/],
    ['x-amz-w removed', (m) => { delete m['x-amz-w']; }, 'METADATA_INVALID', /missing x-amz-w/],
    ['x-amz-d removed', (m) => { delete m['x-amz-d']; }, 'METADATA_INVALID', /missing x-amz-d/],
    ['x-amz-i removed', (m) => { delete m['x-amz-i']; }, 'METADATA_INVALID', /missing x-amz-i/],
    ['x-amz-t removed', (m) => { delete m['x-amz-t']; }, 'METADATA_INVALID', /lacks aws:x-amz-cek-alg/],
    ['x-amz-c downgraded to AES/GCM/NoPadding', (m) => { m['x-amz-c'] = 'AES/GCM/NoPadding'; }, 'METADATA_INVALID', /x-amz-c must be "115"/],
    ['x-amz-t binding AES/GCM/NoPadding', (m) => { m['x-amz-t'] = '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","purpose":"audit"}'; }, 'METADATA_INVALID', /metadata was altered/],
    ['x-amz-w set to raw AES (02)', (m) => { m['x-amz-w'] = '02'; }, 'METADATA_INVALID', /x-amz-t must be absent/],
    ['x-amz-w unknown', (m) => { m['x-amz-w'] = '13'; }, 'METADATA_INVALID', /unknown wrapping algorithm/],
    ['x-amz-d shortened', (m) => { m['x-amz-d'] = Buffer.alloc(16).toString('base64'); }, 'METADATA_INVALID', /x-amz-d must be 28 bytes/],
    ['x-amz-i shortened', (m) => { m['x-amz-i'] = Buffer.alloc(12, 1).toString('base64'); }, 'METADATA_INVALID', /x-amz-i must be 28 bytes/],
    ['x-amz-d not base64', (m) => { m['x-amz-d'] = '!!!!'; }, 'METADATA_INVALID', /x-amz-d is not valid base64/],
    ['a V2 key added', (m) => { m['x-amz-iv'] = 'yv66vvrO263eyviI'; }, 'METADATA_INVALID', /mixes format versions/],
    ['x-amz-m added', (m) => { m['x-amz-m'] = '{}'; }, 'METADATA_INVALID', /x-amz-m must be absent/],
  ])('%s', async (_name, change, code, message) => {
    const c = await writeObject();
    mutate((o) => change(o.metadata));
    const decrypts = env.kms.decryptCalls.length;
    await expectRefused(c, code, true, message);
    expect(env.kms.decryptCalls.length).toBe(decrypts); // refused before the data key is unwrapped
  });
});

describe('raw keyrings (for users who hold their own keys)', () => {
  const aesKey = randomBytes(32);
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  test.each([
    ['RawAesKeyring', () => new RawAesKeyring({ wrappingKey: aesKey, materialDescription: { owner: 'me' } }), '02', 'AES/GCM'],
    ['RawRsaKeyring', () => new RawRsaKeyring({ publicKey: rsa.publicKey, privateKey: rsa.privateKey, materialDescription: { owner: 'me' } }), '22', 'RSA-OAEP-SHA1'],
  ])('%s: V3 and V2 round trips; another key is refused', async (_name, make, code, wrapName) => {
    const v3 = new S3EncryptionClient({ s3Client: env.s3Client, keyring: make() });
    await v3.putObject({ Bucket: BUCKET, Key: 'raw3', Body: 'raw v3' });
    expect(stored('raw3').metadata).toMatchObject({ 'x-amz-c': '115', 'x-amz-w': code, 'x-amz-m': '{"owner":"me"}' });
    expect(stored('raw3').metadata['x-amz-t']).toBeUndefined();
    const out = await v3.getObjectAsBuffer({ Bucket: BUCKET, Key: 'raw3' });
    expect(out).toMatchObject({ WrapAlgorithm: wrapName, Format: 'V3' });
    expect(out.Body.toString()).toBe('raw v3');

    const v2 = new S3EncryptionClient({ s3Client: env.s3Client, keyring: make(), commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT });
    await v2.putObject({ Bucket: BUCKET, Key: 'raw2', Body: 'raw v2' });
    expect(stored('raw2').metadata).toMatchObject({ 'x-amz-wrap-alg': wrapName, 'x-amz-matdesc': '{"owner":"me"}' });
    expect((await v2.getObjectAsBuffer({ Bucket: BUCKET, Key: 'raw2' })).Body.toString()).toBe('raw v2');

    const stranger = new S3EncryptionClient({ s3Client: env.s3Client, keyring: new RawAesKeyring({ wrappingKey: randomBytes(32) }) });
    if (code === '02') await expectCode(stranger.getObjectAsBuffer({ Bucket: BUCKET, Key: 'raw3' }), 'KEY_UNWRAP_FAILED');
    await expectCode(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'raw3' }), 'UNSUPPORTED_FORMAT');
  });

  test('a raw keyring refuses an encryption context instead of dropping it', async () => {
    const c = new S3EncryptionClient({ s3Client: env.s3Client, keyring: new RawAesKeyring({ wrappingKey: aesKey }) });
    await expectCode(c.putObject({ Bucket: BUCKET, Key: 'k', Body: 'x', EncryptionContext: { a: 'b' } }), 'INVALID_ARGUMENT');
  });

  test('the content algorithm bound into a raw-wrapped key catches a suite relabel', async () => {
    const c = new S3EncryptionClient({
      s3Client: env.s3Client,
      keyring: new RawAesKeyring({ wrappingKey: aesKey }),
      commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
    });
    await c.putObject({ Bucket: BUCKET, Key: 'raw', Body: 'x' });
    // Present the V3 data key as a V2 object's: the AAD (suite) differs, so it does not unwrap.
    const m = stored('raw').metadata;
    env.s3.objects.set('relabelled', {
      body: stored('raw').body,
      metadata: {
        'x-amz-key-v2': m['x-amz-3'],
        'x-amz-iv': Buffer.alloc(12, 1).toString('base64'),
        'x-amz-cek-alg': 'AES/GCM/NoPadding',
        'x-amz-wrap-alg': 'AES/GCM',
        'x-amz-matdesc': '{}',
        'x-amz-tag-len': '128',
      },
    });
    await expectCode(c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'relabelled' }), 'KEY_UNWRAP_FAILED');
  });
});

describe('encryption contexts are plain data', () => {
  test('a caller context key "__proto__" is refused with a clear error, never dropped', async () => {
    const context = JSON.parse('{"__proto__":"x","team":"a"}') as Record<string, string>;
    const err = await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x', EncryptionContext: context }), 'INVALID_ARGUMENT');
    expect(err.message).toContain('__proto__');
    expect(env.kms.generateCalls).toHaveLength(0);
  });

  test('a stored context with "__proto__" is kept as data when parsed', () => {
    const meta = parseContentMetadata({
      'x-amz-c': '115',
      'x-amz-3': 'AQIDBA==',
      'x-amz-w': '12',
      'x-amz-d': V3_OBJECT_KAT.commitmentBase64,
      'x-amz-i': V3_OBJECT_KAT.messageIdBase64,
      'x-amz-t': '{"__proto__":"p","aws:x-amz-cek-alg":"115","constructor":"c"}',
    }, { legacyWrapping: false, legacyContent: false });
    expect(Object.getPrototypeOf(meta.encryptionContext)).toBe(Object.prototype);
    expect(Object.keys(meta.encryptionContext).sort()).toStrictEqual(['__proto__', 'aws:x-amz-cek-alg', 'constructor']);
    expect(JSON.stringify(meta.encryptionContext)).toContain('"__proto__":"p"');
  });
});

test('a Readable body is read only once: streaming does not buffer it', async () => {
  const plaintext = randomBytes(100_000);
  let reads = 0;
  const body = new Readable({ read() { reads++; this.push(reads === 1 ? plaintext : null); } });
  await client().putObject({ Bucket: BUCKET, Key: 'once', Body: body, ContentLength: plaintext.length });
  expect((await client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'once' })).Body.equals(plaintext)).toBe(true);
});

describe('faults in the read path', () => {
  test('a V2 object whose x-amz-key-v2 was removed is METADATA_INVALID naming the field, not NOT_ENCRYPTED', async () => {
    await v2Writer().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x' });
    delete stored('k').metadata['x-amz-key-v2'];
    const err = await expectCode(v2Writer().getObjectAsBuffer({ Bucket: BUCKET, Key: 'k' }), 'METADATA_INVALID');
    expect(err.message).toContain('x-amz-key-v2');
  });

  test('a forged plaintext length on a chunked response allocates nothing of that size before authentication', async () => {
    await v2Writer().putObject({ Bucket: BUCKET, Key: 'k', Body: randomBytes(1000) });
    stored('k').metadata['x-amz-unencrypted-content-length'] = String(60 * 1024 * 1024); // under bufferSize (64 MiB)
    env.s3.hideContentLength = true; // chunked transfer: no Content-Length to check it against
    const alloc = jest.spyOn(Buffer, 'alloc');
    const allocUnsafe = jest.spyOn(Buffer, 'allocUnsafe');
    try {
      await expectCode(v2Writer().getObjectAsBuffer({ Bucket: BUCKET, Key: 'k' }), 'CONTENT_LENGTH_MISMATCH');
      const largest = Math.max(0, ...[...alloc.mock.calls, ...allocUnsafe.mock.calls].map(([size]) => size));
      expect(largest).toBeLessThan(1024 * 1024);
    } finally {
      alloc.mockRestore();
      allocUnsafe.mockRestore();
    }
  });

  test('every read takes an abortSignal: an already aborted signal rejects with ABORTED before anything is fetched', async () => {
    await client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x' });
    const signal = AbortSignal.abort(new Error('stop'));
    const gets = env.s3Mock.commandCalls(GetObjectCommand).length;
    await expectCode(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'k' }, { abortSignal: signal }), 'ABORTED');
    await expectCode(client().getObject({ Bucket: BUCKET, Key: 'k' }, { abortSignal: signal, delayedAuthentication: true }), 'ABORTED');
    await expectCode(client().getObjectToFile({ Bucket: BUCKET, Key: 'k' }, path.join(workDir, 'f'), { abortSignal: signal }), 'ABORTED');
    await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k2', Body: 'x' }, { abortSignal: signal }), 'ABORTED');
    await expectCode(client().encryptPutObjectInput({ Bucket: BUCKET, Key: 'k2', Body: 'x' }, { abortSignal: signal }), 'ABORTED');
    expect(env.s3.objects.has('k2')).toBe(false);
    expect(env.s3Mock.commandCalls(GetObjectCommand)).toHaveLength(gets);
  });
});
