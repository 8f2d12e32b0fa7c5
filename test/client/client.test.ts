/**
 * The S3 encryption client end to end, against the real SDK clients with S3 and KMS mocked
 * (aws-sdk-client-mock): round trips, known answers, tampering, legacy modes, the SDK loader.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as fc from 'fast-check';
import { BUCKET, KEY_ARN, OTHER_KEY_ARN, bodyBytes, chunked, expectCode, mockedClients } from './helpers';
import { CBC_OPENSSL, GCM_TC15 } from './vectors';
import { CommitmentPolicy, S3EncryptionClient, S3EncryptionClientError, isS3EncryptionClientError } from '../../src/client';
import { setSdkModuleLoaderForTesting } from '../../src/client/sdk';

let env: ReturnType<typeof mockedClients>;
let workDir: string;

beforeEach(() => {
  env = mockedClients();
  workDir = mkdtempSync(path.join(tmpdir(), 's3ec-test-'));
});
afterEach(() => {
  env.restore();
  setSdkModuleLoaderForTesting(undefined);
  rmSync(workDir, { recursive: true, force: true });
});

function client(extra: Partial<ConstructorParameters<typeof S3EncryptionClient>[0]> = {}): S3EncryptionClient {
  // These tests cover the V2 format: the policy that writes it (the V3 default is covered in client-v3.test.ts).
  return new S3EncryptionClient({
    s3Client: env.s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN, commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT, ...extra,
  });
}

function stored(key: string) {
  const obj = env.s3.objects.get(key);
  if (!obj) throw new Error(`no object ${key}`);
  return obj;
}

/** Collect a stream; resolves with what was read and how it finished. */
async function drain(stream: Readable): Promise<{ data: Buffer; error?: unknown; ended: boolean }> {
  const chunks: Buffer[] = [];
  let ended = false;
  stream.on('end', () => { ended = true; });
  try {
    await pipeline(stream, new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        cb();
      },
    }));
    return { data: Buffer.concat(chunks), ended };
  } catch (error) {
    return { data: Buffer.concat(chunks), error, ended };
  }
}

describe('round trips', () => {
  test.each<[string, () => { body: unknown; length?: number; expected: Buffer }]>([
    ['a string', () => ({ body: 'hello, client-side encryption', expected: Buffer.from('hello, client-side encryption') })],
    ['an empty body', () => ({ body: '', expected: Buffer.alloc(0) })],
    ['a Buffer', () => { const b = randomBytes(100_000); return { body: b, expected: b }; }],
    ['a Uint8Array view', () => { const b = randomBytes(1000); return { body: new Uint8Array(b.buffer, b.byteOffset + 10, 500), expected: b.subarray(10, 510) }; }],
    ['a Readable with ContentLength', () => { const b = randomBytes(300_001); return { body: chunked(b, [4096, 13, 70_000]), length: b.length, expected: b }; }],
    ['a web ReadableStream', () => { const b = randomBytes(5000); return { body: Readable.toWeb(chunked(b, [999])), length: b.length, expected: b }; }],
    ['a Blob', () => { const b = randomBytes(7777); return { body: new Blob([b]), expected: b }; }],
  ])('%s', async (_name, make) => {
    const { body, length, expected } = make();
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: body as never, ContentLength: length, EncryptionContext: { tenant: 't1' } });
    const obj = stored('k');
    expect(obj.body.length).toBe(expected.length + 16);
    expect(env.s3.putInputs[0].ContentLength).toBe(expected.length + 16);
    if (expected.length >= 16) expect(obj.body.includes(expected.subarray(0, 16))).toBe(false);

    const out = await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k', EncryptionContext: { tenant: 't1' } });
    expect(out.Body.equals(expected)).toBe(true);
    expect(out).toMatchObject({ ContentLength: expected.length, EncryptionContext: { tenant: 't1' }, ContentAlgorithm: 'AES/GCM/NoPadding', WrapAlgorithm: 'kms+context' });

    const streamed = await c.getObject({ Bucket: BUCKET, Key: 'k', EncryptionContext: { tenant: 't1' } });
    expect((await drain(streamed.Body)).data.equals(expected)).toBe(true);
  });

  test('a Buffer over 16 MiB is encrypted as a stream (not copied whole) and round-trips', async () => {
    const big = randomBytes(17 * 1024 * 1024 + 3);
    const c = client();
    const prepared = await c.encryptPutObjectInput({ Bucket: BUCKET, Key: 'big', Body: big });
    expect(prepared.Body).toBeInstanceOf(Readable);
    expect(prepared.ContentLength).toBe(big.length + 16);
    await env.s3.put(prepared);
    const out = await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'big' });
    expect(out.Body.equals(big)).toBe(true);
  });

  test('the data key request binds the content algorithm and the caller context', async () => {
    await client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x', EncryptionContext: { department: 'finance' } });
    expect(env.kms.generateCalls).toStrictEqual([{
      KeyId: KEY_ARN,
      KeySpec: 'AES_256',
      EncryptionContext: { 'department': 'finance', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' },
    }]);
  });

  test('the read side calls KMS Decrypt with the configured key and the stored context', async () => {
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: 'x', EncryptionContext: { department: 'finance' } });
    await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k', EncryptionContext: { department: 'finance' } });
    expect(env.kms.decryptCalls).toHaveLength(1);
    expect(env.kms.decryptCalls[0]).toMatchObject({
      KeyId: KEY_ARN,
      EncryptionContext: { 'department': 'finance', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' },
    });
  });

  test('each object gets a fresh data key and IV', async () => {
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'a', Body: 'same' });
    await c.putObject({ Bucket: BUCKET, Key: 'b', Body: 'same' });
    expect(stored('a').metadata['x-amz-iv']).not.toBe(stored('b').metadata['x-amz-iv']);
    expect(stored('a').metadata['x-amz-key-v2']).not.toBe(stored('b').metadata['x-amz-key-v2']);
    expect(stored('a').body.equals(stored('b').body)).toBe(false);
  });

  test('user metadata is kept beside the encryption metadata', async () => {
    await client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x', Metadata: { owner: 'team-a' }, ContentType: 'text/plain' });
    expect(stored('k').metadata.owner).toBe('team-a');
    expect(env.s3.putInputs[0].ContentType).toBe('text/plain');
  });

  test('non-ASCII encryption context round-trips and is stored as ASCII', async () => {
    const context = { région: 'Zürich', équipe: '日本' };
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: 'données', EncryptionContext: context });
    expect(stored('k').metadata['x-amz-matdesc']).toMatch(/^[\x20-\x7e]*$/);
    const out = await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k', EncryptionContext: context });
    expect(out.Body.toString('utf8')).toBe('données');
  });

  test('odd chunk boundaries and a missing ContentLength on read', async () => {
    const c = client();
    const body = randomBytes(10_000);
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: body });
    env.s3.getChunkSizes = [1, 15, 16, 17, 3000];
    env.s3.hideContentLength = true;
    expect((await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k' })).Body.equals(body)).toBe(true);
    const file = path.join(workDir, 'out.bin');
    await c.getObjectToFile({ Bucket: BUCKET, Key: 'k' }, file);
    expect(readFileSync(file).equals(body)).toBe(true);
  });

  test('delayed authentication streams the plaintext and ends normally when authentic', async () => {
    const c = client({ enableDelayedAuthentication: true });
    const body = randomBytes(200_000);
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: body });
    const out = await c.getObject({ Bucket: BUCKET, Key: 'k' });
    const result = await drain(out.Body);
    expect(result.error).toBeUndefined();
    expect(result.ended).toBe(true);
    expect(result.data.equals(body)).toBe(true);
  });

  test('a stream of unknown length can be prepared for a multipart upload (lib-storage)', async () => {
    const c = client();
    const body = randomBytes(123_456);
    const prepared = await c.encryptPutObjectInput({ Bucket: BUCKET, Key: 'mpu', Body: chunked(body, [10_000]) });
    expect(prepared.ContentLength).toBeUndefined();
    expect(prepared.Metadata['x-amz-unencrypted-content-length']).toBeUndefined();
    // What @aws-sdk/lib-storage's Upload does with it: consecutive parts of the one ciphertext stream.
    await env.s3.put({ ...prepared, Body: await bodyBytes(prepared.Body) });
    expect((await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'mpu' })).Body.equals(body)).toBe(true);
  });

  test('objects written with a metadata instruction file are read', async () => {
    const c = client();
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: 'via instruction file' });
    const obj = stored('k');
    env.s3.objects.set('k.instruction', { body: Buffer.from(JSON.stringify(obj.metadata)), metadata: {} });
    env.s3.objects.set('k', { body: obj.body, metadata: {} });
    expect((await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k' })).Body.toString()).toBe('via instruction file');
  });

  test('any plaintext and context round-trips (property)', async () => {
    const c = client();
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 3000 }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== 'aws:x-amz-cek-alg' && k !== 'kms_cmk_id'),
        fc.string({ maxLength: 12 }), { maxKeys: 4 }),
      async (pt, context) => {
        await c.putObject({ Bucket: BUCKET, Key: 'p', Body: pt, EncryptionContext: context });
        const out = await c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'p', EncryptionContext: context });
        expect(out.Body.equals(Buffer.from(pt))).toBe(true);
      }), { numRuns: 40 });
  });
});

describe('known answers', () => {
  test('putObject of the GCM Test Case 15 inputs stores its ciphertext and the spec metadata map', async () => {
    env.kms.nextDataKeys.push(Buffer.from(GCM_TC15.key));
    const c = client({ randomBytes: () => Buffer.from(GCM_TC15.iv) });
    await c.putObject({ Bucket: BUCKET, Key: 'kat', Body: GCM_TC15.plaintext, EncryptionContext: { department: 'finance' } });

    const obj = stored('kat');
    expect(obj.body.toString('hex')).toBe(Buffer.concat([GCM_TC15.ciphertext, GCM_TC15.tag]).toString('hex'));
    // Hand-built from the specification's key names; only the KMS blob is not a constant.
    const blob = Buffer.from(obj.metadata['x-amz-key-v2'], 'base64');
    expect(obj.metadata).toStrictEqual({
      'x-amz-key-v2': blob.toString('base64'),
      'x-amz-iv': 'yv66vvrO263eyviI',
      'x-amz-cek-alg': 'AES/GCM/NoPadding',
      'x-amz-wrap-alg': 'kms+context',
      'x-amz-matdesc': '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","department":"finance"}',
      'x-amz-tag-len': '128',
      'x-amz-unencrypted-content-length': '64',
    });
    // The blob is what KMS returned for that context, and unwraps to the Test Case 15 key.
    const unwrapped = env.kms.decrypt({ KeyId: KEY_ARN, CiphertextBlob: blob, EncryptionContext: { 'department': 'finance', 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding' } });
    expect(Buffer.from(unwrapped.Plaintext).equals(GCM_TC15.key)).toBe(true);
  });

  test('getObject of a hand-built V2 object (Test Case 15 ciphertext) returns the Test Case 15 plaintext', async () => {
    const context = { 'aws:x-amz-cek-alg': 'AES/GCM/NoPadding', 'department': 'finance' };
    env.s3.objects.set('hand-built', {
      body: Buffer.concat([GCM_TC15.ciphertext, GCM_TC15.tag]),
      metadata: {
        'x-amz-key-v2': env.kms.wrap(GCM_TC15.key, context).toString('base64'),
        'x-amz-iv': 'yv66vvrO263eyviI',
        'x-amz-cek-alg': 'AES/GCM/NoPadding',
        'x-amz-wrap-alg': 'kms+context',
        'x-amz-matdesc': '{"department":"finance","aws:x-amz-cek-alg":"AES/GCM/NoPadding"}',
        'x-amz-tag-len': '128',
      },
    });
    const out = await client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'hand-built', EncryptionContext: { department: 'finance' } });
    expect(out.Body.toString('hex')).toBe(GCM_TC15.plaintext.toString('hex'));
  });

  test('an all-zero IV from the random source is refused', async () => {
    await expectCode(client({ randomBytes: (n) => Buffer.alloc(n) }).putObject({ Bucket: BUCKET, Key: 'k', Body: 'x' }), 'INVALID_ARGUMENT');
  });
});

describe('tampering: a clear error and no plaintext', () => {
  const SECRET = 'TOP-SECRET-PLAINTEXT '.repeat(50);

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

  /** Every authenticated read path fails with `code`, returns nothing and leaves no file behind. */
  async function expectRefused(c: S3EncryptionClient, code: string, context: Record<string, string> = { purpose: 'audit' }): Promise<void> {
    const input = { Bucket: BUCKET, Key: 'k', EncryptionContext: context };
    const err = await expectCode(c.getObjectAsBuffer(input), code);
    expect(err.message).not.toContain('TOP-SECRET');
    await expectCode(c.getObject(input), code);
    const file = path.join(workDir, 'out.txt');
    await expectCode(c.getObjectToFile(input, file), code);
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(workDir)).toStrictEqual([]);
  }

  const flip = (buf: Buffer, i: number) => { buf[i] = (buf[i] + 1) % 256; };

  test('ciphertext byte changed', async () => {
    const c = await writeObject();
    mutate((o) => flip(o.body, 100));
    await expectRefused(c, 'AUTHENTICATION_FAILED');
  });

  test('tag byte changed', async () => {
    const c = await writeObject();
    mutate((o) => flip(o.body, o.body.length - 1));
    await expectRefused(c, 'AUTHENTICATION_FAILED');
  });

  test('ciphertext truncated', async () => {
    const c = await writeObject();
    mutate((o) => { o.body = o.body.subarray(0, o.body.length - 1); });
    await expectRefused(c, 'METADATA_INVALID'); // the recorded plaintext length no longer fits
    mutate((o) => { delete o.metadata['x-amz-unencrypted-content-length']; });
    await expectRefused(c, 'AUTHENTICATION_FAILED');
  });

  test('IV changed', async () => {
    const c = await writeObject();
    mutate((o) => {
      const iv = Buffer.from(o.metadata['x-amz-iv'], 'base64');
      flip(iv, 0);
      o.metadata['x-amz-iv'] = iv.toString('base64');
    });
    await expectRefused(c, 'AUTHENTICATION_FAILED');
  });

  test('IV of the wrong length', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-iv'] = randomBytes(16).toString('base64'); });
    await expectRefused(c, 'METADATA_INVALID');
  });

  test('wrapped data key changed', async () => {
    const c = await writeObject();
    mutate((o) => {
      const blob = Buffer.from(o.metadata['x-amz-key-v2'], 'base64');
      flip(blob, blob.length - 20);
      o.metadata['x-amz-key-v2'] = blob.toString('base64');
    });
    await expectRefused(c, 'KEY_UNWRAP_FAILED');
  });

  test('wrapped data key swapped for the key of another object', async () => {
    const c = await writeObject();
    await c.putObject({ Bucket: BUCKET, Key: 'other', Body: 'other', EncryptionContext: { purpose: 'audit' } });
    mutate((o) => { o.metadata['x-amz-key-v2'] = stored('other').metadata['x-amz-key-v2']; });
    await expectRefused(c, 'AUTHENTICATION_FAILED');
  });

  test('encryption context (matdesc) changed: the caller notices, and KMS refuses it anyway', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-matdesc'] = '{"aws:x-amz-cek-alg":"AES/GCM/NoPadding","purpose":"marketing"}'; });
    await expectRefused(c, 'ENCRYPTION_CONTEXT_MISMATCH');
    await expectRefused(c, 'KEY_UNWRAP_FAILED', { purpose: 'marketing' });
  });

  test('encryption context (matdesc) not JSON', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-matdesc'] = '{"purpose":'; });
    await expectRefused(c, 'METADATA_INVALID');
  });

  test('content algorithm (x-amz-cek-alg) downgraded to CBC', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-cek-alg'] = 'AES/CBC/PKCS5Padding'; delete o.metadata['x-amz-tag-len']; });
    await expectRefused(c, 'LEGACY_REFUSED');
    await expectRefused(client({ allowLegacy: true }), 'METADATA_INVALID');
  });

  test('content algorithm downgraded in both x-amz-cek-alg and the matdesc: KMS refuses', async () => {
    // 1040 bytes of plaintext: 1056 stored bytes, a plausible CBC length, so only KMS can tell.
    await client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'TOP-SECRET'.repeat(104), EncryptionContext: { purpose: 'audit' } });
    mutate((o) => {
      o.metadata['x-amz-cek-alg'] = 'AES/CBC/PKCS5Padding';
      delete o.metadata['x-amz-tag-len'];
      o.metadata['x-amz-iv'] = randomBytes(16).toString('base64');
      o.metadata['x-amz-matdesc'] = '{"aws:x-amz-cek-alg":"AES/CBC/PKCS5Padding","purpose":"audit"}';
    });
    await expectRefused(client({ allowLegacy: true }), 'KEY_UNWRAP_FAILED');
  });

  test('wrapping algorithm relabelled as legacy kms', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-wrap-alg'] = 'kms'; });
    await expectRefused(c, 'LEGACY_REFUSED');
    await expectRefused(client({ allowLegacy: true }), 'METADATA_INVALID');
  });

  test('tag length changed', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-tag-len'] = '96'; });
    await expectRefused(c, 'METADATA_INVALID');
  });

  test('recorded plaintext length changed', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata['x-amz-unencrypted-content-length'] = '5'; });
    await expectRefused(c, 'METADATA_INVALID');
  });

  test('IV removed', async () => {
    const c = await writeObject();
    mutate((o) => { delete o.metadata['x-amz-iv']; });
    await expectRefused(c, 'METADATA_INVALID');
  });

  test('all encryption metadata removed (and no instruction file)', async () => {
    const c = await writeObject();
    mutate((o) => { o.metadata = {}; });
    await expectRefused(c, 'NOT_ENCRYPTED');
  });

  test('a reader configured with another KMS key', async () => {
    await writeObject();
    await expectRefused(client({ kmsKeyId: OTHER_KEY_ARN }), 'KEY_UNWRAP_FAILED');
  });

  test('any single changed byte of the stored object fails authentication (property)', async () => {
    const c = client();
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.nat(), fc.integer({ min: 1, max: 255 }),
      async (pt, where, delta) => {
        await c.putObject({ Bucket: BUCKET, Key: 'p', Body: pt });
        const obj = stored('p');
        const i = where % obj.body.length;
        obj.body[i] = (obj.body[i] + delta) % 256;
        await expectCode(c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'p' }), 'AUTHENTICATION_FAILED');
      }), { numRuns: 40 });
  });

  test('with delayed authentication the stream errors at its end and never emits end', async () => {
    const big = randomBytes(300_000);
    const c = client({ enableDelayedAuthentication: true });
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: big });
    mutate((o) => flip(o.body, 1000));
    const out = await c.getObject({ Bucket: BUCKET, Key: 'k' });
    const result = await drain(out.Body);
    expect(result.ended).toBe(false);
    expect(result.error).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    // The trade-off, made visible: bytes were released before authentication failed.
    expect(result.data.length).toBeGreaterThan(0);
  });
});

describe('legacy objects', () => {
  /** An object as an old client wrote it: AES-CBC content, data key wrapped with "kms" (no content algorithm bound). */
  function legacyCbcObject() {
    const matdesc = { kms_cmk_id: KEY_ARN };
    env.s3.objects.set('legacy', {
      body: CBC_OPENSSL.ciphertext,
      metadata: {
        'x-amz-key-v2': env.kms.wrap(CBC_OPENSSL.key, matdesc).toString('base64'),
        'x-amz-iv': CBC_OPENSSL.iv.toString('base64'),
        'x-amz-cek-alg': 'AES/CBC/PKCS5Padding',
        'x-amz-wrap-alg': 'kms',
        'x-amz-matdesc': JSON.stringify(matdesc),
        'x-amz-unencrypted-content-length': String(CBC_OPENSSL.plaintext.length),
      },
    });
  }

  test('AES-CBC with kms wrapping is refused by default, naming the mode and the switch', async () => {
    legacyCbcObject();
    const err = await expectCode(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'legacy' }), 'LEGACY_REFUSED');
    expect(err.message).toMatch(/AES\/CBC\/PKCS5Padding.*allowLegacy/);
    expect(env.kms.decryptCalls).toHaveLength(0);
  });

  test('allowing only legacy wrapping still refuses unauthenticated CBC content', async () => {
    legacyCbcObject();
    await expectCode(client({ enableLegacyWrappingAlgorithms: true }).getObjectAsBuffer({ Bucket: BUCKET, Key: 'legacy' }), 'LEGACY_REFUSED');
  });

  test('with allowLegacy, AES-CBC + kms decrypts to the OpenSSL-verified plaintext', async () => {
    legacyCbcObject();
    const out = await client({ allowLegacy: true }).getObjectAsBuffer({ Bucket: BUCKET, Key: 'legacy' });
    expect(out.Body.toString('utf8')).toBe(CBC_OPENSSL.plaintext.toString('utf8'));
    expect(out).toMatchObject({ ContentAlgorithm: 'AES/CBC/PKCS5Padding', WrapAlgorithm: 'kms' });
    expect(env.kms.decryptCalls[0].EncryptionContext).toStrictEqual({ kms_cmk_id: KEY_ARN });
  });

  test('AES-GCM content with legacy kms wrapping needs only the wrapping switch', async () => {
    const matdesc = { kms_cmk_id: KEY_ARN };
    env.s3.objects.set('gcm-kms', {
      body: Buffer.concat([GCM_TC15.ciphertext, GCM_TC15.tag]),
      metadata: {
        'x-amz-key-v2': env.kms.wrap(GCM_TC15.key, matdesc).toString('base64'),
        'x-amz-iv': GCM_TC15.iv.toString('base64'),
        'x-amz-cek-alg': 'AES/GCM/NoPadding',
        'x-amz-wrap-alg': 'kms',
        'x-amz-matdesc': JSON.stringify(matdesc),
        'x-amz-tag-len': '128',
      },
    });
    await expectCode(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'gcm-kms' }), 'LEGACY_REFUSED');
    const out = await client({ enableLegacyWrappingAlgorithms: true }).getObjectAsBuffer({ Bucket: BUCKET, Key: 'gcm-kms' });
    expect(out.Body.equals(GCM_TC15.plaintext)).toBe(true);
  });

  test('V1 objects (x-amz-key) are refused, and reported unsupported when legacy is allowed', async () => {
    env.s3.objects.set('v1', {
      body: CBC_OPENSSL.ciphertext,
      metadata: { 'x-amz-key': randomBytes(48).toString('base64'), 'x-amz-iv': CBC_OPENSSL.iv.toString('base64'), 'x-amz-matdesc': '{}' },
    });
    await expectCode(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'v1' }), 'LEGACY_REFUSED');
    await expectCode(client({ allowLegacy: true }).getObjectAsBuffer({ Bucket: BUCKET, Key: 'v1' }), 'UNSUPPORTED_FORMAT');
  });
});

describe('input checks (nothing is sent)', () => {
  test.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a stream without ContentLength', { Body: Readable.from([Buffer.from('x')]) }, 'INVALID_ARGUMENT', /ContentLength .* is required for a stream Body/],
    ['a plaintext Content-MD5', { Body: 'x', ContentMD5: 'abc' }, 'INVALID_ARGUMENT', /ChecksumAlgorithm/],
    ['a plaintext SHA-256 checksum', { Body: 'x', ChecksumSHA256: 'abc' }, 'INVALID_ARGUMENT', /ChecksumSHA256/],
    ['a reserved context key', { Body: 'x', EncryptionContext: { 'aws:x-amz-cek-alg': 'AES/CBC/PKCS5Padding' } }, 'INVALID_ARGUMENT', /reserved/],
    ['an x-amz- metadata key', { Body: 'x', Metadata: { 'x-amz-iv': 'AAAA' } }, 'INVALID_ARGUMENT', /reserved/],
    ['a ContentLength that disagrees with the Buffer', { Body: Buffer.alloc(10), ContentLength: 11 }, 'CONTENT_LENGTH_MISMATCH', /11/],
    ['an unsupported Body', { Body: 42 }, 'INVALID_ARGUMENT', /Body must be/],
  ])('putObject refuses %s', async (_name, input, code, message) => {
    const err = await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k', ...input } as never), code);
    expect(err.message).toMatch(message);
    expect(env.kms.generateCalls).toHaveLength(0);
    expect(env.s3.putInputs).toHaveLength(0);
  });

  test('putObject refuses metadata over S3\'s 2 KB limit before uploading', async () => {
    await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x', EncryptionContext: { big: 'v'.repeat(1800) } }), 'INVALID_ARGUMENT');
    expect(env.s3.putInputs).toHaveLength(0);
  });

  test('a stream shorter than its ContentLength fails the upload', async () => {
    await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k', Body: chunked(Buffer.alloc(100)), ContentLength: 101 }), 'CONTENT_LENGTH_MISMATCH');
    expect(env.s3.objects.has('k')).toBe(false);
  });

  test('a stream longer than its ContentLength fails the upload', async () => {
    await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k', Body: chunked(Buffer.alloc(100), [10]), ContentLength: 99 }), 'CONTENT_LENGTH_MISMATCH');
    expect(env.s3.objects.has('k')).toBe(false);
  });

  test('ranged reads are refused', async () => {
    await expectCode(client().getObject({ Bucket: BUCKET, Key: 'k', Range: 'bytes=0-9' }), 'INVALID_ARGUMENT');
  });

  test('the authenticated buffer is bounded', async () => {
    const c = client({ bufferSize: 1000 });
    await c.putObject({ Bucket: BUCKET, Key: 'k', Body: Buffer.alloc(1001) });
    const err = await expectCode(c.getObject({ Bucket: BUCKET, Key: 'k' }), 'BUFFER_LIMIT_EXCEEDED');
    expect(err.message).toMatch(/getObjectToFile/);
    env.s3.hideContentLength = true;
    await expectCode(c.getObjectAsBuffer({ Bucket: BUCKET, Key: 'k' }), 'BUFFER_LIMIT_EXCEEDED');
    const file = path.join(workDir, 'f');
    await c.getObjectToFile({ Bucket: BUCKET, Key: 'k' }, file);
    expect(readFileSync(file).length).toBe(1001);
  });

  test('configuration is validated', () => {
    expect(() => new S3EncryptionClient({ s3Client: {} as never, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN })).toThrow(S3EncryptionClientError);
    expect(() => client({ kmsKeyId: ' ' })).toThrow(/kmsKeyId/);
    expect(() => client({ bufferSize: -1 })).toThrow(/bufferSize/);
    expect(() => client({ enableDelayedAuthentication: true, bufferSize: 10 })).toThrow(/bufferSize/);
    expect(() => new S3EncryptionClient({ s3Client: client() as never, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN })).toThrow(/S3Client/);
  });

  test('S3 errors pass through unchanged', async () => {
    await expect(client().getObjectAsBuffer({ Bucket: BUCKET, Key: 'missing' })).rejects.toMatchObject({ name: 'NoSuchKey' });
  });
});

describe('the AWS SDK is resolved from the user installation at run time', () => {
  test('a missing SDK gives an error that says what to install', async () => {
    setSdkModuleLoaderForTesting((id) => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    });
    const err = await expectCode(client().putObject({ Bucket: BUCKET, Key: 'k', Body: 'x' }), 'SDK_MISSING');
    expect(err.message).toContain('npm install @aws-sdk/client-s3 @aws-sdk/client-kms');
    expect(isS3EncryptionClientError(err, 'SDK_MISSING')).toBe(true);
    await expectCode(client().getObject({ Bucket: BUCKET, Key: 'k' }), 'SDK_MISSING');
  });

  test('loading the client entry point does not load the SDK', () => {
    jest.isolateModules(() => {
      jest.doMock('@aws-sdk/client-s3', () => { throw new Error('@aws-sdk/client-s3 must not be loaded at import'); });
      jest.doMock('@aws-sdk/client-kms', () => { throw new Error('@aws-sdk/client-kms must not be loaded at import'); });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require('../../src/client') as typeof import('../../src/client');
      expect(typeof mod.S3EncryptionClient).toBe('function');
      const c = new mod.S3EncryptionClient({ s3Client: env.s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN });
      expect(c).toBeDefined();
    });
  });

  test('no source file under src/client imports the SDK as a value', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'client');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(path.join(dir, file), 'utf8');
      const valueImports = source.split('\n').filter((line) => /from '@aws-sdk\//.test(line) && !/^import type /.test(line));
      expect({ file, valueImports }).toStrictEqual({ file, valueImports: [] });
    }
  });
});
