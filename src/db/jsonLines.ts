// Splits a byte stream into numbered lines with a cap on each line's length, so that reading a file costs at most one
// chunk plus one line of memory whatever the file holds. (readline would hold a whole line, however long, before
// anyone could look at it: a file without newlines would be read into memory entirely.)

export type RawLine =
  | { line: number; text: string }
  /** the line was refused before being decoded; its bytes are not kept */
  | { line: number; error: string };

/**
 * Yields every line of `chunks` (LF or CRLF endings; a last line without a newline counts too), numbered from 1.
 * A line longer than `maxBytes` (without its line ending) or not valid UTF-8 comes back as an error. A UTF-8 byte
 * order mark at the very start is dropped.
 */
export async function* readLines(chunks: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<RawLine> {
  // 0x0A never occurs inside a multi-byte UTF-8 sequence, so splitting the bytes before decoding is safe.
  const first = new TextDecoder('utf-8', { fatal: true });
  const rest = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let line = 1;

  const finish = (): RawLine => {
    const n = line;
    if (tooLong) return { line: n, error: `line is longer than ${maxBytes} bytes` };
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (bytes.length > maxBytes) return { line: n, error: `line is longer than ${maxBytes} bytes` };
    try {
      return { line: n, text: (n === 1 ? first : rest).decode(bytes) };
    } catch {
      return { line: n, error: 'not valid UTF-8' };
    }
  };
  const reset = () => {
    parts = [];
    size = 0;
    tooLong = false;
    line++;
  };

  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const end = nl === -1 ? buf.length : nl;
      if (!tooLong && end > start) {
        // +1: room for the CR of a CRLF ending, which is not part of the line.
        if (size + (end - start) > maxBytes + 1) {
          tooLong = true;
          parts = [];
          size = 0;
        } else {
          parts.push(buf.subarray(start, end));
          size += end - start;
        }
      }
      if (nl === -1) break;
      yield finish();
      reset();
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) yield finish();
}
