/**
 * An Oracle database's committed changes as canonical change events, mined
 * with LogMiner window after window on one dedicated connection
 * (oracle-mining-window.ts plans each, oracle-logminer-sql.ts runs it,
 * oracle-change-assembler.ts turns its rows into whole transactions in
 * commit order).
 *
 * Before a window is mined the stream commits one row of its flush table
 * (`MIGRATE_LOG_FLUSH` in the connecting user's schema): a commit makes the
 * log writer write the redo buffer out, so every change at or before the
 * window's end SCN is on disk when LogMiner reads the online log (Debezium
 * does the same); without it a change still in the redo buffer would be
 * behind a window already mined.
 *
 * The archived and online redo is kept by the database, not for us:
 * `captureGap` says when the log a checkpoint needs is gone.
 */
import type { Logger } from '../../contract/logger.js';
import type { ChangeBatch, ChangeStream } from '../provider.js';
import { oracleRows } from './oracle-connection.js';
import { objectRows, type OracleConnection } from './oracle-driver.js';
import type { OracleChangeAssembler } from './oracle-change-assembler.js';
import { LogMinerRowDecoder, type LogMinerRow } from './oracle-logminer-row.js';
import {
  addLogfileBlock,
  archivedLogsQuery,
  contentsQuery,
  END_LOGMINER,
  onlineLogsQuery,
  startLogMinerBlock,
} from './oracle-logminer-sql.js';
import { nextWindowRange, planMiningWindow, type RedoLogRow } from './oracle-mining-window.js';
import { parseScn } from './oracle-scn.js';
import { currentScn } from './oracle-snapshot.js';

export const FLUSH_TABLE = 'MIGRATE_LOG_FLUSH';

export interface OracleChangeStreamOptions {
  /** The schemas whose tables are captured. */
  owners: readonly string[];
  /** SCNs one window spans at most. Default 100,000. */
  maxWindowScns?: bigint;
  /** Pause between windows when the database has no newer SCN. Default 1 s. */
  pollMs?: number;
  /**
   * Add the window's redo logs with ADD_LOGFILE (a non-CDB, or the CDB root).
   * Inside a pluggable database LogMiner finds the logs of the SCN range by
   * itself and ADD_LOGFILE is not used (Oracle Utilities, "Steps in a Typical
   * LogMiner Session"). Default true.
   */
  addLogFiles?: boolean;
  logger: Logger;
}

/** Make sure the flush table exists (idempotent). */
export async function ensureFlushTable(conn: OracleConnection): Promise<void> {
  await conn
    .execute(`CREATE TABLE ${FLUSH_TABLE} (ID NUMBER(1) PRIMARY KEY, FLUSHED_AT TIMESTAMP)`)
    .catch((err: { errorNum?: number }) => {
      if (err.errorNum !== 955) throw err; // ORA-00955: name is already used
    });
  await conn.execute(
    `MERGE INTO ${FLUSH_TABLE} t USING (SELECT 1 AS ID FROM DUAL) s ON (t.ID = s.ID) WHEN NOT MATCHED THEN INSERT (ID, FLUSHED_AT) VALUES (1, SYSTIMESTAMP)`,
  );
  await conn.commit();
}

export class OracleChangeStream implements ChangeStream {
  private failure: Error | null = null;
  private readonly decoder: LogMinerRowDecoder;
  private readonly maxWindow: bigint;
  private readonly pollMs: number;

  constructor(
    private readonly conn: OracleConnection,
    private readonly assembler: OracleChangeAssembler,
    private readonly opts: OracleChangeStreamOptions,
  ) {
    this.decoder = new LogMinerRowDecoder((o, t) => assembler.isCaptured(o, t));
    this.maxWindow = opts.maxWindowScns ?? 100_000n;
    this.pollMs = opts.pollMs ?? 1000;
  }

  async read(maxEvents: number, idleMs: number, flushWhen?: Promise<unknown>): Promise<ChangeBatch> {
    if (this.failure) throw this.failure;
    const deadline = Date.now() + idleMs;
    let flush = false;
    void flushWhen?.then(
      () => void (flush = true),
      () => void (flush = true),
    );
    for (;;) {
      if (this.assembler.pending) return this.assembler.read(maxEvents);
      if (Date.now() >= deadline) break;
      let mined: boolean;
      try {
        mined = await this.mineWindow();
      } catch (err) {
        throw (this.failure = err as Error);
      }
      if (this.assembler.pending) continue;
      if (!mined) {
        const wait = Math.min(this.pollMs, deadline - Date.now());
        if (wait > 0 && !flush) await new Promise((resolve) => setTimeout(resolve, wait));
        else if (flush) break;
      }
    }
    return { events: [], endPosition: null, lastCommitTime: null, transactions: 0, partial: false };
  }

  /** The redo log is kept by the database: nothing to free. */
  acknowledge(): void {}

  processedPosition(): string {
    return this.assembler.processedPosition();
  }

  async close(): Promise<void> {
    this.assembler.close();
    await this.conn.close().catch(() => undefined);
  }

  /** Mine the next window; false when the database has no newer SCN. */
  private async mineWindow(): Promise<boolean> {
    const end = await currentScn(this.conn);
    const range = nextWindowRange(this.assembler.minedScn, end, this.maxWindow);
    if (!range) return false;
    // every change up to `end` is written out before it is mined
    await this.conn.execute(`UPDATE ${FLUSH_TABLE} SET FLUSHED_AT = SYSTIMESTAMP WHERE ID = 1`);
    await this.conn.commit();
    const window =
      this.opts.addLogFiles === false
        ? { ...range, files: [] }
        : planMiningWindow(range, await this.logs(range.startScn, range.endScn));
    const started = Date.now();
    let rows = 0;
    for (const [i, f] of window.files.entries()) await this.conn.execute(addLogfileBlock(f, i === 0));
    await this.conn.execute(startLogMinerBlock(window.startScn, window.endScn));
    try {
      const res = await this.conn.execute<LogMinerRow>(contentsQuery(window.startScn, window.endScn, this.opts.owners), [], {
        ...objectRows(),
        resultSet: true,
        fetchArraySize: 1000,
      });
      const rs = res.resultSet;
      if (!rs) throw new Error('V$LOGMNR_CONTENTS returned no result set');
      try {
        for (;;) {
          const batch = await rs.getRows(1000);
          for (const r of batch) {
            rows++;
            const ev = this.decoder.push(normaliseRow(r));
            if (ev) this.assembler.feed(ev);
          }
          if (batch.length < 1000) break;
        }
      } finally {
        await rs.close().catch(() => undefined);
      }
    } finally {
      await this.conn.execute(END_LOGMINER).catch(() => undefined);
    }
    if (this.decoder.incomplete) throw new Error(`a LogMiner statement continues past the window ending at SCN ${window.endScn}`);
    this.assembler.windowDone(window.endScn);
    this.opts.logger.debug('mined a window', {
      from: String(window.startScn),
      to: String(window.endScn),
      logs: window.files.length,
      rows,
      ms: Date.now() - started,
      openTransactions: this.assembler.buffer.openTransactions,
      bufferedBytes: this.assembler.buffer.memoryBytes,
    });
    return true;
  }

  private async logs(start: bigint, end: bigint): Promise<RedoLogRow[]> {
    type LogRow = { NAME: string; THREAD: string | number; SEQ: string | number; FIRST_SCN: string; NEXT_SCN: string | null };
    const [archived, online] = await Promise.all([
      oracleRows<LogRow>(this.conn, archivedLogsQuery(start, end)),
      oracleRows<LogRow>(this.conn, onlineLogsQuery(start, end)),
    ]);
    const toRow = (r: LogRow, isArchived: boolean): RedoLogRow => ({
      name: r.NAME,
      thread: Number(r.THREAD),
      sequence: Number(r.SEQ),
      firstScn: parseScn(r.FIRST_SCN),
      nextScn: r.NEXT_SCN ? parseScn(r.NEXT_SCN) : 18446744073709551615n,
      archived: isArchived,
    });
    return [...archived.map((r) => toRow(r, true)), ...online.map((r) => toRow(r, false))];
  }
}

/** NUMBER columns arrive as text (exact fetch): the decoder wants the codes as numbers. */
function normaliseRow(r: LogMinerRow): LogMinerRow {
  return {
    ...r,
    OPERATION_CODE: Number(r.OPERATION_CODE),
    CSF: Number(r.CSF),
    ROLLBACK: Number(r.ROLLBACK),
    STATUS: r.STATUS == null ? null : Number(r.STATUS),
  };
}
