import type { Diagnostic } from '../../contract/diagnostic.js';
import type { ResolvedProfile } from '../provider.js';
import { withPg } from './pg-connection.js';

const MIN_VERSION = 100000;

/**
 * Source checks, each failure naming the setting or privilege to change:
 * reachability, server version, databases present, and for continuous jobs
 * wal_level / replication slots / wal senders / REPLICATION privilege.
 */
export async function checkSourcePrerequisites(
  profile: ResolvedProfile,
  req: { databases: string[]; continuous: boolean },
): Promise<Diagnostic[]> {
  return withPg(profile, profile.database, async (c) => {
    const out: Diagnostic[] = [];
    const settings = await c.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version_num','wal_level','max_replication_slots','max_wal_senders')`,
    );
    const get = (n: string) => settings.rows.find((r) => r.name === n)?.setting ?? '';
    if (Number(get('server_version_num')) < MIN_VERSION) {
      out.push({
        severity: 'error',
        summary: `source PostgreSQL ${get('server_version_num')} is too old: 10 or later is required`,
        field: 'server_version_num',
      });
    }
    const dbs = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datallowconn');
    const present = new Set(dbs.rows.map((r) => r.datname));
    for (const db of req.databases) {
      if (!present.has(db)) {
        out.push({
          severity: 'error',
          summary: `source database "${db}" does not exist on ${profile.host}:${profile.port}`,
          field: 'databases',
        });
      }
    }
    if (req.continuous) {
      if (get('wal_level') !== 'logical') {
        out.push({
          severity: 'error',
          summary: `source setting wal_level is '${get('wal_level')}': continuous jobs need wal_level = logical`,
          detail: 'set wal_level = logical in postgresql.conf (or ALTER SYSTEM SET wal_level = logical) and restart the server',
          field: 'wal_level',
        });
      }
      const role = await c.query<{ ok: string }>(
        'SELECT (rolreplication OR rolsuper)::text AS ok FROM pg_roles WHERE rolname = current_user',
      );
      if (role.rows[0]?.ok !== 'true') {
        out.push({
          severity: 'error',
          summary: `source user "${profile.user}" lacks the REPLICATION privilege`,
          detail: `run: ALTER ROLE "${profile.user}" REPLICATION`,
          field: 'rolreplication',
        });
      }
      const slots = await c.query<{ n: string }>('SELECT count(*) AS n FROM pg_replication_slots');
      const free = Number(get('max_replication_slots')) - Number(slots.rows[0]?.n ?? '0');
      if (free < req.databases.length) {
        out.push({
          severity: 'error',
          summary: `source setting max_replication_slots (${get('max_replication_slots')}) leaves ${free} free slots; this job needs ${req.databases.length}`,
          detail: 'raise max_replication_slots in postgresql.conf and restart the server',
          field: 'max_replication_slots',
        });
      }
      if (Number(get('max_wal_senders')) < req.databases.length) {
        out.push({
          severity: 'error',
          summary: `source setting max_wal_senders (${get('max_wal_senders')}) is lower than the ${req.databases.length} streams this job needs`,
          field: 'max_wal_senders',
        });
      }
    }
    return out;
  });
}
