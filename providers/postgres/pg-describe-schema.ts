/**
 * A selection's schema objects as `verify` compares them, from a Catalog
 * read on either side: one summary per object the migration creates (the
 * introspector's `notMigrated` are left out — verify names them from the
 * catalog). Definitions are the same texts the DDL replays, so a correct
 * migration compares equal; what the two sides may legitimately differ in is
 * normalised: owners and grantees equal to the connection user read
 * `<migration user>`, an object's own owner in its ACL `<owner>`, view
 * queries are put in one form across versions (pg-deparse-normalize.ts),
 * sequence values and extension versions are left out. State that finalize
 * sets (trigger and rule enable modes, forced row security, identity ALWAYS,
 * event trigger modes) is in `enabled`, not in the definition.
 */
import type pg from 'pg';
import type { TableSelection } from '../../contract/declaration.js';
import type { Catalog, ColumnDef, Ownership, SchemaObjectSummary, TableDef, ViewDef } from '../catalog.js';
import { MIGRATION_USER, aclText } from './pg-acl.js';
import { normalizeViewDefinition } from './pg-deparse-normalize.js';
import { createCast, createOperator } from './pg-ddl-operators.js';
import { createAggregate } from './pg-ddl-routines.js';
import { createEventTrigger, createPolicy, createRule } from './pg-ddl-table-objects.js';
import { tableExtras, withOptions } from './pg-ddl-tables.js';
import { createCollation, createComposite, createEnum, createRange } from './pg-ddl-types.js';
import { introspectPostgres } from './pg-introspector.js';
import { pgNative } from './pg-native-catalog.js';
import { quoteCollation, quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

const withComment = (definition: string, comment: string | null | undefined): string =>
  comment == null ? definition : `${definition}\nCOMMENT ${quoteLiteral(comment)}`;

const display = (q: { schema: string; name: string }): string => `${q.schema}.${q.name}`;

function columnText(c: ColumnDef): string {
  let s = `${quoteIdent(c.name)} ${c.nativeType}`;
  if (c.collation) s += ` COLLATE ${quoteCollation(c.collation, c.collationSchema)}`;
  if (c.generated !== null) s += ` GENERATED ALWAYS AS (${c.generated}) ${c.generatedKind === 'virtual' ? 'VIRTUAL' : 'STORED'}`;
  // ALWAYS or BY DEFAULT is set at finalize: it is part of `enabled`
  else if (c.identity) s += ' GENERATED AS IDENTITY';
  else if (c.default !== null) s += ` DEFAULT ${c.default}`;
  if (!c.nullable) s += ' NOT NULL';
  if (c.inherited) s += ' INHERITED';
  if (c.storage) s += ` STORAGE ${c.storage}`;
  if (c.compression) s += ` COMPRESSION ${c.compression}`;
  if (c.statisticsTarget != null) s += ` STATISTICS ${c.statisticsTarget}`;
  if (c.options?.length) s += ` OPTIONS (${c.options.join(', ')})`;
  return withComment(s, c.comment);
}

function tableText(t: TableDef, ofType: string | undefined): string {
  const head = [`${t.unlogged ? 'UNLOGGED ' : ''}TABLE ${quoteQualified(t)}`];
  if (ofType) head.push(`OF ${ofType}`);
  if (t.partitionOf) head.push(`PARTITION OF ${quoteQualified(t.partitionOf)} ${t.partitionBound ?? ''}`);
  if (t.partitionKey) head.push(`PARTITION BY ${t.partitionKey}`);
  if (t.inherits?.length) head.push(`INHERITS (${t.inherits.map(quoteQualified).join(', ')})`);
  if (t.accessMethod) head.push(`USING ${quoteIdent(t.accessMethod)}`);
  if (t.clusterOn) head.push(`CLUSTER ON ${quoteIdent(t.clusterOn)}`);
  if (t.options?.length) head.push(withOptions(t.options).trim());
  if (t.replicaIdentity !== 'default') head.push(`REPLICA IDENTITY ${t.replicaIdentity} ${t.replicaIdentityIndex ?? ''}`.trim());
  if (t.rowSecurity && t.rowSecurity !== 'off') head.push('ROW LEVEL SECURITY');
  return withComment([head.join(' '), ...t.columns.map((c) => `  ${columnText(c)}`)].join('\n'), t.comment);
}

function tableEnabled(t: TableDef): string | null {
  const parts = t.columns
    .filter((c) => c.identity === 'always' && !c.inherited)
    .map((c) => `IDENTITY ALWAYS ${quoteIdent(c.name)}`);
  if (t.rowSecurity === 'forced') parts.push('FORCE ROW LEVEL SECURITY');
  return parts.length ? parts.join('; ') : null;
}

function viewText(v: ViewDef): string {
  const head = `${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${quoteQualified(v)}${withOptions(v.options)}`;
  const tail = v.materialized && v.populated === false ? '\nWITH NO DATA' : '';
  const columns = (v.columns ?? []).map((c) =>
    withComment(`  COLUMN ${quoteIdent(c.name)}${c.default != null ? ` DEFAULT ${c.default}` : ''}`, c.comment),
  );
  return withComment([`${head} AS\n${normalizeViewDefinition(v.definition)}${tail}`, ...columns].join('\n'), v.comment);
}

/** One summary per object `catalog` migrates, sorted by kind and name (see the file comment). */
export function describeCatalog(catalog: Catalog): SchemaObjectSummary[] {
  const n = pgNative(catalog);
  const user = catalog.sourceUser ?? null;
  const role = (r: string | null | undefined): string | null => (r == null ? null : r === user ? MIGRATION_USER : r);
  const out: SchemaObjectSummary[] = [];
  const add = (kind: string, name: string, definition: string, own?: Ownership, enabled?: string | null, extraAcl?: string[]) => {
    const owner = own?.owner ?? null;
    const acl = [aclText(own?.acl, owner, user), ...(extraAcl ?? [])].filter((a): a is string => a !== null);
    out.push({ kind, name, definition, owner: role(owner), acl: acl.length ? acl.join(' | ') : null, enabled: enabled ?? null });
  };
  const columnAcls = (owner: string | null | undefined, cols: { name: string; acl?: string[] | null }[]) =>
    cols.filter((c) => c.acl?.length).map((c) => `${quoteIdent(c.name)}: ${aclText(c.acl, owner ?? null, user)}`);

  for (const s of n.schemas) add('schema', s.name, withComment(`SCHEMA ${quoteIdent(s.name)}`, s.comment), s);
  for (const e of catalog.extensions)
    add('extension', e.name, `EXTENSION ${quoteIdent(e.name)} WITH SCHEMA ${quoteIdent(e.schema)}`);
  for (const c of n.collations) add('collation', display(c), withComment(createCollation(c), c.comment), c);
  for (const e of catalog.enums) add('enum', display(e), withComment(createEnum(e), e.comment), e);
  for (const d of catalog.domains ?? []) {
    let def = `DOMAIN ${quoteQualified(d)} AS ${d.baseType}`;
    if (d.collation) def += ` COLLATE ${quoteCollation(d.collation, d.collationSchema)}`;
    if (d.default !== null) def += ` DEFAULT ${d.default}`;
    if (d.notNull) def += ' NOT NULL';
    const checks = d.constraints.map((c) => withComment(`  CONSTRAINT ${quoteIdent(c.name)} ${c.definition}`, c.comment));
    add('domain', display(d), withComment([def, ...checks].join('\n'), d.comment), d);
  }
  for (const t of n.composites) {
    const attrs = t.attributes
      .filter((a) => a.comment !== null)
      .map((a) => withComment(`  ATTRIBUTE ${quoteIdent(a.name)}`, a.comment));
    add('type', display(t), withComment([createComposite(t), ...attrs].join('\n'), t.comment), t);
  }
  for (const r of n.ranges) add('type', display(r), withComment(createRange(r), r.comment), r);
  for (const r of n.routines) {
    const kind = r.kind === 'window' ? 'window function' : r.kind;
    add(kind, `${display(r)}(${r.args})`, withComment(r.definition, r.comment), r);
  }
  for (const a of n.aggregates)
    add('aggregate', `${display(a)}(${a.args})`, withComment(createAggregate(a, false), a.comment), a);
  for (const o of n.operators) {
    add('operator', `${display(o)}(${o.left ?? 'NONE'}, ${o.right ?? 'NONE'})`, withComment(createOperator(o), o.comment), o);
  }
  for (const c of n.casts) add('cast', `(${c.source} AS ${c.target})`, withComment(createCast(c), c.comment));
  const unlogged = new Set((n.unloggedSequences ?? []).map(display));
  for (const s of catalog.sequences) {
    let def = `${unlogged.has(display(s)) ? 'UNLOGGED ' : ''}SEQUENCE ${quoteQualified(s)} AS ${s.dataType} INCREMENT BY ${s.increment} MINVALUE ${s.min} MAXVALUE ${s.max} START WITH ${s.start} CACHE ${s.cache}${s.cycle ? ' CYCLE' : ''}`;
    if (s.ownedBy) def += ` OWNED BY ${quoteQualified(s.ownedBy.table)}.${quoteIdent(s.ownedBy.column)}`;
    if (s.identity) def += ' IDENTITY';
    add('sequence', display(s), withComment(def, s.comment), s);
  }
  for (const t of catalog.tables) {
    const extras = tableExtras(n, t);
    add('table', display(t), tableText(t, extras.ofType), t, tableEnabled(t), columnAcls(t.owner, t.columns));
    for (const c of extras.notNulls ?? []) {
      const def = `NOT NULL ${quoteIdent(c.column)}${c.noInherit ? ' NO INHERIT' : ''}${c.validated ? '' : ' NOT VALID'}`;
      add('constraint', `${display(t)}.${c.name}`, def);
    }
    for (const c of [...(t.primaryKey && !t.primaryKey.inherited ? [t.primaryKey] : []), ...t.constraints]) {
      if (!c.inherited) add('constraint', `${display(t)}.${c.name}`, withComment(c.definition, c.comment));
    }
    for (const i of t.indexes) add('index', `${t.schema}.${i.name}`, withComment(i.definition, i.comment));
  }
  for (const v of catalog.views) {
    add(v.materialized ? 'materialized view' : 'view', display(v), viewText(v), v, null, columnAcls(v.owner, v.columns ?? []));
    for (const i of v.indexes ?? []) add('index', `${v.schema}.${i.name}`, withComment(i.definition, i.comment));
  }
  const on = (x: { table: { schema: string; name: string }; name: string }) => `${display(x.table)}.${x.name}`;
  for (const t of n.triggers) {
    // partitions whose clone has a mode of its own are part of the trigger's state
    const modes = [t.enabled, ...(t.partitions ?? []).map((p) => `${display(p.table)} ${p.enabled}`)].join('; ');
    add('trigger', on(t), withComment(t.definition, t.comment), undefined, modes);
  }
  for (const r of n.rules) add('rule', on(r), withComment(createRule(r), r.comment), undefined, r.enabled);
  const policyRole = (r: string) => role(r) ?? r;
  for (const p of n.policies) add('policy', on(p), withComment(createPolicy(p, policyRole), p.comment));
  for (const s of n.statistics) {
    const def = s.target === null ? s.definition : `${s.definition}\nSTATISTICS ${s.target}`;
    add('statistics', display(s), withComment(def, s.comment), s);
  }
  for (const e of n.eventTriggers) add('event trigger', e.name, withComment(createEventTrigger(e), e.comment), e, e.enabled);
  for (const d of n.defaultPrivileges) {
    const name = `for role ${role(d.role)} in schema ${d.schema} on ${d.objectType}`;
    out.push({
      kind: 'default privileges',
      name,
      definition: name,
      owner: role(d.role),
      acl: aclText(d.acl, d.role, user),
      enabled: null,
    });
  }
  return out.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Read `database` through `client` and summarise it (the same code on source and destination). */
export async function describePostgresSchema(
  client: pg.ClientBase,
  database: string,
  selection: TableSelection,
  /** More connections for parallel reads (see introspectPostgres). */
  helpers: readonly pg.ClientBase[] = [],
): Promise<SchemaObjectSummary[]> {
  return describeCatalog(await introspectPostgres(client, database, selection, helpers));
}
