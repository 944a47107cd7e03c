/**
 * WRITE/UPDATE/DELETE_ROWS events, v1 (MariaDB, MySQL 5.x) and v2 (MySQL
 * 5.6+ default): the rows of one table, full images only: a column missing
 * from the columns-present bitmap (binlog_row_image MINIMAL or NOBLOB) is a
 * PARTIAL_ROW_IMAGE error, since the reader would otherwise invent values.
 */
import { BinlogError } from './binlog-error.js';
import type { BinlogCursor } from './binlog-cursor.js';
import type { BinlogRow, BinlogTable, BinlogTextDecoder, BinlogValue } from './binlog-types.js';
import { readValue } from './binlog-values.js';

/** Table id MySQL uses for a dummy rows event that only ends a statement. */
const DUMMY_TABLE_ID = 0x00ff_ffff;

export interface DecodedRows {
  table: BinlogTable;
  rows: BinlogRow[];
}

/** Decode a rows event body (cursor at the post-header); null for a dummy end-of-statement event. */
export function decodeRows(
  c: BinlogCursor,
  kind: 'write' | 'update' | 'delete',
  version: 1 | 2,
  tableIdSize: number,
  tables: ReadonlyMap<number, BinlogTable>,
  /** Character columns' values as text (see BinlogTextDecoder); without it, Buffer views. */
  text?: BinlogTextDecoder,
): DecodedRows | null {
  const tableId = c.uint(tableIdSize);
  c.skip(2); // flags: STMT_END_F and foreign-key/unique-check hints, none change the layout
  if (version === 2) c.skip(c.u16() - 2); // extra row info (NDB, partition id): its length counts itself
  const table = tables.get(tableId);
  if (!table) {
    if (tableId === DUMMY_TABLE_ID) return null;
    throw new BinlogError('MALFORMED_EVENT', `rows event for table id ${tableId}, which no TABLE_MAP described`);
  }
  const where = `${table.database}.${table.table}`;
  const count = c.lenenc();
  if (count !== table.columns.length) {
    throw new BinlogError(
      'MALFORMED_EVENT',
      `rows event of ${where} has ${count} columns, its TABLE_MAP ${table.columns.length}`,
    );
  }
  requireAll(c, count, where);
  if (kind === 'update') requireAll(c, count, where);
  const rows: BinlogRow[] = [];
  while (c.remaining > 0) {
    if (kind === 'write') rows.push({ after: readImage(c, table, text) });
    else if (kind === 'delete') rows.push({ before: readImage(c, table, text) });
    else {
      const before = readImage(c, table, text);
      rows.push({ before, after: readImage(c, table, text) });
    }
  }
  return { table, rows };
}

function requireAll(c: BinlogCursor, count: number, where: string): void {
  const at = c.take((count + 7) >> 3);
  const bitmap = c.buf;
  for (let i = 0; i < count; i++) {
    if ((((bitmap[at + (i >> 3)] as number) >> (i & 7)) & 1) === 0) {
      throw new BinlogError(
        'PARTIAL_ROW_IMAGE',
        `rows event of ${where} lacks column ${i + 1} of ${count}: set binlog_row_image=FULL on the source`,
      );
    }
  }
}

/** One row image: a NULL bitmap over the (all present) columns, then the non-NULL values. */
function readImage(c: BinlogCursor, table: BinlogTable, text: BinlogTextDecoder | undefined): BinlogValue[] {
  const columns = table.columns;
  const n = columns.length;
  const nullAt = c.take((n + 7) >> 3);
  const nulls = c.buf;
  const values = new Array<BinlogValue>(n);
  for (let i = 0; i < n; i++) {
    values[i] =
      ((nulls[nullAt + (i >> 3)] as number) >> (i & 7)) & 1 ? null : readValue(c, columns[i] as (typeof columns)[number], text);
  }
  return values;
}
