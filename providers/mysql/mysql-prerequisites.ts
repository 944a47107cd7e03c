import type { Connection } from 'mysql2/promise';
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { ResolvedProfile } from '../provider.js';
import { mysqlRows, withMySql } from './mysql-connection.js';

/** What a server is, from `@@version` (`10.11.6-MariaDB-0+deb12u1`, `8.0.36`). */
export interface MySqlServerKind {
  mariadb: boolean;
  major: number;
  minor: number;
}

export function serverKind(version: string): MySqlServerKind {
  const [major = 0, minor = 0] = version.split(/[.-]/).map(Number);
  return { mariadb: /mariadb/i.test(version), major, minor };
}

/** Whether the server has `binlog_row_metadata` (MariaDB 10.5+, MySQL 8.0.1+). */
function hasRowMetadata(k: MySqlServerKind): boolean {
  return k.mariadb ? k.major > 10 || (k.major === 10 && k.minor >= 5) : k.major >= 8;
}

/** Privileges the user holds globally, from SHOW GRANTS (`ALL PRIVILEGES` expanded to the ones we need). */
export function globalPrivileges(grants: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const g of grants) {
    const m = /^GRANT (.+?) ON \*\.\* TO /i.exec(g);
    if (!m) continue;
    for (const p of (m[1] as string).split(',').map((x) => x.trim().toUpperCase())) {
      if (p === 'ALL PRIVILEGES' || p === 'ALL') {
        for (const q of [
          'SELECT',
          'RELOAD',
          'REPLICATION SLAVE',
          'REPLICATION CLIENT',
          'BINLOG MONITOR',
          'REPLICATION SLAVE ADMIN',
        ]) {
          out.add(q);
        }
      } else out.add(p);
    }
  }
  return out;
}

/**
 * Source checks, each failure naming the setting or privilege and the fix:
 * reachability, version, databases present; for continuous jobs `log_bin`,
 * `binlog_format=ROW`, `binlog_row_image=FULL`, `binlog_row_metadata=FULL`
 * (where the server has it), `server_id`, the replication privileges, and
 * binary-log retention (a warning with the setting).
 */
export async function checkMySqlSourcePrerequisites(
  profile: ResolvedProfile,
  req: { databases: string[]; continuous: boolean },
): Promise<Diagnostic[]> {
  return withMySql(profile, undefined, async (c) => {
    const out: Diagnostic[] = [];
    const [v] = await mysqlRows(c, 'SELECT @@version AS version');
    const kind = serverKind(v?.version ?? '');
    if (
      kind.mariadb
        ? kind.major < 10 || (kind.major === 10 && kind.minor < 6)
        : kind.major < 5 || (kind.major === 5 && kind.minor < 7)
    ) {
      out.push({
        severity: 'error',
        summary: `source ${v?.version} is too old: MySQL 5.7 or later, or MariaDB 10.6 or later is required`,
        field: 'version',
      });
    }
    const dbs = await mysqlRows<{ name: string }>(c, 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
    const present = new Set(dbs.map((r) => r.name));
    for (const db of req.databases) {
      if (!present.has(db)) {
        out.push({
          severity: 'error',
          summary: `source database "${db}" does not exist on ${profile.host}:${profile.port} (or user "${profile.user}" cannot see it)`,
          field: 'databases',
        });
      }
    }
    if (req.continuous) out.push(...(await binlogChecks(c, profile, kind)));
    return out;
  });
}

async function binlogChecks(c: Connection, profile: ResolvedProfile, kind: MySqlServerKind): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const names = [
    'log_bin',
    'binlog_format',
    'binlog_row_image',
    'server_id',
    'expire_logs_days',
    'binlog_expire_logs_seconds',
    'log_bin_compress',
    'binlog_transaction_compression',
    'binlog_row_value_options',
  ];
  if (hasRowMetadata(kind)) names.push('binlog_row_metadata');
  const rows = await mysqlRows<{ Variable_name: string; Value: string }>(
    c,
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`,
    names,
  );
  const get = (n: string) => rows.find((r) => r.Variable_name === n)?.Value ?? '';
  const setting = (name: string, want: string, fix: string) => {
    if (get(name).toUpperCase() === want) return;
    out.push({
      severity: 'error',
      summary: `source setting ${name} is '${get(name) || 'unset'}': continuous jobs need ${name} = ${want}`,
      detail: fix,
      field: name,
    });
  };
  setting('log_bin', 'ON', 'start the server with log_bin (e.g. log-bin=binlog in my.cnf) and restart it');
  setting('binlog_format', 'ROW', "set binlog_format = ROW (SET GLOBAL binlog_format = 'ROW' and in my.cnf)");
  setting('binlog_row_image', 'FULL', "set binlog_row_image = FULL (SET GLOBAL binlog_row_image = 'FULL' and in my.cnf)");
  if (hasRowMetadata(kind)) {
    setting(
      'binlog_row_metadata',
      'FULL',
      "set binlog_row_metadata = FULL (SET GLOBAL binlog_row_metadata = 'FULL' and in my.cnf)",
    );
  }
  // events the change stream must refuse rather than skip (compressed, partial JSON updates)
  const off = (name: string, fix: string) => {
    const v = get(name);
    if (v === '' || v.toUpperCase() === 'OFF') return;
    out.push({
      severity: 'error',
      summary: `source setting ${name} is '${v}': the change stream cannot read what it writes`,
      detail: fix,
      field: name,
    });
  };
  off('log_bin_compress', 'SET GLOBAL log_bin_compress = OFF (and in my.cnf)');
  off('binlog_transaction_compression', 'SET GLOBAL binlog_transaction_compression = OFF (and in my.cnf)');
  if (get('binlog_row_value_options') !== '') {
    out.push({
      severity: 'error',
      summary: `source setting binlog_row_value_options is '${get('binlog_row_value_options')}': partial JSON updates cannot be replicated`,
      detail: "SET GLOBAL binlog_row_value_options = '' (and in my.cnf)",
      field: 'binlog_row_value_options',
    });
  }
  if (get('server_id') === '0' || get('server_id') === '') {
    out.push({
      severity: 'error',
      summary: 'source setting server_id is 0: a server writing a binary log needs a server_id',
      detail: 'set server_id to a unique non-zero number in my.cnf and restart the server',
      field: 'server_id',
    });
  }
  const seconds = Number(get('binlog_expire_logs_seconds') || 0) || Number(get('expire_logs_days') || 0) * 86_400;
  if (seconds > 0 && seconds < 86_400) {
    out.push({
      severity: 'warning',
      summary: `source keeps binary logs for ${Math.round(seconds / 360) / 10} h (binlog_expire_logs_seconds / expire_logs_days): a dump or a stop longer than that loses the change stream`,
      detail: 'raise binlog_expire_logs_seconds (or expire_logs_days) above the time the full dump and any pause will take',
      field: 'binlog_expire_logs_seconds',
    });
  }
  const privileges = globalPrivileges(await grantsOfCurrentUser(c, kind.mariadb));
  const need = ['REPLICATION SLAVE', kind.mariadb ? 'BINLOG MONITOR' : 'REPLICATION CLIENT'];
  // without Binlog_snapshot_* status (stock MySQL) the snapshot's position needs the brief global read lock
  const snapshotStatus = await mysqlRows(c, "SHOW SESSION STATUS LIKE 'Binlog_snapshot_file'");
  if (!snapshotStatus.length && !privileges.has('RELOAD')) {
    out.push({
      severity: 'error',
      summary: `source user "${profile.user}" lacks the RELOAD privilege: this server has no Binlog_snapshot_file status, so the snapshot's binary-log position is read under a brief FLUSH TABLES WITH READ LOCK`,
      detail: `run: GRANT RELOAD ON *.* TO '${profile.user}'@'%'`,
      field: 'reload',
    });
  } else if (!privileges.has('RELOAD')) {
    // Binlog_snapshot_position alone is not exact under concurrent commits (mysql-snapshot.ts)
    out.push({
      severity: 'warning',
      summary: `source user "${profile.user}" lacks the RELOAD privilege: the snapshot is read by one reader, at a binary-log position the server may report a few transactions off under concurrent writes (changes lost or applied twice at the snapshot's edge)`,
      detail: `run: GRANT RELOAD ON *.* TO '${profile.user}'@'%' (the snapshot's position is then read under a brief FLUSH TABLES WITH READ LOCK)`,
      field: 'reload',
    });
  }
  for (const p of need) {
    // MariaDB 10.5 renamed REPLICATION CLIENT to BINLOG MONITOR (the old name is an alias)
    const held = privileges.has(p) || (p === 'BINLOG MONITOR' && privileges.has('REPLICATION CLIENT'));
    if (!held) {
      out.push({
        severity: 'error',
        summary: `source user "${profile.user}" lacks the ${p} privilege that reading the binary log needs`,
        detail: `run: GRANT ${p} ON *.* TO '${profile.user}'@'%'`,
        field: p.toLowerCase().replace(/ /g, '_'),
      });
    }
  }
  return out;
}

/**
 * The current user's grant statements, with those of its active roles: MySQL
 * 8 lists a role's privileges only under `SHOW GRANTS … USING role` (a user
 * granted REPLICATION SLAVE through a default role has it); MariaDB's SHOW
 * GRANTS already includes the current role's.
 */
async function grantsOfCurrentUser(c: Connection, mariadb: boolean): Promise<string[]> {
  const lines = async (sql: string) => (await mysqlRows<Record<string, string>>(c, sql)).map((g) => Object.values(g)[0] ?? '');
  const own = await lines('SHOW GRANTS');
  if (mariadb) return own;
  const [role] = await mysqlRows<{ r: string | null }>(c, 'SELECT CURRENT_ROLE() AS r').catch(() => []);
  const roles = role?.r && role.r !== 'NONE' ? role.r : null;
  return roles ? [...own, ...(await lines(`SHOW GRANTS FOR CURRENT_USER() USING ${roles}`))] : own;
}
