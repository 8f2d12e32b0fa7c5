/**
 * The cipher primitives against independently published answers:
 * - AES-256-GCM, 96-bit IV, no AAD: Test Case 15 of McGrew & Viega, "The Galois/Counter Mode of Operation"
 *   (the NIST GCM submission; also in NIST's gcmEncryptExtIV256 set).
 * - AES-256-CBC with PKCS#7 padding: ciphertext produced once with OpenSSL
 *   (`openssl enc -aes-256-cbc -K <key> -iv <iv>`), key and IV from NIST SP 800-38A F.2.5, whose first block
 *   `f58c4c04d6e5f1ba779eabfb5f7bfbd6` OpenSSL reproduces with `-nopad`.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as fc from 'fast-check';
import { chunked } from './helpers';
import { CBC_OPENSSL, GCM_TC15 } from './vectors';
import { CbcDecryptStream, GcmDecryptStream, GcmEncryptStream, encryptGcm } from '../../src/client/crypto';

async function through(input: Readable, transform: NodeJS.ReadWriteStream): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(input, transform, new Writable({
    write(chunk: Buffer, _e, cb) {
      out.push(chunk);
      cb();
    },
  }));
  return Buffer.concat(out);
}

describe('AES-256-GCM known answers (GCM spec Test Case 15)', () => {
  const expected = Buffer.concat([GCM_TC15.ciphertext, GCM_TC15.tag]);

  test('one-shot encryption gives ciphertext || tag', () => {
    expect(encryptGcm(GCM_TC15.key, GCM_TC15.iv, GCM_TC15.plaintext).toString('hex')).toBe(expected.toString('hex'));
  });

  test.each([[[1]], [[7, 16, 3]], [[15]], [[16]], [[64]]])('streaming encryption with chunk sizes %j', async (sizes) => {
    const out = await through(chunked(GCM_TC15.plaintext, sizes), new GcmEncryptStream(GCM_TC15.key, GCM_TC15.iv, 64));
    expect(out.toString('hex')).toBe(expected.toString('hex'));
  });

  test.each([[[1]], [[5, 11, 17]], [[15]], [[16]], [[17]], [[80]]])('streaming decryption with chunk sizes %j', async (sizes) => {
    const out = await through(chunked(expected, sizes), new GcmDecryptStream(GCM_TC15.key, GCM_TC15.iv, 64));
    expect(out.toString('hex')).toBe(GCM_TC15.plaintext.toString('hex'));
  });

  test('a flipped tag bit fails authentication and never ends the stream', async () => {
    const bad = Buffer.from(expected);
    bad[bad.length - 1] = bad[bad.length - 1] === 0 ? 1 : 0;
    const decrypt = new GcmDecryptStream(GCM_TC15.key, GCM_TC15.iv);
    let ended = false;
    decrypt.on('end', () => { ended = true; });
    await expect(through(chunked(bad, [16]), decrypt)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    expect(ended).toBe(false);
  });

  test('a body shorter than the tag is refused', async () => {
    await expect(through(chunked(expected.subarray(0, 10)), new GcmDecryptStream(GCM_TC15.key, GCM_TC15.iv)))
      .rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });

  test('the encrypting stream enforces the declared length both ways', async () => {
    await expect(through(chunked(GCM_TC15.plaintext), new GcmEncryptStream(GCM_TC15.key, GCM_TC15.iv, 63)))
      .rejects.toMatchObject({ code: 'CONTENT_LENGTH_MISMATCH' });
    await expect(through(chunked(GCM_TC15.plaintext), new GcmEncryptStream(GCM_TC15.key, GCM_TC15.iv, 65)))
      .rejects.toMatchObject({ code: 'CONTENT_LENGTH_MISMATCH' });
  });

  test('wrong key or IV lengths are refused', () => {
    expect(() => encryptGcm(GCM_TC15.key.subarray(0, 16), GCM_TC15.iv, GCM_TC15.plaintext)).toThrow(/32 bytes/);
    expect(() => new GcmDecryptStream(GCM_TC15.key, Buffer.alloc(16, 1))).toThrow(/12 bytes/);
  });

  test('streaming equals one-shot for any plaintext and chunking (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 6 }),
      async (pt, encSizes, decSizes) => {
        const plaintext = Buffer.from(pt);
        const oneShot = encryptGcm(GCM_TC15.key, GCM_TC15.iv, plaintext);
        const streamed = await through(chunked(plaintext, encSizes), new GcmEncryptStream(GCM_TC15.key, GCM_TC15.iv, plaintext.length));
        expect(streamed.equals(oneShot)).toBe(true);
        const back = await through(chunked(oneShot, decSizes), new GcmDecryptStream(GCM_TC15.key, GCM_TC15.iv, plaintext.length));
        expect(back.equals(plaintext)).toBe(true);
      }), { numRuns: 60 });
  });
});

describe('legacy AES-256-CBC decryption (OpenSSL-computed answer)', () => {
  test.each([[[64]], [[1]], [[16]], [[5, 27]]])('decrypts with chunk sizes %j', async (sizes) => {
    const out = await through(chunked(CBC_OPENSSL.ciphertext, sizes), new CbcDecryptStream(CBC_OPENSSL.key, CBC_OPENSSL.iv, 51));
    expect(out.toString('utf8')).toBe(CBC_OPENSSL.plaintext.toString('utf8'));
  });

  test('a truncated ciphertext fails', async () => {
    await expect(through(chunked(CBC_OPENSSL.ciphertext.subarray(0, 40)), new CbcDecryptStream(CBC_OPENSSL.key, CBC_OPENSSL.iv)))
      .rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });
});
