/**
 * Owners and privileges, per the job's SchemaSettings. They run last in
 * post-data, after the rows are loaded: owners first (`ALTER … OWNER TO`
 * rewrites an ACL's old owner to the new one), then each object's ACL
 * exactly as on the source, then default privileges (last, so they never
 * apply to objects the migration itself creates). The source connection
 * user maps to the destination connection user (`CURRENT_USER`).
 */
import type { SchemaSettings } from '../../contract/declaration.js';
import type { Catalog, Ownership } from '../catalog.js';
import { aclStatements, columnAclStatements, defaultAclStatements, type RoleSpec } from './pg-acl.js';
import { routineSignature } from './pg-ddl-routines.js';
import { operatorSignature } from './pg-ddl-operators.js';
import { pgNative } from './pg-native-catalog.js';
import { quoteIdent, quoteQualified } from './pg-quote.js';

/** Source role → destination role specification. */
export function roleSpec(catalog: Catalog): RoleSpec {
  return (role) => (catalog.sourceUser !== undefined && role === catalog.sourceUser ? 'CURRENT_USER' : quoteIdent(role));
}

interface Owned {
  /** The object as ALTER … OWNER TO names it, e.g. `TABLE "s"."t"`. */
  alter: string;
  /** The object as GRANT names it, or null when it has no privileges. */
  grant: string | null;
  ownership: Ownership;
  columns?: { name: string; acl?: string[] | null }[];
  /** Its owner follows another object (a sequence owned by a column follows the table). */
  ownerFollows?: boolean;
}

function ownedObjects(catalog: Catalog): Owned[] {
  const n = pgNative(catalog);
  const out: Owned[] = [];
  for (const s of n.schemas)
    out.push({ alter: `SCHEMA ${quoteIdent(s.name)}`, grant: `SCHEMA ${quoteIdent(s.name)}`, ownership: s });
  for (const c of n.collations) out.push({ alter: `COLLATION ${quoteQualified(c)}`, grant: null, ownership: c });
  for (const t of [...catalog.enums, ...n.composites, ...n.ranges]) {
    out.push({ alter: `TYPE ${quoteQualified(t)}`, grant: `TYPE ${quoteQualified(t)}`, ownership: t });
  }
  for (const d of catalog.domains ?? []) {
    out.push({ alter: `DOMAIN ${quoteQualified(d)}`, grant: `DOMAIN ${quoteQualified(d)}`, ownership: d });
  }
  for (const r of [...n.routines, ...n.aggregates]) {
    out.push({ alter: `ROUTINE ${routineSignature(r)}`, grant: `ROUTINE ${routineSignature(r)}`, ownership: r });
  }
  for (const o of n.operators) out.push({ alter: `OPERATOR ${operatorSignature(o)}`, grant: null, ownership: o });
  for (const s of catalog.sequences) {
    const q = quoteQualified(s);
    out.push({ alter: `SEQUENCE ${q}`, grant: `SEQUENCE ${q}`, ownership: s, ownerFollows: !!s.ownedBy || s.identity });
  }
  for (const t of catalog.tables) {
    const q = quoteQualified(t);
    out.push({ alter: `TABLE ${q}`, grant: `TABLE ${q}`, ownership: t, columns: t.columns });
  }
  for (const v of catalog.views) {
    const q = quoteQualified(v);
    const alter = `${v.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${q}`;
    out.push({ alter, grant: `TABLE ${q}`, ownership: v, columns: v.columns ?? [] });
  }
  for (const s of n.statistics) out.push({ alter: `STATISTICS ${quoteQualified(s)}`, grant: null, ownership: s });
  for (const e of n.eventTriggers) out.push({ alter: `EVENT TRIGGER ${quoteIdent(e.name)}`, grant: null, ownership: e });
  return out;
}

/** `ALTER … OWNER TO` every object whose owner is not simply the migration user. */
export function ownerStatements(catalog: Catalog, settings: SchemaSettings): string[] {
  if (settings.owners !== 'keep') return [];
  const role = roleSpec(catalog);
  // what the migration user creates is its own already; a schema may predate it (public)
  return ownedObjects(catalog)
    .filter(
      (o) => !o.ownerFollows && o.ownership.owner && (o.ownership.owner !== catalog.sourceUser || o.alter.startsWith('SCHEMA ')),
    )
    .map((o) => `ALTER ${o.alter} OWNER TO ${role(o.ownership.owner as string)}`);
}

/**
 * GRANTs recreating every ACL, and the selected schemas' default
 * privileges. With owners skipped, the source owner's entries become the
 * migration user's, who owns the objects then.
 */
export function grantStatements(catalog: Catalog, settings: SchemaSettings): string[] {
  if (settings.grants !== 'keep') return [];
  const base = roleSpec(catalog);
  const out: string[] = [];
  for (const o of ownedObjects(catalog)) {
    const owner = o.ownership.owner;
    if (!o.grant || !owner) continue;
    const role: RoleSpec = (r) => (settings.owners !== 'keep' && r === owner ? 'CURRENT_USER' : base(r));
    if (o.ownership.acl) out.push(...aclStatements(o.grant, owner, o.ownership.acl, role));
    for (const c of o.columns ?? []) {
      if (c.acl?.length) out.push(...columnAclStatements(o.grant.slice('TABLE '.length), c.name, owner, c.acl, role));
    }
  }
  // default privileges belong to the role whose future objects get them, whoever owns today's objects
  for (const d of pgNative(catalog).defaultPrivileges)
    out.push(...defaultAclStatements(d.role, d.schema, d.objectType, d.acl, base));
  return out;
}
