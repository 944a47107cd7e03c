/**
 * Reads what oracle-prerequisite-rules.ts judges, for each database
 * (service) of a job: connectivity, version, log mode, supplemental logging,
 * the user's privileges and the V$ views it reads, and UNDO retention
 * against the dump time estimated from the tables' statistics. Table-level
 * supplemental logging needs the captured tables: `tableLoggingProblems`
 * runs when a continuous job's snapshot opens.
 */
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { QualifiedName } from '../catalog.js';
import type { ResolvedProfile } from '../provider.js';
import { describeOracleEndpoint, oracleRows, withOracle } from './oracle-connection.js';
import type { OracleConnection } from './oracle-driver.js';
import {
  databaseDiagnostics,
  privilegeDiagnostics,
  tableLoggingDiagnostics,
  undoDiagnostics,
  type OracleDatabaseFacts,
  type TableLogging,
} from './oracle-prerequisite-rules.js';

/** A conservative full-dump rate for the UNDO estimate (bytes per second). */
const DUMP_BYTES_PER_SECOND = 20 * 2 ** 20;

const VIEWS_ONE_TIME = ['V$DATABASE', 'V$INSTANCE'];
/** V$LOGMNR_CONTENTS is readable only inside a LogMiner session: LOGMINING and EXECUTE on DBMS_LOGMNR stand for it. */
const VIEWS_CONTINUOUS = ['V$TRANSACTION', 'V$LOG', 'V$LOGFILE', 'V$ARCHIVED_LOG'];

export async function databaseFacts(c: OracleConnection): Promise<OracleDatabaseFacts> {
  const [db] = await oracleRows(
    c,
    `SELECT d.LOG_MODE, d.SUPPLEMENTAL_LOG_DATA_MIN AS SMIN, d.SUPPLEMENTAL_LOG_DATA_PK AS SPK, d.SUPPLEMENTAL_LOG_DATA_ALL AS SALL,
            d.CDB, SYS_CONTEXT('USERENV', 'CON_NAME') AS CON, (SELECT VERSION FROM V$INSTANCE) AS VERSION FROM V$DATABASE d`,
  );
  return {
    version: db?.VERSION ?? '',
    logMode: db?.LOG_MODE ?? '',
    supplementalMin: db?.SMIN ?? 'NO',
    supplementalPk: db?.SPK ?? 'NO',
    supplementalAll: db?.SALL ?? 'NO',
    cdb: db?.CDB ?? 'NO',
    container: db?.CON ?? '',
  };
}

export async function checkOracleSourcePrerequisites(
  profile: ResolvedProfile,
  req: { databases: string[]; continuous: boolean },
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const service of req.databases.length ? req.databases : [profile.database]) {
    try {
      out.push(...(await withOracle(profile, service, (c) => checkOne(c, profile.user.toUpperCase(), req.continuous))));
    } catch (err) {
      out.push({
        severity: 'error',
        summary: `cannot check ${describeOracleEndpoint(profile, service)}: ${(err as Error).message}`,
        detail: 'the database is the service name of the (pluggable) database holding the tables, e.g. FREEPDB1',
      });
    }
  }
  return out;
}

async function checkOne(c: OracleConnection, user: string, continuous: boolean): Promise<Diagnostic[]> {
  const views = [];
  for (const view of [...VIEWS_ONE_TIME, ...(continuous ? VIEWS_CONTINUOUS : [])]) {
    const error = await c.execute(`SELECT 1 FROM ${view} WHERE ROWNUM = 1`).then(
      () => null,
      (err: Error) => err.message.split('\n')[0] ?? err.message,
    );
    views.push({ view, error });
  }
  const [privs, roles, execs] = await Promise.all([
    oracleRows<{ PRIVILEGE: string }>(c, 'SELECT PRIVILEGE FROM SESSION_PRIVS'),
    oracleRows<{ ROLE: string }>(c, 'SELECT ROLE FROM SESSION_ROLES'),
    oracleRows<{ TABLE_NAME: string }>(
      c,
      "SELECT TABLE_NAME FROM ALL_TAB_PRIVS WHERE PRIVILEGE = 'EXECUTE' AND TABLE_NAME IN ('DBMS_LOGMNR', 'DBMS_LOGMNR_D')",
    ),
  ]);
  const out: Diagnostic[] = privilegeDiagnostics(
    {
      privileges: privs.map((p) => p.PRIVILEGE),
      roles: roles.map((r) => r.ROLE),
      executable: execs.map((e) => e.TABLE_NAME),
      views,
    },
    continuous,
    user,
  );
  if (views.some((v) => VIEWS_ONE_TIME.includes(v.view) && v.error)) return out;
  out.push(...databaseDiagnostics(await databaseFacts(c), continuous));
  const [undo] = await oracleRows(
    c,
    `SELECT (SELECT VALUE FROM V$PARAMETER WHERE NAME = 'undo_retention') AS RETENTION,
            (SELECT TO_CHAR(MAX(TUNED_UNDORETENTION)) FROM V$UNDOSTAT) AS TUNED,
            (SELECT MAX(RETENTION) FROM USER_TABLESPACES WHERE CONTENTS = 'UNDO') AS GUARANTEE
       FROM DUAL`,
  ).catch(() => [] as Record<string, string | null>[]);
  const [size] = await oracleRows(
    c,
    `SELECT TO_CHAR(SUM(NVL(NUM_ROWS, 0) * NVL(AVG_ROW_LEN, 0))) AS BYTES FROM ALL_TABLES
      WHERE OWNER IN (SELECT USERNAME FROM ALL_USERS WHERE ORACLE_MAINTAINED = 'N')`,
  );
  if (undo?.RETENTION) {
    out.push(
      ...undoDiagnostics(
        {
          undoRetention: Number(undo.RETENTION),
          tunedRetention: undo.TUNED ? Number(undo.TUNED) : null,
          retentionGuarantee: undo.GUARANTEE ?? null,
        },
        Number(size?.BYTES ?? 0) / DUMP_BYTES_PER_SECOND,
      ),
    );
  }
  return out;
}

/** Supplemental logging of the captured tables (a continuous job's snapshot refuses to open without it). */
export async function tableLoggingProblems(c: OracleConnection, tables: readonly QualifiedName[]): Promise<Diagnostic[]> {
  if (!tables.length) return [];
  const db = await databaseFacts(c);
  const owners = [...new Set(tables.map((t) => t.schema))];
  const binds = owners.map((_, i) => `:${i + 1}`).join(', ');
  const [groups, keys] = await Promise.all([
    oracleRows<{ OWNER: string; TABLE_NAME: string; LOG_GROUP_TYPE: string }>(
      c,
      `SELECT OWNER, TABLE_NAME, LOG_GROUP_TYPE FROM ALL_LOG_GROUPS WHERE OWNER IN (${binds})`,
      owners,
    ),
    oracleRows<{ OWNER: string; TABLE_NAME: string }>(
      c,
      `SELECT OWNER, TABLE_NAME FROM ALL_CONSTRAINTS WHERE CONSTRAINT_TYPE = 'P' AND OWNER IN (${binds})`,
      owners,
    ),
  ]);
  const keyed = new Set(keys.map((k) => `${k.OWNER}.${k.TABLE_NAME}`));
  const facts: TableLogging[] = tables.map((t) => ({
    table: t,
    hasPrimaryKey: keyed.has(`${t.schema}.${t.name}`),
    logGroups: groups.filter((g) => g.OWNER === t.schema && g.TABLE_NAME === t.name).map((g) => g.LOG_GROUP_TYPE),
  }));
  return tableLoggingDiagnostics(db, facts);
}
