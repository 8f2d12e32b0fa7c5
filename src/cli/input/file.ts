import { isUtf8 } from 'buffer';
import * as fs from 'fs';

// Reading one file safely: only regular files, never more than a limit, never blocking on a FIFO or a device.

/** Text of a file, or why it cannot be read (one line). */
export type TextRead =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly message: string; readonly missing?: boolean };

/** Read a text file of at most `maxBytes` bytes: UTF-8 (with or without a byte order mark) or UTF-16 with one. */
export function readTextFile(file: string, maxBytes: number): TextRead {
  let fd: number | undefined;
  try {
    // Opening a FIFO blocks until a writer comes, and a device never ends: look before opening.
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { ok: false, message: `not a regular file: ${kindOf(stat)}` };
    if (stat.size > maxBytes) return { ok: false, message: tooLarge(stat.size, maxBytes) };
    // O_NONBLOCK: should the path have been replaced by a FIFO since, opening it still returns at once.
    // (O_RDONLY is 0: the flags are O_NONBLOCK alone, where it exists.)
    fd = fs.openSync(file, fs.constants.O_NONBLOCK ?? fs.constants.O_RDONLY);
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) return { ok: false, message: `not a regular file: ${kindOf(opened)}` };
    const bytes = readAtMost(fd, Math.min(opened.size, maxBytes), maxBytes);
    if (bytes === undefined) return { ok: false, message: tooLarge(undefined, maxBytes) };
    return decode(bytes);
  } catch (e) {
    return { ok: false, message: describeError(e), missing: (e as NodeJS.ErrnoException).code === 'ENOENT' };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Up to `maxBytes` bytes of the file (it may have grown since it was measured), or undefined if it has more. */
function readAtMost(fd: number, expected: number, maxBytes: number): Buffer | undefined {
  let buffer = Buffer.allocUnsafe(expected + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > maxBytes) return undefined;
      const larger = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1));
      buffer.copy(larger, 0, 0, length);
      buffer = larger;
    }
    const read = fs.readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) return length > maxBytes ? undefined : buffer.subarray(0, length);
    length += read;
  }
}

function decode(bytes: Buffer): TextRead {
  let text: string;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    if (!isUtf8(bytes.subarray(3))) return { ok: false, message: 'not UTF-8 text' };
    text = bytes.toString('utf8', 3);
  } else if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    if (bytes.length % 2 !== 0) return { ok: false, message: 'not UTF-16 text: an odd number of bytes' };
    const units = Buffer.from(bytes.subarray(2));
    if (bytes[0] === 0xfe) units.swap16();
    text = units.toString('utf16le');
    if (text.includes('\u0000')) return { ok: false, message: 'a binary file, not a template' };
  } else {
    if (bytes.includes(0)) return { ok: false, message: 'a binary file, not a template' };
    if (!isUtf8(bytes)) return { ok: false, message: 'not UTF-8 text' };
    text = bytes.toString('utf8');
  }
  if (!/\S/.test(text)) return { ok: false, message: 'empty file' };
  return { ok: true, text };
}

function tooLarge(size: number | undefined, maxBytes: number): string {
  const actual = size === undefined ? 'more than the limit' : amount(size);
  return `too large: ${actual}, the limit is ${amount(maxBytes)} (set it with --max-template-bytes)`;
}

function amount(count: number): string {
  return count >= 1024 * 1024 ? `${(count / (1024 * 1024)).toFixed(1)} MiB (${count} bytes)` : `${count} bytes`;
}

/** What a path that is not a regular file is. */
export function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/** A file system error in plain words, without the path (the problem names it). */
export function describeError(e: unknown): string {
  switch ((e as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ELOOP': return 'a loop of symbolic links';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ENAMETOOLONG': return 'the path is too long';
    case 'EISDIR': return 'a directory, not a file';
    case 'EMFILE':
    case 'ENFILE': return 'too many open files';
    case 'EIO': return 'input/output error';
    default: {
      const code = (e as NodeJS.ErrnoException | undefined)?.code;
      return code === undefined ? 'cannot be read' : `cannot be read (${code})`;
    }
  }
}
