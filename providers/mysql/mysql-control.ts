/**
 * Our bookkeeping on a MySQL destination: a database of its own (a MySQL
 * database is the only namespace), so it never mixes with user tables.
 * Full-load markers (resume skips finished tables; `sync_position` is where a
 * table's changes start to apply) and the CDC checkpoint, committed in the
 * same transaction as each applied batch. Rows are keyed by the target
 * database: one control database serves every job writing to the server.
 */
import { quoteMySqlIdent } from './mysql-quote.js';

export const MYSQL_CONTROL_DATABASE = '_migrate';

const db = quoteMySqlIdent(MYSQL_CONTROL_DATABASE);
export const FULL_LOAD_TABLES = `${db}.full_load_tables`;
export const CDC_CHECKPOINT = `${db}.cdc_checkpoint`;

export const CONTROL_DDL: readonly string[] = [
  `CREATE DATABASE IF NOT EXISTS ${db} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS ${FULL_LOAD_TABLES} (
     target_db varchar(64) NOT NULL,
     job varchar(200) NOT NULL,
     generation int NOT NULL,
     schema_name varchar(64) NOT NULL,
     table_name varchar(64) NOT NULL,
     \`rows\` bigint NOT NULL,
     bytes bigint NOT NULL,
     sync_position varchar(255) NULL,
     loaded_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
     PRIMARY KEY (target_db, job, generation, schema_name, table_name)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS ${CDC_CHECKPOINT} (
     target_db varchar(64) NOT NULL,
     job varchar(200) NOT NULL,
     database_name varchar(64) NOT NULL,
     position varchar(255) NOT NULL,
     updated_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
     PRIMARY KEY (target_db, job, database_name)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
];
