/** Runs the prerequisite queries and hands their rows to the pure checks (mssql-prerequisite-checks.ts). */
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { ResolvedProfile } from '../provider.js';
import { quoteSqlServerLiteral } from './mssql-quote.js';
import { withSqlServer, type SqlServerSession } from './mssql-connection.js';
import { sqlServerPrerequisiteDiagnostics, type DatabaseFacts } from './mssql-prerequisite-checks.js';

/** Throughput the retention check assumes for the full dump (conservative). */
const DUMP_BYTES_PER_MINUTE = 20 * 2 ** 20 * 60;

async function agentRunning(s: SqlServerSession): Promise<boolean | null> {
  try {
    const services = await s.rows(`SELECT status_desc FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server Agent%'`);
    if (services.some((r) => String(r[0]).toLowerCase() === 'running')) return true;
    const [sessions] = await s.rows(`SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE program_name LIKE N'SQLAgent%'`);
    return Number(sessions?.[0] ?? 0) > 0;
  } catch {
    return null; // VIEW SERVER STATE missing
  }
}

async function databaseFacts(
  profile: ResolvedProfile,
  s: SqlServerSession,
  name: string,
): Promise<DatabaseFacts & { bytes: number }> {
  const [row] = await s.rows(
    `SELECT is_cdc_enabled, snapshot_isolation_state FROM sys.databases WHERE name = ${quoteSqlServerLiteral(name)}`,
  );
  const base = {
    name,
    exists: !!row,
    isCdcEnabled: row?.[0] === true,
    snapshotIsolationState: Number(row?.[1] ?? 0),
    canSelect: false,
    isDbOwner: false,
    retentionMinutes: null as number | null,
    bytes: 0,
  };
  if (!row) return base;
  return withSqlServer(profile, name, async (d) => {
    const [p] = await d.rows(
      `SELECT IS_ROLEMEMBER('db_owner'), HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'SELECT'),
              CAST((SELECT SUM(used_pages) FROM sys.allocation_units) * 8192 AS varchar(20))`,
    );
    const [r] = await d
      .rows(`SELECT retention FROM msdb.dbo.cdc_jobs WHERE database_id = DB_ID() AND job_type = N'cleanup'`)
      .catch(() => []);
    return {
      ...base,
      isDbOwner: Number(p?.[0] ?? 0) === 1,
      canSelect: Number(p?.[1] ?? 0) === 1 || Number(p?.[0] ?? 0) === 1,
      retentionMinutes: r?.[0] === undefined || r[0] === null ? null : Number(r[0]),
      bytes: Number(p?.[2] ?? 0),
    };
  });
}

/**
 * Server version and edition, each database (present, readable,
 * ALLOW_SNAPSHOT_ISOLATION, CDC on it, retention against the dump time)
 * and SQL Server Agent. Tables are checked when the capture is set to them
 * (`setCapturedTables`: tracked, every column captured, gating role).
 */
export async function checkSqlServerSourcePrerequisites(
  profile: ResolvedProfile,
  req: { databases: string[]; continuous: boolean },
): Promise<Diagnostic[]> {
  return withSqlServer(profile, undefined, async (s) => {
    const [v] = await s.rows(
      `SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(50)), CAST(SERVERPROPERTY('Edition') AS nvarchar(200)), CAST(SERVERPROPERTY('EngineEdition') AS int)`,
    );
    const databases = [];
    for (const name of req.databases) databases.push(await databaseFacts(profile, s, name));
    const bytes = databases.reduce((a, d) => a + d.bytes, 0);
    return sqlServerPrerequisiteDiagnostics({
      server: { productVersion: String(v?.[0] ?? ''), edition: String(v?.[1] ?? ''), engineEdition: Number(v?.[2] ?? 0) },
      databases,
      tables: [],
      agentRunning: req.continuous ? await agentRunning(s) : true,
      estimatedDumpMinutes: bytes / DUMP_BYTES_PER_MINUTE,
      continuous: req.continuous,
      user: profile.user,
    });
  });
}
