// Files named on the command line (campaign files, customer id lists, imports). Every way a file can be unusable is one
// line that names the file: missing, a directory, unreadable, a FIFO or device (opening one for reading would wait for
// a writer forever), too big, or not UTF-8 text (a binary file, or another encoding whose letters would be stored as
// U+FFFD). A UTF-8 byte order mark at the start is dropped.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './context';

/** Largest files read whole into memory. A campaign of 100 actions with 100 KB templates is about 30 MB less. */
export const INPUT_LIMITS = {
  campaignFileBytes: 16 * 1024 * 1024,
  /** a million ids of 128 characters and more */
  idFileBytes: 256 * 1024 * 1024,
} as const;

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'no such file (a part of the path is not a directory)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'the file name is too long';
    default:
      return `cannot be read (${e.code ?? e.message})`;
  }
}

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;

/**
 * Opens a regular file for reading; throws UsageError otherwise. Opened without blocking and checked on the open file,
 * so a FIFO is refused instead of waited on, and nothing can swap the file between the check and the read.
 */
export function openInputFile(file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new UsageError(`${file}: ${reason(err)}`);
  }
  const stat = fstatSync(fd);
  if (stat.isFile()) return { fd, size: stat.size };
  closeSync(fd);
  if (stat.isDirectory()) throw new UsageError(`${file}: is a directory, not a file`);
  throw new UsageError(`${file}: not a regular file (a pipe, socket or device cannot be read as input)`);
}

/** Byte offset of the first byte that is not part of well-formed UTF-8 (the buffer is known to hold some). */
function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    const [n, min] =
      b < 0x80
        ? [0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [1, 0x80]
          : b >= 0xe0 && b <= 0xef
            ? [2, 0x800]
            : b >= 0xf0 && b <= 0xf4
              ? [3, 0x10000]
              : [-1, 0];
    if (n < 0 || i + n >= buf.length) return i; // not a lead byte, or a sequence cut short by the end
    let cp = n === 0 ? b : b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      if ((buf[i + k] & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (buf[i + k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return i;
}

/** The whole file as text; throws UsageError naming the file (and for bad bytes the line) when it cannot be. */
export function readTextFile(file: string, o: { maxBytes: number; what: string }): string {
  const { fd, size } = openInputFile(file);
  let buf: Buffer;
  try {
    if (size > o.maxBytes) throw new UsageError(`${file}: ${megabytes(size)} is more than the ${megabytes(o.maxBytes)} ${o.what} may hold`);
    // Read to the end rather than to `size`: the file may have grown since, and some files report a size of 0.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > o.maxBytes) throw new UsageError(`${file}: more than the ${megabytes(o.maxBytes)} ${o.what} may hold`);
    }
    buf = Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file}: ${reason(err)}`);
  } finally {
    closeSync(fd);
  }
  const problem = notText(buf, false);
  if (problem) throw new UsageError(`${file}: ${problem}`);
  const text = new TextDecoder('utf-8').decode(buf);
  if (text.trim() === '') throw new UsageError(`${file}: the file is empty`);
  return text;
}

/**
 * Why `buf` (the start of a file when `cut`) is not UTF-8 text, or undefined. A NUL byte never occurs in text: it marks
 * a binary file (as git and grep decide), which would otherwise be reported line by line.
 */
function notText(buf: Buffer, cut: boolean): string | undefined {
  const lineOf = (at: number) => {
    let line = 1;
    for (let k = buf.indexOf(0x0a); k !== -1 && k < at; k = buf.indexOf(0x0a, k + 1)) line++;
    return line;
  };
  const nul = buf.indexOf(0);
  if (nul !== -1) return `line ${lineOf(nul)}: a NUL byte at offset ${nul}: a binary file, not text`;
  const bad = firstInvalidUtf8(buf);
  // At the end of a cut buffer, a sequence may just continue past the cut.
  if (bad >= buf.length || (cut && bad >= buf.length - 3)) return undefined;
  const hex = buf[bad].toString(16).toUpperCase().padStart(2, '0');
  return `line ${lineOf(bad)}: not UTF-8 text (byte 0x${hex} at offset ${bad}; a binary file, or another encoding)`;
}

/** Refuses a file whose first 64 KiB are not UTF-8 text, before it is streamed: a binary file is one line, not one per line. */
export function checkTextStart(fd: number, file: string): void {
  const buf = Buffer.allocUnsafe(64 * 1024);
  const n = readSync(fd, buf, 0, buf.length, 0); // at offset 0: the file position stays where it is
  if (n === 0) throw new UsageError(`${file}: the file is empty`);
  const problem = notText(buf.subarray(0, n), n === buf.length);
  if (problem) throw new UsageError(`${file}: ${problem}`);
}
