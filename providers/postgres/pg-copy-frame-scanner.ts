/** Backend message codes of the COPY OUT flow (protocol v3). */
const COPY_DATA = 0x64; // d
const COPY_DONE = 0x63; // c
const ERROR_RESPONSE = 0x45; // E
const HEADER = 5; // code (1) + length (4)

/** What one chunk of a COPY OUT byte stream holds. */
export interface ScannedChunk {
  /** The CopyData messages, headers included, exactly as the server framed them (zero-copy slices where possible). */
  frames: Buffer[];
  /** Set once the copy ended: the bytes after CopyDone, or from an ErrorResponse on (the driver reads those). */
  rest?: Buffer;
  /** True when `rest` starts with an ErrorResponse. */
  failed?: boolean;
}

/**
 * Splits the bytes a server sends during `COPY … TO STDOUT` into CopyData
 * messages, kept framed — a CopyData message the server sends is byte for
 * byte the CopyData message a COPY FROM STDIN expects from a client, so
 * frames pass from a source connection to a destination connection without
 * being taken apart and wrapped again. Only the 5-byte headers are read;
 * other messages (CopyOutResponse, notices, parameter status) are skipped.
 * Messages may be split anywhere across chunks. Counts rows (frames) and
 * payload bytes.
 */
export class CopyFrameScanner {
  rows = 0;
  /** Payload bytes (what the rows weigh without framing). */
  bytes = 0;
  /** Header bytes of a message split across chunks. */
  private header = Buffer.alloc(HEADER);
  private headerHave = 0;
  /** Bytes left of the current message, and whether it is CopyData (forwarded). */
  private left = 0;
  private forwarding = false;
  private ended = false;

  scan(chunk: Buffer): ScannedChunk {
    if (this.ended) throw new Error('COPY frame scanner: data after the end of the copy');
    const frames: Buffer[] = [];
    /** Start of the run of forwarded bytes of `chunk` not emitted yet, or -1. */
    let run = -1;
    const flush = (end: number) => {
      if (run >= 0 && end > run) frames.push(chunk.subarray(run, end));
      run = -1;
    };
    let i = 0;
    while (i < chunk.length) {
      if (this.left > 0) {
        // inside a message: CopyData bytes join the run, others are skipped
        if (this.forwarding) {
          if (run < 0) run = i;
        } else flush(i);
        const take = Math.min(this.left, chunk.length - i);
        i += take;
        this.left -= take;
        continue;
      }
      const start = i;
      let assembled = false;
      if (this.headerHave === 0 && chunk.length - i >= HEADER) {
        this.header[0] = chunk[i] as number;
        this.header.writeUInt32BE(chunk.readUInt32BE(i + 1), 1);
        i += HEADER;
      } else {
        // a header split across chunks: its bytes are kept aside until it is whole
        flush(start);
        const got = Math.min(HEADER - this.headerHave, chunk.length - i);
        chunk.copy(this.header, this.headerHave, i, i + got);
        this.headerHave += got;
        i += got;
        if (this.headerHave < HEADER) break;
        this.headerHave = 0;
        assembled = true;
      }
      const code = this.header[0] as number;
      const length = this.header.readUInt32BE(1);
      if (code === COPY_DATA) {
        this.rows++;
        this.bytes += length - 4;
        this.left = length - 4;
        this.forwarding = true;
        if (assembled) frames.push(Buffer.from(this.header));
        else if (run < 0) run = start;
        continue;
      }
      flush(start);
      if (code === COPY_DONE || code === ERROR_RESPONSE) {
        this.ended = true;
        if (code === COPY_DONE) return { frames, rest: chunk.subarray(i) };
        // the driver parses the error: give it the whole message, header included
        const head = assembled ? Buffer.from(this.header) : chunk.subarray(start, i);
        return { frames, rest: Buffer.concat([head, chunk.subarray(i)]), failed: true };
      }
      // any other message (CopyOutResponse, a notice, a parameter status): skipped
      this.left = length - 4;
      this.forwarding = false;
    }
    flush(i);
    return { frames };
  }
}
