/**
 * node-oracledb in Thin mode (pure JavaScript: `initOracleClient` is never
 * called, so no Oracle Client libraries are loaded), with the few typings
 * this folder uses (the package ships none; loaded through `require`, it is
 * CommonJS). Every query of ours fetches NUMBER as a string and LOBs as
 * strings / Buffers (`exactFetch`): no NUMBER becomes a JS number and no
 * DATE or TIMESTAMP a JS Date (those are selected as text, oracle-sql.ts).
 */
import { createRequire } from 'node:module';

export interface OracleDbType {
  readonly num: number;
  readonly name: string;
}

export interface OracleMetadata {
  name: string;
  dbType: OracleDbType;
  dbTypeName?: string;
}

export interface OracleExecuteOptions {
  outFormat?: number;
  resultSet?: boolean;
  fetchArraySize?: number;
  prefetchRows?: number;
  autoCommit?: boolean;
  fetchTypeHandler?: (meta: OracleMetadata) => { type: OracleDbType } | undefined;
}

export interface OracleResultSet<T> {
  getRows(n: number): Promise<T[]>;
  close(): Promise<void>;
  metaData?: OracleMetadata[];
}

export interface OracleResult<T> {
  rows?: T[];
  resultSet?: OracleResultSet<T>;
  metaData?: OracleMetadata[];
}

export interface OracleConnection {
  execute<T = unknown>(
    sql: string,
    binds?: unknown[] | Record<string, unknown>,
    options?: OracleExecuteOptions,
  ): Promise<OracleResult<T>>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
  break(): Promise<void>;
  oracleServerVersionString?: string;
}

export interface OracleConnectAttributes {
  user: string;
  password?: string;
  connectString: string;
  connectTimeout?: number;
  sslServerDNMatch?: boolean;
  walletContent?: string;
  expireTime?: number;
}

interface OracleDb {
  getConnection(attrs: OracleConnectAttributes): Promise<OracleConnection>;
  readonly thin: boolean;
  readonly OUT_FORMAT_OBJECT: number;
  readonly OUT_FORMAT_ARRAY: number;
  readonly STRING: OracleDbType;
  readonly BUFFER: OracleDbType;
  readonly DB_TYPE_NUMBER: OracleDbType;
  readonly DB_TYPE_CLOB: OracleDbType;
  readonly DB_TYPE_NCLOB: OracleDbType;
  readonly DB_TYPE_BLOB: OracleDbType;
  readonly DB_TYPE_LONG: OracleDbType;
  readonly DB_TYPE_LONG_RAW: OracleDbType;
  readonly DB_TYPE_JSON?: OracleDbType;
}

let loaded: OracleDb | null = null;

/** The driver, loaded on first use (a build without Oracle jobs never loads it). */
export function oracledb(): OracleDb {
  loaded ??= createRequire(import.meta.url)('oracledb') as OracleDb;
  return loaded;
}

/** NUMBER as its text, CLOB/NCLOB/LONG as strings, BLOB/LONG RAW as Buffers. */
export function exactFetch(meta: OracleMetadata): { type: OracleDbType } | undefined {
  const db = oracledb();
  switch (meta.dbType) {
    case db.DB_TYPE_NUMBER:
    case db.DB_TYPE_CLOB:
    case db.DB_TYPE_NCLOB:
    case db.DB_TYPE_LONG:
      return { type: db.STRING };
    case db.DB_TYPE_BLOB:
    case db.DB_TYPE_LONG_RAW:
      return { type: db.BUFFER };
    default:
      return undefined;
  }
}

/** Rows as objects by column name, values exact. */
export function objectRows(): OracleExecuteOptions {
  return { outFormat: oracledb().OUT_FORMAT_OBJECT, fetchTypeHandler: exactFetch };
}

/** Rows as arrays in select-list order, values exact (the dump). */
export function arrayRows(): OracleExecuteOptions {
  return { outFormat: oracledb().OUT_FORMAT_ARRAY, fetchTypeHandler: exactFetch };
}
