/**
 * TABLE_MAP events: the table a following rows event changes, its column
 * types and type metadata, and (binlog_row_metadata=FULL) the optional
 * metadata that makes the event self-describing: names, signedness,
 * charsets, ENUM/SET labels, geometry types, primary key.
 */
import { BinlogError } from './binlog-error.js';
import type { BinlogCursor } from './binlog-cursor.js';
import type { BinlogColumn, BinlogColumnHint, BinlogSchemaHints, BinlogTable } from './binlog-types.js';
import { COLUMN_TYPE_NAMES, ColumnType, isCharacterType, isNumericType } from './binlog-column-type.js';
import { decodeLabel } from './binlog-collation.js';

/** Optional metadata field types (MySQL `Table_map_log_event::Optional_metadata_field_type`). */
const Meta = {
  SIGNEDNESS: 1,
  DEFAULT_CHARSET: 2,
  COLUMN_CHARSET: 3,
  COLUMN_NAME: 4,
  SET_STR_VALUE: 5,
  ENUM_STR_VALUE: 6,
  GEOMETRY_TYPE: 7,
  SIMPLE_PRIMARY_KEY: 8,
  PRIMARY_KEY_WITH_PREFIX: 9,
  ENUM_AND_SET_DEFAULT_CHARSET: 10,
  ENUM_AND_SET_COLUMN_CHARSET: 11,
} as const;

/** A decoded TABLE_MAP: the public table and its numeric id for the rows events. */
export interface TableMap {
  tableId: number;
  table: BinlogTable;
}

/**
 * Decode a TABLE_MAP body (cursor at the post-header, `end` before any
 * checksum). Metadata the event lacks comes from `schemaHints` when given
 * (MySQL 5.7, `binlog_row_metadata=MINIMAL`); without either it is an error.
 */
export function decodeTableMap(
  c: BinlogCursor,
  tableIdSize: number,
  mariadb: boolean,
  schemaHints?: BinlogSchemaHints,
): TableMap {
  const tableId = c.uint(tableIdSize);
  c.skip(2); // flags: none that change the layout
  const database = c.string(c.u8());
  c.skip(1);
  const tableName = c.string(c.u8());
  c.skip(1);
  const count = c.lenenc();
  const types = c.bytes(count);
  const metaEnd = c.lenenc() + c.pos;
  const columns: ColumnDraft[] = [];
  for (let i = 0; i < count; i++) columns.push(readTypeMetadata(c, i, types[i] as number));
  if (c.pos !== metaEnd) throw new BinlogError('MALFORMED_EVENT', `TABLE_MAP ${database}.${tableName}: metadata length mismatch`);
  const nulls = c.bytes((count + 7) >> 3);
  columns.forEach((col, i) => (col.nullable = ((nulls[i >> 3] as number) & (1 << (i & 7))) !== 0));

  const seen = new Set<number>();
  while (c.remaining > 0) {
    const field = c.u8();
    const length = c.lenenc();
    const at = c.take(length);
    seen.add(field);
    readOptional(c.buf.subarray(at, at + length), field, columns, mariadb);
  }
  const where = `TABLE_MAP of ${database}.${tableName}`;
  let hints: readonly BinlogColumnHint[] | undefined | null = null; // null: not asked yet
  const hinted = (): readonly BinlogColumnHint[] | undefined => {
    if (hints === null) {
      hints = schemaHints?.(database, tableName);
      if (hints && hints.length !== count) {
        throw new BinlogError(
          'MISSING_METADATA',
          `${where}: the schema hints list ${hints.length} columns, the event ${count}: they describe another version of the table`,
        );
      }
    }
    return hints;
  };
  /** A field the event lacks: taken from the hints for every column `of` concerns, or an error naming the setting. */
  const need = (field: number, what: string, of: ColumnDraft[], take: (col: ColumnDraft, hint: BinlogColumnHint) => boolean) => {
    if (of.length === 0 || seen.has(field)) return;
    const h = hinted();
    if (h && of.every((col) => take(col, h[col.index as number] as BinlogColumnHint))) return;
    throw new BinlogError(
      'MISSING_METADATA',
      `${where} has no ${what}: set binlog_row_metadata=FULL on the source (MySQL 8.0.1+, MariaDB 10.5+)` +
        (schemaHints ? ', or give schema hints that include it' : ''),
    );
  };
  need(Meta.COLUMN_NAME, 'column names', columns, (col, h) => ((col.name = h.name), true));
  const numeric = columns.filter((col) => isNumericType(col.type as number));
  need(Meta.SIGNEDNESS, 'signedness', numeric, (col, h) => h.unsigned !== undefined && ((col.unsigned = h.unsigned), true));
  const labelled = (type: number) => columns.filter((col) => col.type === type);
  const takeLabels = (col: ColumnDraft, h: BinlogColumnHint) => h.labels !== undefined && ((col.labels = [...h.labels]), true);
  need(Meta.ENUM_STR_VALUE, 'ENUM labels', labelled(ColumnType.ENUM), takeLabels);
  need(Meta.SET_STR_VALUE, 'SET labels', labelled(ColumnType.SET), takeLabels);
  if (!seen.has(Meta.COLUMN_CHARSET)) {
    const character = columns.filter((col) => isCharacterType(col.type as number, mariadb));
    need(
      Meta.DEFAULT_CHARSET,
      'column charsets',
      character,
      (col, h) => h.collation !== undefined && ((col.collation = h.collation), true),
    );
  }
  if (!seen.has(Meta.SIMPLE_PRIMARY_KEY) && !seen.has(Meta.PRIMARY_KEY_WITH_PREFIX)) {
    hinted()?.forEach((h, i) => {
      const col = columns[i];
      if (col && h.primaryKey) col.primaryKey = true;
    });
  }
  for (const col of columns) {
    col.primaryKey ??= false;
    col.unsigned ??= false;
    if (col.labels && col.labelBytes) {
      try {
        col.labels = col.labelBytes.map((b) => decodeLabel(b, col.collation));
      } catch (err) {
        throw new BinlogError(
          'UNKNOWN_COLUMN_TYPE',
          `${where}: the labels of ${col.typeName} column ${col.name} are in collation ${col.collation}, which this reader cannot decode`,
          { cause: err },
        );
      }
    }
    delete col.labelBytes;
  }
  return { tableId, table: { id: String(tableId), database, table: tableName, columns: columns as BinlogColumn[] } };
}

/** A column while its TABLE_MAP is decoded: labels stay bytes until their charset is known. */
type ColumnDraft = { -readonly [K in keyof BinlogColumn]?: BinlogColumn[K] } & { labelBytes?: Buffer[] };

/** The per-type metadata bytes of the metadata block (MySQL `Field::save_field_metadata`). */
function readTypeMetadata(c: BinlogCursor, index: number, type: number): ColumnDraft {
  const col: ColumnDraft = { index, type, typeName: COLUMN_TYPE_NAMES[type] ?? `type ${type}`, name: '' };
  switch (type) {
    case ColumnType.FLOAT:
    case ColumnType.DOUBLE:
      c.skip(1); // size in bytes: implied by the type
      break;
    case ColumnType.BLOB:
    case ColumnType.GEOMETRY:
    case ColumnType.JSON:
      col.maxLength = c.u8(); // bytes of the length prefix
      break;
    case ColumnType.TIMESTAMP2:
    case ColumnType.DATETIME2:
    case ColumnType.TIME2:
      col.fsp = c.u8();
      break;
    case ColumnType.VARCHAR:
    case ColumnType.VAR_STRING:
      col.maxLength = c.u16();
      break;
    case ColumnType.BIT: {
      const rest = c.u8();
      col.bits = c.u8() * 8 + rest;
      break;
    }
    case ColumnType.NEWDECIMAL:
      col.precision = c.u8();
      col.scale = c.u8();
      break;
    case ColumnType.STRING:
    case ColumnType.ENUM:
    case ColumnType.SET: {
      const b0 = c.u8();
      const b1 = c.u8();
      // CHAR longer than 255 bytes folds two length bits into the real-type byte
      const real = (b0 & 0x30) !== 0x30 ? b0 | 0x30 : b0;
      const length = (b0 & 0x30) !== 0x30 ? b1 | (((b0 & 0x30) ^ 0x30) << 4) : b1;
      if (real === ColumnType.ENUM || real === ColumnType.SET) {
        col.type = real;
        col.typeName = real === ColumnType.ENUM ? 'enum' : 'set';
        col.maxLength = length; // pack length: bytes of the index / bitmap
      } else {
        col.maxLength = length;
      }
      break;
    }
    default:
      break; // no metadata bytes; unknown types are rejected when a row needs them
  }
  return col;
}

function readOptional(b: Buffer, field: number, columns: ColumnDraft[], mariadb: boolean): void {
  const r = new Sub(b);
  const numeric = columns.filter((col) => isNumericType(col.type as number));
  const character = columns.filter((col) => isCharacterType(col.type as number, mariadb));
  const enumSet = columns.filter((col) => col.type === ColumnType.ENUM || col.type === ColumnType.SET);
  switch (field) {
    case Meta.SIGNEDNESS:
      numeric.forEach((col, k) => (col.unsigned = (((b[k >> 3] ?? 0) >> (7 - (k & 7))) & 1) === 1));
      break;
    case Meta.DEFAULT_CHARSET:
    case Meta.ENUM_AND_SET_DEFAULT_CHARSET: {
      const target = field === Meta.DEFAULT_CHARSET ? character : enumSet;
      const fallback = r.len();
      for (const col of target) col.collation = fallback;
      while (!r.done()) {
        const k = r.len();
        const collation = r.len();
        const col = target[k];
        if (col) col.collation = collation;
      }
      break;
    }
    case Meta.COLUMN_CHARSET:
    case Meta.ENUM_AND_SET_COLUMN_CHARSET:
      for (const col of field === Meta.COLUMN_CHARSET ? character : enumSet) col.collation = r.len();
      break;
    case Meta.COLUMN_NAME:
      for (const col of columns) col.name = r.str().toString('utf8');
      break;
    case Meta.SET_STR_VALUE:
    case Meta.ENUM_STR_VALUE:
      for (const col of columns.filter((x) => x.type === (field === Meta.SET_STR_VALUE ? ColumnType.SET : ColumnType.ENUM))) {
        const n = r.len();
        col.labelBytes = Array.from({ length: n }, () => r.str());
        col.labels = [];
      }
      break;
    case Meta.GEOMETRY_TYPE:
      for (const col of columns.filter((x) => x.type === ColumnType.GEOMETRY)) col.geometryType = r.len();
      break;
    case Meta.SIMPLE_PRIMARY_KEY:
      while (!r.done()) markKey(columns, r.len());
      break;
    case Meta.PRIMARY_KEY_WITH_PREFIX:
      while (!r.done()) {
        markKey(columns, r.len());
        r.len(); // prefix length: the key is still the column
      }
      break;
    default:
      break; // COLUMN_VISIBILITY and later additions describe, they carry no row data
  }
}

function markKey(columns: ColumnDraft[], index: number): void {
  const col = columns[index];
  if (!col) throw new BinlogError('MALFORMED_EVENT', `TABLE_MAP primary key names column ${index} of ${columns.length}`);
  col.primaryKey = true;
}

/** Length-encoded reads inside one optional metadata field. */
class Sub {
  private pos = 0;
  constructor(private readonly b: Buffer) {}
  done(): boolean {
    return this.pos >= this.b.length;
  }
  len(): number {
    const first = this.byte();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.byte() | (this.byte() << 8);
    if (first === 0xfd) return this.byte() | (this.byte() << 8) | (this.byte() << 16);
    throw new BinlogError('MALFORMED_EVENT', `TABLE_MAP optional metadata: length prefix 0x${first.toString(16)}`);
  }
  str(): Buffer {
    const n = this.len();
    if (this.pos + n > this.b.length) throw new BinlogError('MALFORMED_EVENT', 'TABLE_MAP optional metadata truncated');
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  private byte(): number {
    const v = this.b[this.pos++];
    if (v === undefined) throw new BinlogError('MALFORMED_EVENT', 'TABLE_MAP optional metadata truncated');
    return v;
  }
}
