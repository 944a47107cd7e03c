/**
 * The schema objects created before the rows (collations, types, routines,
 * aggregates, operators, casts, sequences, tables, views, materialized views
 * `WITH NO DATA`), in one topological order over their pg_depend
 * dependencies rather than a fixed order by kind: pagila's
 * `rewards_report() RETURNS SETOF customer` needs its table first, while a
 * table's default may call a function. Cycles are broken by splitting off a
 * column default or domain CHECK/DEFAULT (see pg-object-order.ts).
 *
 * Objects that need a table's key (a view grouping by a primary key, which
 * makes other columns functionally dependent) — and whatever needs those —
 * are "late": they are created in post-data, once the keys exist.
 */
import type { Catalog, DomainDef, TableDef, ViewDef } from '../catalog.js';
import { castStatement, operatorSignature, operatorStatement } from './pg-ddl-operators.js';
import { createAggregate, routineSignature } from './pg-ddl-routines.js';
import { createSequence, tableExtras, tablePart, tableStatements, withOptions } from './pg-ddl-tables.js';
import {
  collationStatement,
  createComposite,
  createDomain,
  createEnum,
  createRange,
  domainPart,
  ifNoType,
  notValid,
} from './pg-ddl-types.js';
import { pgNative, type PgDependency } from './pg-native-catalog.js';
import { castKey, collationKey, operatorKey, relationKey, routineKey, typeKey } from './pg-object-key.js';
import { orderObjects, type OrderEdge } from './pg-object-order.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

interface SchemaNode {
  key: string;
  create(detached: ReadonlySet<string>): string[];
  part?(part: string): string[];
  comments: string[];
  /** Never late (rows are loaded into it). */
  table?: boolean;
}

export interface OrderedDdl {
  /** Pre-data statements in creation order, comments last. */
  preData: string[];
  /** Objects that need table keys, for post-data (after every table's own post-data). */
  late: string[];
  /** Dependency cycles that could not be broken (keys); creation may fail there. */
  unresolved: string[][];
}

const comment = (on: string, text: string | null | undefined): string[] =>
  text == null ? [] : [`COMMENT ON ${on} IS ${quoteLiteral(text)}`];

/** `CREATE OR REPLACE VIEW`, or a materialized view `WITH NO DATA` (refreshed in post-data). */
export function createView(v: ViewDef): string {
  const q = quoteQualified(v);
  if (!v.materialized) return `CREATE OR REPLACE VIEW ${q}${withOptions(v.options)} AS\n${v.definition}`;
  // filled by a REFRESH in post-data, once the tables hold their rows
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${q}${withOptions(v.options)} AS\n${v.definition}\nWITH NO DATA`;
}

function viewComments(v: ViewDef): string[] {
  const q = quoteQualified(v);
  return [
    ...comment(`${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${q}`, v.comment),
    ...(v.columns ?? []).flatMap((c) => comment(`COLUMN ${q}.${quoteIdent(c.name)}`, c.comment)),
  ];
}

function tableComments(t: TableDef): string[] {
  const q = quoteQualified(t);
  return [
    ...comment(`TABLE ${q}`, t.comment),
    ...t.columns.flatMap((c) => comment(`COLUMN ${q}.${quoteIdent(c.name)}`, c.comment)),
  ];
}

function domainNodes(d: DomainDef): SchemaNode[] {
  const key = typeKey(d);
  const q = quoteQualified(d);
  const checkComments = d.constraints.flatMap((c) => comment(`CONSTRAINT ${quoteIdent(c.name)} ON DOMAIN ${q}`, c.comment));
  const node: SchemaNode = {
    key,
    create: (detached) => [ifNoType(d, createDomain(d, detached))],
    part: (p) => domainPart(d, p),
    comments: [...comment(`DOMAIN ${q}`, d.comment), ...checkComments],
  };
  // an unvalidated CHECK cannot be part of CREATE DOMAIN: it is always its own step
  const unvalidated = d.constraints.filter(notValid).map((c) => ({
    key: `${key}#check:${c.name}`,
    create: () => domainPart(d, `check:${c.name}`),
    comments: [],
  }));
  return [node, ...unvalidated];
}

function nodes(catalog: Catalog): SchemaNode[] {
  const n = pgNative(catalog);
  const out: SchemaNode[] = [];
  for (const c of n.collations) {
    out.push({
      key: collationKey(c),
      create: () => [collationStatement(c)],
      comments: comment(`COLLATION ${quoteQualified(c)}`, c.comment),
    });
  }
  for (const e of catalog.enums) {
    out.push({
      key: typeKey(e),
      create: () => [ifNoType(e, createEnum(e))],
      comments: comment(`TYPE ${quoteQualified(e)}`, e.comment),
    });
  }
  for (const d of catalog.domains ?? []) out.push(...domainNodes(d));
  for (const t of n.composites) {
    const q = quoteQualified(t);
    out.push({
      key: typeKey(t),
      create: () => [ifNoType(t, createComposite(t))],
      comments: [
        ...comment(`TYPE ${q}`, t.comment),
        ...t.attributes.flatMap((a) => comment(`COLUMN ${q}.${quoteIdent(a.name)}`, a.comment)),
      ],
    });
  }
  for (const r of n.ranges) {
    out.push({
      key: typeKey(r),
      create: () => [ifNoType(r, createRange(r))],
      comments: comment(`TYPE ${quoteQualified(r)}`, r.comment),
    });
  }
  for (const r of n.routines) {
    out.push({
      key: routineKey(r, r.args),
      create: () => [r.definition],
      comments: comment(`ROUTINE ${routineSignature(r)}`, r.comment),
    });
  }
  for (const a of n.aggregates) {
    out.push({
      key: routineKey(a, a.args),
      create: () => [createAggregate(a)],
      comments: comment(`ROUTINE ${routineSignature(a)}`, a.comment),
    });
  }
  for (const o of n.operators) {
    out.push({
      key: operatorKey(o, o.left, o.right),
      create: () => [operatorStatement(o)],
      comments: comment(`OPERATOR ${operatorSignature(o)}`, o.comment),
    });
  }
  for (const c of n.casts) {
    out.push({
      key: castKey(c.source, c.target),
      create: () => [castStatement(c)],
      comments: comment(`CAST (${c.source} AS ${c.target})`, c.comment),
    });
  }
  for (const s of catalog.sequences) {
    if (s.identity) continue;
    out.push({
      key: relationKey(s),
      create: () => [createSequence(s)],
      comments: comment(`SEQUENCE ${quoteQualified(s)}`, s.comment),
      table: true,
    });
  }
  const byName = new Map(catalog.tables.map((t) => [relationKey(t), t]));
  for (const t of catalog.tables) {
    const parents = [t.partitionOf, ...(t.inherits ?? [])]
      .map((p) => (p ? byName.get(relationKey(p)) : undefined))
      .filter((p): p is TableDef => !!p);
    out.push({
      key: relationKey(t),
      create: (detached) => tableStatements(t, parents, catalog.sequences, detached, tableExtras(n, t)),
      part: (p) => tablePart(t, p),
      comments: tableComments(t),
      table: true,
    });
  }
  for (const v of catalog.views) {
    const q = quoteQualified(v);
    const setDefault = (c: { name: string; default?: string | null }) =>
      `ALTER VIEW ${q} ALTER COLUMN ${quoteIdent(c.name)} SET DEFAULT ${c.default}`;
    const defaults = (v.columns ?? []).filter((c) => c.default != null);
    out.push({
      key: relationKey(v),
      // a default is part of the view, but may be split off like a table's (`default:<column>`)
      create: (detached) => [createView(v), ...defaults.filter((c) => !detached.has(`default:${c.name}`)).map(setDefault)],
      part: (p) => defaults.filter((c) => `default:${c.name}` === p).map(setDefault),
      comments: viewComments(v),
    });
  }
  return out;
}

/** Dependencies plus what the structure implies, with unvalidated domain CHECKs moved to their own nodes. */
function edges(catalog: Catalog, keys: ReadonlySet<string>): OrderEdge[] {
  const out: OrderEdge[] = pgNative(catalog).dependencies.map((d: PgDependency) =>
    keys.has(`${d.from}#${d.part ?? ''}`) ? { from: `${d.from}#${d.part ?? ''}`, to: d.to } : d,
  );
  for (const key of keys) {
    const at = key.indexOf('#check:');
    if (at > 0) out.push({ from: key, to: key.slice(0, at) });
  }
  for (const t of catalog.tables) {
    for (const p of [t.partitionOf, ...(t.inherits ?? [])]) if (p) out.push({ from: relationKey(t), to: relationKey(p) });
  }
  return out;
}

/** The schema objects of `catalog` as ordered statements: pre-data and late (post-data) ones. Deterministic. */
export function orderedDdl(catalog: Catalog): OrderedDdl {
  const list = nodes(catalog);
  const byKey = new Map(list.map((n) => [n.key, n]));
  const all = edges(catalog, new Set(byKey.keys()));
  // late: needs a table constraint, or something late
  const late = new Set<string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const e of all) {
      if (late.has(e.from) || byKey.get(e.from)?.table) continue;
      if (e.to.startsWith('constraint:') || late.has(e.to)) {
        late.add(e.from);
        changed = true;
      }
    }
  }
  const order = orderObjects(
    list.map((n) => n.key),
    all,
  );
  const pre: string[] = [];
  const post: string[] = [];
  const preComments: string[] = [];
  const postComments: string[] = [];
  for (const step of order.steps) {
    const node = byKey.get(step.key);
    if (!node) continue;
    const partLate = step.part !== undefined && all.some((e) => e.from === step.key && e.part === step.part && late.has(e.to));
    const target = late.has(step.key) || partLate ? post : pre;
    if (step.part !== undefined) target.push(...(node.part?.(step.part) ?? []));
    else {
      target.push(...node.create(order.detached.get(step.key) ?? new Set()));
      (late.has(step.key) ? postComments : preComments).push(...node.comments);
    }
  }
  return { preData: [...pre, ...preComments], late: [...post, ...postComments], unresolved: order.unresolved };
}
