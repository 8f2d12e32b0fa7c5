/**
 * A 256 MiB object through the client without ever holding it in memory: the plaintext is generated in 1 MiB
 * chunks (an AES-CTR keystream, hashed as it is produced), the mocked S3 streams the uploaded ciphertext to a
 * temporary file while hashing it, and GetObject streams that file back. Peak memory is sampled throughout and
 * printed; the test fails if any phase grows the process by anything near the object size.
 */
import { createCipheriv, createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { GetObjectCommand, PutObjectCommand, PutObjectCommandInput } from '@aws-sdk/client-s3';
import { BUCKET, KEY_ARN, mockedClients } from './helpers';
import { S3EncryptionClient } from '../../src/client';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const CHUNK = MiB;

interface Peak { rss: number; heapUsed: number; external: number; arrayBuffers: number }

/** Samples process.memoryUsage() on a timer and on demand; keeps the peaks. */
class MemorySampler {
  public peak: Peak;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.peak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
    this.sample();
    this.timer = setInterval(() => this.sample(), 10);
    this.timer.unref();
  }

  public sample(): void {
    const m = process.memoryUsage();
    this.peak = {
      rss: Math.max(this.peak.rss, m.rss),
      heapUsed: Math.max(this.peak.heapUsed, m.heapUsed),
      external: Math.max(this.peak.external, m.external),
      arrayBuffers: Math.max(this.peak.arrayBuffers, m.arrayBuffers),
    };
  }

  public stop(): Peak {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** 256 MiB of pseudo-random plaintext, generated 1 MiB at a time and hashed on the way out. */
function plaintextSource(hash: Hash, sampler: MemorySampler): Readable {
  const keystream = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(CHUNK);
  function* chunks(): Generator<Buffer> {
    for (let i = 0; i < SIZE / CHUNK; i++) {
      const chunk = keystream.update(zeros);
      hash.update(chunk);
      if (i % 8 === 0) sampler.sample();
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** A sink that hashes and counts. */
function hashingSink(hash: Hash, sampler: MemorySampler, counter: { bytes: number }): Writable {
  let n = 0;
  return new Writable({
    write(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      if (++n % 64 === 0) sampler.sample();
      cb();
    },
  });
}

/** Collect garbage left by earlier tests in this worker, so the baseline is the live set. Best effort. */
function collectGarbage(): void {
  try {
    setFlagsFromString('--expose_gc');
    (runInNewContext('gc') as () => void)();
  } catch {
    // Without it the baseline only includes some garbage; the assertions are deltas with a margin.
  }
}

const fmt = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

test('256 MiB streaming round trip with peak memory reported', async () => {
  const env = mockedClients();
  const dir = mkdtempSync(path.join(tmpdir(), 's3ec-large-'));
  const objectFile = path.join(dir, 'ciphertext.bin');
  const report: string[] = [];
  try {
    // Mock S3 that never buffers: PutObject streams the body to a file while hashing it; GetObject streams it back.
    let stored: { size: number; sha256: string; metadata: Record<string, string> } | undefined;
    env.s3Mock.on(PutObjectCommand).callsFake(async (input: PutObjectCommandInput) => {
      const hash = createHash('sha256');
      let size = 0;
      await pipeline(input.Body as Readable, new Transform({
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }), createWriteStream(objectFile));
      if (size !== input.ContentLength) throw new Error(`ContentLength ${input.ContentLength}, received ${size}`);
      stored = { size, sha256: hash.digest('hex'), metadata: input.Metadata ?? {} };
      return { ETag: '"large"' };
    });
    env.s3Mock.on(GetObjectCommand).callsFake(async () => ({
      Body: createReadStream(objectFile, { highWaterMark: 256 * 1024 }) as never,
      ContentLength: stored!.size,
      Metadata: stored!.metadata,
    }));

    const client = new S3EncryptionClient({ s3Client: env.s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN });
    const delayed = new S3EncryptionClient({
      s3Client: env.s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN, enableDelayedAuthentication: true,
    });
    collectGarbage();
    const baseline = process.memoryUsage();
    report.push(`baseline: rss ${fmt(baseline.rss)}, heapUsed ${fmt(baseline.heapUsed)}, arrayBuffers ${fmt(baseline.arrayBuffers)}`);

    const phase = async (name: string, run: (sampler: MemorySampler) => Promise<void>): Promise<Peak> => {
      const sampler = new MemorySampler();
      const started = Date.now();
      await run(sampler);
      const peak = sampler.stop();
      report.push(`${name} (${((Date.now() - started) / 1000).toFixed(1)} s): peak rss ${fmt(peak.rss)} (+${fmt(peak.rss - baseline.rss)}), `
        + `peak heapUsed ${fmt(peak.heapUsed)}, peak external ${fmt(peak.external)}, peak arrayBuffers ${fmt(peak.arrayBuffers)}`);
      return peak;
    };

    // 1. putObject: the plaintext stream is encrypted while it uploads.
    const plaintextHash = createHash('sha256');
    const putPeak = await phase('putObject (stream, 256 MiB)', async (sampler) => {
      await client.putObject({ Bucket: BUCKET, Key: 'large', Body: plaintextSource(plaintextHash, sampler), ContentLength: SIZE });
    });
    const expectedSha = plaintextHash.digest('hex');
    expect(stored!.size).toBe(SIZE + 16);
    expect(statSync(objectFile).size).toBe(SIZE + 16);
    // The default commitment policy writes V3 (suite 115), which records no plaintext length.
    expect(stored!.metadata['x-amz-c']).toBe('115');

    // 2. getObjectToFile: decrypted to a private temporary file, renamed only after authentication.
    const outFile = path.join(dir, 'plaintext.bin');
    const filePeak = await phase('getObjectToFile (authenticated before release)', async () => {
      const info = await client.getObjectToFile({ Bucket: BUCKET, Key: 'large' }, outFile);
      expect(info.ContentLength).toBe(SIZE);
    });
    const fileHash = createHash('sha256');
    const checkSampler = new MemorySampler();
    await pipeline(createReadStream(outFile), hashingSink(fileHash, checkSampler, { bytes: 0 }));
    checkSampler.stop();
    expect(fileHash.digest('hex')).toBe(expectedSha);
    rmSync(outFile);

    // 3. getObject with delayed authentication: a decrypting stream, authenticated when it ends.
    const streamHash = createHash('sha256');
    const counter = { bytes: 0 };
    const streamPeak = await phase('getObject (delayed authentication stream)', async (sampler) => {
      const out = await delayed.getObject({ Bucket: BUCKET, Key: 'large' });
      await pipeline(out.Body, hashingSink(streamHash, sampler, counter));
    });
    expect(counter.bytes).toBe(SIZE);
    expect(streamHash.digest('hex')).toBe(expectedSha);

    // 4. The default getObject refuses to buffer 256 MiB before authenticating, without reading it.
    await expect(client.getObject({ Bucket: BUCKET, Key: 'large' })).rejects.toMatchObject({ code: 'BUFFER_LIMIT_EXCEEDED' });

    // Holding the object once would add 256 MiB; each phase must stay far below that. (Typical: +20-70 MiB;
    // the margin absorbs garbage the collector has not reclaimed yet when other test files share the worker.)
    for (const peak of [putPeak, filePeak, streamPeak]) {
      expect(peak.rss - baseline.rss).toBeLessThan(160 * MiB);
      expect(peak.arrayBuffers - baseline.arrayBuffers).toBeLessThan(160 * MiB);
    }
  } finally {
    // eslint-disable-next-line no-console
    console.log(`S3 encryption client, 256 MiB round trip, process.memoryUsage():\n  ${report.join('\n  ')}`);
    env.restore();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
