/**
 * The `_migrate` schema a SQL Server destination keeps in each target
 * database: the checkpoint of every job and source database (written in the
 * same transaction as the changes it covers) and the load markers of
 * finished tables (resume skips them).
 */
import type { QualifiedName } from '../catalog.js';
import { quoteSqlServerLiteral } from './mssql-quote.js';

export const CONTROL_SCHEMA = '_migrate';

export const CONTROL_DDL: readonly string[] = [
  `IF SCHEMA_ID(N'${CONTROL_SCHEMA}') IS NULL EXEC(N'CREATE SCHEMA [${CONTROL_SCHEMA}]')`,
  `IF OBJECT_ID(N'[${CONTROL_SCHEMA}].[checkpoints]', N'U') IS NULL
CREATE TABLE [${CONTROL_SCHEMA}].[checkpoints] (
  [job] nvarchar(200) NOT NULL,
  [source_database] nvarchar(200) NOT NULL,
  [position] varchar(100) NOT NULL,
  [updated_at] datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  PRIMARY KEY ([job], [source_database])
)`,
  `IF OBJECT_ID(N'[${CONTROL_SCHEMA}].[loaded_tables]', N'U') IS NULL
CREATE TABLE [${CONTROL_SCHEMA}].[loaded_tables] (
  [job] nvarchar(200) NOT NULL,
  [generation] int NOT NULL,
  [table_schema] nvarchar(128) NOT NULL,
  [table_name] nvarchar(128) NOT NULL,
  [rows] bigint NOT NULL,
  [bytes] bigint NOT NULL,
  [sync_position] varchar(100) NULL,
  [loaded_at] datetime2(3) NOT NULL DEFAULT SYSUTCDATETIME(),
  PRIMARY KEY ([job], [generation], [table_schema], [table_name])
)`,
];

/** Upsert of a checkpoint (run inside the apply transaction, last). */
export function writeCheckpointSql(job: string, database: string, position: string): string {
  return `MERGE [${CONTROL_SCHEMA}].[checkpoints] WITH (HOLDLOCK) AS d
USING (VALUES (${quoteSqlServerLiteral(job)}, ${quoteSqlServerLiteral(database)}, ${quoteSqlServerLiteral(position)})) AS s ([job], [source_database], [position])
ON d.[job] = s.[job] AND d.[source_database] = s.[source_database]
WHEN MATCHED THEN UPDATE SET [position] = s.[position], [updated_at] = SYSUTCDATETIME()
WHEN NOT MATCHED THEN INSERT ([job], [source_database], [position]) VALUES (s.[job], s.[source_database], s.[position]);`;
}

export function readCheckpointSql(job: string, database: string): string {
  return `SELECT [position] FROM [${CONTROL_SCHEMA}].[checkpoints] WHERE [job] = ${quoteSqlServerLiteral(job)} AND [source_database] = ${quoteSqlServerLiteral(database)}`;
}

export function markTableLoadedSql(m: {
  job: string;
  generation: number;
  table: QualifiedName;
  rows: number;
  bytes: number;
  syncPosition: string | null;
}): string {
  const key = `[job] = ${quoteSqlServerLiteral(m.job)} AND [generation] = ${m.generation} AND [table_schema] = ${quoteSqlServerLiteral(m.table.schema)} AND [table_name] = ${quoteSqlServerLiteral(m.table.name)}`;
  const sync = m.syncPosition === null ? 'NULL' : quoteSqlServerLiteral(m.syncPosition);
  return `DELETE FROM [${CONTROL_SCHEMA}].[loaded_tables] WHERE ${key};
INSERT INTO [${CONTROL_SCHEMA}].[loaded_tables] ([job], [generation], [table_schema], [table_name], [rows], [bytes], [sync_position])
VALUES (${quoteSqlServerLiteral(m.job)}, ${m.generation}, ${quoteSqlServerLiteral(m.table.schema)}, ${quoteSqlServerLiteral(m.table.name)}, ${Math.trunc(m.rows)}, ${Math.trunc(m.bytes)}, ${sync});`;
}

export function loadedTablesSql(job: string, generation: number): string {
  return `SELECT [table_schema], [table_name], CAST([rows] AS varchar(20)) AS [rows], CAST([bytes] AS varchar(20)) AS [bytes], [sync_position] FROM [${CONTROL_SCHEMA}].[loaded_tables] WHERE [job] = ${quoteSqlServerLiteral(job)} AND [generation] = ${generation}`;
}

export function forgetTableSql(job: string, generation: number, table: QualifiedName): string {
  return `DELETE FROM [${CONTROL_SCHEMA}].[loaded_tables] WHERE [job] = ${quoteSqlServerLiteral(job)} AND [generation] = ${generation} AND [table_schema] = ${quoteSqlServerLiteral(table.schema)} AND [table_name] = ${quoteSqlServerLiteral(table.name)}`;
}
