/** Stream and abort helpers shared by the read and write paths. */
import type { Readable } from 'node:stream';
import { S3EncryptionClientError } from './errors';

/** Stop reading a stream we no longer need; late errors (a socket reset, a file gone) are ignored. */
export function discard(stream: Readable): void {
  stream.on('error', () => { /* nothing left to report to */ });
  stream.destroy();
}

export function bufferLimit(size: number, limit: number): S3EncryptionClientError {
  return new S3EncryptionClientError('BUFFER_LIMIT_EXCEEDED',
    `the object (${size} bytes of plaintext) is larger than bufferSize (${limit} bytes), the most the client holds in memory to authenticate `
    + 'before releasing plaintext; use getObjectToFile(), raise bufferSize, or accept delayed authentication');
}

export function aborted(signal: AbortSignal | undefined): S3EncryptionClientError {
  return new S3EncryptionClientError('ABORTED', 'the operation was aborted through its abortSignal', { cause: signal?.reason });
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw aborted(signal);
}

/** The caller's abort wins over whatever error it caused downstream. */
export function abortedOr(e: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted && !(e instanceof S3EncryptionClientError && e.code === 'ABORTED')) return aborted(signal);
  return e;
}

/** A putObject failure as the documented error: the caller's abort wins over what it caused downstream. */
export function classifyPutError(e: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? aborted(signal) : e;
}

/** An error of the caller's body stream, coded (our own coded errors, such as a length mismatch, stay as they are). */
export function bodyFailed(e: unknown): S3EncryptionClientError {
  if (e instanceof S3EncryptionClientError) return e;
  return new S3EncryptionClientError('BODY_STREAM_FAILED',
    `the plaintext body stream failed (${e instanceof Error ? e.message : String(e)}); nothing was stored`, { cause: e });
}

/** Forward a caller's abort to our controller; returns the unlink function. */
export function linkAbort(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (!signal) return () => undefined;
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => undefined;
  }
  const onAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}