/**
 * What of a database gets migrated, from the object index: the selected
 * tables (always), every object of the selected schemas, the objects of
 * other schemas they need (types, routines, collations, operators and
 * sequences are brought along), minus whatever needs something that cannot
 * be created (a table that is not selected, a foreign table, a user base
 * type, an operator class…) — those are reported with the reason. Also the
 * creation-order edges among what is migrated, keyed as in pg-object-key.ts.
 * Pure: reads only the index.
 */
import type { PgDependency } from './pg-native-catalog.js';
import { entityId, type EntityId, type PgEntity, type PgObjectIndex } from './pg-object-index.js';
import { castKey, collationKey, operatorKey, relationKey, routineKey, typeKey } from './pg-object-key.js';
import { quoteIdent, quoteQualified } from './pg-quote.js';

/** What the job selects: the tables (by OID) and the schemas (by name). */
export interface GraphSelection {
  schemaSelected: (schema: string) => boolean;
  /** OIDs of the selected tables (they are migrated whatever they need). */
  tables: ReadonlySet<string>;
}

/** An object left out, and the object it needed (an index entity, or `${catalog}:${oid}` of another kind). */
export interface Exclusion {
  entity: PgEntity;
  /** Null when the object itself cannot be migrated (e.g. a user base type). */
  needs: EntityId | null;
}

/** The outcome: what is created, what is left out and why, and the creation-order edges. */
export interface PgObjectGraph {
  index: PgObjectIndex;
  /** Entities that will be created. */
  migrated: ReadonlySet<EntityId>;
  excluded: Exclusion[];
  dependencies: PgDependency[];
}

/** Catalogs whose objects the migration never creates: depending on a user one of them excludes the dependent. */
const KNOWN = new Set([
  'pg_class',
  'pg_type',
  'pg_proc',
  'pg_operator',
  'pg_cast',
  'pg_collation',
  'pg_constraint',
  'pg_attrdef',
  'pg_rewrite',
  'pg_trigger',
  'pg_policy',
  'pg_statistic_ext',
  'pg_event_trigger',
]);
const IGNORED = new Set(['pg_namespace', 'pg_extension', 'pg_authid', 'pg_database', 'pg_tablespace', '-']);

interface Edge {
  to: EntityId;
  part?: string;
}

/** Key in creation order, for objects created as a whole (not sub-objects). */
export function entityKey(e: PgEntity, index: PgObjectIndex): string | null {
  const f = e.facts;
  const q = { schema: e.schema ?? '', name: f.name ?? e.name };
  switch (e.cls) {
    case 'pg_class':
      return ['r', 'p', 'v', 'm', 'S', 'f'].includes(e.kind) ? relationKey(q) : null;
    case 'pg_type':
      return typeKey(q);
    case 'pg_proc':
      return routineKey(q, f.args ?? '');
    case 'pg_operator':
      return operatorKey(q, f.left_type ?? null, f.right_type ?? null);
    case 'pg_cast':
      return castKey(f.source ?? '', f.target ?? '');
    case 'pg_collation':
      return collationKey(q);
    case 'pg_constraint': {
      const rel = e.parent ? index.entities.get(e.parent) : undefined;
      return rel ? constraintKey({ schema: rel.schema ?? '', name: rel.name }, e.name) : null;
    }
    default:
      return null;
  }
}

/** A table constraint as a dependency target (views that rely on a primary key's functional dependency). */
export const constraintKey = (table: { schema: string; name: string }, name: string): string =>
  `constraint:${quoteQualified(table)}.${quoteIdent(name)}`;

/** A table's (or view's) own row type: it stands for the relation. */
const isRowType = (e: PgEntity): boolean => !!e.facts.relid && e.facts.relid !== '0' && e.facts.rel_kind !== 'c';

/** What a pg_depend reference points at, as the object that is created (row types → tables, arrays → elements…). */
function resolveTarget(index: PgObjectIndex, cls: string, oid: string): { id: EntityId; blocking: boolean } | null {
  if (IGNORED.has(cls)) return null;
  if (!KNOWN.has(cls)) return { id: entityId(cls, oid), blocking: true };
  const e = index.entities.get(entityId(cls, oid));
  if (!e) return null; // initdb, system-schema or extension object: available
  if (e.cls === 'pg_class' && e.kind === 'c') return resolveTarget(index, 'pg_type', e.facts.reltype ?? '0');
  // the index of a key or unique constraint is created with it (a foreign key depends on it)
  if (e.cls === 'pg_class' && e.facts.backs_constraint === 'true') return null;
  if (e.cls === 'pg_type') {
    if (e.facts.elem) return resolveTarget(index, 'pg_type', e.facts.elem);
    if (e.kind === 'm' && e.facts.range_of) return resolveTarget(index, 'pg_type', e.facts.range_of);
    if (isRowType(e)) {
      const rel = index.entities.get(entityId('pg_class', e.facts.relid ?? '0'));
      return rel ? { id: rel.id, blocking: false } : null;
    }
  }
  if (e.cls === 'pg_attrdef' || e.cls === 'pg_rewrite' || e.cls === 'pg_trigger' || e.cls === 'pg_policy') return null;
  return { id: e.id, blocking: false };
}

/** The object a pg_depend row belongs to, and the separable part of it that has the dependency. */
function resolveDependent(index: PgObjectIndex, cls: string, oid: string): { id: EntityId; part?: string } | null {
  const e = index.entities.get(entityId(cls, oid));
  if (!e) return null;
  switch (e.cls) {
    case 'pg_class':
      return e.kind === 'c' ? resolveDependent(index, 'pg_type', e.facts.reltype ?? '0') : { id: e.id };
    case 'pg_type':
      // array and row types only have internal dependencies on what owns them
      return e.facts.elem || isRowType(e) ? null : { id: e.id };
    case 'pg_attrdef':
      if (!e.parent) return null;
      return e.facts.generated === 'true' ? { id: e.parent } : { id: e.parent, part: `default:${e.name}` };
    case 'pg_constraint':
      if (e.facts.domain && e.facts.domain !== '0') return { id: entityId('pg_type', e.facts.domain), part: `check:${e.name}` };
      return { id: e.id };
    case 'pg_rewrite':
      return e.name === '_RETURN' && e.parent ? { id: e.parent } : { id: e.id };
    default:
      return { id: e.id };
  }
}

/** Objects that are brought along from a schema that is not selected when something migrated needs them. */
function pullable(e: PgEntity): boolean {
  if (e.cls === 'pg_type') return ['e', 'd', 'c', 'r'].includes(e.kind);
  if (e.cls === 'pg_class') return e.kind === 'S' && !e.facts.identity_of;
  return e.cls === 'pg_proc' || e.cls === 'pg_collation' || e.cls === 'pg_operator';
}

/** Initial candidates: the selected tables and their pieces, and every object of the selected schemas. */
function candidates(index: PgObjectIndex, sel: GraphSelection): { start: PgEntity[]; direct: Exclusion[] } {
  const start: PgEntity[] = [];
  const direct: Exclusion[] = [];
  const inSchema = (e: PgEntity) => e.schema !== null && sel.schemaSelected(e.schema);
  const table = (id: EntityId | undefined) => {
    const t = id ? index.entities.get(id) : undefined;
    return !!t && t.cls === 'pg_class' && sel.tables.has(t.oid);
  };
  const typeSchema = (oid: string | null | undefined) => index.entities.get(entityId('pg_type', oid ?? '0'))?.schema ?? null;
  const procSchema = (oid: string | null | undefined) => index.entities.get(entityId('pg_proc', oid ?? '0'))?.schema ?? null;
  const selectedName = (s: string | null) => s !== null && sel.schemaSelected(s);
  for (const e of index.entities.values()) {
    const f = e.facts;
    switch (e.cls) {
      case 'pg_class':
        if (e.kind === 'r' || e.kind === 'p') {
          if (sel.tables.has(e.oid)) start.push(e);
        } else if (e.kind === 'v' || e.kind === 'm') {
          if (inSchema(e)) start.push(e);
        } else if (e.kind === 'S') {
          // an identity sequence is part of its table
          if (inSchema(e) && (!f.identity_of || sel.tables.has(f.identity_of))) start.push(e);
        } else if (e.kind === 'f') {
          if (inSchema(e)) direct.push({ entity: e, needs: null });
        } else if ((e.kind === 'i' || e.kind === 'I') && f.backs_constraint !== 'true' && e.parent) {
          const owner = index.entities.get(e.parent);
          if (table(e.parent) || (owner?.kind === 'm' && inSchema(owner))) start.push(e);
        }
        break;
      case 'pg_type':
        if (!inSchema(e) || f.elem || isRowType(e)) break;
        if (['e', 'd', 'c', 'r'].includes(e.kind)) start.push(e);
        else if (e.kind === 'b' || (e.kind === 'p' && f.defined === 'false')) direct.push({ entity: e, needs: null });
        break;
      case 'pg_proc':
      case 'pg_operator':
      case 'pg_collation':
        if (inSchema(e)) start.push(e);
        break;
      case 'pg_cast':
        if ([procSchema(f.func), typeSchema(f.source_oid), typeSchema(f.target_oid)].some(selectedName)) start.push(e);
        break;
      case 'pg_constraint':
        if (table(e.parent) && ['p', 'u', 'c', 'f', 'x'].includes(f.type ?? '')) start.push(e);
        break;
      case 'pg_rewrite': {
        const owner = e.parent ? index.entities.get(e.parent) : undefined;
        if (e.name !== '_RETURN' && (table(e.parent) || (owner?.kind === 'v' && inSchema(owner)))) start.push(e);
        break;
      }
      case 'pg_trigger': {
        // INSTEAD OF triggers of views go with their view
        const owner = e.parent ? index.entities.get(e.parent) : undefined;
        if (owner?.kind === 'v' && inSchema(owner)) {
          start.push(e);
          break;
        }
        if (!table(e.parent)) break;
        const parentTrigger =
          f.parent_trigger && f.parent_trigger !== '0' ? index.entities.get(`pg_trigger:${f.parent_trigger}`) : undefined;
        // a partitioned table's trigger clones itself onto the partitions; a partition migrated alone keeps its copy
        if (f.internal === 'true' || parentTrigger) {
          if (parentTrigger && !table(parentTrigger.parent)) start.push(e);
        } else start.push(e);
        break;
      }
      case 'pg_policy':
      case 'pg_statistic_ext':
        if (table(e.parent)) start.push(e);
        break;
      case 'pg_event_trigger':
        start.push(e);
        break;
    }
  }
  return { start, direct };
}

/** Decide what is migrated (see the file comment). Pure and deterministic. */
export function buildObjectGraph(index: PgObjectIndex, sel: GraphSelection): PgObjectGraph {
  const edges = new Map<EntityId, Edge[]>();
  const addEdge = (from: EntityId, edge: Edge) => {
    const list = edges.get(from);
    if (list) list.push(edge);
    else edges.set(from, [edge]);
  };
  const blocking = new Set<EntityId>();
  for (const d of index.dependencies) {
    const target = resolveTarget(index, d.refcls, d.refobjid);
    const dependent = resolveDependent(index, d.cls, d.objid);
    if (!target || !dependent || target.id === dependent.id) continue;
    const owner = index.entities.get(dependent.id);
    // a sequence's OWNED BY is not a creation dependency: it is copied (unattached) without its table
    if (owner?.cls === 'pg_class' && owner.kind === 'S' && target.id.startsWith('pg_class:')) continue;
    if (target.blocking) blocking.add(target.id);
    let part = dependent.part;
    if (part === undefined && owner?.cls === 'pg_type' && owner.kind === 'd') {
      // a domain's own dependencies are its base type and collation; the rest come from its DEFAULT expression
      const base = resolveTarget(index, 'pg_type', owner.facts.base ?? '0');
      if (target.id !== base?.id && !target.id.startsWith('pg_collation:')) part = 'default';
    }
    addEdge(dependent.id, part === undefined ? { to: target.id } : { to: target.id, part });
  }
  // a piece of a relation goes with it (rules and indexes of a view that is left out)
  for (const e of index.entities.values()) if (e.parent && e.cls !== 'pg_attrdef') addEdge(e.id, { to: e.parent });

  const { start, direct } = candidates(index, sel);
  const pinned = new Set(start.filter((e) => e.cls === 'pg_class' && sel.tables.has(e.oid)).map((e) => e.id));
  const migrated = new Set(start.map((e) => e.id));
  const blockedBy = new Map<EntityId, EntityId>();
  const queue = [...migrated];
  while (queue.length) {
    const id = queue.pop() as EntityId;
    for (const edge of edges.get(id) ?? []) {
      if (migrated.has(edge.to)) continue;
      const target = index.entities.get(edge.to);
      if (!blocking.has(edge.to) && target && pullable(target)) {
        migrated.add(edge.to);
        queue.push(edge.to);
      } else if (!blockedBy.has(id)) blockedBy.set(id, edge.to);
    }
  }
  const excluded = new Map<EntityId, EntityId | null>();
  for (const [id, needs] of blockedBy) if (!pinned.has(id)) excluded.set(id, needs);
  for (let changed = true; changed;) {
    changed = false;
    for (const id of migrated) {
      if (excluded.has(id) || pinned.has(id)) continue;
      const edge = (edges.get(id) ?? []).find((e) => excluded.has(e.to));
      if (edge) {
        excluded.set(id, edge.to);
        changed = true;
      }
    }
  }
  for (const id of excluded.keys()) migrated.delete(id);

  const dependencies: PgDependency[] = [];
  for (const id of migrated) {
    const from = index.entities.get(id);
    const fromKey = from && from.cls !== 'pg_constraint' ? entityKey(from, index) : null;
    if (!fromKey) continue;
    for (const edge of edges.get(id) ?? []) {
      const to = index.entities.get(edge.to);
      if (!to || !migrated.has(edge.to)) continue;
      const toKey = entityKey(to, index);
      if (!toKey || toKey === fromKey) continue;
      dependencies.push(edge.part === undefined ? { from: fromKey, to: toKey } : { from: fromKey, to: toKey, part: edge.part });
    }
  }
  const exclusions: Exclusion[] = [...direct];
  for (const [id, needs] of excluded) {
    const entity = index.entities.get(id);
    if (entity) exclusions.push({ entity, needs });
  }
  return { index, migrated, excluded: exclusions, dependencies: dedupe(dependencies) };
}

function dedupe(list: PgDependency[]): PgDependency[] {
  const seen = new Set<string>();
  return list
    .filter((d) => {
      const k = JSON.stringify([d.from, d.to, d.part ?? null]);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .sort((a, b) => cmp(a.from, b.from) || cmp(a.to, b.to) || cmp(a.part ?? '', b.part ?? ''));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
