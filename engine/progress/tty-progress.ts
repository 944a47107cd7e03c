import cliProgress from 'cli-progress';
import { progressRows, sampleKey, sampleOf, type ProgressRow, type ProgressSample } from './progress-bars.js';
import type { JobStatusView } from './status-view.js';

/** The terminal the bars are drawn on (`process.stdout`; a test passes a fake with `isTTY` and `columns`). */
export type ProgressStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Rates are taken over about this long: the runtime moves in steps (each copied range), not row by row. */
const RATE_WINDOW_MS = 20_000;

/**
 * Live progress bars redrawn in place (cli-progress, at most 5 redraws a
 * second): `render` with every new status snapshot, `stop` once (it leaves the
 * last frame on screen and ends with a newline). Only for a terminal: see
 * `progressMode`.
 */
export class TtyProgress {
  private readonly multi: cliProgress.MultiBar;
  /** One cli-progress bar per display row, reused as rows change (a job's databases appear later). */
  private readonly slots: cliProgress.SingleBar[] = [];
  /** Per database, the samples of the last `windowMs` (and the one just before, so the span covers it). */
  private readonly history = new Map<string, ProgressSample[]>();
  private stopped = false;

  constructor(
    stream: ProgressStream,
    private readonly windowMs = RATE_WINDOW_MS,
  ) {
    this.multi = new cliProgress.MultiBar({
      stream,
      fps: 5,
      barsize: 24,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      // each row is one line whatever the width: cut here (the terminal's own cut also turns wrapping off)
      format: (options, params, payload: { row?: ProgressRow }) => {
        const row = payload.row;
        if (!row) return '';
        const line =
          row.kind === 'line' ? row.text : `${row.label} ${cliProgress.Format.BarFormat(row.ratio, options)} ${row.text}`;
        return line.slice(0, Math.max(1, params.maxWidth - 1));
      },
    });
  }

  /** Show these jobs; `at` is now on the viewer's clock (ms). */
  render(jobs: readonly JobStatusView[], at: number): void {
    if (this.stopped) return;
    const earlier = new Map<string, ProgressSample>();
    for (const j of jobs) {
      for (const d of j.databases) {
        const key = sampleKey(j.name, d.name);
        const now = sampleOf(d, at);
        const past = this.history.get(key) ?? [];
        const last = past.at(-1);
        // counters went down: the job restarted, earlier samples say nothing about this run
        const kept = last && (now.rows < last.rows || now.applied < last.applied) ? [] : past;
        while (kept.length > 1 && (kept[1]?.at ?? at) <= at - this.windowMs) kept.shift();
        const first = kept[0];
        if (first) earlier.set(key, first);
        kept.push(now);
        this.history.set(key, kept);
      }
    }
    const rows = progressRows(jobs, earlier, at);
    while (this.slots.length < rows.length) this.slots.push(this.multi.create(1, 0, { row: undefined }));
    while (this.slots.length > rows.length) {
      const bar = this.slots.pop();
      if (bar) this.multi.remove(bar);
    }
    rows.forEach((row, i) => this.slots[i]?.update(0, { row }));
  }

  /** Draw the last frame and give the terminal back (idempotent). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.multi.stop();
  }
}
