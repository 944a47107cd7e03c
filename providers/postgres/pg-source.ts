import type pg from 'pg';
import type { TableSelection } from '../../contract/declaration.js';
import type { Diagnostic } from '../../contract/diagnostic.js';
import type { Catalog, QualifiedName, SchemaObjectSummary, TableDef } from '../catalog.js';
import { randomUUID } from 'node:crypto';
import type {
  TableChecksummer,
  ChangeStream,
  CopyFormat,
  ProviderContext,
  ResolvedProfile,
  SequenceValue,
  SnapshotRequest,
  SourceProvider,
  SourceSnapshot,
} from '../provider.js';
import { connectPg, describeEndpoint, withPg, withPgGroup } from './pg-connection.js';
import { introspectPostgres } from './pg-introspector.js';
import { INTROSPECT_CONNECTIONS } from './pg-read-group.js';
import { describePostgresSchema } from './pg-describe-schema.js';
import { checkSourcePrerequisites } from './pg-prerequisites.js';
import { PgChecksummer } from './pg-checksummer.js';
import { quoteIdent, quoteQualified } from './pg-quote.js';
import { PostgresSnapshot } from './pg-snapshot.js';
import { dropCdcArtifacts, publicationExists, setPublicationTables, slotExists } from './pg-cdc-artifacts.js';
import { PgChangeStream } from './pg-change-stream.js';
import { compareLsn } from './pg-lsn.js';

export class PostgresSource implements SourceProvider {
  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  checkPrerequisites(req: { databases: string[]; continuous: boolean }): Promise<Diagnostic[]> {
    return checkSourcePrerequisites(this.profile, req);
  }

  introspect(database: string, selection: TableSelection): Promise<Catalog> {
    return withPgGroup(this.profile, database, INTROSPECT_CONNECTIONS, ([c, ...helpers]) =>
      introspectPostgres(c as pg.ClientBase, database, selection, helpers),
    );
  }

  async estimateSizes(databases: readonly string[]): Promise<Map<string, number>> {
    return withPg(this.profile, this.profile.database, async (c) => {
      const res = await c.query<{ name: string; bytes: string }>(
        'SELECT datname AS name, pg_database_size(oid)::text AS bytes FROM pg_database WHERE datname = ANY($1::text[])',
        [databases],
      );
      return new Map(res.rows.map((r) => [r.name, Number(r.bytes)]));
    });
  }

  describeSchema(database: string, selection: TableSelection): Promise<SchemaObjectSummary[]> {
    return withPgGroup(this.profile, database, INTROSPECT_CONNECTIONS, ([c, ...helpers]) =>
      describePostgresSchema(c as pg.ClientBase, database, selection, helpers),
    );
  }

  async openSnapshot(req: SnapshotRequest): Promise<SourceSnapshot> {
    if (req.cdc) return this.openCdcSnapshot(req);
    const owner = await connectPg(this.profile, req.database, { applicationName: 'migrate:snapshot' });
    try {
      await owner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const res = await owner.query<{ id: string; v: string }>(
        "SELECT pg_export_snapshot() AS id, current_setting('server_version_num') AS v",
      );
      const row = res.rows[0];
      if (!row) throw new Error('pg_export_snapshot returned nothing');
      this.ctx.logger.debug('snapshot exported', { database: req.database, snapshot: row.id });
      const snapshot = new PostgresSnapshot(
        this.profile,
        req.database,
        row.id,
        null,
        { close: () => owner.end().catch(() => undefined) },
        Number(row.v),
      );
      await snapshot.warm(req.readers ?? 1);
      return snapshot;
    } catch (err) {
      await owner.end().catch(() => undefined);
      throw new Error(`cannot open a snapshot on ${describeEndpoint(this.profile, req.database)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * The first snapshot of a continuous job is the one its slot exports, so
   * the dump and the change stream meet exactly at the slot's consistent
   * point. Later snapshots (resume after a crash, tables added mid-run) come
   * from a temporary slot: its consistent point is the sync position from
   * which those tables' changes apply.
   */
  private async openCdcSnapshot(req: SnapshotRequest): Promise<SourceSnapshot> {
    const name = req.artifactName;
    const version = await withPg(this.profile, req.database, async (c) => {
      await setPublicationTables(c, name, req.tables);
      const v = await c.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      return { num: Number(v.rows[0]?.v ?? '0'), slot: await slotExists(c, name) };
    });
    const repl = await connectPg(this.profile, req.database, { replication: true, applicationName: 'migrate:snapshot' });
    try {
      const slot = version.slot ? `migrate_tmp_${randomUUID().replace(/-/g, '').slice(0, 16)}` : name;
      const res = await repl.query<{ consistent_point: string; snapshot_name: string }>(
        `CREATE_REPLICATION_SLOT ${quoteIdent(slot)}${version.slot ? ' TEMPORARY' : ''} LOGICAL pgoutput EXPORT_SNAPSHOT`,
      );
      const row = res.rows[0];
      if (!row) throw new Error('CREATE_REPLICATION_SLOT returned nothing');
      this.ctx.logger.debug('cdc snapshot', { database: req.database, slot, position: row.consistent_point });
      const snapshot = new PostgresSnapshot(
        this.profile,
        req.database,
        row.snapshot_name,
        row.consistent_point,
        { close: () => repl.end().catch(() => undefined) },
        version.num,
      );
      await snapshot.warm(req.readers ?? 1);
      return snapshot;
    } catch (err) {
      await repl.end().catch(() => undefined);
      throw new Error(
        `cannot create the replication slot on ${describeEndpoint(this.profile, req.database)}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }

  streamChanges(database: string, artifactName: string, from: string | null): Promise<ChangeStream> {
    // 0/0: the slot's own confirmed position (its consistent point until the first acknowledgement)
    return PgChangeStream.open(
      this.profile,
      database,
      artifactName,
      artifactName,
      from ?? '0/0',
      this.ctx.logger,
      this.ctx.memory,
    );
  }

  async setCapturedTables(database: string, artifactName: string, tables: QualifiedName[]): Promise<void> {
    await withPg(this.profile, database, (c) => setPublicationTables(c, artifactName, tables));
  }

  async artifactsExist(database: string, artifactName: string): Promise<boolean> {
    return withPg(
      this.profile,
      database,
      async (c) => (await slotExists(c, artifactName)) && (await publicationExists(c, artifactName)),
    );
  }

  currentPosition(database: string): Promise<string> {
    return withPg(this.profile, database, async (c) => {
      const res = await c.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      return res.rows[0]?.lsn ?? '0/0';
    });
  }

  retainedBytes(database: string, artifactName: string): Promise<number | null> {
    return withPg(this.profile, database, async (c) => {
      // a byte count, not a value: past 2^53 bytes of WAL a float is still the right magnitude
      const res = await c.query<{ bytes: string | null }>(
        'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS bytes FROM pg_replication_slots WHERE slot_name = $1',
        [artifactName],
      );
      const bytes = res.rows[0]?.bytes;
      return bytes == null ? null : Number(bytes);
    });
  }

  comparePositions(a: string, b: string): number {
    return compareLsn(a, b);
  }

  tablesWithoutKey(database: string, tables: readonly QualifiedName[]): Promise<QualifiedName[]> {
    if (!tables.length) return Promise.resolve([]);
    return withPg(this.profile, database, async (c) => {
      const res = await c.query<{ schema: string; name: string }>(
        `SELECT n.nspname AS schema, c.relname AS name
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind = 'r' AND c.relreplident IN ('d', 'n')
            AND (c.relreplident = 'n' OR NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
            AND (n.nspname, c.relname) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [tables.map((t) => t.schema), tables.map((t) => t.name)],
      );
      return res.rows;
    });
  }

  async enableFullRowIdentity(database: string, tables: readonly QualifiedName[]): Promise<void> {
    if (!tables.length) return;
    await withPg(this.profile, database, async (c) => {
      for (const t of tables) await c.query(`ALTER TABLE ${quoteQualified(t)} REPLICA IDENTITY FULL`);
    });
  }

  readSequences(database: string, sequences: QualifiedName[]): Promise<SequenceValue[]> {
    if (!sequences.length) return Promise.resolve([]);
    return withPg(this.profile, database, async (c) => {
      const out: SequenceValue[] = [];
      for (const seq of sequences) {
        const res = await c.query<{ last_value: string; is_called: string }>(
          `SELECT last_value, is_called FROM ${quoteQualified(seq)}`,
        );
        const row = res.rows[0];
        if (row)
          out.push({ sequence: seq, lastValue: row.last_value, isCalled: row.is_called === 't' || row.is_called === 'true' });
      }
      return out;
    });
  }

  async dropArtifacts(database: string, artifactName: string): Promise<void> {
    await withPg(this.profile, database, (c) => dropCdcArtifacts(c, artifactName));
  }

  checksummer(database: string): TableChecksummer {
    return new PgChecksummer(this.profile, database);
  }

  formatsFor(table: TableDef): CopyFormat[] {
    return table.columns.every((c) => c.generated !== null || c.binarySafe) ? ['pg-binary', 'pg-text'] : ['pg-text'];
  }

  async close(): Promise<void> {}
}
