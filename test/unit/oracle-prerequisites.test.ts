import { describe, expect, it } from 'vitest';
import {
  databaseDiagnostics,
  oracleVersion,
  privilegeDiagnostics,
  tableLoggingDiagnostics,
  undoDiagnostics,
  type OracleDatabaseFacts,
  type OraclePrivilegeFacts,
} from '../../providers/oracle/oracle-prerequisite-rules.js';

const DB: OracleDatabaseFacts = {
  version: '23.0.0.0.0',
  logMode: 'ARCHIVELOG',
  supplementalMin: 'YES',
  supplementalPk: 'NO',
  supplementalAll: 'NO',
  cdb: 'YES',
  container: 'FREEPDB1',
};
const PRIVS: OraclePrivilegeFacts = {
  privileges: ['CREATE SESSION', 'FLASHBACK ANY TABLE', 'LOGMINING', 'SELECT ANY TRANSACTION'],
  roles: [],
  executable: ['DBMS_LOGMNR'],
  views: [
    { view: 'V$DATABASE', error: null },
    { view: 'V$LOGMNR_CONTENTS', error: null },
  ],
};
const summaries = (d: { summary: string; detail?: string }[]) => d.map((x) => `${x.summary} | ${x.detail ?? ''}`);

describe('Oracle prerequisites', () => {
  it('passes a ready database', () => {
    expect(databaseDiagnostics(DB, true)).toEqual([]);
    expect(privilegeDiagnostics(PRIVS, true, 'MIGRATE')).toEqual([]);
  });

  it.each([
    ['NOARCHIVELOG', { logMode: 'NOARCHIVELOG' }, /NOARCHIVELOG mode.*ALTER DATABASE ARCHIVELOG/],
    [
      'no minimal supplemental logging',
      { supplementalMin: 'NO' },
      /SUPPLEMENTAL_LOG_DATA_MIN = NO.*ALTER DATABASE ADD SUPPLEMENTAL LOG DATA;/,
    ],
    ['the CDB root', { container: 'CDB$ROOT' }, /CDB root/],
    ['an 18c PDB', { version: '18.0.0.0.0' }, /from Oracle 19c on/],
    ['Oracle 11g', { version: '11.2.0.4.0', cdb: 'NO' }, /too old/],
  ] as const)('names %s', (_name, facts, want) => {
    const out = summaries(databaseDiagnostics({ ...DB, ...facts }, true));
    expect(out.length).toBeGreaterThan(0);
    expect(out.join('\n')).toMatch(want);
  });

  it('asks a one-time job for none of the change-capture settings', () => {
    expect(databaseDiagnostics({ ...DB, logMode: 'NOARCHIVELOG', supplementalMin: 'NO', version: '19.3.0.0.0' }, false)).toEqual(
      [],
    );
    expect(
      privilegeDiagnostics({ ...PRIVS, privileges: ['CREATE SESSION', 'FLASHBACK ANY TABLE'], executable: [] }, false, 'U'),
    ).toEqual([]);
  });

  it('accepts a 19c PDB (LogMiner finds its logs by SCN there)', () => {
    expect(databaseDiagnostics({ ...DB, version: '19.0.0.0.0' }, true)).toEqual([]);
  });

  it('accepts a non-CDB 19c and IMPLICIT minimal logging', () => {
    expect(
      databaseDiagnostics({ ...DB, version: '19.0.0.0.0', cdb: 'NO', container: 'ORCL', supplementalMin: 'IMPLICIT' }, true),
    ).toEqual([]);
  });

  it.each([
    ['CREATE SESSION', /lacks CREATE SESSION \| GRANT CREATE SESSION TO MIGRATE;/],
    ['LOGMINING', /lacks LOGMINING.*GRANT LOGMINING TO MIGRATE;/],
    ['SELECT ANY TRANSACTION', /SELECT ANY TRANSACTION.*GRANT SELECT ANY TRANSACTION TO MIGRATE;/],
    ['FLASHBACK ANY TABLE', /FLASHBACK ANY TABLE/],
  ])('names a missing %s', (priv, want) => {
    const out = privilegeDiagnostics({ ...PRIVS, privileges: PRIVS.privileges.filter((p) => p !== priv) }, true, 'MIGRATE');
    expect(summaries(out).join('\n')).toMatch(want);
  });

  it('names EXECUTE on DBMS_LOGMNR, which EXECUTE_CATALOG_ROLE also gives', () => {
    expect(summaries(privilegeDiagnostics({ ...PRIVS, executable: [] }, true, 'U')).join()).toMatch(
      /GRANT EXECUTE ON DBMS_LOGMNR TO U;/,
    );
    expect(privilegeDiagnostics({ ...PRIVS, executable: [], roles: ['EXECUTE_CATALOG_ROLE'] }, true, 'U')).toEqual([]);
  });

  it('names a V$ view the user cannot read, with the grant', () => {
    const out = privilegeDiagnostics(
      { ...PRIVS, views: [{ view: 'V$ARCHIVED_LOG', error: 'ORA-00942: table or view does not exist' }] },
      true,
      'U',
    );
    expect(summaries(out)).toEqual([
      'the user U cannot read V$ARCHIVED_LOG: ORA-00942: table or view does not exist | GRANT SELECT ON V_$ARCHIVED_LOG TO U; (or GRANT SELECT_CATALOG_ROLE)',
    ]);
  });

  it('FLASHBACK ANY TABLE is a warning (per-table FLASHBACK grants do as well)', () => {
    const [d] = privilegeDiagnostics({ ...PRIVS, privileges: ['CREATE SESSION'] }, false, 'U');
    expect(d?.severity).toBe('warning');
  });

  describe('table supplemental logging', () => {
    const t = (name: string, hasPrimaryKey: boolean, logGroups: string[]) => ({
      table: { schema: 'APP', name },
      hasPrimaryKey,
      logGroups,
    });

    it.each([
      ['ALL COLUMNS on the table', DB, t('A', false, ['ALL COLUMN LOGGING']), 0],
      ['PRIMARY KEY on a keyed table', DB, t('A', true, ['PRIMARY KEY LOGGING']), 0],
      ['PRIMARY KEY on the database, keyed table', { ...DB, supplementalPk: 'YES' }, t('A', true, []), 0],
      ['ALL on the database', { ...DB, supplementalAll: 'YES' }, t('A', false, []), 0],
      ['nothing', DB, t('A', true, []), 1],
      ['PRIMARY KEY on a keyless table', DB, t('A', false, ['PRIMARY KEY LOGGING']), 1],
      ['PRIMARY KEY on the database, keyless table', { ...DB, supplementalPk: 'YES' }, t('A', false, []), 1],
      ['only UNIQUE KEY logging', DB, t('A', true, ['UNIQUE KEY LOGGING']), 1],
    ] as const)('%s', (_name, db, table, errors) => {
      expect(tableLoggingDiagnostics(db, [table]).length).toBe(errors);
    });

    it('names the table and the statement', () => {
      const [d] = tableLoggingDiagnostics(DB, [t('Mixed"Case', false, [])]);
      expect(d?.summary).toMatch(/APP\.Mixed"Case/);
      expect(d?.detail).toMatch(/^ALTER TABLE "APP"\."Mixed""Case" ADD SUPPLEMENTAL LOG DATA \(ALL\) COLUMNS;/);
      expect(d?.detail).toMatch(/no primary key/);
    });
  });

  describe('UNDO retention against the dump time', () => {
    it.each([
      ['enough, guaranteed', { undoRetention: 7200, tunedRetention: null, retentionGuarantee: 'GUARANTEE' }, 3600, []],
      ['enough by undo_retention', { undoRetention: 7200, tunedRetention: 900, retentionGuarantee: 'NOGUARANTEE' }, 3600, []],
      [
        'kept now but not guaranteed',
        { undoRetention: 900, tunedRetention: 86400, retentionGuarantee: 'NOGUARANTEE' },
        3600,
        ['warning'],
      ],
      ['too short', { undoRetention: 900, tunedRetention: 1200, retentionGuarantee: 'NOGUARANTEE' }, 3600, ['error']],
      ['too short, guaranteed', { undoRetention: 900, tunedRetention: null, retentionGuarantee: 'GUARANTEE' }, 3600, ['error']],
    ] as const)('%s', (_name, undo, seconds, want) => {
      expect(undoDiagnostics(undo, seconds).map((d) => d.severity)).toEqual(want);
    });

    it('says the fix with a margin', () => {
      const [d] = undoDiagnostics({ undoRetention: 900, tunedRetention: null, retentionGuarantee: null }, 3600);
      expect(d?.summary).toMatch(/ORA-01555/);
      expect(d?.detail).toMatch(/ALTER SYSTEM SET UNDO_RETENTION = 7200;/);
    });
  });

  it.each([
    ['19.0.0.0.0', 19, 0],
    ['23.4.0.24.05', 23, 4],
    ['12.1.0.2.0', 12, 1],
    ['garbage', 0, 0],
  ])('reads version %s', (text, major, minor) => {
    expect(oracleVersion(text)).toEqual({ major, minor });
  });
});
