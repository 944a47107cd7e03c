/**
 * A MySQL catalog's schema objects as `verify` compares them between two
 * MySQL servers: each table's `SHOW CREATE TABLE`, each view, routine,
 * trigger and event's `SHOW CREATE …` — without DEFINER, AUTO_INCREMENT
 * counter or the database's own name as a qualifier, which legitimately
 * differ. Triggers and events are created at finalize: before it, their
 * absence on the destination is expected (`atFinalize`).
 */
import type { Catalog, SchemaObjectSummary } from '../catalog.js';
import { normalizeCreate } from './mysql-ddl.js';
import { isMySqlNativeCatalog } from './mysql-native-catalog.js';
import { quoteMySqlIdent } from './mysql-quote.js';

export function mysqlSchemaSummaries(catalog: Catalog): SchemaObjectSummary[] {
  const native = catalog.native;
  if (!isMySqlNativeCatalog(native)) return [];
  const unqualified = (sql: string) =>
    normalizeCreate(sql)
      .split(`${quoteMySqlIdent(catalog.database)}.`)
      .join('');
  const out: SchemaObjectSummary[] = [];
  for (const t of catalog.tables) {
    out.push({ kind: 'table', name: t.name, definition: unqualified(native.createTable[t.name] ?? '') });
  }
  for (const o of native.objects) {
    out.push({
      kind: o.kind,
      name: o.kind === 'trigger' ? `${o.table}.${o.name}` : o.name,
      definition: unqualified(o.create),
      ...(o.kind === 'trigger' || o.kind === 'event' ? { atFinalize: true } : {}),
    });
  }
  return out;
}
