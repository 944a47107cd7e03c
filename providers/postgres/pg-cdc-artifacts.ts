import type pg from 'pg';
import type { QualifiedName } from '../catalog.js';
import { quoteIdent, quoteQualified } from './pg-quote.js';

/**
 * Publication + logical slot of one job's database on the source. Slot names
 * are cluster-wide, so the artifact name carries the job, the database and a
 * piece of the state lineage.
 */
export async function publicationExists(c: pg.ClientBase, name: string): Promise<boolean> {
  const res = await c.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name]);
  return (res.rowCount ?? 0) > 0;
}

export async function slotExists(c: pg.ClientBase, name: string): Promise<boolean> {
  const res = await c.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [name]);
  return (res.rowCount ?? 0) > 0;
}

/** Make the publication publish exactly `tables` (root tables; partitions follow their root). */
export async function setPublicationTables(c: pg.ClientBase, name: string, tables: readonly QualifiedName[]): Promise<void> {
  const list = tables.map(quoteQualified).join(', ');
  if (!(await publicationExists(c, name))) {
    await c.query(`CREATE PUBLICATION ${quoteIdent(name)}${tables.length ? ` FOR TABLE ${list}` : ''}`);
    return;
  }
  if (tables.length) {
    await c.query(`ALTER PUBLICATION ${quoteIdent(name)} SET TABLE ${list}`);
    return;
  }
  const current = await c.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_publication_rel pr
       JOIN pg_publication p ON p.oid = pr.prpubid JOIN pg_class c ON c.oid = pr.prrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.pubname = $1`,
    [name],
  );
  for (const t of current.rows) await c.query(`ALTER PUBLICATION ${quoteIdent(name)} DROP TABLE ${quoteQualified(t)}`);
}

/** Drop slot (ending any stream still using it) and publication; idempotent. */
export async function dropCdcArtifacts(c: pg.ClientBase, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await c.query<{ active_pid: string | null }>('SELECT active_pid FROM pg_replication_slots WHERE slot_name = $1', [
      name,
    ]);
    const row = res.rows[0];
    if (!row) break;
    if (row.active_pid) {
      await c.query('SELECT pg_terminate_backend($1)', [row.active_pid]);
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    try {
      await c.query('SELECT pg_drop_replication_slot($1)', [name]);
      break;
    } catch (err) {
      // 55006: the slot became active again between the check and the drop
      if ((err as { code?: string }).code !== '55006') throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await c.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
}
