/**
 * A minimal S3 stand-in on localhost for tests that need the real SDK HTTP pipeline: PutObject stores a body only
 * when it arrived complete (as S3 does), GetObject returns it with its `x-amz-meta-*` headers, or stalls mid-body.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackObject { body: Buffer; meta: Record<string, string> }

export interface LoopbackS3 {
  readonly endpoint: string;
  readonly objects: Map<string, LoopbackObject>;
  /** Requests whose body never completed (client aborted). */
  readonly abortedPuts: string[];
  /** When set, GET sends the headers and this many body bytes, then nothing more. */
  stallGetAfter?: number;
  close(): Promise<void>;
}

/** Decode an `aws-chunked` body (`<hex size>[;ext]\r\n<data>\r\n ... 0\r\n<trailers>\r\n`). */
function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new Error('truncated aws-chunked body');
    const size = parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0], 16);
    offset = lineEnd + 2;
    if (size === 0) return Buffer.concat(out);
    out.push(raw.subarray(offset, offset + size));
    offset += size + 2;
  }
}

export async function startLoopbackS3(): Promise<LoopbackS3> {
  const objects = new Map<string, LoopbackObject>();
  const abortedPuts: string[] = [];
  const state: { stallGetAfter?: number } = {};
  const server: Server = createServer((req, res) => {
    const key = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    const chunks: Buffer[] = [];
    let complete = false;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('close', () => { if (!complete && req.method === 'PUT') abortedPuts.push(key); });
    req.on('end', () => {
      complete = true;
      if (req.method === 'PUT') {
        const raw = Buffer.concat(chunks);
        const chunkedBody = String(req.headers['content-encoding'] ?? '').includes('aws-chunked')
          || String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-');
        let body: Buffer;
        try {
          body = chunkedBody ? decodeAwsChunked(raw) : raw;
        } catch {
          res.writeHead(400).end('<Error><Code>IncompleteBody</Code><Message>truncated</Message></Error>');
          return;
        }
        const declared = Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length']);
        if (declared !== body.length) {
          res.writeHead(400).end(`<Error><Code>IncompleteBody</Code><Message>${declared} != ${body.length}</Message></Error>`);
          return;
        }
        const meta: Record<string, string> = {};
        for (const [h, v] of Object.entries(req.headers)) {
          if (h.startsWith('x-amz-meta-')) meta[h] = String(v);
        }
        objects.set(key, { body, meta });
        res.writeHead(200, { ETag: '"loopback"' }).end();
      } else if (req.method === 'GET') {
        const obj = objects.get(key);
        if (!obj) {
          res.writeHead(404, { 'Content-Type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code><Message>none</Message></Error>');
          return;
        }
        res.writeHead(200, { 'Content-Length': obj.body.length, 'ETag': '"loopback"', ...obj.meta });
        if (state.stallGetAfter !== undefined) {
          res.write(obj.body.subarray(0, state.stallGetAfter)); // and then nothing: a stalled server
          return;
        }
        res.end(obj.body);
      } else {
        res.writeHead(405).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    objects,
    abortedPuts,
    get stallGetAfter() { return state.stallGetAfter; },
    set stallGetAfter(v: number | undefined) { state.stallGetAfter = v; },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
