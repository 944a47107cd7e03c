import { qualifiedKey } from '../catalog.js';
import type { ChangeEvent, ChangeRelation } from '../change-event.js';
import type { PreparedChanges } from '../provider.js';
import { changesToSql, type ChangeCounts } from './pg-change-sql.js';

/** Destination column types per table (`format_type`), for typed batched updates. */
export type ColumnTypeCache = Map<string, Map<string, string>>;

/**
 * The batch regrouped table by table (each table's changes in source order).
 * Only used when triggers and foreign keys are off for apply sessions: row
 * changes to different tables then commute, and long same-table runs become
 * a few multi-row statements instead of one statement per row. A truncate
 * of several tables (or cascading) touches others, so it is a barrier.
 */
export function regroupByTable(events: ChangeEvent[]): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  let groups = new Map<string, ChangeEvent[]>();
  const drain = () => {
    for (const list of groups.values()) out.push(...list);
    groups = new Map();
  };
  for (const e of events) {
    if (e.kind === 'truncate' && (e.cascade || e.relations.length > 1)) {
      drain();
      out.push(e);
      continue;
    }
    const rel =
      e.kind === 'truncate'
        ? e.relations[0]
        : e.kind === 'begin' || e.kind === 'commit' || e.kind === 'schema'
          ? undefined
          : e.relation;
    if (!rel) continue;
    const key = qualifiedKey(rel);
    const list = groups.get(key) ?? [];
    list.push(e);
    groups.set(key, list);
  }
  drain();
  return out;
}

/** Zero dates of another engine's changes (pg-zero-dates.ts), per destination `schema.table`. */
export interface ZeroDateChanges {
  /** Zero dates written as NULL or the job's replacement. */
  counts: Map<string, number>;
  /** Tables whose changes were left out of the batch (`zeroDates: error`), with the error naming column and key. */
  rejected: Map<string, Error>;
}

/** SQL for a batch, built ahead of its transaction. */
export class PgPreparedChanges implements PreparedChanges {
  readonly sql: string;
  readonly counts: Map<string, ChangeCounts>;

  constructor(
    /** The row changes in source order (the per-table fallback replays them table by table). */
    readonly events: ChangeEvent[],
    readonly columnType: (relation: ChangeRelation, column: string) => string | undefined,
    regroup: boolean,
    /** Tables of another engine: their counts are reported under the source's names (`schema.table` → source key). */
    readonly sourceKeys?: ReadonlyMap<string, string>,
    /** Zero dates converted (counted with the table's applied changes) and tables rejected for them. */
    readonly zeroDates?: ZeroDateChanges,
  ) {
    const built = changesToSql(regroup ? regroupByTable(events) : events, { columnType });
    this.sql = built.sql;
    this.counts = built.counts;
  }

  get size(): number {
    return this.events.length;
  }
}
