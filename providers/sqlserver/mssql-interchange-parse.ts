/**
 * Interchange-stream lines (PostgreSQL text COPY: tab-separated, `\N` for
 * NULL, backslash escapes) back into canonical text values, for a SQL
 * Server destination. Lines arrive in chunks split anywhere: `LineSplitter`
 * keeps the unfinished tail.
 */

/** One line (without its newline) as values. */
export function parseInterchangeLine(line: string): (string | null)[] {
  const out: (string | null)[] = [];
  for (const field of line.split('\t')) {
    if (field === '\\N') {
      out.push(null);
      continue;
    }
    if (!field.includes('\\')) {
      out.push(field);
      continue;
    }
    out.push(
      field.replace(/\\(.)/g, (_m, ch: string) => {
        switch (ch) {
          case 't':
            return '\t';
          case 'n':
            return '\n';
          case 'r':
            return '\r';
          case 'b':
            return '\b';
          case 'f':
            return '\f';
          case 'v':
            return '\v';
          default:
            return ch;
        }
      }),
    );
  }
  return out;
}

/** Splits chunks of UTF-8 bytes into whole lines (a multi-byte character split between chunks is kept whole). */
export class LineSplitter {
  private tail = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  /** Whole lines of this chunk (and the tail before it). */
  push(chunk: Buffer | string): string[] {
    const text = this.tail + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    const lines = text.split('\n');
    this.tail = lines.pop() ?? '';
    return lines;
  }

  /** The last line when the stream did not end with a newline. */
  end(): string[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest ? [rest] : [];
  }
}
