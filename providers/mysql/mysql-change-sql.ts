/**
 * Row changes (canonical change events from a MySQL source) as the SQL a
 * MySQL destination executes in one transaction.
 *
 * Changes to a table that no foreign key and no trigger ties to another
 * table commute with every change to other tables, so such a table's
 * changes of a batch are taken together. When, in addition, its primary key
 * is its only unique key (and the change stream's key), its changes are
 * netted per key — a row inserted and deleted in the batch costs nothing, a
 * row updated ten times is written once — and applied as at most three
 * set statements: DELETE … IN, a multi-row INSERT, and a multi-row INSERT …
 * ON DUPLICATE KEY UPDATE with the last full after-image of each updated
 * row (no secondary unique key can match another row). Tables tied by
 * foreign keys or triggers keep their source order (consecutive inserts one
 * multi-row INSERT, consecutive deletes one DELETE … IN, each update its
 * changed columns), because a cascade or a trigger makes their order matter.
 * A TRUNCATE is a DELETE (TRUNCATE would commit the apply transaction).
 *
 * Values are canonical text turned back into literals by the destination
 * column's type: `\x` hex for binary strings and geometry, BIT digits,
 * TIMESTAMP without its `+00` (sessions run in UTC). Generated columns are
 * never written: the destination computes them.
 */
import mysql from 'mysql2';
import type { ChangeEvent, ChangeRelation, ColumnValue, RowImage } from '../change-event.js';
import { UNCHANGED } from '../change-event.js';
import { quoteMySqlIdent } from './mysql-quote.js';

/** How a destination column takes a canonical text value. */
export type MySqlValueKind = 'text' | 'number' | 'binary' | 'bit' | 'timestamp';

export interface MySqlColumnInfo {
  kind: MySqlValueKind;
  generated: boolean;
}

/** What the change SQL needs to know of one destination table. */
export interface MySqlTableInfo {
  /** Columns by name. */
  columns: Map<string, MySqlColumnInfo>;
  /** PRIMARY KEY columns ([] without one). */
  primaryKey: readonly string[];
  /** The primary key is the table's only unique index. */
  onlyPrimaryUnique: boolean;
  /** No foreign key references it or leaves it, no trigger is on it: its changes commute with other tables'. */
  independent: boolean;
}

/** A destination table by its name (absent: the table is unknown to the destination). */
export type TablesOf = (table: string) => MySqlTableInfo | undefined;

/** information_schema.COLUMNS DATA_TYPE → how its values are written. */
export function mysqlValueKind(dataType: string): MySqlValueKind {
  const t = dataType.toLowerCase();
  if (/^(tiny|small|medium|big)?int(eger)?$|^(decimal|numeric|float|double|real|year)$/.test(t)) return 'number';
  if (
    /^(var)?binary$|blob$|^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection)$/.test(
      t,
    )
  ) {
    return 'binary';
  }
  if (t === 'bit') return 'bit';
  if (t === 'timestamp') return 'timestamp';
  return 'text';
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A canonical text value as a MySQL literal for a column of `kind`. */
export function mysqlLiteral(v: ColumnValue, kind: MySqlValueKind): string {
  if (v === null) return 'NULL';
  if (v === UNCHANGED) throw new Error('a MySQL source never leaves a value out of a row image');
  switch (kind) {
    case 'number':
      return NUMBER.test(v) ? v : mysql.escape(v);
    case 'binary':
      return v.startsWith('\\x') && /^[0-9a-f]*$/i.test(v.slice(2))
        ? v.length > 2
          ? `X'${v.slice(2)}'`
          : "''"
        : mysql.escape(v);
    case 'bit':
      return /^[01]+$/.test(v) ? `b'${v}'` : mysql.escape(v);
    case 'timestamp':
      return mysql.escape(v.endsWith('+00') ? v.slice(0, -3) : v);
    default:
      return SPECIAL_TEXT.test(v) ? mysql.escape(v) : `'${v}'`;
  }
}

/** Characters mysql.escape rewrites in a string literal (none: the text goes as it is, quoted). */
// eslint-disable-next-line no-control-regex -- NUL and SUB (0x1a) are among the characters mysql.escape rewrites
const SPECIAL_TEXT = /[\0\b\t\n\r\x1a"'\\]/;

/** One statement and the table (`schema.table` in the source's names) it changes. */
export interface MySqlStatement {
  table: string;
  sql: string;
  /** Source row changes it accounts for, by kind. */
  inserts: number;
  updates: number;
  deletes: number;
}

/** Bound of one statement's text (max_allowed_packet is 16 MiB by default on MariaDB, 64 MiB on MySQL 8). */
const MAX_STATEMENT_BYTES = 4 * 2 ** 20;
const MAX_ROWS_PER_STATEMENT = 1000;

type RowChange = Extract<ChangeEvent, { kind: 'insert' | 'update' | 'delete' }>;
type Counts = Pick<MySqlStatement, 'inserts' | 'updates' | 'deletes'>;
const NO_COUNTS: Counts = { inserts: 0, updates: 0, deletes: 0 };
const ONE_INSERT: Counts = { inserts: 1, updates: 0, deletes: 0 };
const ONE_DELETE: Counts = { inserts: 0, updates: 0, deletes: 1 };

/** One destination table as the writers see it. */
class Target {
  readonly qname: string;
  readonly table: string;
  constructor(
    db: string,
    private readonly dbName: string,
    readonly rel: ChangeRelation,
    readonly info: MySqlTableInfo,
  ) {
    this.qname = `${db}.${quoteMySqlIdent(rel.name)}`;
    this.table = `${rel.schema}.${rel.name}`;
    this.keyNames = rel.columns.filter((c) => c.isKey).map((c) => c.name);
  }

  /** The change stream's key columns. */
  readonly keyNames: readonly string[];

  col(name: string): MySqlColumnInfo {
    const c = this.info.columns.get(name);
    if (!c) throw new Error(`the column ${name} of ${this.dbName}.${this.rel.name} does not exist on the destination`);
    return c;
  }

  /**
   * The written (not generated) columns of images with `columns` (shared by a
   * table's images): the INSERT head naming them, and each column's kind.
   */
  private layout: { columns: readonly string[]; insertHead: string; kinds: (MySqlValueKind | null)[] } | null = null;

  private layoutOf(columns: readonly string[]): NonNullable<Target['layout']> {
    let l = this.layout;
    if (l?.columns !== columns) {
      const kinds = columns.map((name) => {
        const info = this.col(name);
        return info.generated ? null : info.kind;
      });
      const names = columns.filter((_, i) => kinds[i] !== null).map(quoteMySqlIdent);
      l = this.layout = { columns, insertHead: `INSERT INTO ${this.qname} (${names.join(', ')}) VALUES `, kinds };
    }
    return l;
  }

  /** `INSERT INTO t (names) VALUES ` for images like `image` (one string per layout: runs compare it cheaply). */
  insertHead(image: RowImage): string {
    return this.layoutOf(image.columns).insertHead;
  }

  /** `(values)` of an image's written (not generated) columns. */
  tuple(image: RowImage): string {
    const { kinds } = this.layoutOf(image.columns);
    const values = image.values;
    let out = '(';
    let first = true;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[i];
      if (kind == null) continue;
      const lit = mysqlLiteral(values[i] as ColumnValue, kind);
      out = first ? out + lit : `${out}, ${lit}`;
      first = false;
    }
    return `${out})`;
  }

  /** Key positions and kinds in images with `columns`, per key column list. */
  private keyLayout: { columns: readonly string[]; names: readonly string[]; at: number[]; kinds: MySqlValueKind[] } | null =
    null;

  keyLiteral(keyNames: readonly string[], image: RowImage): string {
    let k = this.keyLayout;
    if (k?.columns !== image.columns || k.names !== keyNames) {
      k = this.keyLayout = {
        columns: image.columns,
        names: keyNames,
        at: keyNames.map((n) => image.columns.indexOf(n)),
        kinds: keyNames.map((n) => this.col(n).kind),
      };
    }
    const { at, kinds } = k;
    if (at.length === 1) return mysqlLiteral(image.values[at[0] as number] as ColumnValue, kinds[0] as MySqlValueKind);
    const lits = at.map((i, j) => mysqlLiteral(image.values[i] as ColumnValue, kinds[j] as MySqlValueKind));
    return `(${lits.join(', ')})`;
  }

  private deleteHeadText: { names: readonly string[]; sql: string } | null = null;

  /** `DELETE … WHERE key IN ` (one string per key list: runs compare it cheaply). */
  deleteHead(keyNames: readonly string[]): string {
    if (this.deleteHeadText?.names === keyNames) return this.deleteHeadText.sql;
    const sql =
      keyNames.length === 1
        ? `DELETE FROM ${this.qname} WHERE ${quoteMySqlIdent(keyNames[0] as string)} IN `
        : `DELETE FROM ${this.qname} WHERE (${keyNames.map(quoteMySqlIdent).join(', ')}) IN `;
    this.deleteHeadText = { names: keyNames, sql };
    return sql;
  }
}

function valueOf(image: RowImage, name: string): ColumnValue {
  return image.values[image.columns.indexOf(name)] as ColumnValue;
}

/**
 * Statements in the order they are written: runs of multi-row statements of
 * one kind, table and head are one statement up to the size bounds.
 */
class StatementList {
  readonly out: MySqlStatement[] = [];
  private open: { t: Target; head: string; tail: string; parts: string[]; bytes: number; counts: Counts } | null = null;

  /** Adds one row (`part`) to a statement `head … tail`; `counts` are the source changes it carries. */
  extend(t: Target, head: string, tail: string, part: string, counts: Counts): void {
    const o = this.open;
    if (o && (o.t !== t || o.head !== head || o.tail !== tail)) this.flush();
    else if (o && (o.parts.length >= MAX_ROWS_PER_STATEMENT || o.bytes + part.length > MAX_STATEMENT_BYTES)) this.flush();
    if (!this.open) this.open = { t, head, tail, parts: [], bytes: head.length + tail.length, counts: { ...NO_COUNTS } };
    const cur = this.open;
    cur.parts.push(part);
    cur.bytes += part.length + 2;
    cur.counts.inserts += counts.inserts;
    cur.counts.updates += counts.updates;
    cur.counts.deletes += counts.deletes;
  }

  single(t: Target, sql: string, counts: Partial<Counts>): void {
    this.flush();
    this.out.push({ table: t.table, sql, ...NO_COUNTS, ...counts });
  }

  flush(): void {
    const o = this.open;
    if (!o) return;
    const list = o.head.startsWith('DELETE') ? `(${o.parts.join(', ')})` : o.parts.join(', ');
    this.out.push({ table: o.t.table, sql: `${o.head}${list}${o.tail}`, ...o.counts });
    this.open = null;
  }
}

/** Source-ordered statements for one change (tables whose order matters). */
function writeInOrder(list: StatementList, t: Target, change: RowChange): void {
  if (change.kind === 'insert') {
    list.extend(t, t.insertHead(change.new), '', t.tuple(change.new), ONE_INSERT);
    return;
  }
  const old = change.old;
  const rel = t.rel;
  if (!old)
    throw new Error(`an update of ${rel.schema}.${rel.name} came without its before-image (binlog_row_image must be FULL)`);
  const keyNames = t.keyNames;
  const keyed = keyNames.length > 0;
  if (change.kind === 'delete' && keyed) {
    list.extend(t, t.deleteHead(keyNames), '', t.keyLiteral(keyNames, old), ONE_DELETE);
    return;
  }
  // keyless tables: the whole before-image identifies one row
  const where = (keyed ? keyNames : old.columns.filter((n) => !t.col(n).generated))
    .map((n) => `${quoteMySqlIdent(n)} ${keyed ? '=' : '<=>'} ${mysqlLiteral(valueOf(old, n), t.col(n).kind)}`)
    .join(' AND ');
  if (change.kind === 'delete') {
    list.single(t, `DELETE FROM ${t.qname} WHERE ${where} LIMIT 1`, { deletes: 1 });
    return;
  }
  const sets: string[] = [];
  change.new.columns.forEach((name, i) => {
    const info = t.col(name);
    if (info.generated) return;
    const v = change.new.values[i] as ColumnValue;
    if (v === valueOf(old, name)) return;
    sets.push(`${quoteMySqlIdent(name)} = ${mysqlLiteral(v, info.kind)}`);
  });
  // an update that changed nothing still counts (the source logged it)
  if (!sets.length) list.single(t, 'DO 0', { updates: 1 });
  else list.single(t, `UPDATE ${t.qname} SET ${sets.join(', ')} WHERE ${where}${keyed ? '' : ' LIMIT 1'}`, { updates: 1 });
}

/** A row's state at the end of the batch: whether it existed before it, its key, its last image (null: gone). */
interface NetRow {
  existed: boolean;
  key: RowImage;
  image: RowImage | null;
}

/** The changes of one independent table whose primary key is its only unique key, netted per key. */
class NetTable {
  private readonly rows = new Map<string, NetRow>();
  private readonly counts: Counts = { ...NO_COUNTS };
  /** Statements before the netted rows (a TRUNCATE's DELETE). */
  private readonly before: MySqlStatement[] = [];
  private readonly keyNames: readonly string[];

  constructor(readonly t: Target) {
    this.keyNames = t.keyNames;
  }

  /** Positions of the key columns in images with `columns` (a table's images share one array). */
  private keyAt: { columns: readonly string[]; at: number[] } | null = null;

  private keyOf(image: RowImage): string {
    if (this.keyAt?.columns !== image.columns) {
      this.keyAt = { columns: image.columns, at: this.keyNames.map((k) => image.columns.indexOf(k)) };
    }
    const at = this.keyAt.at;
    if (at.length === 1) return image.values[at[0] as number] as string;
    let k = '';
    for (const i of at) k += `${image.values[i] as string}\u0000`;
    return k;
  }

  /** The row keyed `k` (taken from `key`) is now `image` (null: gone); `existed`: whether it was there before the batch if first seen. */
  private set(k: string, key: RowImage, image: RowImage | null, existed: boolean): void {
    const row = this.rows.get(k);
    if (row) row.image = image;
    else this.rows.set(k, { existed, key, image });
  }

  add(change: RowChange): void {
    if (change.kind === 'insert') this.counts.inserts += 1;
    else if (change.kind === 'update') this.counts.updates += 1;
    else this.counts.deletes += 1;
    if (change.kind === 'insert') return this.set(this.keyOf(change.new), change.new, change.new, false);
    const old = change.old;
    const rel = this.t.rel;
    if (!old)
      throw new Error(`an update of ${rel.schema}.${rel.name} came without its before-image (binlog_row_image must be FULL)`);
    const ko = this.keyOf(old);
    if (change.kind === 'delete') return this.set(ko, old, null, true);
    const kn = this.keyOf(change.new);
    if (ko === kn) return this.set(ko, old, change.new, true);
    // a key change: the old row goes, the new key's row comes
    this.set(ko, old, null, true);
    this.set(kn, change.new, change.new, false);
  }

  /** Every row is gone: what was netted so far no longer matters. */
  truncate(): void {
    this.rows.clear();
    this.before.push({ table: this.t.table, sql: `DELETE FROM ${this.t.qname}`, ...NO_COUNTS });
  }

  statements(): MySqlStatement[] {
    const t = this.t;
    const list = new StatementList();
    // deletes first: a key netted away may equal, under its collation, a key written after
    const deleteHead = t.deleteHead(this.keyNames);
    for (const r of this.rows.values()) {
      if (r.existed && !r.image) list.extend(t, deleteHead, '', t.keyLiteral(this.keyNames, r.key), NO_COUNTS);
    }
    // new rows, then rows that were there (an upsert of their last image): one run each
    for (const existed of [false, true]) {
      for (const r of this.rows.values()) {
        if (!r.image || r.existed !== existed) continue;
        const tail = existed ? this.upsertTail(r.image) : '';
        list.extend(t, t.insertHead(r.image), tail, t.tuple(r.image), NO_COUNTS);
      }
    }
    list.flush();
    const out = [...this.before, ...list.out];
    if (!out.length) out.push({ table: t.table, sql: 'DO 0', ...NO_COUNTS });
    const first = out[0] as MySqlStatement;
    first.inserts += this.counts.inserts;
    first.updates += this.counts.updates;
    first.deletes += this.counts.deletes;
    return out;
  }

  private tail: { columns: readonly string[]; sql: string } | null = null;

  private upsertTail(image: RowImage): string {
    if (this.tail?.columns === image.columns) return this.tail.sql;
    const sets = image.columns
      .filter((n) => !this.t.col(n).generated && !this.keyNames.includes(n))
      .map((n) => `${quoteMySqlIdent(n)} = VALUES(${quoteMySqlIdent(n)})`);
    const k = quoteMySqlIdent(this.keyNames[0] as string);
    const sql = ` ON DUPLICATE KEY UPDATE ${sets.length ? sets.join(', ') : `${k} = ${k}`}`;
    this.tail = { columns: image.columns, sql };
    return sql;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/**
 * The statements of `events` for database `target` (begin/commit/schema
 * events carry no rows and are skipped). A table the destination does not
 * have raises: it was never created, which no retry fixes.
 */
export function mysqlChangeStatements(target: string, events: readonly ChangeEvent[], tablesOf: TablesOf): MySqlStatement[] {
  const db = quoteMySqlIdent(target);
  /** Tables whose changes keep source order among each other. */
  const ordered = new StatementList();
  /** Independent tables, each on its own (netted or in its own order). */
  const own = new Map<ChangeRelation, NetTable | StatementList>();
  const targets = new Map<ChangeRelation, Target>();
  const targetOf = (rel: ChangeRelation): Target => {
    let t = targets.get(rel);
    if (!t) {
      const info = tablesOf(rel.name);
      if (!info) throw new Error(`the table ${target}.${rel.name} does not exist on the destination`);
      t = new Target(db, target, rel, info);
      targets.set(rel, t);
    }
    return t;
  };
  const routeOf = (t: Target): NetTable | StatementList => {
    if (!t.info.independent) return ordered;
    let r = own.get(t.rel);
    if (!r) {
      const keys = t.rel.columns.filter((c) => c.isKey).map((c) => c.name);
      const nettable = keys.length > 0 && t.info.onlyPrimaryUnique && sameSet(keys, t.info.primaryKey);
      r = nettable ? new NetTable(t) : new StatementList();
      own.set(t.rel, r);
    }
    return r;
  };

  for (const e of events) {
    if (e.kind === 'truncate') {
      for (const rel of e.relations) {
        const t = targetOf(rel);
        const r = routeOf(t);
        if (r instanceof NetTable) r.truncate();
        else r.single(t, `DELETE FROM ${t.qname}`, {});
      }
      continue;
    }
    if (e.kind !== 'insert' && e.kind !== 'update' && e.kind !== 'delete') continue;
    const t = targetOf(e.relation);
    const r = routeOf(t);
    if (r instanceof NetTable) r.add(e);
    else writeInOrder(r, t, e);
  }
  ordered.flush();
  const out = ordered.out;
  for (const r of own.values()) {
    if (r instanceof NetTable) out.push(...r.statements());
    else {
      r.flush();
      out.push(...r.out);
    }
  }
  return out;
}
