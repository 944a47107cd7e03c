import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { DatabaseStatusView } from '../../engine/progress/status-view.js';
import { jobView } from '../harness/status-views.js';
import { TtyProgress } from '../../engine/progress/tty-progress.js';
import { emptyDatabaseProgress, emptyTableProgress } from '../../engine/runtime/progress-reporter.js';

/** A terminal stand-in: cli-progress only asks a stream for isTTY, columns and write. */
function fakeTerminal(columns: number) {
  let out = '';
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out += chunk.toString();
        done();
      },
    }),
    { isTTY: true, columns },
  );
  return { stream, raw: () => out };
}

function database(name: string, rows: number, estimate: number): DatabaseStatusView {
  return {
    ...emptyDatabaseProgress(name, `${name}_new`),
    migrationState: 'FULL_DUMP',
    fullLoadQueuedTables: 0,
    fullLoadLoadingTables: 1,
    fullLoadCompletedTables: 0,
    fullLoadErroredTables: 0,
    tables: [{ ...emptyTableProgress('public.t'), state: 'LOADING', fullLoadTotalRows: rows, fullLoadEstimatedRows: estimate }],
  };
}

/** The last frame: what stop() drew, one string per screen row. */
const lastFrame = (raw: string, rows: number) =>
  stripVTControlCharacters(raw)
    .split('\n')
    .slice(-rows - 1, -1);

describe('TtyProgress on a terminal', () => {
  it('draws the job line and one bar per database, rows/s and ETA from the snapshots, cut to the width', () => {
    const term = fakeTerminal(200);
    const bars = new TtyProgress(term.stream);
    bars.render([jobView([database('shop', 0, 100_000)])], 0);
    // a database appears later: its bar is added below
    bars.render([jobView([database('shop', 20_000, 100_000), database('crm', 0, 10)])], 10_000);
    bars.stop();
    bars.stop(); // idempotent
    const frame = lastFrame(term.raw(), 3);
    expect(frame[0]).toMatch(/^job\.shop-upgrade: /);
    expect(frame[1]).toMatch(/^ {2}shop [█░]{24} {2}20% {2}20,000\/100,000 rows {2}2,000 rows\/s {2}ETA 40s {2}tables 0\/1$/);
    expect(frame[1]).toContain('█'.repeat(5) + '░'.repeat(19));
    expect(frame[2]).toMatch(/^ {2}crm {2}░{24} {3}0% {2}0\/10 rows {2}tables 0\/1$/);
    expect(term.raw().endsWith('\n')).toBe(true);
  });

  it('never writes a row wider than the terminal', () => {
    const term = fakeTerminal(40);
    const bars = new TtyProgress(term.stream);
    bars.render([jobView([database('a-database-with-a-long-name', 5, 10)])], 0);
    bars.stop();
    for (const line of lastFrame(term.raw(), 2)) expect(line.length).toBeLessThan(40);
  });

  it('drops rows that went away (a job left the view)', () => {
    const term = fakeTerminal(120);
    const bars = new TtyProgress(term.stream);
    bars.render([jobView([database('shop', 0, 10), database('crm', 0, 10)])], 0);
    bars.render([jobView([database('shop', 5, 10)])], 1_000);
    bars.stop();
    const frame = lastFrame(term.raw(), 2);
    expect(frame[0]).toMatch(/^job\.shop-upgrade: /);
    expect(frame[1]).toMatch(/^ {2}shop .* 50% {2}5\/10 rows {2}5\.0 rows\/s {2}ETA 1s/);
  });
});
