/**
 * Rows of the CDC change tables (`cdc.<capture_instance>_CT`, or
 * `cdc.fn_cdc_get_all_changes_<ci>(…, N'all update old')`) as canonical
 * change events. Rows of every captured table are merged into one order:
 * commit LSN (`__$start_lsn`), then `__$seqval`, then `__$command_id`, then
 * `__$operation` — so a primary-key update SQL Server split into a delete
 * and an insert (one `__$seqval`, told apart by the command id) is never
 * reordered, and an update's before image (3) precedes its after image (4).
 *
 * - `__$operation` 1 delete (the row before), 2 insert, 3 + 4 one update
 *   with its before image as `old` (a 4 without its 3 — `N'all'` mode — an
 *   update without `old`).
 * - Every event gets the position `commit:seqval:serial` (mssql-position.ts);
 *   events at or before a resume point are skipped.
 */
import type { CanonicalType } from '../canonical-type.js';
import type { QualifiedName } from '../catalog.js';
import type { ChangeEvent, ChangeRelation, RowImage } from '../change-event.js';
import { compareLsn } from './mssql-lsn.js';
import { comparePositionParts, commitEnd, transactionStart, type SqlServerPosition } from './mssql-position.js';
import { canonicalText } from './mssql-value-text.js';

/** One capture instance's column layout, as `cdc.captured_columns` lists it (in the order the change rows are read). */
export interface CaptureLayout {
  captureInstance: string;
  table: QualifiedName;
  /** Captured columns in read order. */
  columns: readonly string[];
  canonical: readonly CanonicalType[];
  /** Key columns (the primary key, or the capture instance's unique index). */
  key: readonly string[];
}

/** One row of a change table: the CDC metadata and the captured values in layout order (as tedious returns them). */
export interface ChangeRow {
  layout: CaptureLayout;
  startLsn: string;
  seqval: string;
  operation: number;
  /** `__$command_id` (SQL Server 2012+); 0 when the source has none. */
  commandId: number;
  values: readonly unknown[];
}

export const OP_DELETE = 1;
export const OP_INSERT = 2;
export const OP_UPDATE_BEFORE = 3;
export const OP_UPDATE_AFTER = 4;

export function compareChangeRows(a: ChangeRow, b: ChangeRow): number {
  return (
    compareLsn(a.startLsn, b.startLsn) ||
    compareLsn(a.seqval, b.seqval) ||
    Math.sign(a.commandId - b.commandId) ||
    Math.sign(a.operation - b.operation)
  );
}

/** Merge per-table lists (each already in change order) into one change order. Stable: ties keep list order. */
export function mergeChangeRows(lists: readonly (readonly ChangeRow[])[]): ChangeRow[] {
  const idx = lists.map(() => 0);
  const out: ChangeRow[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const row = (lists[i] as readonly ChangeRow[])[idx[i] as number];
      if (!row) continue;
      if (best < 0 || compareChangeRows(row, (lists[best] as readonly ChangeRow[])[idx[best] as number] as ChangeRow) < 0)
        best = i;
    }
    if (best < 0) return out;
    out.push((lists[best] as readonly ChangeRow[])[idx[best] as number] as ChangeRow);
    idx[best] = (idx[best] as number) + 1;
  }
}

/** The relation of a capture layout in change events (one object per layout: images share it). */
export function layoutRelation(layout: CaptureLayout, id = 0): ChangeRelation {
  const key = new Set(layout.key);
  return {
    engine: 'sqlserver',
    schema: layout.table.schema,
    name: layout.table.name,
    id,
    columns: layout.columns.map((name) => ({ name, isKey: key.has(name), typeOid: 0 })),
    replicaIdentity: key.size ? 'default' : 'full',
  };
}

/** A decoded source transaction: its events (begin … commit) and where it ends. */
export interface DecodedTransaction {
  commitLsn: string;
  events: ChangeEvent[];
  /** Position of the commit end (`C:MAX:0`): the checkpoint to commit with it. */
  endPosition: string;
  /** Text bytes of its row images (for batch bounds). */
  bytes: number;
}

export interface DecodeOptions {
  /** Skip events at or before this point (a resume inside a commit). */
  skipThrough?: SqlServerPosition | null;
  /** Commit time (ISO) of a commit LSN, from cdc.lsn_time_mapping; now when unknown. */
  commitTime?: (commitLsn: string) => string | undefined;
  /** Relations by capture instance (shared across calls, so images of one table share one). */
  relations?: Map<string, ChangeRelation>;
}

/** Decode rows in change order (compareChangeRows) into whole transactions; a 3 without its 4 is an error. */
export function decodeChangeRows(rows: readonly ChangeRow[], opts: DecodeOptions = {}): DecodedTransaction[] {
  const relations = opts.relations ?? new Map<string, ChangeRelation>();
  const out: DecodedTransaction[] = [];
  let tx: DecodedTransaction | null = null;
  let serialKey = '';
  let serial = 0;
  const relationOf = (layout: CaptureLayout) => {
    let r = relations.get(layout.captureInstance);
    if (!r) relations.set(layout.captureInstance, (r = layoutRelation(layout)));
    return r;
  };
  const image = (row: ChangeRow): RowImage => {
    const values = row.layout.columns.map((_, i) => canonicalText(row.layout.canonical[i] as CanonicalType, row.values[i]));
    for (const v of values) if (tx) tx.bytes += v === null ? 1 : v.length + 1;
    return { columns: row.layout.columns, values };
  };
  const finish = () => {
    if (!tx) return;
    const time = opts.commitTime?.(tx.commitLsn) ?? new Date().toISOString();
    const begin = tx.events[0];
    if (begin?.kind === 'begin') begin.commitTime = time;
    tx.events.push({ kind: 'commit', commitPosition: tx.endPosition, endPosition: tx.endPosition, commitTime: time });
    out.push(tx);
    tx = null;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as ChangeRow;
    if (i > 0 && compareChangeRows(rows[i - 1] as ChangeRow, row) > 0) {
      throw new Error(`change rows out of order at ${row.startLsn} ${row.seqval} (${row.layout.captureInstance})`);
    }
    const key = `${row.startLsn}:${row.seqval}`;
    if (key !== serialKey) {
      serialKey = key;
      serial = 0;
    }
    let pair: ChangeRow | null = null;
    if (row.operation === OP_UPDATE_BEFORE) {
      const next = rows[i + 1];
      if (
        !next ||
        next.operation !== OP_UPDATE_AFTER ||
        next.layout !== row.layout ||
        next.startLsn !== row.startLsn ||
        next.seqval !== row.seqval ||
        next.commandId !== row.commandId
      ) {
        throw new Error(
          `the update at ${row.startLsn} ${row.seqval} of ${row.layout.table.schema}.${row.layout.table.name} has its before image (__$operation 3) but no after image (4) next to it`,
        );
      }
      pair = next;
      i++;
    }
    const at: SqlServerPosition = { commitLsn: row.startLsn, changeLsn: row.seqval, serial: serial++ };
    if (opts.skipThrough && comparePositionParts(at, opts.skipThrough) <= 0) continue;
    if (tx && tx.commitLsn !== row.startLsn) finish();
    tx ??= {
      commitLsn: row.startLsn,
      events: [{ kind: 'begin', xid: row.startLsn, finalPosition: transactionStart(row.startLsn), commitTime: '' }],
      endPosition: commitEnd(row.startLsn),
      bytes: 0,
    };
    const relation = relationOf(row.layout);
    switch (row.operation) {
      case OP_DELETE:
        tx.events.push({ kind: 'delete', relation, old: image(row) });
        break;
      case OP_INSERT:
        tx.events.push({ kind: 'insert', relation, new: image(row) });
        break;
      case OP_UPDATE_BEFORE:
        tx.events.push({ kind: 'update', relation, old: image(row), new: image(pair as ChangeRow) });
        break;
      case OP_UPDATE_AFTER:
        tx.events.push({ kind: 'update', relation, old: null, new: image(row) });
        break;
      default:
        throw new Error(`unknown __$operation ${row.operation} at ${row.startLsn} ${row.seqval}`);
    }
  }
  finish();
  return out;
}
