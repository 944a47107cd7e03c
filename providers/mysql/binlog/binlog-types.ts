/**
 * The contract of the MySQL/MariaDB binary-log reader: what it yields, one
 * discriminated union on `kind`. Values are exact (no JS number, no Date);
 * positions are binlog coordinates. Only positions of `commit`, `ddl`,
 * `rotate` and `heartbeat` events are resume points: resuming inside a
 * transaction can skip it on MariaDB (research/mysql.md).
 */

/**
 * One column value: decimal/temporal/enum/bit/JSON values as text, character
 * and binary data (CHAR, VARCHAR, TEXT, BLOB, BINARY, GEOMETRY) as the stored
 * bytes (decode text with the column's `collation`), SQL NULL as null.
 * CHAR values come without trailing spaces (the server strips them when it
 * logs a row, as SELECT does); BINARY(n) values are padded back to n bytes.
 * Buffers are views into the event's bytes: copy the ones kept for long.
 */
export type BinlogValue = string | Buffer | null;

/**
 * Text of the value of a character column (CHAR, VARCHAR, TEXT; a collation
 * other than `binary`): its stored bytes `buf[start, end)` decoded in the
 * column's charset. Given to the reader (`decodeText`), such values come as
 * this text instead of Buffer views; it may throw (bytes not valid in the charset).
 */
export type BinlogTextDecoder = (buf: Buffer, start: number, end: number, column: BinlogColumn) => string;

/**
 * Where the reader is: the binlog file and the offset just after the event.
 * `gtid` is the MariaDB GTID state at that point (`domain-server-seq`, one per
 * domain, comma-separated: what `@slave_connect_state` takes); unset on MySQL
 * (the reader reports each transaction's GTID but keeps no executed set).
 */
export interface BinlogPosition {
  file: string;
  offset: number;
  gtid?: string;
}

/** A column as the TABLE_MAP event (with `binlog_row_metadata=FULL`) describes it. */
export interface BinlogColumn {
  /** Position in the row, from 0. */
  index: number;
  name: string;
  /** MySQL wire type code (`MYSQL_TYPE_*`) as the binlog stores it; ENUM/SET are resolved from STRING. */
  type: number;
  /** Lower-case type name: `tinyint`, `decimal`, `datetime2`, `enum`, `blob`, … */
  typeName: string;
  nullable: boolean;
  /** Integer kinds, DECIMAL, FLOAT, DOUBLE: from the SIGNEDNESS metadata. */
  unsigned: boolean;
  /** Character and binary columns (CHAR/VARCHAR/TEXT/BLOB, ENUM/SET labels): collation id; 63 is `binary`. */
  collation?: number;
  /** NEWDECIMAL. */
  precision?: number;
  scale?: number;
  /** TIME2/DATETIME2/TIMESTAMP2: fractional digits 0–6. */
  fsp?: number;
  /** BIT: width in bits. */
  bits?: number;
  /** ENUM/SET labels in definition order. */
  labels?: readonly string[];
  /** CHAR/VARCHAR: maximum length in bytes; BLOB/GEOMETRY/JSON: bytes of the length prefix. */
  maxLength?: number;
  /** GEOMETRY: the GEOMETRY_TYPE metadata (0 geometry, 1 point, …). */
  geometryType?: number;
  /** Part of the primary key (SIMPLE_PRIMARY_KEY / PRIMARY_KEY_WITH_PREFIX metadata). */
  primaryKey: boolean;
}

/**
 * What a TABLE_MAP without `binlog_row_metadata=FULL` lacks (MySQL 5.7 has no
 * such setting): names, signedness, charsets, ENUM/SET labels, key. Give
 * only a description that matches the table as of the event, e.g. a schema
 * the consumer keeps in step with the `ddl` events of this same stream
 * (reading the catalog now can describe a later version of the table).
 */
export interface BinlogColumnHint {
  name: string;
  /** Required for integer kinds, DECIMAL, FLOAT, DOUBLE. */
  unsigned?: boolean;
  /** Required for CHAR/VARCHAR/TEXT/BLOB (and GEOMETRY on MariaDB). */
  collation?: number;
  /** Required for ENUM and SET. */
  labels?: readonly string[];
  primaryKey?: boolean;
}

/** Column hints of `database`.`table`, in column order; undefined when unknown. */
export type BinlogSchemaHints = (database: string, table: string) => readonly BinlogColumnHint[] | undefined;

/** A table as its TABLE_MAP event describes it; shared by every row event of the table (never mutate). */
export interface BinlogTable {
  /** The server's table id (decimal text: it is 48 bits wide). */
  id: string;
  database: string;
  table: string;
  columns: readonly BinlogColumn[];
}

/** One changed row: `after` for writes, `before` for deletes, both for updates (full images). */
export interface BinlogRow {
  before?: BinlogValue[];
  after?: BinlogValue[];
}

/** Unix seconds of the event on the source (0 for artificial events and heartbeats). */
interface Stamped {
  timestamp: number;
  position: BinlogPosition;
}

/** Row changes of one table, in one rows event (a statement may span several). */
export interface BinlogRowsEvent extends Stamped {
  kind: 'write' | 'update' | 'delete';
  database: string;
  table: string;
  columns: readonly BinlogColumn[];
  rows: BinlogRow[];
}

/**
 * A transaction opens (MariaDB GTID event, or MySQL `BEGIN` after its GTID).
 * `gtid` is this transaction's GTID (`d-s-n` on MariaDB, `uuid:n` on MySQL).
 */
export interface BinlogBeginEvent extends Stamped {
  kind: 'begin';
  gtid?: string;
  serverId: number;
}

/**
 * A transaction ends: `position` is just after it, a resume point. `via`
 * says how: an XID event (transactional engines), a `COMMIT` query
 * (non-transactional engines), or a `ROLLBACK` query, which the server only
 * logs after changes to non-transactional tables that stay applied on the
 * source: its rows happened and should be applied like a commit's.
 */
export interface BinlogCommitEvent extends Stamped {
  kind: 'commit';
  via: 'xid' | 'commit' | 'rollback';
  xid?: string;
  gtid?: string;
}

/**
 * A statement other than BEGIN/COMMIT/ROLLBACK (DDL). Normally its own
 * transaction, and then `position` is a resume point; `inTransaction` when
 * it opens a group that rows and a commit follow (`CREATE TABLE … SELECT`).
 */
export interface BinlogDdlEvent extends Stamped {
  kind: 'ddl';
  inTransaction: boolean;
  /** The session's default database when it ran (may be '' : the SQL may name others). */
  database: string;
  /** The statement text, decoded as UTF-8. */
  sql: string;
  gtid?: string;
}

/** The server switched to the next binlog file: `position` is its start. */
export interface BinlogRotateEvent extends Stamped {
  kind: 'rotate';
}

/** The source is idle: the position still advances (to the end of what it has written). */
export interface BinlogHeartbeatEvent extends Stamped {
  kind: 'heartbeat';
}

export type BinlogEvent =
  BinlogRowsEvent | BinlogBeginEvent | BinlogCommitEvent | BinlogDdlEvent | BinlogRotateEvent | BinlogHeartbeatEvent;

export type BinlogEventKind = BinlogEvent['kind'];

/** Where to start reading: coordinates (both engines) or, on MariaDB, a GTID state. */
export type BinlogStart = { file: string; offset: number } | { gtid: string };
