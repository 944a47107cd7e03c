/**
 * Oracle source prerequisites as pure functions of what the catalog says
 * (oracle-prerequisites.ts runs the queries). Each failure is one
 * diagnostic naming the setting and the statement that fixes it.
 *
 * Every job reads `AS OF SCN` (flashback query: FLASHBACK on the tables, and
 * UNDO kept for the whole dump, else ORA-01555); a continuous job also mines
 * the redo log with LogMiner: ARCHIVELOG mode (online logs are reused within
 * minutes), minimal supplemental logging on the database plus the row's
 * columns logged per table (ALL COLUMNS, or PRIMARY KEY for a table with a
 * primary key: its updates then carry the key and the changed columns only,
 * the rest arrive as unchanged), and the LogMiner privileges.
 */
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { QualifiedName } from '../catalog.js';

export interface OracleDatabaseFacts {
  /** V$INSTANCE.VERSION (`19.0.0.0.0`), or VERSION_FULL. */
  version: string;
  /** V$DATABASE.LOG_MODE: ARCHIVELOG or NOARCHIVELOG. */
  logMode: string;
  /** V$DATABASE.SUPPLEMENTAL_LOG_DATA_MIN: YES, IMPLICIT or NO. */
  supplementalMin: string;
  supplementalPk: string;
  supplementalAll: string;
  /** V$DATABASE.CDB: YES when multitenant. */
  cdb: string;
  /** SYS_CONTEXT('USERENV','CON_NAME'): CDB$ROOT or the PDB. */
  container: string;
}

export interface OraclePrivilegeFacts {
  /** SESSION_PRIVS.PRIVILEGE. */
  privileges: readonly string[];
  /** SESSION_ROLES.ROLE. */
  roles: readonly string[];
  /** Objects the user may EXECUTE (ALL_TAB_PRIVS / role grants), upper case, e.g. DBMS_LOGMNR. */
  executable: readonly string[];
  /** V$ views the user tried to read, and the error when it could not. */
  views: readonly { view: string; error: string | null }[];
}

export interface TableLogging {
  table: QualifiedName;
  hasPrimaryKey: boolean;
  /** ALL_LOG_GROUPS.LOG_GROUP_TYPE values of the table (`ALL COLUMN LOGGING`, `PRIMARY KEY LOGGING`…). */
  logGroups: readonly string[];
}

export interface UndoFacts {
  /** undo_retention (seconds). */
  undoRetention: number;
  /** MAX(V$UNDOSTAT.TUNED_UNDORETENTION) over recent samples, or null. */
  tunedRetention: number | null;
  /** The undo tablespace's RETENTION: GUARANTEE or NOGUARANTEE. */
  retentionGuarantee: string | null;
}

const fix = (summary: string, detail: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
  severity,
  summary,
  detail,
});

/** Major.minor of a VERSION text. */
export function oracleVersion(text: string): { major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(text.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : { major: 0, minor: 0 };
}

export function databaseDiagnostics(db: OracleDatabaseFacts, continuous: boolean): Diagnostic[] {
  const out: Diagnostic[] = [];
  const v = oracleVersion(db.version);
  if (v.major < 12 || (v.major === 12 && v.minor < 1)) {
    out.push(
      fix(
        `Oracle ${db.version} is too old: the Thin driver needs 12.1 or later`,
        'upgrade the source, or migrate from a 12.1+ copy of it',
      ),
    );
  }
  if (!continuous) return out;
  if (db.logMode !== 'ARCHIVELOG') {
    out.push(
      fix(
        `the database is in ${db.logMode} mode: change capture needs ARCHIVELOG (online redo logs are overwritten)`,
        'as SYSDBA: SHUTDOWN IMMEDIATE; STARTUP MOUNT; ALTER DATABASE ARCHIVELOG; ALTER DATABASE OPEN;',
      ),
    );
  }
  if (db.supplementalMin === 'NO') {
    out.push(
      fix(
        'minimal supplemental logging is off on the database (V$DATABASE.SUPPLEMENTAL_LOG_DATA_MIN = NO): LogMiner cannot rebuild row changes',
        'ALTER DATABASE ADD SUPPLEMENTAL LOG DATA;',
      ),
    );
  }
  if (db.cdb === 'YES' && db.container === 'CDB$ROOT') {
    out.push(
      fix(
        'connected to the CDB root: connect to the pluggable database that holds the tables (its service name as the database)',
        'e.g. FREEPDB1',
      ),
    );
  } else if (db.cdb === 'YES' && v.major < 19) {
    out.push(
      fix(
        `LogMiner runs inside a pluggable database from Oracle 19c on; this is ${db.version}`,
        'change capture from an older PDB (mining from CDB$ROOT with a common user) is not supported: use a one-time job, or upgrade',
      ),
    );
  }
  return out;
}

const has = (list: readonly string[], x: string) => list.some((p) => p.toUpperCase() === x);

export function privilegeDiagnostics(p: OraclePrivilegeFacts, continuous: boolean, user: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!has(p.privileges, 'CREATE SESSION'))
    out.push(fix(`the user ${user} lacks CREATE SESSION`, `GRANT CREATE SESSION TO ${user};`));
  if (!has(p.privileges, 'FLASHBACK ANY TABLE')) {
    out.push(
      fix(
        `the user ${user} lacks FLASHBACK ANY TABLE: the full dump reads every table AS OF one SCN`,
        `GRANT FLASHBACK ANY TABLE TO ${user}; (or GRANT FLASHBACK ON each table)`,
        'warning',
      ),
    );
  }
  for (const { view, error } of p.views) {
    if (error)
      out.push(
        fix(
          `the user ${user} cannot read ${view}: ${error}`,
          `GRANT SELECT ON ${view.replace(/^V\$/, 'V_$')} TO ${user}; (or GRANT SELECT_CATALOG_ROLE)`,
        ),
      );
  }
  if (!continuous) return out;
  if (!has(p.privileges, 'LOGMINING'))
    out.push(fix(`the user ${user} lacks LOGMINING (Oracle 12c+)`, `GRANT LOGMINING TO ${user};`));
  if (!has(p.privileges, 'SELECT ANY TRANSACTION')) {
    out.push(
      fix(
        `the user ${user} lacks SELECT ANY TRANSACTION: V$LOGMNR_CONTENTS shows it other users' changes`,
        `GRANT SELECT ANY TRANSACTION TO ${user};`,
      ),
    );
  }
  if (!has(p.executable, 'DBMS_LOGMNR') && !has(p.roles, 'EXECUTE_CATALOG_ROLE')) {
    out.push(
      fix(
        `the user ${user} cannot execute DBMS_LOGMNR`,
        `GRANT EXECUTE ON DBMS_LOGMNR TO ${user}; (or GRANT EXECUTE_CATALOG_ROLE)`,
      ),
    );
  }
  return out;
}

/**
 * Each captured table's row columns must be in the redo: ALL COLUMNS on the
 * database or the table, or PRIMARY KEY logging for a table with a key.
 */
export function tableLoggingDiagnostics(db: OracleDatabaseFacts, tables: readonly TableLogging[]): Diagnostic[] {
  if (db.supplementalAll === 'YES') return [];
  const out: Diagnostic[] = [];
  for (const t of tables) {
    const groups = t.logGroups.map((g) => g.toUpperCase());
    if (groups.includes('ALL COLUMN LOGGING')) continue;
    if (t.hasPrimaryKey && (groups.includes('PRIMARY KEY LOGGING') || db.supplementalPk === 'YES')) continue;
    const name = `${quoteName(t.table.schema)}.${quoteName(t.table.name)}`;
    out.push(
      fix(
        `supplemental logging of ${t.table.schema}.${t.table.name}'s columns is off: its updates and deletes cannot be rebuilt from the redo log`,
        t.hasPrimaryKey
          ? `ALTER TABLE ${name} ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS; (or (PRIMARY KEY) COLUMNS: updates then carry the key and the changed columns only)`
          : `ALTER TABLE ${name} ADD SUPPLEMENTAL LOG DATA (ALL) COLUMNS; (the table has no primary key: every column identifies its rows)`,
      ),
    );
  }
  return out;
}

/** UNDO must outlive the dump: rows read AS OF the snapshot SCN after the undo is gone fail with ORA-01555. */
export function undoDiagnostics(u: UndoFacts, estimatedDumpSeconds: number): Diagnostic[] {
  const effective = Math.max(u.undoRetention, u.tunedRetention ?? 0);
  const need = Math.ceil(estimatedDumpSeconds);
  const minutes = (s: number) => `${Math.round(s / 60)} min`;
  if (effective >= need) {
    if (u.retentionGuarantee !== 'GUARANTEE' && u.undoRetention < need) {
      return [
        fix(
          `undo_retention (${u.undoRetention} s) is below the estimated dump time (${minutes(need)}); the undo tablespace keeps more now (${effective} s) but does not guarantee it`,
          `ALTER SYSTEM SET UNDO_RETENTION = ${need * 2}; (and ALTER TABLESPACE <undo> RETENTION GUARANTEE if the undo tablespace may fill)`,
          'warning',
        ),
      ];
    }
    return [];
  }
  return [
    fix(
      `UNDO is kept ${effective} s (undo_retention ${u.undoRetention} s), less than the estimated dump time of ${minutes(need)}: reads AS OF the snapshot SCN would fail with ORA-01555`,
      `ALTER SYSTEM SET UNDO_RETENTION = ${need * 2}; and make sure the undo tablespace can grow (AUTOEXTEND ON, or RETENTION GUARANTEE)`,
    ),
  ];
}

function quoteName(n: string): string {
  return `"${n.replace(/"/g, '""')}"`;
}
