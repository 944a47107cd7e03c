import { describe, expect, it } from 'vitest';
import {
  agentCheck,
  databaseChecks,
  editionChecks,
  parseProductVersion,
  snapshotIsolationCheck,
  sqlServerPrerequisiteDiagnostics,
  tableChecks,
  type DatabaseFacts,
  type SqlServerPrerequisiteFacts,
  type TableFacts,
} from '../../providers/sqlserver/mssql-prerequisite-checks.js';

const server = { productVersion: '16.0.4135.4', edition: 'Developer Edition (64-bit)', engineEdition: 3 };
const db = (more: Partial<DatabaseFacts> = {}): DatabaseFacts => ({
  name: 'shop',
  exists: true,
  isCdcEnabled: true,
  snapshotIsolationState: 1,
  canSelect: true,
  isDbOwner: false,
  retentionMinutes: 4320,
  ...more,
});
const table = (more: Partial<TableFacts> = {}): TableFacts => ({
  database: 'shop',
  schema: 'dbo',
  name: 'orders',
  trackedByCdc: true,
  columns: ['id', 'note'],
  captureInstances: [{ name: 'dbo_orders', capturedColumns: ['id', 'note'], roleName: null, inRole: true }],
  ...more,
});
const facts = (more: Partial<SqlServerPrerequisiteFacts> = {}): SqlServerPrerequisiteFacts => ({
  server,
  databases: [db()],
  tables: [table()],
  agentRunning: true,
  estimatedDumpMinutes: 10,
  continuous: true,
  user: 'migrator',
  ...more,
});
const fields = (d: { field?: string }[]) => d.map((x) => x.field);

describe('SQL Server source prerequisites', () => {
  it('passes a source with everything set', () => {
    expect(sqlServerPrerequisiteDiagnostics(facts())).toEqual([]);
  });

  it.each([
    ['16.0.4135.4', { major: 16, minor: 0, build: 4135 }],
    ['13.0.4001.0', { major: 13, minor: 0, build: 4001 }],
    ['garbage', { major: 0, minor: 0, build: 0 }],
  ])('reads ProductVersion %s', (v, want) => {
    expect(parseProductVersion(v)).toEqual(want);
  });

  it.each([
    [{ productVersion: '12.0.6024.0', edition: 'Enterprise Edition', engineEdition: 3 }, false, ['version'], /2016 SP1/],
    [
      { productVersion: '16.0.1000.6', edition: 'Express Edition (64-bit)', engineEdition: 4 },
      true,
      ['edition'],
      /no change data capture/,
    ],
    [
      { productVersion: '15.0.2000.5', edition: 'Web Edition (64-bit)', engineEdition: 2 },
      true,
      ['edition'],
      /no change data capture/,
    ],
    [
      { productVersion: '13.0.1601.5', edition: 'Standard Edition (64-bit)', engineEdition: 2 },
      true,
      ['edition'],
      /on Standard needs 2016 SP1/,
    ],
    [{ productVersion: '13.0.4001.0', edition: 'Standard Edition (64-bit)', engineEdition: 2 }, true, [], null],
    [{ productVersion: '16.0.1000.6', edition: 'Express Edition (64-bit)', engineEdition: 4 }, false, [], null],
    [{ productVersion: '12.0.2000.8', edition: 'SQL Azure', engineEdition: 5 }, true, [], null],
    [{ productVersion: '12.0.2000.8', edition: 'SQL Azure', engineEdition: 8 }, true, [], null],
  ])('edition %o (continuous %s)', (s, continuous, want, message) => {
    const d = editionChecks(s, continuous);
    expect(fields(d)).toEqual(want);
    if (message) expect(d[0]?.summary).toMatch(message);
  });

  it.each([
    [0, /ALLOW_SNAPSHOT_ISOLATION OFF/, /ALTER DATABASE \[shop\] SET ALLOW_SNAPSHOT_ISOLATION ON/],
    [2, /IN_TRANSITION_TO_OFF/, /ALTER DATABASE/],
    [3, /IN_TRANSITION_TO_ON/, /open transactions/],
  ])('snapshot isolation state %d is an error naming the setting and the fix', (state, summary, detail) => {
    const [d] = snapshotIsolationCheck(db({ snapshotIsolationState: state }));
    expect(d?.severity).toBe('error');
    expect(d?.field).toBe('allow_snapshot_isolation');
    expect(d?.summary).toMatch(summary);
    expect(d?.detail).toMatch(detail);
  });

  it('names a missing database and stops there', () => {
    const d = databaseChecks(db({ exists: false, isCdcEnabled: false }), facts());
    expect(fields(d)).toEqual(['databases']);
    expect(d[0]?.summary).toMatch(/"shop" does not exist.*"migrator"/);
  });

  it('names CDC off on the database with sp_cdc_enable_db (continuous only)', () => {
    const d = databaseChecks(db({ isCdcEnabled: false }), facts());
    expect(fields(d)).toEqual(['is_cdc_enabled']);
    expect(d[0]?.detail).toContain('EXEC sys.sp_cdc_enable_db');
    expect(databaseChecks(db({ isCdcEnabled: false }), facts({ continuous: false }))).toEqual([]);
  });

  it('names missing read permissions', () => {
    const d = databaseChecks(db({ canSelect: false }), facts({ continuous: false }));
    expect(fields(d)).toEqual(['permissions']);
    expect(d[0]?.detail).toContain('ALTER ROLE db_datareader ADD MEMBER [migrator]');
  });

  it('warns when the CDC retention is short against the estimated dump time', () => {
    const d = databaseChecks(db({ retentionMinutes: 60 }), facts({ estimatedDumpMinutes: 45 }));
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ severity: 'warning', field: 'cdc_retention' });
    expect(d[0]?.summary).toMatch(/60 min.*45 min/);
    expect(d[0]?.detail).toContain("sp_cdc_change_job @job_type = N'cleanup', @retention = 4320");
    expect(databaseChecks(db({ retentionMinutes: 60 }), facts({ estimatedDumpMinutes: 30 }))).toEqual([]);
    expect(databaseChecks(db({ retentionMinutes: null }), facts({ estimatedDumpMinutes: 1e6 }))).toEqual([]);
  });

  it('names a table not tracked by CDC, with sp_cdc_enable_table', () => {
    const d = tableChecks(table({ trackedByCdc: false, captureInstances: [] }), 'migrator');
    expect(fields(d)).toEqual(['is_tracked_by_cdc']);
    expect(d[0]?.summary).toContain('shop.dbo.orders');
    expect(d[0]?.detail).toContain("sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'orders'");
  });

  it('names the columns a capture instance leaves out', () => {
    const d = tableChecks(
      table({
        columns: ['id', 'note', 'total'],
        captureInstances: [{ name: 'dbo_orders', capturedColumns: ['id'], roleName: null, inRole: true }],
      }),
      'migrator',
    );
    expect(fields(d)).toEqual(['captured_columns']);
    expect(d[0]?.summary).toMatch(/dbo_orders of shop\.dbo\.orders does not capture columns note, total/);
  });

  it('warns of two capture instances, and passes when one captures every column', () => {
    const d = tableChecks(
      table({
        captureInstances: [
          { name: 'dbo_orders', capturedColumns: ['id'], roleName: null, inRole: true },
          { name: 'dbo_orders_v2', capturedColumns: ['id', 'note'], roleName: null, inRole: true },
        ],
      }),
      'migrator',
    );
    expect(d.map((x) => [x.severity, x.field])).toEqual([['warning', 'capture_instance']]);
  });

  it('names a gating role the user is not in', () => {
    const d = tableChecks(
      table({
        captureInstances: [{ name: 'dbo_orders', capturedColumns: ['id', 'note'], roleName: 'cdc_reader', inRole: false }],
      }),
      'migrator',
    );
    expect(fields(d)).toEqual(['permissions']);
    expect(d[0]?.detail).toContain('ALTER ROLE [cdc_reader] ADD MEMBER [migrator]');
  });

  it.each([
    [false, 3, ['error'], /not running/],
    [null, 3, ['warning'], /VIEW SERVER STATE/],
    [true, 3, [], null],
    [false, 5, [], null],
  ])('SQL Server Agent running=%s on engine edition %d', (running, engineEdition, want, message) => {
    const d = agentCheck({ agentRunning: running, server: { ...server, engineEdition }, user: 'migrator' });
    expect(d.map((x) => x.severity)).toEqual(want);
    if (message) {
      expect(d[0]?.summary).toMatch(message);
      expect(d[0]?.field).toBe('sql_server_agent');
    }
  });

  it('checks only what a one-time job needs', () => {
    const d = sqlServerPrerequisiteDiagnostics(
      facts({
        continuous: false,
        agentRunning: false,
        databases: [db({ isCdcEnabled: false })],
        tables: [table({ trackedByCdc: false, captureInstances: [] })],
      }),
    );
    expect(d).toEqual([]);
  });

  it('reports everything of a continuous job in a stable order, tables of a CDC-less database left to that error', () => {
    const d = sqlServerPrerequisiteDiagnostics(
      facts({
        server: { productVersion: '16.0.1000.6', edition: 'Express Edition (64-bit)', engineEdition: 4 },
        agentRunning: false,
        databases: [db({ snapshotIsolationState: 0 }), db({ name: 'crm', isCdcEnabled: false })],
        tables: [
          table({ trackedByCdc: false, captureInstances: [] }),
          table({ database: 'crm', trackedByCdc: false, captureInstances: [] }),
        ],
      }),
    );
    expect(fields(d)).toEqual(['edition', 'allow_snapshot_isolation', 'is_cdc_enabled', 'sql_server_agent', 'is_tracked_by_cdc']);
  });
});
