/**
 * The client through the real SDK request pipeline (serialisation, checksums, signing, HTTP), against a minimal
 * S3 stand-in on localhost: shows that the streamed ciphertext body with its computed ContentLength, and the
 * encryption metadata as `x-amz-meta-*` headers, survive an actual PutObject/GetObject exchange.
 * KMS stays mocked (aws-sdk-client-mock).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { KEY_ARN, chunked, mockedClients } from './helpers';
import { CommitmentPolicy, S3EncryptionClient } from '../../src/client';

interface Stored { body: Buffer; meta: Record<string, string>; headers: IncomingMessage['headers'] }

/** Decode an `aws-chunked` body (`<hex size>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>\r\n`). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    offset = lineEnd + 2;
    if (size === 0) return Buffer.concat(out);
    out.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
}

let server: Server;
let endpoint: string;
const objects = new Map<string, Stored>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      if (req.method === 'PUT') {
        const raw = Buffer.concat(chunks);
        const chunkedBody = String(req.headers['content-encoding'] ?? '').includes('aws-chunked')
          || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
        const body = chunkedBody ? decodeAwsChunked(raw) : raw;
        const declared = Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length']);
        if (declared !== body.length) {
          res.writeHead(400).end(`<Error><Code>IncompleteBody</Code><Message>${declared} != ${body.length}</Message></Error>`);
          return;
        }
        const meta: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers)) {
          if (h.startsWith('x-amz-meta-')) meta[h] = String(v);
        }
        objects.set(key, { body, meta, headers: req.headers });
        res.writeHead(200, { ETag: '"wire"' }).end();
      } else if (req.method === 'GET') {
        const obj = objects.get(key);
        if (!obj) {
          res.writeHead(404, { 'Content-Type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>none</Message></Error>');
          return;
        }
        res.writeHead(200, { 'Content-Length': obj.body.length, 'ETag': '"wire"', ...obj.meta });
        Readable.from(chunked(obj.body, [7000])).pipe(res);
      } else {
        res.writeHead(405).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test.each<[string, () => { body: Buffer | Readable; length?: number; expected: Buffer }]>([
  ['a Buffer', () => { const b = randomBytes(50_000); return { body: b, expected: b }; }],
  ['a Readable with ContentLength (streamed upload)', () => { const b = randomBytes(1_000_003); return { body: chunked(b, [65536, 3]), length: b.length, expected: b }; }],
])('PutObject/GetObject over HTTP with the real SDK pipeline: %s', async (_name, make) => {
  const env = mockedClients();
  env.s3Mock.restore(); // real S3 client behaviour; only KMS stays mocked
  try {
    const s3Client = new S3Client({
      region: 'eu-west-1',
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    // The default policy writes V3; the V2 writer is the migration's first step.
    const v3 = new S3EncryptionClient({ s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN });
    const v2 = new S3EncryptionClient({
      s3Client, kmsClient: env.kmsClient, kmsKeyId: KEY_ARN, commitmentPolicy: CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT,
    });
    let { body, length, expected } = make();
    await v3.putObject({ Bucket: 'bucket', Key: 'wire/object', Body: body, ContentLength: length, EncryptionContext: { app: 'wire' } });

    let stored = objects.get('/bucket/wire/object')!;
    expect(stored.body.length).toBe(expected.length + 16);
    expect(stored.meta).toMatchObject({
      'x-amz-meta-x-amz-c': '115',
      'x-amz-meta-x-amz-w': '12',
      'x-amz-meta-x-amz-t': '{"app":"wire","aws:x-amz-cek-alg":"115"}',
      'x-amz-meta-x-amz-d': expect.stringMatching(/^[A-Za-z0-9+/]{38}==$/), // 28 bytes
      'x-amz-meta-x-amz-i': expect.stringMatching(/^[A-Za-z0-9+/]{38}==$/),
      'x-amz-meta-x-amz-3': expect.any(String),
    });
    expect(Object.keys(stored.meta).filter((k) => k.startsWith('x-amz-meta-')).sort()).toStrictEqual(
      ['c', '3', 'w', 'd', 'i', 't'].map((k) => `x-amz-meta-x-amz-${k}`).sort());
    let out = await v3.getObjectAsBuffer({ Bucket: 'bucket', Key: 'wire/object', EncryptionContext: { app: 'wire' } });
    expect(out.Body.equals(expected)).toBe(true);

    ({ body, length, expected } = make());
    await v2.putObject({ Bucket: 'bucket', Key: 'wire/object', Body: body, ContentLength: length, EncryptionContext: { app: 'wire' } });
    stored = objects.get('/bucket/wire/object')!;
    expect(stored.meta).toMatchObject({
      'x-amz-meta-x-amz-cek-alg': 'AES/GCM/NoPadding',
      'x-amz-meta-x-amz-wrap-alg': 'kms+context',
      'x-amz-meta-x-amz-tag-len': '128',
      'x-amz-meta-x-amz-matdesc': '{"app":"wire","aws:x-amz-cek-alg":"AES/GCM/NoPadding"}',
      'x-amz-meta-x-amz-unencrypted-content-length': String(expected.length),
    });
    out = await v2.getObjectAsBuffer({ Bucket: 'bucket', Key: 'wire/object', EncryptionContext: { app: 'wire' } });
    expect(out.Body.equals(expected)).toBe(true);
    await expect(v3.getObjectAsBuffer({ Bucket: 'bucket', Key: 'wire/object', EncryptionContext: { app: 'wire' } }))
      .rejects.toMatchObject({ code: 'COMMITMENT_POLICY_VIOLATION' });
    s3Client.destroy();
  } finally {
    env.restore();
  }
});
