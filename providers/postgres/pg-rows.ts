/**
 * Catalog query helpers for the introspector: every value comes back as
 * text (or null), whatever type parsers the client has, so no catalog value
 * passes through a JS number unless a caller converts a small one on purpose.
 */
import type pg from 'pg';
import type { QualifiedName } from '../catalog.js';

/** A catalog row: column name to text value or null. */
export type Row = Record<string, string | null>;

/** Objects below this OID were created by initdb (FirstNormalObjectId). */
export const FIRST_NORMAL_OID = 16384;

/** SQL predicate: namespace alias `n` is not a system schema nor our control schema. */
export const USER_SCHEMA = `n.nspname not in ('pg_catalog', 'information_schema', '_migrate')
  and left(n.nspname, 8) <> 'pg_toast' and left(n.nspname, 7) <> 'pg_temp'`;

/** SQL predicate: object `oid` of catalog `cls` is not a member of an extension. */
export const notExtensionMember = (cls: string, oid: string): string =>
  `not exists (select 1 from pg_depend x where x.classid = '${cls}'::regclass and x.objid = ${oid} and x.deptype = 'e')`;

/** What catalog readers need of a connection: one client, or a PgReadGroup spreading reads over several. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** Run `sql` and return its rows as text. */
export async function rows(client: Queryable, sql: string, params: unknown[] = []): Promise<Row[]> {
  const res = await client.query(sql, params);
  return (res.rows as Record<string, unknown>[]).map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) out[k] = v == null ? null : String(v);
    return out;
  });
}

/** A column that must not be null. */
export const req = (r: Row, k: string): string => {
  const v = r[k];
  if (v == null) throw new Error(`catalog query returned no ${k}`);
  return v;
};

/** A boolean column read as text (`true`, or `t` from older forms). */
export const isTrue = (v: string | null | undefined): boolean => v === 'true' || v === 't';

/** A JSON column, or `empty` when null. */
export const jsonOf = <T>(v: string | null | undefined, empty: T): T => (v == null ? empty : (JSON.parse(v) as T));

/** Rows grouped by the text of one column, in order. */
export function groupBy(list: Row[], key: string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of list) {
    const k = r[key] ?? '';
    const group = out.get(k);
    if (group) group.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Orders qualified names by schema, then name. */
export const byKey = <T extends QualifiedName>(a: T, b: T): number =>
  a.schema < b.schema ? -1 : a.schema > b.schema ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** `schema` and `name` columns of a row. */
export const nameOf = (r: Row, schema = 'schema', name = 'name'): QualifiedName => ({
  schema: req(r, schema),
  name: req(r, name),
});

/** Enable-mode letters of pg_trigger, pg_rewrite and pg_event_trigger. */
export function enableMode(letter: string | null | undefined): 'origin' | 'disabled' | 'replica' | 'always' {
  if (letter === 'D') return 'disabled';
  if (letter === 'R') return 'replica';
  if (letter === 'A') return 'always';
  return 'origin';
}
