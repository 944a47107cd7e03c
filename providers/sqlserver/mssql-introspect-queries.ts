/** The catalog queries of a SQL Server database (one per kind, whatever the number of tables). */

export const VERSION_SQL = `SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(50)) AS version,
       CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS collation, SUSER_SNAME() AS login_name, USER_NAME() AS user_name`;

export const TABLES_SQL = `SELECT s.name AS table_schema, t.name AS table_name,
       CAST(ISNULL((SELECT SUM(p.rows) FROM sys.partitions p WHERE p.object_id = t.object_id AND p.index_id IN (0, 1)), 0) AS varchar(20)) AS est_rows,
       CAST(ISNULL((SELECT SUM(a.used_pages) FROM sys.partitions p JOIN sys.allocation_units a ON a.container_id = p.partition_id
                     WHERE p.object_id = t.object_id), 0) * 8192 AS varchar(20)) AS est_bytes,
       CAST(ep.value AS nvarchar(4000)) AS comment
  FROM sys.tables t JOIN sys.schemas s ON s.schema_id = t.schema_id
  LEFT JOIN sys.extended_properties ep ON ep.major_id = t.object_id AND ep.minor_id = 0 AND ep.class = 1 AND ep.name = N'MS_Description'
 WHERE t.is_ms_shipped = 0 AND s.name NOT IN (N'cdc', N'sys', N'_migrate') AND t.temporal_type <> 1
 ORDER BY s.name, t.name`;

export const COLUMNS_SQL = `SELECT s.name AS table_schema, t.name AS table_name, c.name AS column_name, c.column_id,
       CASE WHEN ty.is_assembly_type = 1 OR ty.is_user_defined = 0 THEN ty.name ELSE TYPE_NAME(ty.system_type_id) END AS base_type,
       ty.is_assembly_type, c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity, c.is_computed,
       cc.definition AS computed_definition, cc.is_persisted, c.collation_name,
       CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS db_collation,
       dc.definition AS default_definition,
       CAST(ic.seed_value AS varchar(40)) AS identity_seed, CAST(ic.increment_value AS varchar(40)) AS identity_increment,
       CAST(ep.value AS nvarchar(4000)) AS comment
  FROM sys.columns c
  JOIN sys.tables t ON t.object_id = c.object_id
  JOIN sys.schemas s ON s.schema_id = t.schema_id
  JOIN sys.types ty ON ty.user_type_id = c.user_type_id
  LEFT JOIN sys.computed_columns cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
  LEFT JOIN sys.default_constraints dc ON dc.object_id = c.default_object_id
  LEFT JOIN sys.identity_columns ic ON ic.object_id = c.object_id AND ic.column_id = c.column_id
  LEFT JOIN sys.extended_properties ep ON ep.major_id = c.object_id AND ep.minor_id = c.column_id AND ep.class = 1 AND ep.name = N'MS_Description'
 WHERE t.is_ms_shipped = 0 AND s.name NOT IN (N'cdc', N'sys', N'_migrate')
 ORDER BY s.name, t.name, c.column_id`;

export const INDEXES_SQL = `SELECT s.name AS table_schema, t.name AS table_name, i.name AS index_name, i.type_desc, i.is_primary_key,
       i.is_unique_constraint, i.is_unique, i.filter_definition, col.name AS column_name, ic.key_ordinal, ic.is_descending_key,
       ic.is_included_column
  FROM sys.indexes i
  JOIN sys.tables t ON t.object_id = i.object_id
  JOIN sys.schemas s ON s.schema_id = t.schema_id
  JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id
  JOIN sys.columns col ON col.object_id = ic.object_id AND col.column_id = ic.column_id
 WHERE t.is_ms_shipped = 0 AND i.type IN (1, 2) AND i.is_hypothetical = 0 AND s.name NOT IN (N'cdc', N'sys', N'_migrate')
 ORDER BY s.name, t.name, i.name, ic.is_included_column, ic.key_ordinal, ic.index_column_id`;

export const FOREIGN_KEYS_SQL = `SELECT s.name AS table_schema, t.name AS table_name, fk.name AS constraint_name, pc.name AS column_name,
       rs.name AS ref_schema, rt.name AS ref_table, rc.name AS ref_column,
       fk.delete_referential_action_desc AS on_delete, fk.update_referential_action_desc AS on_update
  FROM sys.foreign_keys fk
  JOIN sys.tables t ON t.object_id = fk.parent_object_id
  JOIN sys.schemas s ON s.schema_id = t.schema_id
  JOIN sys.tables rt ON rt.object_id = fk.referenced_object_id
  JOIN sys.schemas rs ON rs.schema_id = rt.schema_id
  JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
  JOIN sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
  JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
 ORDER BY s.name, t.name, fk.name, fkc.constraint_column_id`;

export const CHECKS_SQL = `SELECT s.name AS table_schema, t.name AS table_name, cc.name AS constraint_name, cc.definition
  FROM sys.check_constraints cc
  JOIN sys.tables t ON t.object_id = cc.parent_object_id
  JOIN sys.schemas s ON s.schema_id = t.schema_id
 ORDER BY s.name, t.name, cc.name`;

export const CODE_OBJECTS_SQL = `SELECT s.name AS object_schema, o.name AS object_name, o.type_desc
  FROM sys.objects o JOIN sys.schemas s ON s.schema_id = o.schema_id
 WHERE o.is_ms_shipped = 0 AND o.type IN ('V', 'P', 'FN', 'IF', 'TF', 'TR', 'SN') AND s.name NOT IN (N'cdc', N'sys', N'_migrate')
 ORDER BY s.name, o.name`;

export const SEQUENCES_SQL = `SELECT s.name AS sequence_schema, q.name AS sequence_name, TYPE_NAME(q.user_type_id) AS data_type,
       CAST(q.start_value AS varchar(40)) AS start_value, CAST(q.increment AS varchar(40)) AS increment,
       CAST(q.minimum_value AS varchar(40)) AS min_value, CAST(q.maximum_value AS varchar(40)) AS max_value,
       CAST(ISNULL(q.cache_size, 0) AS varchar(20)) AS cache_size, q.is_cycling
  FROM sys.sequences q JOIN sys.schemas s ON s.schema_id = q.schema_id
 ORDER BY s.name, q.name`;
