/**
 * Our bookkeeping on the destination lives in its own schema so it never
 * mixes with user objects: full-load markers (resume skips finished tables;
 * `sync_position` is where a table's changes start to apply) and the CDC
 * checkpoint, committed in the same transaction as each applied batch.
 */
export const CONTROL_SCHEMA = '_migrate';

export function controlSchemaDdl(): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${CONTROL_SCHEMA};
CREATE TABLE IF NOT EXISTS ${CONTROL_SCHEMA}.full_load_tables (
  job text NOT NULL,
  generation integer NOT NULL,
  schema_name text NOT NULL,
  table_name text NOT NULL,
  rows bigint NOT NULL,
  bytes bigint NOT NULL,
  sync_position text,
  loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, generation, schema_name, table_name)
);
CREATE TABLE IF NOT EXISTS ${CONTROL_SCHEMA}.cdc_checkpoint (
  job text NOT NULL,
  database text NOT NULL,
  position text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job, database)
);`;
}
