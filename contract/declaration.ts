import type { SourceLocation } from './diagnostic.js';

/** What providers and the engine share of the declaration (the engine's full model: engine/config/declaration.ts). */
export type EngineKind = 'postgres' | 'mysql' | 'sqlserver' | 'oracle';
export const ENGINE_KINDS: readonly EngineKind[] = ['postgres', 'mysql', 'sqlserver', 'oracle'];

export type TlsMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
export type JobType = 'one-time' | 'continuous';
export type DesiredState = 'not-started' | 'running' | 'stopped' | 'promoted';
/** `min` = 1 worker per job, `optimal` = cores, `max` = 2 × cores, or an explicit count. */
export type Parallelism = 'min' | 'optimal' | 'max' | number;

export interface TlsSettings {
  mode: TlsMode;
  /** Path to a CA bundle (PEM), for verify-ca / verify-full. */
  ca?: string;
}

/** A connection profile. `password` is a reference (`${env:NAME}` / `${file:PATH}`), never resolved here. */
export interface Profile {
  name: string;
  engine: EngineKind;
  host: string;
  port: number;
  user: string;
  password?: string;
  /** Database used for the control connection (default: engine's default, e.g. `postgres`). */
  database: string;
  tls: TlsSettings;
  location: SourceLocation;
}

/** How schema objects are recreated: owners and privileges as on the source (`keep`) or not (`skip`). */
export interface SchemaSettings {
  /** Default `keep`: every object gets its source owner (the roles must exist on the destination). */
  owners: 'keep' | 'skip';
  /** Default `keep`: GRANTs and default privileges as on the source (the grantee roles must exist). */
  grants: 'keep' | 'skip';
  /** Column type overrides of heterogeneous pairs (declared as the job's `types:`), first match wins. Default none. */
  types?: TypeOverride[];
  /**
   * What a MySQL zero date (`0000-00-00`, a zero month or day) becomes at a
   * destination that cannot hold it (declared as the job's `zeroDates:`):
   * `null` (absent: the default, pgloader's zero-dates-to-null), `error` (the
   * table is held back, naming column and key), or a replacement: `-infinity`,
   * `infinity` or a `YYYY-MM-DD` date (midnight UTC for timestamps). A MySQL
   * destination keeps zero dates whatever this says.
   */
  zeroDates?: ZeroDates;
}

/** The job's `zeroDates:` rule (SchemaSettings.zeroDates). */
export type ZeroDates = 'null' | 'error' | string;

/** A per-job column type override: columns by native type and/or `database.table.column` glob, to a destination type. */
export interface TypeOverride {
  /** Source native type, matched exactly, case-insensitively (`tinyint(1)`). */
  nativeType?: string;
  /** `database.table.column` glob (`*`, `?`), case-insensitive. */
  column?: string;
  /** Destination type, e.g. `boolean`, `interval`, `text`. */
  to: string;
}

export interface TableSelection {
  /** `schema.table` glob patterns (`*` and `?`); default `["*.*"]`. */
  include: string[];
  exclude: string[];
}
