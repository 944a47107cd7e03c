/**
 * The user schemas of a database (owner, privileges, comment) and the
 * default privileges (`ALTER DEFAULT PRIVILEGES … IN SCHEMA`) of the
 * selected ones.
 */
import type { NotMigratedObject } from '../catalog.js';
import type { PgDefaultPrivilegeDef, PgSchemaDef } from './pg-native-catalog.js';
import { USER_SCHEMA, jsonOf, notExtensionMember, req, rows, type Queryable } from './pg-rows.js';

const Q_SCHEMAS = `
select n.nspname as name, pg_get_userbyid(n.nspowner) as owner, array_to_json(n.nspacl::text[])::text as acl,
  obj_description(n.oid, 'pg_namespace') as comment
from pg_namespace n where ${USER_SCHEMA} and ${notExtensionMember('pg_namespace', 'n.oid')}
order by n.nspname`;

const Q_DEFAULT_ACLS = `
select pg_get_userbyid(d.defaclrole) as role, n.nspname as schema, d.defaclobjtype::text as objtype,
  array_to_json(d.defaclacl::text[])::text as acl
from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace
order by 1, 2, 3`;

const OBJECT_TYPES: Record<string, PgDefaultPrivilegeDef['objectType']> = {
  r: 'tables',
  S: 'sequences',
  f: 'functions',
  T: 'types',
  n: 'schemas',
};

/** Every user schema of the database. */
export async function readSchemas(client: Queryable): Promise<PgSchemaDef[]> {
  return (await rows(client, Q_SCHEMAS)).map((r) => ({
    name: req(r, 'name'),
    owner: r.owner ?? null,
    acl: jsonOf<string[] | null>(r.acl, null),
    comment: r.comment ?? null,
  }));
}

/**
 * Default privileges of the selected schemas. Database-wide ones (no
 * schema) replace the built-in defaults rather than add to them; they are
 * reported, not recreated.
 */
export async function readDefaultPrivileges(
  client: Queryable,
  schemaSelected: (schema: string) => boolean,
): Promise<{ defaults: PgDefaultPrivilegeDef[]; notMigrated: NotMigratedObject[] }> {
  const defaults: PgDefaultPrivilegeDef[] = [];
  const notMigrated: NotMigratedObject[] = [];
  for (const r of await rows(client, Q_DEFAULT_ACLS)) {
    const objectType = OBJECT_TYPES[req(r, 'objtype')];
    if (!objectType) continue;
    const role = req(r, 'role');
    if (r.schema == null) {
      notMigrated.push({
        kind: 'default privileges',
        name: `for role ${role} on ${objectType}`,
        reason:
          'database-wide default privileges are not recreated; run ALTER DEFAULT PRIVILEGES on the destination if new objects need them',
      });
    } else if (schemaSelected(r.schema)) {
      defaults.push({ role, schema: r.schema, objectType, acl: jsonOf<string[]>(r.acl, []) });
    }
  }
  return { defaults, notMigrated };
}
