/**
 * The one error class of the binlog reader. Every event that cannot be
 * decoded without losing data is a BinlogError, never a silent skip; `code`
 * names the case so callers can react (quarantine a table, re-snapshot, …).
 */
export type BinlogErrorCode =
  /** MariaDB `log_bin_compress=ON` (QUERY_COMPRESSED, *_ROWS_COMPRESSED). */
  | 'COMPRESSED_EVENT'
  /** MySQL `binlog_transaction_compression=ON` (TRANSACTION_PAYLOAD). */
  | 'TRANSACTION_PAYLOAD'
  /** MySQL `binlog_row_value_options=PARTIAL_JSON` (PARTIAL_UPDATE_ROWS). */
  | 'PARTIAL_UPDATE'
  /** A row image without every column: `binlog_row_image` is not FULL. */
  | 'PARTIAL_ROW_IMAGE'
  /** TABLE_MAP without column names / ENUM-SET labels / signedness: `binlog_row_metadata` is not FULL. */
  | 'MISSING_METADATA'
  | 'UNKNOWN_COLUMN_TYPE'
  /** An event type that may carry data and that the reader does not decode. */
  | 'UNSUPPORTED_EVENT'
  /** XA transactions, savepoint rollbacks: the binlog does not say which rows survive. */
  | 'UNSUPPORTED_TRANSACTION'
  /** The source logged an INCIDENT: it says changes may be missing from the binlog. */
  | 'INCIDENT'
  | 'CHECKSUM_MISMATCH'
  /** Bytes that do not parse (truncated event, rows for an unknown table id, …). */
  | 'MALFORMED_EVENT'
  /** The server refused or broke the dump (error packet, lost connection). */
  | 'SERVER_ERROR';

export class BinlogError extends Error {
  override readonly name = 'BinlogError';
  readonly errno: number | undefined;

  constructor(
    readonly code: BinlogErrorCode,
    message: string,
    options?: {
      cause?: unknown;
      /** Server error number (SERVER_ERROR), e.g. 1236 when the requested binlog is purged. */
      errno?: number;
    },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.errno = options?.errno;
  }
}
