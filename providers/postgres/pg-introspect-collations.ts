/**
 * User-defined collations. Where PostgreSQL keeps the locale moved between
 * versions (ICU: `collcollate` in 14, `colliculocale` in 15–16, `colllocale`
 * from 17), so it is read into one version-independent shape: libc
 * collations carry LC_COLLATE/LC_CTYPE, ICU and builtin ones a locale.
 */
import type { PgCollationDef } from './pg-native-catalog.js';
import { byKey, nameOf, rows, type Queryable } from './pg-rows.js';

const qCollations = (versionNum: number): string => `
select c.oid::text as oid, n.nspname as schema, c.collname as name, c.collprovider::text as provider,
  c.collcollate as collate, c.collctype as ctype,
  ${versionNum >= 170000 ? 'c.colllocale' : versionNum >= 150000 ? 'c.colliculocale' : 'null::text'} as locale,
  ${versionNum >= 160000 ? 'c.collicurules' : 'null::text'} as rules,
  c.collisdeterministic::text as deterministic,
  pg_get_userbyid(c.collowner) as owner, obj_description(c.oid, 'pg_collation') as comment
from pg_collation c join pg_namespace n on n.oid = c.collnamespace
where c.oid = any($1::oid[])`;

const PROVIDER: Record<string, PgCollationDef['provider']> = { c: 'libc', i: 'icu', b: 'builtin' };

/** The collations with these OIDs, sorted by name. */
export async function readCollations(client: Queryable, versionNum: number, oids: string[]): Promise<PgCollationDef[]> {
  return (await rows(client, qCollations(versionNum), [oids]))
    .map((r): PgCollationDef => {
      const provider = PROVIDER[r.provider ?? 'c'] ?? 'libc';
      const libc = provider === 'libc';
      return {
        ...nameOf(r),
        owner: r.owner ?? null,
        provider,
        collate: libc ? (r.collate ?? null) : null,
        ctype: libc ? (r.ctype ?? null) : null,
        // PostgreSQL 14 keeps an ICU locale in collcollate
        locale: libc ? null : (r.locale ?? r.collate ?? null),
        deterministic: r.deterministic !== 'false',
        rules: r.rules ?? null,
        comment: r.comment ?? null,
      };
    })
    .sort(byKey);
}
