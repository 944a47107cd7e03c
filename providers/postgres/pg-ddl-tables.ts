/**
 * DDL for tables and sequences: `CREATE TABLE` with columns (defaults,
 * identity, generation, collation), partitions and inheritance, storage
 * parameters and per-column settings; and a table's own post-data (keys,
 * unique/check/exclusion constraints, indexes). A column default can be
 * split off (`default:<column>`) and set afterwards to break a dependency cycle.
 */
import type { ColumnDef, ConstraintDef, SequenceDef, TableDef } from '../catalog.js';
import type { PgNativeCatalog, PgNotNullDef } from './pg-native-catalog.js';
import { dollarQuote, quoteCollation, quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/** `WITH (…)` storage parameters from `name=value` items; values that are not simple words are quoted. */
export function withOptions(options: readonly string[] | undefined): string {
  if (!options || options.length === 0) return '';
  const items = options.map((o) => {
    const eq = o.indexOf('=');
    if (eq < 0) return o;
    const value = o.slice(eq + 1);
    return `${o.slice(0, eq)}=${/^[A-Za-z0-9_.-]+$/.test(value) ? value : quoteLiteral(value)}`;
  });
  return ` WITH (${items.join(', ')})`;
}

/** Every sequence option spelled out, so the destination never falls back to its own defaults. */
export function sequenceOptions(s: SequenceDef): string {
  return (
    `INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}` +
    (s.cycle ? ' CYCLE' : ' NO CYCLE')
  );
}

/** `CREATE SEQUENCE IF NOT EXISTS` with every option (its value is set by the engine later). */
export const createSequence = (s: SequenceDef): string =>
  `CREATE SEQUENCE IF NOT EXISTS ${quoteQualified(s)} AS ${s.dataType} ${sequenceOptions(s)}`;

/** Columns a table gets from a parent that is created too (all of a partition's; inherited ones of a child). */
const fromParent = (t: TableDef, c: ColumnDef): boolean => !!t.partitionOf || !!c.inherited;

/** What a table has beyond its TableDef (from the PostgreSQL-only part of the catalog). */
export interface TableExtras {
  /** `CREATE TABLE … OF type`: the composite type, qualified. */
  ofType?: string;
  /** Its NOT NULL constraints a plain NOT NULL would not recreate (PostgreSQL 18). */
  notNulls?: readonly PgNotNullDef[];
}

const sameName = (a: { schema: string; name: string }, b: { schema: string; name: string }) =>
  a.schema === b.schema && a.name === b.name;

/** The TableExtras of `t` in a catalog's native part. */
export function tableExtras(n: PgNativeCatalog, t: TableDef): TableExtras {
  const out: TableExtras = {};
  const typed = n.typedTables?.find((x) => sameName(x.table, t));
  if (typed) out.ofType = typed.type;
  const notNulls = n.notNulls?.filter((x) => sameName(x.table, t));
  if (notNulls?.length) out.notNulls = notNulls;
  return out;
}

/** `EXECUTE` of one statement: PL/pgSQL parses it only when it runs, so older servers never see its syntax. */
export const execute = (sql: string): string => `EXECUTE ${quoteLiteral(sql)};`;

/**
 * PL/pgSQL run only on a server of at least `versionNum` (one DO block; none
 * when `body` is empty). Syntax older servers lack must go through `execute`.
 */
export function onServerVersion(versionNum: number, body: string[]): string[] {
  if (!body.length) return [];
  const code = `BEGIN IF pg_catalog.current_setting('server_version_num')::integer >= ${versionNum} THEN ${body.join(' ')} END IF; END`;
  return [`DO ${dollarQuote(code)}`];
}

/**
 * PostgreSQL 18 keeps NOT NULL as named constraints: the column's NOT NULL
 * created one under the default name; rename it as on the source and mark
 * it NO INHERIT (before children are created, so they do not inherit it).
 * Older destinations have no such names (checkCatalog reports it).
 */
function notNullStatements(t: TableDef, notNulls: readonly PgNotNullDef[]): string[] {
  const q = quoteLiteral(quoteQualified(t));
  const body: string[] = [];
  for (const c of notNulls.filter((x) => x.validated)) {
    const current =
      `(SELECT k.conname FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]` +
      ` WHERE k.conrelid = ${q}::pg_catalog.regclass AND k.contype = 'n' AND a.attname = ${quoteLiteral(c.column)})`;
    body.push(
      `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = ${q}::pg_catalog.regclass AND conname = ${quoteLiteral(c.name)}) THEN` +
        ` EXECUTE pg_catalog.format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', ${q}, ${current}, ${quoteLiteral(c.name)}); END IF;`,
    );
    if (c.noInherit) body.push(execute(`ALTER TABLE ${quoteQualified(t)} ALTER CONSTRAINT ${quoteIdent(c.name)} NO INHERIT`));
  }
  return onServerVersion(180000, body);
}

/** NOT VALID NOT NULL constraints (PostgreSQL 18+), added once the rows are in. */
export function notValidNotNulls(t: TableDef, notNulls: readonly PgNotNullDef[]): string[] {
  const q = quoteLiteral(quoteQualified(t));
  return onServerVersion(
    180000,
    notNulls
      .filter((c) => !c.validated)
      .map(
        (c) =>
          `IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = ${q}::pg_catalog.regclass AND conname = ${quoteLiteral(c.name)}) THEN` +
          ` ${execute(`ALTER TABLE ${quoteQualified(t)} ADD CONSTRAINT ${quoteIdent(c.name)} NOT NULL ${quoteIdent(c.column)}${c.noInherit ? ' NO INHERIT' : ''} NOT VALID`)} END IF;`,
      ),
  );
}

/**
 * `CREATE TABLE IF NOT EXISTS` (`OF type` for a typed table), then the
 * column changes it needs beyond what it gets from its parents, named NOT
 * NULL constraints, and per-column settings. `detached`: defaults
 * (`default:<column>`) set later by `tablePart`.
 */
export function tableStatements(
  t: TableDef,
  parents: TableDef[],
  sequences: SequenceDef[],
  detached: ReadonlySet<string> = new Set(),
  extras: TableExtras = {},
): string[] {
  const omit = (c: ColumnDef) => detached.has(`default:${c.name}`);
  const head = `CREATE ${t.unlogged ? 'UNLOGGED ' : ''}TABLE IF NOT EXISTS ${quoteQualified(t)}`;
  const partitionBy =
    (t.kind === 'partitioned' && t.partitionKey ? ` PARTITION BY ${t.partitionKey}` : '') +
    (t.accessMethod ? ` USING ${quoteIdent(t.accessMethod)}` : '');
  const [parent] = parents;
  let sql: string;
  if (t.partitionOf && parent) {
    // a partition takes its columns (with defaults, NOT NULL, identity, generation) from the parent
    sql = `${head} PARTITION OF ${quoteQualified(parent)} ${t.partitionBound ?? 'DEFAULT'}${partitionBy}${withOptions(t.options)}`;
  } else if (extras.ofType) {
    // the columns come from the type: only their defaults, NOT NULL and identity are the table's own
    const own = t.columns
      .map((c) => [c, columnConstraints(t, c, sequences, omit(c))] as const)
      .filter(([, constraints]) => constraints !== '')
      .map(([c, constraints]) => `${quoteIdent(c.name)} WITH OPTIONS${constraints}`);
    sql = `${head} OF ${extras.ofType}${own.length ? ` (\n  ${own.join(',\n  ')}\n)` : ''}${partitionBy}${withOptions(t.options)}`;
  } else {
    const own = t.columns.filter((c) => !c.inherited).map((c) => columnDefinition(t, c, sequences, omit(c)));
    const inherits = t.inherits?.length ? ` INHERITS (${t.inherits.map(quoteQualified).join(', ')})` : '';
    sql = `${head} (${own.length ? `\n  ${own.join(',\n  ')}\n` : ''})${inherits}${partitionBy}${withOptions(t.options)}`;
  }
  return [sql, ...inheritedColumnChanges(t, parents, omit), ...notNullStatements(t, extras.notNulls ?? []), ...columnSettings(t)];
}

/** A split-off part of a table: a column default set after what it calls exists. */
export function tablePart(t: TableDef, part: string): string[] {
  const c = t.columns.find((x) => `default:${x.name}` === part);
  if (!c || c.default === null) return [];
  return [`ALTER TABLE ${quoteQualified(t)} ALTER COLUMN ${quoteIdent(c.name)} SET DEFAULT ${c.default}`];
}

function columnDefinition(t: TableDef, c: ColumnDef, sequences: SequenceDef[], omitDefault: boolean): string {
  let sql = `${quoteIdent(c.name)} ${c.nativeType}`;
  if (c.collation) sql += ` COLLATE ${quoteCollation(c.collation, c.collationSchema)}`;
  return sql + columnConstraints(t, c, sequences, omitDefault);
}

/** A column's generation, identity or default, and NOT NULL: ` …` or empty. */
function columnConstraints(t: TableDef, c: ColumnDef, sequences: SequenceDef[], omitDefault: boolean): string {
  let sql = '';
  if (c.generated !== null) {
    sql += ` GENERATED ALWAYS AS (${c.generated}) ${c.generatedKind === 'virtual' ? 'VIRTUAL' : 'STORED'}`;
  } else if (c.identity) {
    const seq = sequences.find(
      (s) => s.identity && s.ownedBy && s.ownedBy.column === c.name && quoteQualified(s.ownedBy.table) === quoteQualified(t),
    );
    // ALWAYS identity is restored by finalize: while migrating, replicated updates must be able to set the column
    sql += ' GENERATED BY DEFAULT AS IDENTITY';
    if (seq) sql += ` (SEQUENCE NAME ${quoteQualified(seq)} ${sequenceOptions(seq)})`;
  } else if (c.default !== null && !omitDefault) {
    sql += ` DEFAULT ${c.default}`;
  }
  if (!c.nullable) sql += ' NOT NULL';
  return sql;
}

/** Defaults and NOT NULL a child has beyond (or instead of) what its parent gives it. */
function inheritedColumnChanges(t: TableDef, parents: TableDef[], omit: (c: ColumnDef) => boolean): string[] {
  const out: string[] = [];
  for (const c of t.columns) {
    if (!fromParent(t, c) || c.generated !== null || c.identity) continue;
    const p = parents.flatMap((x) => x.columns).find((pc) => pc.name === c.name);
    if (!p) continue;
    const alter = `ALTER TABLE ${quoteQualified(t)} ALTER COLUMN ${quoteIdent(c.name)}`;
    if (c.default !== p.default && !omit(c)) {
      out.push(c.default === null ? `${alter} DROP DEFAULT` : `${alter} SET DEFAULT ${c.default}`);
    }
    if (!c.nullable && p.nullable) out.push(`${alter} SET NOT NULL`);
    // the parent's NOT NULL is NO INHERIT (PostgreSQL 18) where a plain NOT NULL would be inherited
    if (c.nullable && !p.nullable && !t.partitionOf) out.push(`${alter} DROP NOT NULL`);
  }
  return out;
}

/** Storage, compression, statistics target and options of each column (ONLY: children have their own). */
function columnSettings(t: TableDef): string[] {
  const out: string[] = [];
  for (const c of t.columns) {
    const alter = `ALTER TABLE ONLY ${quoteQualified(t)} ALTER COLUMN ${quoteIdent(c.name)}`;
    if (c.storage) out.push(`${alter} SET STORAGE ${c.storage.toUpperCase()}`);
    if (c.compression) out.push(`${alter} SET COMPRESSION ${c.compression}`);
    if (c.statisticsTarget != null) out.push(`${alter} SET STATISTICS ${c.statisticsTarget}`);
    if (c.options?.length) out.push(`${alter} SET (${withOptions(c.options).slice(' WITH ('.length)}`);
  }
  return out;
}

/** The post-data of one table in build order: primary key, unique, check, exclusion and NOT VALID NOT NULL constraints, indexes. */
export function tablePostData(t: TableDef, notNulls: readonly PgNotNullDef[] = []): string[] {
  const own = (kind: ConstraintDef['kind']): string[] =>
    t.constraints.filter((c) => c.kind === kind && !c.inherited).map((c) => addConstraint(t, c));
  const pk = t.primaryKey && !t.primaryKey.inherited ? [addConstraint(t, t.primaryKey)] : [];
  return [
    ...pk,
    ...own('unique'),
    ...own('check'),
    ...own('exclude'),
    ...notValidNotNulls(t, notNulls),
    ...t.indexes.map((i) => createIndexIfNotExists(i.definition)),
  ];
}

/**
 * `ALTER TABLE … ADD CONSTRAINT` unless a constraint of that name exists.
 * Looking it up, rather than catching errors, keeps real failures visible.
 */
export function addConstraint(t: TableDef, c: ConstraintDef): string {
  const body =
    `BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = ${quoteLiteral(quoteQualified(t))}::pg_catalog.regclass` +
    ` AND conname = ${quoteLiteral(c.name)}) THEN ALTER TABLE ${quoteQualified(t)} ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition}; END IF; END`;
  return `DO ${dollarQuote(body)}`;
}

/**
 * Rewrites `pg_get_indexdef` output to `CREATE [UNIQUE] INDEX IF NOT EXISTS`.
 * It also drops `ON ONLY`, which PostgreSQL prints for a partitioned table's
 * index: built without it, the index cascades to (and attaches on) every
 * partition, which is what the source had.
 */
export function createIndexIfNotExists(definition: string): string {
  const head = /^CREATE (UNIQUE )?INDEX /.exec(definition);
  if (!head) throw new Error(`unexpected index definition: ${definition}`);
  let i = head[0].length;
  if (definition[i] === '"') {
    for (i++; i < definition.length; i++) {
      if (definition[i] !== '"') continue;
      if (definition[i + 1] === '"') i++;
      else break;
    }
    i++;
  } else {
    while (i < definition.length && definition[i] !== ' ') i++;
  }
  const name = definition.slice(head[0].length, i);
  let rest = definition.slice(i);
  if (!rest.startsWith(' ON ')) throw new Error(`unexpected index definition: ${definition}`);
  if (rest.startsWith(' ON ONLY ')) rest = ' ON ' + rest.slice(' ON ONLY '.length);
  return `CREATE ${head[1] ?? ''}INDEX IF NOT EXISTS ${name}${rest}`;
}
