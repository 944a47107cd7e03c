/** MySQL column type codes (`enum_field_types`) as TABLE_MAP events carry them. */
export const ColumnType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  TYPED_ARRAY: 20,
  VECTOR: 242,
  INVALID: 243,
  BOOL: 244,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** Type names for BinlogColumn.typeName (the binlog's, not the DDL's: `blob` also covers TEXT). */
export const COLUMN_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'tinyint',
  2: 'smallint',
  3: 'int',
  4: 'float',
  5: 'double',
  6: 'null',
  7: 'timestamp',
  8: 'bigint',
  9: 'mediumint',
  10: 'date',
  11: 'time',
  12: 'datetime',
  13: 'year',
  15: 'varchar',
  16: 'bit',
  17: 'timestamp2',
  18: 'datetime2',
  19: 'time2',
  245: 'json',
  246: 'decimal',
  247: 'enum',
  248: 'set',
  252: 'blob',
  253: 'var_string',
  254: 'char',
  255: 'geometry',
};

/** Types whose SIGNEDNESS bit the server writes (MySQL `is_numeric_type`). */
export function isNumericType(type: number): boolean {
  return (
    type === ColumnType.TINY ||
    type === ColumnType.SHORT ||
    type === ColumnType.INT24 ||
    type === ColumnType.LONG ||
    type === ColumnType.LONGLONG ||
    type === ColumnType.NEWDECIMAL ||
    type === ColumnType.FLOAT ||
    type === ColumnType.DOUBLE
  );
}

/**
 * Types whose collation DEFAULT_CHARSET / COLUMN_CHARSET list (MySQL
 * `is_character_type` on the real type, so ENUM/SET are not); MariaDB also
 * lists GEOMETRY (its Field_geom is a blob with a character set).
 */
export function isCharacterType(realType: number, mariadb: boolean): boolean {
  return (
    realType === ColumnType.STRING ||
    realType === ColumnType.VAR_STRING ||
    realType === ColumnType.VARCHAR ||
    realType === ColumnType.BLOB ||
    (mariadb && realType === ColumnType.GEOMETRY)
  );
}
