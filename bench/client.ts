// The S3 encryption client: memory of a 256 MiB round trip (V3 against V2, each in a fresh process), and
// encrypt/decrypt throughput of the V3 and V2 content ciphers against Node's raw AES-256-GCM in the same run.
// Usage: npx ts-node --transpile-only bench/client.ts   (BENCH_RUNS=5, BENCH_MIB=256, BENCH_CIPHER_MIB=64)
import { execFileSync } from 'child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'fs';
import { cpus, tmpdir, totalmem } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { CommitmentPolicy, S3EncryptionClient } from '../src/client';
import { ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, ALG_AES_256_GCM_IV12_TAG16_NO_KDF, contentDecryptStream, contentEncryptor, deriveCommitment } from '../src/client/suites';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const roundTripMiB = Number(process.env.BENCH_MIB ?? 256);
const cipherMiB = Number(process.env.BENCH_CIPHER_MIB ?? 64);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A plaintext stream of `size` bytes made from one reused random chunk (nothing large is held). */
function plaintextStream(size: number): Readable {
  const chunk = randomBytes(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(Buffer.from(chunk.subarray(0, n)));
    },
  });
}

/** One round trip in this process: putObject of a stream, then getObjectToFile. Prints JSON. */
async function roundTrip(format: 'V2' | 'V3'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 's3ec-bench-'));
  const objectFile = join(dir, 'object.bin');
  let metadata: Record<string, string> = {};
  const keys = new Map<string, Buffer>();
  // Stand-ins for S3 (the object on disk) and KMS (a blob that names the key): only the client's work is measured.
  const s3Client = {
    send: async (command: { constructor: { name: string }; input: any }) => {
      if (command.constructor.name === 'PutObjectCommand') {
        await pipeline(command.input.Body as Readable, createWriteStream(objectFile));
        metadata = command.input.Metadata;
        return {};
      }
      return { Body: createReadStream(objectFile, { highWaterMark: 256 * 1024 }), ContentLength: statSync(objectFile).size, Metadata: metadata };
    },
  };
  const kmsClient = {
    send: async (command: { constructor: { name: string }; input: any }) => {
      if (command.constructor.name === 'GenerateDataKeyCommand') {
        const key = randomBytes(32);
        const blob = randomBytes(16);
        keys.set(blob.toString('hex'), key);
        return { Plaintext: new Uint8Array(key), CiphertextBlob: new Uint8Array(blob) };
      }
      return { Plaintext: new Uint8Array(keys.get(Buffer.from(command.input.CiphertextBlob).toString('hex'))!) };
    },
  };
  const client = new S3EncryptionClient({
    s3Client: s3Client as never,
    kmsClient: kmsClient as never,
    kmsKeyId: 'bench',
    commitmentPolicy: format === 'V3' ? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT : CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
  });
  const size = roundTripMiB * MiB;
  let peakRss = 0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 5);
  const baseline = process.memoryUsage().rss;
  const started = performance.now();
  await client.putObject({ Bucket: 'b', Key: 'k', Body: plaintextStream(size), ContentLength: size });
  const put = performance.now();
  await client.getObjectToFile({ Bucket: 'b', Key: 'k' }, join(dir, 'plaintext.bin'));
  const done = performance.now();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const ok = statSync(join(dir, 'plaintext.bin')).size === size && (format === 'V3') === ('x-amz-c' in metadata);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({
    format,
    ok,
    baselineMiB: baseline / MiB,
    peakRssMiB: peakRss / MiB,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    putMs: put - started,
    getMs: done - put,
  }) + '\n');
}

/** Time to push `data` through a Transform made by `make`, in 64 KiB chunks. */
async function throughStream(data: Buffer, make: () => NodeJS.ReadWriteStream): Promise<number> {
  const start = performance.now();
  const views = function* () { for (let o = 0; o < data.length; o += CHUNK) yield data.subarray(o, o + CHUNK); };
  await pipeline(Readable.from(views()), make(), new Writable({ write(_c, _e, cb) { cb(); } }));
  return performance.now() - start;
}

async function throughput(): Promise<string[]> {
  const data = randomBytes(cipherMiB * MiB);
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const messageId = randomBytes(28);
  const raw = createCipheriv('aes-256-gcm', key, iv);
  const rawCiphertext = Buffer.concat([raw.update(data), raw.final(), raw.getAuthTag()]);
  const v2Ciphertext = contentEncryptor(ALG_AES_256_GCM_IV12_TAG16_NO_KDF, key, iv).encrypt(data);
  const v3Ciphertext = contentEncryptor(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, key, messageId).encrypt(data);
  const commitment = deriveCommitment(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, key, messageId);

  // Node's raw AES-256-GCM as a plain update() loop: the ceiling for any stream around it.
  const rawLoop = (decrypt: boolean) => {
    const start = performance.now();
    if (decrypt) {
      const d = createDecipheriv('aes-256-gcm', key, iv);
      d.setAuthTag(rawCiphertext.subarray(rawCiphertext.length - 16));
      for (let o = 0; o < data.length; o += CHUNK) d.update(rawCiphertext.subarray(o, Math.min(o + CHUNK, data.length)));
      d.final();
    } else {
      const c = createCipheriv('aes-256-gcm', key, iv);
      for (let o = 0; o < data.length; o += CHUNK) c.update(data.subarray(o, o + CHUNK));
      c.final();
    }
    return performance.now() - start;
  };
  const cases: [string, () => Promise<number> | number][] = [
    ['raw AES-256-GCM encrypt (update loop)', () => rawLoop(false)],
    ['V2 encrypt (GcmEncryptStream)', () => throughStream(data, () => contentEncryptor(ALG_AES_256_GCM_IV12_TAG16_NO_KDF, key, iv).encryptStream(data.length))],
    ['V3 encrypt (HKDF + GcmEncryptStream)', () => throughStream(data, () => contentEncryptor(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, key, messageId).encryptStream(data.length))],
    ['raw AES-256-GCM decrypt (update loop)', () => rawLoop(true)],
    ['V2 decrypt (GcmDecryptStream)', () => throughStream(v2Ciphertext, () => contentDecryptStream(ALG_AES_256_GCM_IV12_TAG16_NO_KDF, key, iv, undefined, data.length))],
    ['V3 decrypt (commitment check + GcmDecryptStream)', () => throughStream(v3Ciphertext,
      () => contentDecryptStream(ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, key, messageId, commitment, data.length))],
  ];
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let r = 0; r < runs + 1; r++) {
    for (const [name, run] of cases) {
      const ms = await run();
      if (r > 0) times.get(name)!.push(ms); // the first round warms up
    }
  }
  const rows = ['| operation | median MiB/s | vs raw AES-256-GCM |', '|---|---|---|'];
  let rawRate = 0;
  for (const [name] of cases) {
    const rate = cipherMiB / (median(times.get(name)!) / 1000);
    if (name.startsWith('raw')) rawRate = rate;
    rows.push(`| ${name} | ${rate.toFixed(0)} | ${(rate / rawRate).toFixed(2)}x |`);
  }
  return rows;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'roundtrip') {
    await roundTrip(process.argv[3] as 'V2' | 'V3');
    return;
  }
  const lines = [`Machine: ${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}`, ''];
  const rt: Record<string, any[]> = { V2: [], V3: [] };
  for (let r = 0; r < Math.max(1, Math.min(runs, 3)); r++) {
    for (const format of ['V2', 'V3']) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, 'roundtrip', format], { encoding: 'utf8' });
      rt[format].push(JSON.parse(out.trim().split('\n').pop()!));
    }
  }
  lines.push(`${roundTripMiB} MiB round trip (putObject of a stream, getObjectToFile), each in a fresh process, medians of ${rt.V2.length}:`, '');
  lines.push('| format | peak RSS MiB | RSS before MiB | growth MiB | put s | get s | checks |', '|---|---|---|---|---|---|---|');
  for (const format of ['V2', 'V3']) {
    const m = (k: string) => median(rt[format].map((x) => x[k]));
    lines.push(`| ${format} | ${m('peakRssMiB').toFixed(0)} | ${m('baselineMiB').toFixed(0)} | ${(m('peakRssMiB') - m('baselineMiB')).toFixed(0)} | `
      + `${(m('putMs') / 1000).toFixed(1)} | ${(m('getMs') / 1000).toFixed(1)} | ${rt[format].every((x) => x.ok) ? 'ok' : 'FAILED'} |`);
  }
  lines.push('', `Content cipher throughput over ${cipherMiB} MiB in 64 KiB chunks, medians of ${runs} runs after a warm-up:`, '');
  lines.push(...await throughput());
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
