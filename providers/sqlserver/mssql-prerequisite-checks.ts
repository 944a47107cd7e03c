/**
 * Source prerequisites as pure functions of what the catalog queries
 * returned (mssql-prerequisites.ts runs the queries): each failure names
 * the setting and the statement that fixes it.
 */
import type { Diagnostic } from '../../contract/diagnostic.js';

/** `SERVERPROPERTY` facts. */
export interface ServerFacts {
  /** ProductVersion, e.g. `16.0.4135.4`. */
  productVersion: string;
  /** Edition, e.g. `Developer Edition (64-bit)`. */
  edition: string;
  /** EngineEdition: 2 Standard, 3 Enterprise/Developer/Evaluation, 4 Express, 5 Azure SQL Database, 8 Managed Instance… */
  engineEdition: number;
}

export interface DatabaseFacts {
  name: string;
  /** sys.databases row found (the user can see the database). */
  exists: boolean;
  isCdcEnabled: boolean;
  /** sys.databases.snapshot_isolation_state: 0 OFF, 1 ON, 2 going off, 3 going on. */
  snapshotIsolationState: number;
  /** The user may read every selected table (SELECT granted, or db_owner). */
  canSelect: boolean;
  /** The user is db_owner (needed to enable CDC, and to read capture instances gated by no role). */
  isDbOwner: boolean;
  /** CDC cleanup job retention in minutes (msdb.dbo.cdc_jobs), or null when unknown. */
  retentionMinutes: number | null;
}

export interface CaptureInstanceFacts {
  name: string;
  capturedColumns: readonly string[];
  /** The gating role of the capture instance, or null. */
  roleName: string | null;
  /** The user is a member of `roleName` (or the instance has none). */
  inRole: boolean;
}

export interface TableFacts {
  database: string;
  schema: string;
  name: string;
  /** sys.tables.is_tracked_by_cdc. */
  trackedByCdc: boolean;
  /** The table's columns that a capture must hold (computed and rowversion columns aside). */
  columns: readonly string[];
  captureInstances: readonly CaptureInstanceFacts[];
}

export interface SqlServerPrerequisiteFacts {
  server: ServerFacts;
  databases: readonly DatabaseFacts[];
  tables: readonly TableFacts[];
  /** SQL Server Agent runs (sys.dm_server_services or an agent session); null when it cannot be told (no VIEW SERVER STATE). */
  agentRunning: boolean | null;
  /** The full dump's estimated minutes (size ÷ throughput), for the retention check. */
  estimatedDumpMinutes: number;
  continuous: boolean;
  user: string;
}

const AZURE_SQL_DATABASE = 5;
const MANAGED_INSTANCE = 8;
const EXPRESS = 4;

/** Major, minor, build of a ProductVersion. */
export function parseProductVersion(v: string): { major: number; minor: number; build: number } {
  const [major = 0, minor = 0, build = 0] = v.split('.').map((x) => Number(x) || 0);
  return { major, minor, build };
}

/** Edition and version: CDC needs Enterprise/Developer, or Standard from 2016 SP1 (13.0.4001), Managed Instance, Azure SQL Database. */
export function editionChecks(s: ServerFacts, continuous: boolean): Diagnostic[] {
  const v = parseProductVersion(s.productVersion);
  const out: Diagnostic[] = [];
  if (v.major < 13 && s.engineEdition !== AZURE_SQL_DATABASE && s.engineEdition !== MANAGED_INSTANCE) {
    out.push({
      severity: 'error',
      summary: `source SQL Server ${s.productVersion} is too old: SQL Server 2016 SP1 (13.0.4001) or later is required`,
      detail: 'upgrade the source server',
      field: 'version',
    });
    return out;
  }
  if (!continuous) return out;
  const sp1 = v.major > 13 || (v.major === 13 && v.build >= 4001);
  if (s.engineEdition === EXPRESS || /express|web/i.test(s.edition)) {
    out.push({
      severity: 'error',
      summary: `source edition "${s.edition}" has no change data capture: continuous jobs need Enterprise, Developer or Standard (2016 SP1+), Azure SQL Managed Instance or Azure SQL Database`,
      detail: 'run a one-time job, or move the database to an edition with CDC',
      field: 'edition',
    });
  } else if (s.engineEdition === 2 && !sp1) {
    out.push({
      severity: 'error',
      summary: `source is Standard Edition ${s.productVersion}: change data capture on Standard needs 2016 SP1 (13.0.4001) or later`,
      detail: 'install SQL Server 2016 Service Pack 1 or later',
      field: 'edition',
    });
  }
  return out;
}

/** `ALTER DATABASE … SET ALLOW_SNAPSHOT_ISOLATION ON`: the full dump reads every table in one snapshot transaction. */
export function snapshotIsolationCheck(d: DatabaseFacts): Diagnostic[] {
  if (d.snapshotIsolationState === 1) return [];
  const state =
    ['OFF', 'ON', 'IN_TRANSITION_TO_OFF', 'IN_TRANSITION_TO_ON'][d.snapshotIsolationState] ?? String(d.snapshotIsolationState);
  return [
    {
      severity: 'error',
      summary: `source database "${d.name}" has ALLOW_SNAPSHOT_ISOLATION ${state}: the full dump reads all tables in one snapshot transaction`,
      detail:
        d.snapshotIsolationState === 3
          ? 'the switch waits for open transactions to end: let them finish (sys.dm_tran_active_transactions), then retry'
          : `run: ALTER DATABASE [${d.name}] SET ALLOW_SNAPSHOT_ISOLATION ON`,
      field: 'allow_snapshot_isolation',
    },
  ];
}

/** Checks of one database: present, readable, snapshot isolation; for continuous jobs CDC on it and the retention. */
export function databaseChecks(
  d: DatabaseFacts,
  f: Pick<SqlServerPrerequisiteFacts, 'continuous' | 'estimatedDumpMinutes' | 'user'>,
): Diagnostic[] {
  if (!d.exists) {
    return [
      {
        severity: 'error',
        summary: `source database "${d.name}" does not exist (or user "${f.user}" cannot see it)`,
        field: 'databases',
      },
    ];
  }
  const out = snapshotIsolationCheck(d);
  if (!d.canSelect) {
    out.push({
      severity: 'error',
      summary: `source user "${f.user}" cannot read every selected table of "${d.name}"`,
      detail: `run: USE [${d.name}]; ALTER ROLE db_datareader ADD MEMBER [${f.user}]`,
      field: 'permissions',
    });
  }
  if (!f.continuous) return out;
  if (!d.isCdcEnabled) {
    out.push({
      severity: 'error',
      summary: `change data capture is off on source database "${d.name}" (sys.databases.is_cdc_enabled = 0)`,
      detail: `run (as sysadmin): USE [${d.name}]; EXEC sys.sp_cdc_enable_db`,
      field: 'is_cdc_enabled',
    });
  }
  if (d.retentionMinutes !== null && d.retentionMinutes < f.estimatedDumpMinutes * 2) {
    out.push({
      severity: 'warning',
      summary: `the CDC cleanup job of "${d.name}" keeps changes for ${d.retentionMinutes} min, but the full dump is estimated at ${Math.ceil(f.estimatedDumpMinutes)} min: changes made during the dump could be cleaned up before they are read`,
      detail: `raise the retention above twice the dump time: EXEC sys.sp_cdc_change_job @job_type = N'cleanup', @retention = ${Math.max(4320, Math.ceil(f.estimatedDumpMinutes * 2))}`,
      field: 'cdc_retention',
    });
  }
  return out;
}

/** Checks of one selected table for continuous jobs: tracked, one capture instance holding every column, readable. */
export function tableChecks(t: TableFacts, user: string): Diagnostic[] {
  const name = `${t.database}.${t.schema}.${t.name}`;
  const enable = `USE [${t.database}]; EXEC sys.sp_cdc_enable_table @source_schema = N'${t.schema}', @source_name = N'${t.name}', @role_name = NULL`;
  if (!t.trackedByCdc || !t.captureInstances.length) {
    return [
      {
        severity: 'error',
        summary: `source table ${name} is not tracked by change data capture (sys.tables.is_tracked_by_cdc = 0)`,
        detail: `run: ${enable}`,
        field: 'is_tracked_by_cdc',
      },
    ];
  }
  const out: Diagnostic[] = [];
  if (t.captureInstances.length > 1) {
    out.push({
      severity: 'warning',
      summary: `source table ${name} has ${t.captureInstances.length} capture instances (${t.captureInstances.map((c) => c.name).join(', ')}): a capture-instance change is under way`,
      detail:
        'the job reads the newest one that captures every column; drop the old one once the job runs on the new (sys.sp_cdc_disable_table @capture_instance = …)',
      field: 'capture_instance',
    });
  }
  const full = t.captureInstances.filter((ci) => t.columns.every((c) => ci.capturedColumns.includes(c)));
  if (!full.length) {
    const ci = t.captureInstances[t.captureInstances.length - 1] as CaptureInstanceFacts;
    const missing = t.columns.filter((c) => !ci.capturedColumns.includes(c));
    out.push({
      severity: 'error',
      summary: `capture instance ${ci.name} of ${name} does not capture column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: their changes would be lost`,
      detail: `create a capture instance of all columns (${enable}, @capture_instance = N'${t.schema}_${t.name}_all'), then drop ${ci.name}`,
      field: 'captured_columns',
    });
  }
  for (const ci of t.captureInstances) {
    if (ci.roleName && !ci.inRole) {
      out.push({
        severity: 'error',
        summary: `source user "${user}" is not a member of role ${ci.roleName}, which gates capture instance ${ci.name} of ${name}`,
        detail: `run: USE [${t.database}]; ALTER ROLE [${ci.roleName}] ADD MEMBER [${user}]`,
        field: 'permissions',
      });
    }
  }
  return out;
}

/** SQL Server Agent runs the capture and cleanup jobs: without it no change reaches the change tables. */
export function agentCheck(f: Pick<SqlServerPrerequisiteFacts, 'agentRunning' | 'server' | 'user'>): Diagnostic[] {
  // Azure SQL Database runs capture with its own scheduler
  if (f.server.engineEdition === AZURE_SQL_DATABASE || f.agentRunning === true) return [];
  if (f.agentRunning === null) {
    return [
      {
        severity: 'warning',
        summary: `cannot tell whether SQL Server Agent runs on the source: user "${f.user}" lacks VIEW SERVER STATE`,
        detail: `run: GRANT VIEW SERVER STATE TO [${f.user}] (or make sure SQL Server Agent runs: without it, CDC captures nothing)`,
        field: 'sql_server_agent',
      },
    ];
  }
  return [
    {
      severity: 'error',
      summary: 'SQL Server Agent is not running on the source: it runs the CDC capture job, without it no change is captured',
      detail:
        'start SQL Server Agent (Windows: the SQLSERVERAGENT service; Linux: mssql-conf set sqlagent.enabled true and restart; containers: MSSQL_AGENT_ENABLED=true)',
      field: 'sql_server_agent',
    },
  ];
}

/** Every check, in a stable order: server, databases, agent, tables. */
export function sqlServerPrerequisiteDiagnostics(f: SqlServerPrerequisiteFacts): Diagnostic[] {
  const out = editionChecks(f.server, f.continuous);
  for (const d of f.databases) out.push(...databaseChecks(d, f));
  if (f.continuous) {
    out.push(...agentCheck(f));
    const cdcOff = new Set(f.databases.filter((d) => !d.exists || !d.isCdcEnabled).map((d) => d.name));
    for (const t of f.tables) if (!cdcOff.has(t.database)) out.push(...tableChecks(t, f.user));
  }
  return out;
}
