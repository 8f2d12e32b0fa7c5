/** Conversions between the body types callers and the SDK use and Node streams. */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { S3EncryptionClientError } from './errors';

/** What `putObject` accepts as plaintext. */
export type PlaintextBody = string | Uint8Array | Readable | WebReadableStream<Uint8Array> | Blob;

/** A plaintext body: its bytes when they are in memory, otherwise a stream (and its length when known). */
export type NormalizedBody =
  | { readonly kind: 'bytes'; readonly bytes: Buffer }
  | { readonly kind: 'stream'; readonly stream: Readable; readonly length?: number };

export function normalizePlaintextBody(body: unknown): NormalizedBody {
  if (typeof body === 'string') {
    return { kind: 'bytes', bytes: Buffer.from(body, 'utf8') };
  }
  if (body instanceof Uint8Array) {
    return { kind: 'bytes', bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  }
  if (body instanceof Readable) {
    return { kind: 'stream', stream: body };
  }
  if (isBlob(body)) {
    return { kind: 'stream', stream: Readable.fromWeb(body.stream() as WebReadableStream<Uint8Array>), length: body.size };
  }
  if (isWebStream(body)) {
    return { kind: 'stream', stream: Readable.fromWeb(body) };
  }
  throw new S3EncryptionClientError('INVALID_ARGUMENT',
    'Body must be a string, a Buffer/Uint8Array, a Node.js Readable, a web ReadableStream or a Blob');
}

/** The SDK's GetObject body (a Node stream in Node.js, sometimes a web stream or bytes) as a Node Readable. */
export function responseBodyToReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  if (isBlob(body)) return Readable.fromWeb(body.stream() as WebReadableStream<Uint8Array>);
  if (isWebStream(body)) return Readable.fromWeb(body);
  throw new S3EncryptionClientError('INVALID_ARGUMENT', 'GetObject returned no readable Body');
}

/** Split in-memory bytes into views (no copies) so a large buffer is encrypted chunk by chunk. */
export function chunkedView(bytes: Buffer, chunkSize: number): Readable {
  function* views(): Generator<Buffer> {
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      yield bytes.subarray(offset, Math.min(offset + chunkSize, bytes.length));
    }
  }
  return Readable.from(views(), { objectMode: false });
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function isWebStream(value: unknown): value is WebReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as { getReader?: unknown }).getReader === 'function';
}
