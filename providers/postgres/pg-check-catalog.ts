/**
 * Can a PostgreSQL destination take a catalog with these SchemaSettings?
 * Read-only checks against the destination server: the roles the schema
 * names (owners and grantees when kept; policy roles always), the
 * extensions (`pg_available_extensions`), and what the destination user
 * must be allowed to do (event triggers need a superuser; row security
 * would filter the changes it applies unless it bypasses it). Warnings name
 * what may go wrong; what is left out is `catalog.notMigrated`, which the
 * engine reports itself.
 */
import type pg from 'pg';
import type { SchemaSettings } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { Catalog, NotMigratedObject, Ownership } from '../catalog.js';
import { parseAclItem } from './pg-acl.js';
import { orderedDdl } from './pg-ddl-ordered.js';
import { pgNative } from './pg-native-catalog.js';
import { rows } from './pg-rows.js';

/** Every role the catalog names, with what needs it. */
function neededRoles(catalog: Catalog, settings: SchemaSettings): Map<string, { uses: string[]; policyOnly: boolean }> {
  const n = pgNative(catalog);
  const out = new Map<string, { uses: string[]; policyOnly: boolean }>();
  const need = (role: string | null | undefined, use: string, policy = false) => {
    if (!role || role === catalog.sourceUser) return;
    const entry = out.get(role) ?? { uses: [], policyOnly: true };
    if (entry.uses.length < 3) entry.uses.push(use);
    entry.policyOnly &&= policy;
    out.set(role, entry);
  };
  const objects: [string, Ownership, { name: string; acl?: string[] | null }[]][] = [
    ...n.schemas.map((s): [string, Ownership, []] => [`schema ${s.name}`, s, []]),
    ...catalog.tables.map((t): [string, Ownership, typeof t.columns] => [`table ${t.schema}.${t.name}`, t, t.columns]),
    ...catalog.views.map((v): [string, Ownership, NonNullable<typeof v.columns>] => [
      `view ${v.schema}.${v.name}`,
      v,
      v.columns ?? [],
    ]),
    ...catalog.sequences.map((s): [string, Ownership, []] => [`sequence ${s.schema}.${s.name}`, s, []]),
    ...[...catalog.enums, ...(catalog.domains ?? []), ...n.composites, ...n.ranges].map((t): [string, Ownership, []] => [
      `type ${t.schema}.${t.name}`,
      t,
      [],
    ]),
    ...[...n.routines, ...n.aggregates].map((r): [string, Ownership, []] => [`function ${r.schema}.${r.name}(${r.args})`, r, []]),
    ...n.operators.map((o): [string, Ownership, []] => [`operator ${o.schema}.${o.name}`, o, []]),
    ...n.collations.map((c): [string, Ownership, []] => [`collation ${c.schema}.${c.name}`, c, []]),
    ...n.statistics.map((s): [string, Ownership, []] => [`statistics ${s.schema}.${s.name}`, s, []]),
    ...n.eventTriggers.map((e): [string, Ownership, []] => [`event trigger ${e.name}`, e, []]),
  ];
  for (const [what, own, columns] of objects) {
    if (settings.owners === 'keep') need(own.owner, `owns ${what}`);
    if (settings.grants !== 'keep') continue;
    for (const acl of [own.acl ?? [], ...columns.map((c) => c.acl ?? [])]) {
      for (const item of acl.map(parseAclItem)) {
        // with owners skipped, the owner's own entries go to the migration user
        const mapped = (r: string) => (settings.owners !== 'keep' && r === own.owner ? null : r);
        need(item.grantee === null ? null : mapped(item.grantee), `has privileges on ${what}`);
        need(mapped(item.grantor), `granted privileges on ${what}`);
      }
    }
  }
  if (settings.grants === 'keep') {
    for (const d of n.defaultPrivileges) {
      need(d.role, `has default privileges in schema ${d.schema}`);
      for (const item of d.acl.map(parseAclItem)) need(item.grantee, `gets default privileges in schema ${d.schema}`);
    }
  }
  for (const p of n.policies)
    for (const r of p.roles) need(r, `is named by policy ${p.name} on ${p.table.schema}.${p.table.name}`, true);
  return out;
}

/**
 * What this destination server keeps differently from the source, each
 * named: an extension version it does not have (the extension is created
 * with its default version), UNLOGGED sequences before PostgreSQL 15 (created
 * logged), and PostgreSQL 18's named / NO INHERIT / NOT VALID NOT NULL
 * constraints before 18 (plain NOT NULL under no name; a NOT VALID one not
 * at all, its column stays nullable).
 */
export async function destinationGaps(client: pg.ClientBase, catalog: Catalog): Promise<NotMigratedObject[]> {
  const n = pgNative(catalog);
  const out: NotMigratedObject[] = [];
  const [server] = await rows(
    client,
    "select current_setting('server_version_num') as num, current_setting('server_version') as v",
  );
  const versionNum = Number(server?.num ?? 0);
  const versions = Object.entries(n.extensionVersions ?? {}).filter(([name]) => catalog.extensions.some((e) => e.name === name));
  if (versions.length) {
    const found = await rows(
      client,
      `select x.name, x.version, (select a.default_version from pg_available_extensions a where a.name = x.name) as default_version,
         exists (select 1 from pg_available_extension_versions v where v.name = x.name and v.version = x.version)::text as present
       from unnest($1::text[], $2::text[]) x(name, version)`,
      [versions.map(([name]) => name), versions.map(([, v]) => v)],
    );
    for (const r of found.filter((x) => x.present !== 'true' && x.default_version != null)) {
      out.push({
        kind: 'extension version',
        name: `${r.name} ${r.version}`,
        reason: `the destination server has no version ${r.version} of extension ${r.name}: it is created with version ${r.default_version}; install that version there to keep the source's`,
      });
    }
  }
  if (versionNum < 150000) {
    for (const s of n.unloggedSequences ?? []) {
      out.push({
        kind: 'unlogged sequence',
        name: `${s.schema}.${s.name}`,
        reason: `PostgreSQL ${server?.v ?? ''} has no unlogged sequences (15+): it is created logged`,
      });
    }
  }
  if (versionNum < 180000) {
    for (const c of n.notNulls ?? []) {
      const what = [c.name !== `${c.table.name}_${c.column}_not_null` ? 'its name' : '', c.noInherit ? 'NO INHERIT' : ''].filter(
        Boolean,
      );
      out.push({
        kind: 'not-null constraint',
        name: `${c.table.schema}.${c.table.name}.${c.name}`,
        reason: c.validated
          ? `PostgreSQL ${server?.v ?? ''} keeps NOT NULL as a column flag (named constraints are 18+): column ${c.column} is NOT NULL without ${what.join(' and ')}`
          : `PostgreSQL ${server?.v ?? ''} has no NOT VALID NOT NULL (18+): column ${c.column} is left nullable`,
      });
    }
  }
  return out;
}

/** Read-only checks of `catalog` against the destination server `client` is connected to (any database). */
export async function checkPostgresCatalog(
  client: pg.ClientBase,
  catalog: Catalog,
  settings: SchemaSettings,
  /** What the destination keeps differently (destinationGaps): one warning naming them all. */
  gaps: readonly NotMigratedObject[] = [],
): Promise<Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  if (gaps.length) {
    diagnostics.push({
      severity: 'warning',
      summary: `the destination server keeps ${gaps.length} object${gaps.length > 1 ? 's' : ''} differently from the source: ${gaps.map((g) => `${g.kind} ${g.name}`).join(', ')}`,
      detail: gaps.map((g) => `${g.kind} ${g.name}: ${g.reason}`).join('\n'),
      field: 'schema',
    });
  }
  const roles = neededRoles(catalog, settings);
  const present = new Set(
    (await rows(client, 'select rolname from pg_roles where rolname = any($1::text[])', [[...roles.keys()]])).map(
      (r) => r.rolname,
    ),
  );
  const missing = [...roles].filter(([r]) => !present.has(r)).sort(([a], [b]) => (a < b ? -1 : 1));
  if (missing.length) {
    const onlyPolicies = missing.every(([, m]) => m.policyOnly);
    diagnostics.push({
      severity: 'error',
      summary: `roles missing on the destination: ${missing.map(([r]) => r).join(', ')}`,
      detail: [
        ...missing.map(([r, m]) => `${r} ${m.uses.join(', ')}${m.uses.length === 3 ? ', …' : ''}`),
        onlyPolicies
          ? 'create these roles on the destination (CREATE ROLE …): row-level security policies name them'
          : 'create these roles on the destination (CREATE ROLE …), or set schema.owners: skip and/or schema.grants: skip on the job to leave owners and grants out',
      ].join('\n'),
      field: 'schema',
    });
  }
  const wanted = catalog.extensions.map((e) => e.name);
  const available = new Set(
    (await rows(client, 'select name from pg_available_extensions where name = any($1::text[])', [wanted])).map((r) => r.name),
  );
  const absent = wanted.filter((e) => !available.has(e));
  if (absent.length) {
    diagnostics.push({
      severity: 'error',
      summary: `extensions not available on the destination server: ${absent.join(', ')}`,
      detail:
        'install their packages on the destination server (pg_available_extensions must list them), or drop them from the source',
    });
  }
  const [me] = await rows(
    client,
    `select current_user as name, rolsuper::text as super, rolbypassrls::text as bypass,
       (select 'lz4' = any(enumvals) from pg_settings where name = 'default_toast_compression')::text as lz4
     from pg_roles where rolname = current_user`,
  );
  const n = pgNative(catalog);
  if (n.eventTriggers.length && me?.super !== 'true') {
    diagnostics.push({
      severity: 'error',
      summary: `event triggers need a superuser: destination user ${me?.name ?? ''} is not one`,
      detail: `event triggers to create: ${n.eventTriggers.map((e) => e.name).join(', ')}; connect as a superuser`,
    });
  }
  const rls = catalog.tables.filter((t) => t.rowSecurity && t.rowSecurity !== 'off');
  if (rls.length && me?.super !== 'true' && me?.bypass !== 'true' && settings.owners === 'keep') {
    diagnostics.push({
      severity: 'warning',
      summary: `row-level security would filter the changes destination user ${me?.name ?? ''} applies to tables it does not own`,
      detail: `tables: ${rls.map((t) => `${t.schema}.${t.name}`).join(', ')}; give the user BYPASSRLS (ALTER ROLE … BYPASSRLS)`,
    });
  }
  const lz4 = catalog.tables.flatMap((t) =>
    t.columns.filter((c) => c.compression === 'lz4').map((c) => `${t.schema}.${t.name}.${c.name}`),
  );
  if (lz4.length && me?.lz4 !== 'true') {
    diagnostics.push({
      severity: 'error',
      summary: 'the destination server was built without lz4: columns compressed with lz4 cannot be created',
      detail: `columns: ${lz4.join(', ')}`,
    });
  }
  for (const cycle of orderedDdl(catalog).unresolved) {
    diagnostics.push({
      severity: 'warning',
      summary: 'objects depend on each other in a cycle the migration cannot break; creating them may fail',
      detail: cycle.join(' → '),
    });
  }
  // catalog.notMigrated is reported by the engine itself, one warning each
  return diagnostics;
}
