import type { TableSelection } from '../../engine/config/declaration.js';
import { compileSelection } from '../../engine/config/table-pattern.js';
import type { Diagnostic } from '../../engine/diagnostics/diagnostic.js';
import type { Catalog, QualifiedName, TableDef } from '../catalog.js';
import type {
  CopyFormat,
  ProviderContext,
  ResolvedProfile,
  SequenceValue,
  SnapshotRequest,
  SourceProvider,
  SourceSnapshot,
} from '../provider.js';
import { connectPg, describeEndpoint, withPg } from './pg-connection.js';
import { introspectPostgres } from './pg-introspector.js';
import { checkSourcePrerequisites } from './pg-prerequisites.js';
import { quoteQualified } from './pg-quote.js';
import { PostgresSnapshot } from './pg-snapshot.js';

export class PostgresSource implements SourceProvider {
  constructor(
    private readonly profile: ResolvedProfile,
    private readonly ctx: ProviderContext,
  ) {}

  checkPrerequisites(req: { databases: string[]; continuous: boolean }): Promise<Diagnostic[]> {
    return checkSourcePrerequisites(this.profile, req);
  }

  introspect(database: string, selection: TableSelection): Promise<Catalog> {
    return withPg(this.profile, database, (c) => introspectPostgres(c, database, compileSelection(selection)));
  }

  async openSnapshot(req: SnapshotRequest): Promise<SourceSnapshot> {
    if (req.cdc) throw new Error('continuous jobs (CDC) are not supported yet by this build');
    const owner = await connectPg(this.profile, req.database, { applicationName: 'migrate:snapshot' });
    try {
      await owner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const res = await owner.query<{ id: string; v: string }>(
        "SELECT pg_export_snapshot() AS id, current_setting('server_version_num') AS v",
      );
      const row = res.rows[0];
      if (!row) throw new Error('pg_export_snapshot returned nothing');
      this.ctx.logger.debug('snapshot exported', { database: req.database, snapshot: row.id });
      return new PostgresSnapshot(
        this.profile,
        req.database,
        row.id,
        null,
        { close: () => owner.end().catch(() => undefined) },
        Number(row.v),
      );
    } catch (err) {
      await owner.end().catch(() => undefined);
      throw new Error(`cannot open a snapshot on ${describeEndpoint(this.profile, req.database)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
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
        if (row) out.push({ sequence: seq, lastValue: row.last_value, isCalled: row.is_called === 't' || row.is_called === 'true' });
      }
      return out;
    });
  }

  async dropArtifacts(): Promise<void> {
    // one-time jobs leave nothing on the source
  }

  formatsFor(table: TableDef): CopyFormat[] {
    return table.columns.every((c) => c.generated !== null || c.binarySafe) ? ['pg-binary', 'pg-text'] : ['pg-text'];
  }

  async close(): Promise<void> {}
}
