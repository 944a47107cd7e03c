/**
 * A parsed SQL_REDO statement (oracle-redo-sql.ts) as a canonical change
 * event of its table, with the column layout the introspector captured:
 * - insert: every column (one the statement leaves out is NULL);
 * - update: the new image has every column — the SET values, the WHERE
 *   values of columns it did not set (supplemental logging put them there),
 *   UNCHANGED for the rest (LOBs, and non-key columns under PRIMARY KEY
 *   logging: the destination keeps what it has); the old image is the WHERE
 *   columns (the key, or all columns with ALL COLUMNS logging);
 * - delete: the old image is the WHERE columns.
 * A column the layout does not know is a named error: the table changed
 * since it was introspected.
 */
import type { CanonicalType } from '../canonical-type.js';
import { UNCHANGED, type ChangeEvent, type ChangeRelation, type ColumnValue, type RowImage } from '../change-event.js';
import type { RedoAssignments, RedoStatement } from './oracle-redo-sql.js';
import { canonicalRedoValue } from './oracle-redo-value.js';

export interface CapturedTable {
  schema: string;
  name: string;
  /** The copied columns in table order (shared by every new image of the table). */
  columns: readonly string[];
  types: ReadonlyMap<string, CanonicalType>;
  relation: ChangeRelation;
}

export class RedoLayoutError extends Error {}

/** The change-stream layout of a table: its copied columns, key flags, and full identity when it has no key. */
export function capturedTable(
  schema: string,
  name: string,
  columns: readonly { name: string; canonical: CanonicalType }[],
  key: readonly string[],
): CapturedTable {
  const relation: ChangeRelation = {
    engine: 'oracle',
    schema,
    name,
    id: 0,
    columns: columns.map((c) => ({ name: c.name, isKey: key.includes(c.name), typeOid: 0 })),
    replicaIdentity: key.length ? 'default' : 'full',
  };
  return {
    schema,
    name,
    columns: columns.map((c) => c.name),
    types: new Map(columns.map((c) => [c.name, c.canonical])),
    relation,
  };
}

/** Old-image column lists, shared per distinct list (destinations cache statement shapes by array identity). */
const oldColumns = new WeakMap<CapturedTable, Map<string, readonly string[]>>();

function sharedColumns(t: CapturedTable, names: string[]): readonly string[] {
  let byText = oldColumns.get(t);
  if (!byText) oldColumns.set(t, (byText = new Map()));
  const text = names.join('\u0000');
  let shared = byText.get(text);
  if (!shared) byText.set(text, (shared = Object.freeze([...names])));
  return shared;
}

function values(t: CapturedTable, list: RedoAssignments, where: string): Map<string, ColumnValue> {
  const out = new Map<string, ColumnValue>();
  for (const [column, v] of list) {
    const type = t.types.get(column);
    if (!type) {
      throw new RedoLayoutError(
        `${where} of ${t.schema}.${t.name} names column ${column}, which the table had no copied column of when introspected: its definition changed (remove the table from the selection and add it back)`,
      );
    }
    out.set(column, canonicalRedoValue(v, type, `${t.schema}.${t.name}.${column}`));
  }
  return out;
}

function oldImage(t: CapturedTable, where: Map<string, ColumnValue>): RowImage {
  const names = t.columns.filter((c) => where.has(c));
  return { columns: sharedColumns(t, names), values: names.map((c) => where.get(c) as ColumnValue) };
}

export function redoChangeEvent(stmt: RedoStatement, t: CapturedTable): ChangeEvent {
  if (stmt.schema !== t.schema || stmt.table !== t.name) {
    throw new RedoLayoutError(`a change of ${stmt.schema}.${stmt.table} decoded with the layout of ${t.schema}.${t.name}`);
  }
  switch (stmt.op) {
    case 'insert': {
      const v = values(t, stmt.values, 'an insert');
      return {
        kind: 'insert',
        relation: t.relation,
        new: { columns: t.columns, values: t.columns.map((c) => (v.has(c) ? (v.get(c) as ColumnValue) : null)) },
      };
    }
    case 'update': {
      const set = values(t, stmt.set, 'an update');
      const where = values(t, stmt.where, 'an update');
      const next = t.columns.map((c) =>
        set.has(c) ? (set.get(c) as ColumnValue) : where.has(c) ? (where.get(c) as ColumnValue) : UNCHANGED,
      );
      return {
        kind: 'update',
        relation: t.relation,
        old: where.size ? oldImage(t, where) : null,
        new: { columns: t.columns, values: next },
      };
    }
    case 'delete': {
      const where = values(t, stmt.where, 'a delete');
      if (!where.size) {
        throw new RedoLayoutError(
          `a delete of ${t.schema}.${t.name} without any column: supplemental logging of the table is off`,
        );
      }
      return { kind: 'delete', relation: t.relation, old: oldImage(t, where) };
    }
  }
}

/** What a DDL statement on a captured table does to the stream. */
export function oracleDdlChange(sql: string): 'truncate' | 'schema' | 'ignore' {
  const text = sql.replace(/\/\*.*?\*\//gs, ' ').trim();
  if (/^truncate\s+table\b/i.test(text)) return 'truncate';
  // statements that change neither rows nor columns
  if (
    /^alter\s+table\s+.+\s+(add|drop)\s+supplemental\s+log\b/is.test(text) ||
    /^(grant|revoke|comment|analyze|audit|noaudit)\b/i.test(text) ||
    /^create\s+(unique\s+|bitmap\s+)?index\b/i.test(text) ||
    /^(drop|alter)\s+index\b/i.test(text) ||
    /^alter\s+table\s+.+\s+(enable|disable)\s+(row\s+movement|table\s+lock)\b/is.test(text)
  ) {
    return 'ignore';
  }
  return 'schema';
}
