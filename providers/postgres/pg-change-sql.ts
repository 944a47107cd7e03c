/**
 * Change events → SQL text for a PostgreSQL destination with the same tables
 * and columns. Every value is a quoted literal of the source's exact text (an
 * untyped literal resolves to the column's type), so a whole batch is one
 * simple-query round trip and no value ever passes through a JS number.
 * Throughput comes from merging runs of consecutive inserts (multi-row VALUES),
 * deletes (`IN` lists) and, given column types, key-preserving updates
 * (`UPDATE … FROM (VALUES …)`) on one table. Nothing is reordered here; the
 * apply session may regroup a batch by table first when triggers and foreign
 * keys are off, which makes those runs long.
 */
import { qualifiedKey } from '../catalog.js';
import { UNCHANGED, type ChangeEvent, type ChangeRelation, type ColumnValue, type RowImage } from '../change-event.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/** Options of {@link changesToSql}. */
export interface ChangesToSqlOptions {
  /** Relations whose changes are left out (e.g. tables still being dumped). Default: none. */
  skip?: (relation: ChangeRelation) => boolean;
  /**
   * Write changes so that replaying them over data that may already contain
   * them converges (catch-up over a full dump): inserts upsert, key changes
   * delete the old key and upsert. Needs key columns. Default false.
   */
  idempotent?: boolean;
  /**
   * The destination's type of a column (`format_type` text). When given,
   * runs of key-preserving updates of one table that set the same columns
   * become one `UPDATE … FROM (VALUES …)` (last write per key wins — the
   * rows of a run are consecutive, so nothing in between could see them).
   * Default: one UPDATE per row.
   */
  columnType?: (relation: ChangeRelation, column: string) => string | undefined;
}

/** Row changes written per table (`schema.table`). */
export interface ChangeCounts {
  inserts: number;
  updates: number;
  deletes: number;
}

/** Rows per merged INSERT / DELETE: bounds statement size and parse time. */
const MAX_ROWS_PER_STATEMENT = 1000;

/**
 * Built-in types without a default equality operator (json, xml, geometric;
 * box `=` compares areas): whole-row matching compares their text instead.
 * Arrays of them too.
 */
const NO_EQUALITY_TYPES = new Set([
  114, 199, 142, 143, 600, 1017, 601, 1018, 602, 1019, 603, 1020, 604, 1027, 628, 629, 718, 719,
]);

interface RelationInfo {
  table: string;
  key: ChangeRelation['columns'];
}

/** A run of consecutive same-kind changes on one table, written as one statement. */
interface Run {
  kind: 'insert' | 'delete' | 'update';
  signature: string;
  head: string;
  tail: string;
  rows: string[];
  keys: Set<string> | null;
  /** Update runs: key text → index in `rows` (a repeated key replaces its row). */
  slots?: Map<string, number>;
  /** Update runs: the first row, with typed literals (VALUES takes its column types from it). */
  typedFirst?: string;
}

/**
 * SQL applying `events` (rows of committed source transactions, in order) on
 * the destination. Begin/commit are left out: the caller wraps the batch in a
 * transaction (with its checkpoint). Throws when an update or delete targets
 * a table with neither key columns nor an old row image, or when idempotent
 * mode meets a table without key columns.
 */
export function changesToSql(
  events: ChangeEvent[],
  opts: ChangesToSqlOptions = {},
): { sql: string; counts: Map<string, ChangeCounts> } {
  const statements: string[] = [];
  const counts = new Map<string, ChangeCounts>();
  const infos = new Map<ChangeRelation, RelationInfo>();
  const idempotent = opts.idempotent ?? false;
  const open: { run: Run | null } = { run: null };

  const flush = (): void => {
    const r = open.run;
    if (r?.kind === 'update' && r.typedFirst !== undefined) {
      statements.push(r.head + [r.typedFirst, ...r.rows.slice(1)].join(', ') + r.tail);
    } else if (r) statements.push(r.head + r.rows.join(', ') + r.tail);
    open.run = null;
  };
  const info = (rel: ChangeRelation): RelationInfo => {
    let i = infos.get(rel);
    if (!i) infos.set(rel, (i = { table: quoteQualified(rel), key: rel.columns.filter((c) => c.isKey) }));
    return i;
  };
  const count = (rel: ChangeRelation, field: keyof ChangeCounts): void => {
    const k = qualifiedKey(rel);
    let c = counts.get(k);
    if (!c) counts.set(k, (c = { inserts: 0, updates: 0, deletes: 0 }));
    c[field]++;
  };
  /** Add a row to the open run when it continues it, else start a new run. */
  const addToRun = (next: Omit<Run, 'rows' | 'keys'>, row: string, dedupKey: string | null): void => {
    let r = open.run;
    const continues =
      r !== null &&
      r.kind === next.kind &&
      r.signature === next.signature &&
      r.rows.length < MAX_ROWS_PER_STATEMENT &&
      !(dedupKey !== null && r.keys?.has(dedupKey));
    if (!r || !continues) {
      flush();
      r = open.run = { ...next, rows: [], keys: dedupKey !== null ? new Set() : null };
    }
    r.rows.push(row);
    if (dedupKey !== null) r.keys?.add(dedupKey);
  };

  for (const ev of events) {
    if (ev.kind === 'begin' || ev.kind === 'commit') continue;
    if (ev.kind === 'truncate') {
      const rels = ev.relations.filter((r) => !opts.skip?.(r));
      if (rels.length === 0) continue;
      flush();
      statements.push(
        `TRUNCATE ${rels.map((r) => `ONLY ${info(r).table}`).join(', ')}` +
          (ev.restartIdentity ? ' RESTART IDENTITY' : '') +
          (ev.cascade ? ' CASCADE' : ''),
      );
      continue;
    }
    const rel = ev.relation;
    if (opts.skip?.(rel)) continue;
    const { table, key } = info(rel);
    if (idempotent && key.length === 0) {
      throw new Error(
        `table ${qualifiedKey(rel)} has no key columns, so its changes cannot be replayed idempotently over a full dump; ` +
          `give it a primary key (or REPLICA IDENTITY USING INDEX on a unique index)`,
      );
    }

    if (ev.kind === 'insert') {
      count(rel, 'inserts');
      const cols = ev.new.columns.map(quoteIdent).join(', ');
      const tail = idempotent ? upsertClause(key, ev.new.columns) : '';
      // ON CONFLICT DO UPDATE cannot touch one row twice in a statement: a repeated key starts a new one
      const dedup = idempotent ? key.map((c) => literal(valueOf(ev.new, c.name))).join(', ') : null;
      // OVERRIDING SYSTEM VALUE: GENERATED ALWAYS identity columns take the source's value
      const head = `INSERT INTO ${table} (${cols}) OVERRIDING SYSTEM VALUE VALUES `;
      addToRun(
        { kind: 'insert', signature: `${table}(${cols})`, head, tail },
        `(${ev.new.values.map(literal).join(', ')})`,
        dedup,
      );
      continue;
    }

    if (ev.kind === 'delete') {
      count(rel, 'deletes');
      if (key.length === 0) {
        flush();
        statements.push(`DELETE FROM ${table} WHERE ${oneRowByImage(rel, table, ev.old)}`);
        continue;
      }
      const vals = key.map((c) => literal(keyValue(rel, ev.old, c.name)));
      const single = key.length === 1;
      const cols = single ? quoteIdent(key[0]?.name ?? '') : `(${key.map((c) => quoteIdent(c.name)).join(', ')})`;
      addToRun(
        { kind: 'delete', signature: table, head: `DELETE FROM ${table} WHERE ${cols} IN (`, tail: ')' },
        single ? (vals[0] ?? '') : `(${vals.join(', ')})`,
        null,
      );
      continue;
    }

    // update
    count(rel, 'updates');
    const batched = opts.columnType && !idempotent ? batchableUpdate(rel, key, ev.old, ev.new, opts.columnType) : null;
    if (batched) {
      const { setColumns, keyValues, setValues, types } = batched;
      const signature = `${table}|${setColumns.join(',')}`;
      const r0 = open.run;
      if (!(r0 && r0.kind === 'update' && r0.signature === signature && r0.rows.length < MAX_ROWS_PER_STATEMENT)) {
        flush();
        const names = [...key.map((_, i) => `k${i}`), ...setColumns.map((_, i) => `c${i}`)];
        const set = setColumns.map((c, i) => `${quoteIdent(c)} = v.c${i}`).join(', ');
        const match = key.map((c, i) => `t.${quoteIdent(c.name)} = v.k${i}`).join(' AND ');
        open.run = {
          kind: 'update',
          signature,
          head: `UPDATE ${table} AS t SET ${set} FROM (VALUES `,
          tail: `) AS v(${names.join(', ')}) WHERE ${match}`,
          rows: [],
          keys: null,
          slots: new Map(),
        };
      }
      const r = open.run as Run;
      const all = [...keyValues, ...setValues];
      const row = `(${all.map(literal).join(', ')})`;
      const k = keyValues.map((v) => literal(v)).join(',');
      const at = r.slots?.get(k);
      if (at !== undefined) {
        r.rows[at] = row;
        if (at === 0) r.typedFirst = typedRow(all, types);
      } else {
        r.slots?.set(k, r.rows.length);
        if (r.rows.length === 0) r.typedFirst = typedRow(all, types);
        r.rows.push(row);
      }
      continue;
    }
    flush();
    statements.push(...updateSql(rel, table, key, ev.old, ev.new, idempotent));
  }
  flush();
  return { sql: statements.length ? statements.join(';\n') + ';' : '', counts };
}

/**
 * A key-preserving update whose every set value is known, with the types
 * of its key and set columns: what a batched `UPDATE … FROM (VALUES …)` needs.
 */
function batchableUpdate(
  rel: ChangeRelation,
  key: ChangeRelation['columns'],
  old: RowImage | null,
  next: RowImage,
  columnType: (relation: ChangeRelation, column: string) => string | undefined,
): { setColumns: string[]; keyValues: ColumnValue[]; setValues: ColumnValue[]; types: string[] } | null {
  if (key.length === 0) return null;
  const keyNames = new Set(key.map((c) => c.name));
  const keyValues: ColumnValue[] = [];
  for (const c of key) {
    const v = valueOf(next, c.name);
    if (v === undefined || v === UNCHANGED || (old && valueOf(old, c.name) !== undefined && valueOf(old, c.name) !== v))
      return null;
    keyValues.push(v);
  }
  const setColumns: string[] = [];
  const setValues: ColumnValue[] = [];
  next.columns.forEach((c, i) => {
    const v = next.values[i];
    if (keyNames.has(c) || v === UNCHANGED || v === undefined) return;
    setColumns.push(c);
    setValues.push(v);
  });
  if (!setColumns.length) return null;
  const types: string[] = [];
  for (const c of [...key.map((k) => k.name), ...setColumns]) {
    const t = columnType(rel, c);
    if (!t) return null;
    types.push(t);
  }
  return { setColumns, keyValues, setValues, types };
}

/** `(lit::type, …)`: the first VALUES row fixes the column types for the rest. */
function typedRow(values: ColumnValue[], types: string[]): string {
  return `(${values.map((v, i) => `${literal(v)}::${types[i] ?? 'text'}`).join(', ')})`;
}

function updateSql(
  rel: ChangeRelation,
  table: string,
  key: ChangeRelation['columns'],
  old: RowImage | null,
  next: RowImage,
  idempotent: boolean,
): string[] {
  if (key.length === 0) {
    if (!old) throw noKeyError(rel);
    // REPLICA IDENTITY FULL: a new row equal to the old one changes nothing; skip the scan
    if (next.columns.every((c, i) => next.values[i] === UNCHANGED || next.values[i] === valueOf(old, c))) return [];
    const set = setList(next, () => false);
    return set ? [`UPDATE ${table} SET ${set} WHERE ${oneRowByImage(rel, table, old)}`] : [];
  }
  const keyNames = new Set(key.map((c) => c.name));
  const oldKey = keyMatch(rel, key, old ?? next);
  const keyChanged =
    old !== null &&
    key.some((c) => {
      const v = valueOf(next, c.name);
      return v !== UNCHANGED && v !== valueOf(old, c.name);
    });
  if (!keyChanged) {
    // the key is the same: leave key columns out of SET (no index or FK churn)
    const set = setList(next, (c) => keyNames.has(c));
    return set ? [`UPDATE ${table} SET ${set} WHERE ${oldKey}`] : [];
  }
  const setAll = setList(next, () => false) ?? '';
  if (!idempotent) return [`UPDATE ${table} SET ${setAll} WHERE ${oldKey}`];
  const newKey = keyMatch(rel, key, next);
  if (!next.values.includes(UNCHANGED)) {
    const cols = next.columns.map(quoteIdent).join(', ');
    const values = next.values.map(literal).join(', ');
    return [
      `DELETE FROM ${table} WHERE ${oldKey}`,
      `INSERT INTO ${table} (${cols}) OVERRIDING SYSTEM VALUE VALUES (${values})${upsertClause(key, next.columns)}`,
    ];
  }
  // Unchanged TOAST values are only in the destination's row: move that row
  // (when the new key is not there yet) instead of re-inserting without them.
  // A stale row left at the old key is deleted; a later insert restores it.
  const setNonKey = setList(next, (c) => keyNames.has(c));
  return [
    `UPDATE ${table} SET ${setAll} WHERE ${oldKey} AND NOT EXISTS (SELECT 1 FROM ${table} WHERE ${newKey})`,
    `DELETE FROM ${table} WHERE ${oldKey}`,
    ...(setNonKey ? [`UPDATE ${table} SET ${setNonKey} WHERE ${newKey}`] : []),
  ];
}

/** `ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c, …` over the non-key columns written. */
function upsertClause(key: ChangeRelation['columns'], columns: string[]): string {
  const keyNames = new Set(key.map((c) => c.name));
  const target = key.map((c) => quoteIdent(c.name)).join(', ');
  const rest = columns.filter((c) => !keyNames.has(c));
  if (rest.length === 0) return ` ON CONFLICT (${target}) DO NOTHING`;
  const set = rest.map((c) => `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`).join(', ');
  return ` ON CONFLICT (${target}) DO UPDATE SET ${set}`;
}

/** `c1 = v1, …` over the columns that carry a value; null when there is nothing to set. */
function setList(image: RowImage, exclude: (column: string) => boolean): string | null {
  const parts: string[] = [];
  image.columns.forEach((c, i) => {
    const v = image.values[i];
    if (v === UNCHANGED || v === undefined || exclude(c)) return;
    parts.push(`${quoteIdent(c)} = ${literal(v)}`);
  });
  return parts.length ? parts.join(', ') : null;
}

function keyMatch(rel: ChangeRelation, key: ChangeRelation['columns'], image: RowImage): string {
  return key.map((c) => `${quoteIdent(c.name)} = ${literal(keyValue(rel, image, c.name))}`).join(' AND ');
}

/**
 * Exactly one row equal to `image` (REPLICA IDENTITY FULL, where duplicates
 * are possible): `IS NOT DISTINCT FROM` per column, spelled `= v` / `IS NULL`
 * so indexes stay usable, skipping unchanged TOAST values; one ctid of the
 * matches is picked so a delete of one of two identical rows deletes one.
 */
function oneRowByImage(rel: ChangeRelation, table: string, image: RowImage): string {
  const types = new Map(rel.columns.map((c) => [c.name, c.typeOid]));
  const conds: string[] = [];
  image.columns.forEach((c, i) => {
    const v = image.values[i];
    if (v === UNCHANGED || v === undefined) return;
    const col = NO_EQUALITY_TYPES.has(types.get(c) ?? 0) ? `${quoteIdent(c)}::text` : quoteIdent(c);
    conds.push(v === null ? `${col} IS NULL` : `${col} = ${quoteLiteral(v)}`);
  });
  return `ctid = (SELECT ctid FROM ${table} WHERE ${conds.length ? conds.join(' AND ') : 'true'} LIMIT 1)`;
}

function valueOf(image: RowImage, column: string): ColumnValue | undefined {
  const i = image.columns.indexOf(column);
  return i < 0 ? undefined : image.values[i];
}

function keyValue(rel: ChangeRelation, image: RowImage, column: string): string | null {
  const v = valueOf(image, column);
  if (v === undefined) throw noKeyError(rel);
  if (v === UNCHANGED) {
    throw new Error(`key column ${column} of ${qualifiedKey(rel)} arrived as an unchanged TOAST value without an old key image`);
  }
  return v;
}

function literal(v: ColumnValue | undefined): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return quoteLiteral(v);
  throw new Error('an unchanged TOAST value cannot be written as a literal (insert without the full row?)');
}

function noKeyError(rel: ChangeRelation): Error {
  return new Error(
    `cannot apply an update or delete on ${qualifiedKey(rel)}: it needs a primary key or REPLICA IDENTITY FULL ` +
      `so the change identifies its row`,
  );
}
