/** What one change stream may buffer before it stops reading from its source. */
export interface StreamShare {
  /** Buffered bytes of change messages. */
  bytes(): number;
  /** Buffered change events. */
  events(): number;
  /** The stream is closed: its share goes back to the others. */
  leave(): void;
}

/**
 * One budget of buffered change data for all the change streams of a job,
 * so memory does not grow with the number of databases: each stream's share
 * is the total divided by the streams open now, clamped to
 * [`minBytes`, `maxBytes`] (and events in proportion). Shares are read live,
 * so they shrink as databases join and grow back as they leave.
 */
export class StreamMemory {
  private members = 0;

  constructor(
    /** Default 48 MiB. */
    readonly totalBytes = 48 * 2 ** 20,
    /** Per stream, whatever the number of streams. Defaults 1 MiB and 24 MiB. */
    readonly minBytes = 2 ** 20,
    readonly maxBytes = 24 * 2 ** 20,
    /** Events a stream may buffer at `maxBytes` (scaled down with the bytes). Default 15,000. */
    readonly maxEvents = 15_000,
  ) {}

  join(): StreamShare {
    this.members++;
    let left = false;
    const bytes = () => Math.min(this.maxBytes, Math.max(this.minBytes, Math.floor(this.totalBytes / Math.max(1, this.members))));
    return {
      bytes,
      events: () => Math.max(500, Math.floor((this.maxEvents * bytes()) / this.maxBytes)),
      leave: () => {
        if (left) return;
        left = true;
        this.members--;
      },
    };
  }
}
