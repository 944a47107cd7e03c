/**
 * Change events → SQL text for a PostgreSQL destination with the same tables
 * and columns. Values stay the source's exact text (no value ever passes
 * through a JS number), so a whole batch is one simple-query round trip.
 *
 * Throughput comes from set-based statements over runs of consecutive
 * changes of one kind on one table:
 * - inserts: `INSERT … SELECT … FROM unnest('{…}'::text[], …)`;
 * - key-preserving updates: `UPDATE … FROM unnest(…) WHERE key = …`, the last
 *   image per key winning (the rows of a run are consecutive, so nothing in
 *   between could see the earlier ones) and the rows in key order (index and
 *   heap locality);
 * - deletes: `DELETE … WHERE key IN (…)`.
 * Each value travels as an element of a text array and is cast to its column's
 * type without typmod (domains as their base type), so assigning it to the
 * column applies length, precision and domain checks exactly as a literal
 * would — nothing is silently truncated. Without column types, inserts are
 * multi-row VALUES of untyped literals and updates one statement per row.
 * Nothing is reordered across runs here; the apply session may regroup a
 * batch by table first when triggers and foreign keys are off, which makes
 * the runs long. Updates and deletes are `ONLY` the named table: a change is
 * reported on the table that holds the row, and a parent of plain
 * inheritance would otherwise reach its children's rows too.
 */
import { qualifiedKey } from '../catalog.js';
import { UNCHANGED, type ChangeEvent, type ChangeRelation, type ColumnValue, type RowImage } from '../change-event.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/** Options of {@link changesToSql}. */
export interface ChangesToSqlOptions {
  /**
   * The destination type to cast a column's text to: `format_type(type, -1)`
   * of the column's (base) type — no typmod, so the assignment applies it —
   * or undefined when unknown. Default: none (untyped literals).
   */
  columnType?: (relation: ChangeRelation, column: string) => string | undefined;
}

/** Row changes written per table (`schema.table`). */
export interface ChangeCounts {
  inserts: number;
  updates: number;
  deletes: number;
}

/** Rows per set-based (unnest) statement, and per VALUES / IN list: bounds statement size. */
const MAX_ROWS_UNNEST = 5000;
const MAX_ROWS_LITERAL = 1000;
/** Integer key types: their update runs are ordered numerically. */
const INTEGER_TYPES = new Set(['smallint', 'integer', 'bigint']);

/**
 * Built-in types without a default equality operator (json, xml, geometric;
 * box `=` compares areas): whole-row matching compares their text instead.
 * Arrays of them too.
 */
const NO_EQUALITY_TYPES = new Set([
  114, 199, 142, 143, 600, 1017, 601, 1018, 602, 1019, 603, 1020, 604, 1027, 628, 629, 718, 719,
]);

/** How a run of one kind of change on one table is written. */
interface Shape {
  kind: 'insert' | 'update' | 'delete';
  /** Set-based over text arrays (unnest) rather than literal lists. */
  arrays: boolean;
  head: string;
  tail: string;
  /** Image indices of the columns carried (update: key columns first). */
  idx: number[];
  /** Update runs: how many of `idx` are key columns. */
  keyCount: number;
  /** Update runs: order rows numerically by the first key column. */
  numericKey: boolean;
}

/** What one batch learned about a table: quoted name, key, counters, statement shapes. */
interface RelationInfo {
  table: string;
  key: ChangeRelation['columns'];
  counts: ChangeCounts;
  /** Shapes per column array (row images of a stream share theirs) and per column-list text. */
  byArray: Map<readonly string[], Map<string, Shape | null>>;
  byText: Map<string, Shape | null>;
  deleteShape?: Shape;
}

/** Consecutive changes of one shape, collected column by column (arrays) or row by row (literals). */
interface Run {
  shape: Shape;
  /** Array runs: per carried column, its array elements; literal runs: one entry per row. */
  columns: string[][];
  rows: number;
  /** Update runs: first key value per row (ordering), and key text → row (last image wins). */
  order?: string[];
  slots?: Map<string, number>;
}

/**
 * SQL applying `events` (rows of committed source transactions, in order) on
 * the destination. Begin/commit are left out: the caller wraps the batch in a
 * transaction (with its checkpoint). Throws when an update or delete targets
 * a table with neither key columns nor an old row image.
 */
export function changesToSql(
  events: ChangeEvent[],
  opts: ChangesToSqlOptions = {},
): { sql: string; counts: Map<string, ChangeCounts> } {
  const statements: string[] = [];
  const counts = new Map<string, ChangeCounts>();
  const infos = new Map<ChangeRelation, RelationInfo>();
  const { columnType } = opts;
  let run: Run | null = null;

  const flush = (): void => {
    if (run) statements.push(renderRun(run));
    run = null;
  };
  const info = (rel: ChangeRelation): RelationInfo => {
    let i = infos.get(rel);
    if (!i) {
      const k = qualifiedKey(rel);
      let c = counts.get(k);
      if (!c) counts.set(k, (c = { inserts: 0, updates: 0, deletes: 0 }));
      const key = rel.columns.filter((col) => col.isKey);
      i = { table: quoteQualified(rel), key, counts: c, byArray: new Map(), byText: new Map() };
      infos.set(rel, i);
    }
    return i;
  };
  /** The open run if it continues with `shape` (and, for updates, may take `slotKey`), else a new one. */
  const runFor = (shape: Shape): Run => {
    const cap = shape.arrays ? MAX_ROWS_UNNEST : MAX_ROWS_LITERAL;
    const r = run as Run | null;
    if (r && r.shape === shape && r.rows < cap) return r;
    flush();
    const columns = shape.arrays ? shape.idx.map(() => []) : [[]];
    const fresh: Run = { shape, columns, rows: 0 };
    if (shape.kind === 'update') {
      fresh.order = [];
      fresh.slots = new Map();
    }
    return (run = fresh);
  };

  for (const ev of events) {
    if (ev.kind === 'begin' || ev.kind === 'commit' || ev.kind === 'schema') continue;
    if (ev.kind === 'truncate') {
      if (ev.relations.length === 0) continue;
      flush();
      statements.push(
        `TRUNCATE ${ev.relations.map((r) => `ONLY ${info(r).table}`).join(', ')}` +
          (ev.restartIdentity ? ' RESTART IDENTITY' : '') +
          (ev.cascade ? ' CASCADE' : ''),
      );
      continue;
    }
    const rel = ev.relation;
    const ri = info(rel);

    if (ev.kind === 'insert') {
      ri.counts.inserts++;
      const shape = shapeFor(ri, ev.new, 'insert', () => insertShape(rel, ri, ev.new, columnType)) as Shape;
      const r = runFor(shape);
      if (shape.arrays) addElements(r, shape.idx, ev.new.values);
      else r.columns[0]?.push(valuesRow(ev.new.values));
      r.rows++;
      continue;
    }

    if (ev.kind === 'delete') {
      ri.counts.deletes++;
      if (ri.key.length === 0) {
        flush();
        statements.push(`DELETE FROM ONLY ${ri.table} WHERE ${oneRowByImage(rel, ri.table, ev.old)}`);
        continue;
      }
      ri.deleteShape ??= deleteShape(ri);
      const vals = ri.key.map((c) => literal(keyValue(rel, ev.old, c.name)));
      const r = runFor(ri.deleteShape);
      r.columns[0]?.push(vals.length === 1 ? (vals[0] ?? '') : `(${vals.join(', ')})`);
      r.rows++;
      continue;
    }

    // update
    ri.counts.updates++;
    const shape = columnType ? shapeFor(ri, ev.new, 'update', () => updateShape(rel, ri, ev.new, columnType)) : null;
    if (shape && keyPreserved(shape, ev.old, ev.new)) {
      const r = runFor(shape);
      const values = ev.new.values;
      let k = '';
      for (let i = 0; i < shape.keyCount; i++) k += `${String(values[shape.idx[i] as number])}\u0000`;
      const slots = r.slots as Map<string, number>;
      const at = slots.get(k);
      if (at === undefined) {
        slots.set(k, r.rows++);
        addElements(r, shape.idx, values);
        r.order?.push(String(values[shape.idx[0] as number]));
      } else {
        // the same row again in this run: its last image wins
        shape.idx.forEach((vi, c) => {
          const col = r.columns[c];
          if (col) col[at] = element(values[vi]);
        });
      }
      continue;
    }
    flush();
    statements.push(...updateSql(rel, ri.table, ri.key, ev.old, ev.new));
  }
  flush();
  return { sql: statements.length ? statements.join(';\n') + ';' : '', counts };
}

/**
 * The cached shape for a row image's column list (and, for updates, which
 * values are unchanged TOAST): row images of one stream share their column
 * arrays, so the lookup is by identity first.
 */
function shapeFor(ri: RelationInfo, image: RowImage, kind: 'insert' | 'update', build: () => Shape | null): Shape | null {
  let mask = kind;
  if (kind === 'update' && image.values.includes(UNCHANGED)) {
    image.values.forEach((v, i) => {
      if (v === UNCHANGED) mask += `,${i}`;
    });
  }
  let byMask = ri.byArray.get(image.columns);
  if (!byMask) ri.byArray.set(image.columns, (byMask = new Map()));
  let shape = byMask.get(mask);
  if (shape !== undefined) return shape;
  const text = `${mask}|${image.columns.join('\u0000')}`;
  shape = ri.byText.get(text);
  if (shape === undefined) ri.byText.set(text, (shape = build()));
  byMask.set(mask, shape);
  return shape;
}

function insertShape(
  rel: ChangeRelation,
  { table }: RelationInfo,
  image: RowImage,
  columnType: ChangesToSqlOptions['columnType'],
): Shape {
  const cols = image.columns.map(quoteIdent).join(', ');
  const idx = image.columns.map((_, i) => i);
  // OVERRIDING SYSTEM VALUE: GENERATED ALWAYS identity columns take the source's value
  const into = `INSERT INTO ${table} (${cols}) OVERRIDING SYSTEM VALUE `;
  const types = columnType ? image.columns.map((c) => columnType(rel, c)) : [];
  if (columnType && types.every((t) => t !== undefined)) {
    const select = types.map((t, i) => `v.c${i}::${t}`).join(', ');
    const names = idx.map((i) => `c${i}`).join(', ');
    return {
      kind: 'insert',
      arrays: true,
      head: `${into}SELECT ${select} FROM unnest(`,
      tail: `) AS v(${names})`,
      idx,
      keyCount: 0,
      numericKey: false,
    };
  }
  return { kind: 'insert', arrays: false, head: `${into}VALUES `, tail: '', idx, keyCount: 0, numericKey: false };
}

function deleteShape({ table, key }: RelationInfo): Shape {
  const cols = key.length === 1 ? quoteIdent(key[0]?.name ?? '') : `(${key.map((c) => quoteIdent(c.name)).join(', ')})`;
  return {
    kind: 'delete',
    arrays: false,
    head: `DELETE FROM ONLY ${table} WHERE ${cols} IN (`,
    tail: ')',
    idx: [],
    keyCount: 0,
    numericKey: false,
  };
}

/**
 * A key-preserving update's set-based shape: key columns matched, every
 * other column that carries a value set. Null when the table has no key, a
 * key column is missing or unchanged TOAST, nothing is set, or a type is
 * unknown.
 */
function updateShape(
  rel: ChangeRelation,
  { key, table }: RelationInfo,
  next: RowImage,
  columnType: NonNullable<ChangesToSqlOptions['columnType']>,
): Shape | null {
  if (key.length === 0) return null;
  const keyIdx = key.map((c) => next.columns.indexOf(c.name));
  if (keyIdx.some((i) => i < 0)) return null;
  const keyNames = new Set(key.map((c) => c.name));
  const setIdx: number[] = [];
  next.columns.forEach((c, i) => {
    if (!keyNames.has(c) && next.values[i] !== UNCHANGED) setIdx.push(i);
  });
  if (!setIdx.length) return null;
  const types = [...keyIdx, ...setIdx].map((i) => columnType(rel, next.columns[i] ?? ''));
  if (types.some((t) => t === undefined)) return null;
  const set = setIdx.map((ci, i) => `${quoteIdent(next.columns[ci] ?? '')} = v.c${i}::${types[key.length + i]}`).join(', ');
  const match = key.map((c, i) => `t.${quoteIdent(c.name)} = v.k${i}::${types[i]}`).join(' AND ');
  const names = [...key.map((_, i) => `k${i}`), ...setIdx.map((_, i) => `c${i}`)].join(', ');
  return {
    kind: 'update',
    arrays: true,
    head: `UPDATE ONLY ${table} AS t SET ${set} FROM unnest(`,
    tail: `) AS v(${names}) WHERE ${match}`,
    idx: [...keyIdx, ...setIdx],
    keyCount: key.length,
    numericKey: INTEGER_TYPES.has(types[0] ?? ''),
  };
}

/** The update keeps its row's key: key values present (not unchanged TOAST) and, given an old image, equal to it. */
function keyPreserved(shape: Shape, old: RowImage | null, next: RowImage): boolean {
  for (let k = 0; k < shape.keyCount; k++) {
    const i = shape.idx[k] as number;
    const v = next.values[i];
    if (v === UNCHANGED || v === undefined) return false;
    if (old) {
      const before = valueOf(old, next.columns[i] ?? '');
      if (before !== undefined && before !== v) return false;
    }
  }
  return true;
}

function addElements(r: Run, idx: number[], values: readonly ColumnValue[]): void {
  for (let c = 0; c < idx.length; c++) r.columns[c]?.push(element(values[idx[c] as number]));
}

/** One element of a text array literal: always double-quoted (or NULL). */
function element(v: ColumnValue | undefined): string {
  if (v === null) return 'NULL';
  if (typeof v !== 'string') throw new Error('an unchanged TOAST value cannot be written (insert without the full row?)');
  return v.includes('"') || v.includes('\\') ? `"${v.replace(/["\\]/g, '\\$&')}"` : `"${v}"`;
}

function renderRun(r: Run): string {
  const { shape } = r;
  if (!shape.arrays) return shape.head + (r.columns[0] ?? []).join(', ') + shape.tail;
  let columns = r.columns;
  if (shape.kind === 'update' && r.order && r.rows > 1) {
    // key order: the destination walks its index and heap forward instead of at random
    const keys = r.order;
    const perm = keys.map((_, i) => i);
    if (shape.numericKey) {
      const n = keys.map(Number);
      perm.sort((a, b) => (n[a] as number) - (n[b] as number));
    } else
      perm.sort((a, b) => ((keys[a] as string) < (keys[b] as string) ? -1 : (keys[a] as string) > (keys[b] as string) ? 1 : 0));
    columns = columns.map((col) => perm.map((i) => col[i] as string));
  }
  return shape.head + columns.map((col) => `${quoteLiteral(`{${col.join(',')}}`)}::text[]`).join(', ') + shape.tail;
}

/** `(v1, v2, …)` of untyped literals. */
function valuesRow(values: readonly ColumnValue[]): string {
  let row = '(';
  for (let i = 0; i < values.length; i++) row += i ? `, ${literal(values[i])}` : literal(values[i]);
  return row + ')';
}

/** One UPDATE for a change the set-based form does not take (key change, no types, REPLICA IDENTITY FULL). */
function updateSql(
  rel: ChangeRelation,
  table: string,
  key: ChangeRelation['columns'],
  old: RowImage | null,
  next: RowImage,
): string[] {
  if (key.length === 0) {
    if (!old) throw noKeyError(rel);
    // REPLICA IDENTITY FULL: a new row equal to the old one changes nothing; skip the scan
    if (next.columns.every((c, i) => next.values[i] === UNCHANGED || next.values[i] === valueOf(old, c))) return [];
    const set = setList(next, () => false);
    return set ? [`UPDATE ONLY ${table} SET ${set} WHERE ${oneRowByImage(rel, table, old)}`] : [];
  }
  const keyNames = new Set(key.map((c) => c.name));
  const oldKey = keyMatch(rel, key, old ?? next);
  const keyChanged =
    old !== null &&
    key.some((c) => {
      const v = valueOf(next, c.name);
      return v !== UNCHANGED && v !== valueOf(old, c.name);
    });
  // the key is the same: leave key columns out of SET (no index or FK churn)
  const set = keyChanged ? setList(next, () => false) : setList(next, (c) => keyNames.has(c));
  return set ? [`UPDATE ONLY ${table} SET ${set} WHERE ${oldKey}`] : [];
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
  return `ctid = (SELECT ctid FROM ONLY ${table} WHERE ${conds.length ? conds.join(' AND ') : 'true'} LIMIT 1)`;
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
