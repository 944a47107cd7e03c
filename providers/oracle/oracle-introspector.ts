/**
 * The catalog of an Oracle selection, from the ALL_* views (what the user
 * may see; no DBA views needed) in a few queries whatever the number of
 * tables. Schemas are Oracle users other than the Oracle-maintained ones;
 * names are as the dictionary stores them — unquoted Oracle names are upper
 * case (`APP.ORDERS`), so selection patterns name them so, and a PostgreSQL
 * destination folds them to lower case (`app.orders`: unquoted names in
 * application SQL keep working). Two quoted names differing only in case
 * become one PostgreSQL name: the destination's plan names the clash.
 *
 * Every column carries its Oracle type text as `nativeType` and its
 * canonical type (oracle-type-map.ts); a type with none is left without,
 * which the destination's plan names as an error, with the reason here in
 * `notMigrated`. Identity columns become identities with their counter
 * carried at promote. Views, code objects, synonyms, standalone sequences,
 * and tables Oracle keeps for itself (materialized-view containers, nested,
 * temporary, external) are named as not migrated.
 */
import type { TableSelection } from '../../contract/declaration.js';
import { compileSelection } from '../../contract/table-pattern.js';
import type { Catalog, ColumnDef, ConstraintDef, IndexDef, NotMigratedObject, SequenceDef, TableDef } from '../catalog.js';
import { oracleRows } from './oracle-connection.js';
import type { OracleConnection } from './oracle-driver.js';
import { oracleCanonicalType, oracleNativeType, UnmappableOracleTypeError } from './oracle-type-map.js';

type Row = Record<string, string | null>;

const num = (v: string | null | undefined): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

/** User schemas (not Oracle-maintained: SYS, SYSTEM, MDSYS, …). */
const USER_SCHEMAS = "SELECT USERNAME FROM ALL_USERS WHERE ORACLE_MAINTAINED = 'N'";

/** An Oracle default expression as the destination reads defaults: literals, the current time, else as written. */
export function oracleDefault(text: string | null): string | null {
  if (text === null) return null;
  const d = text.trim();
  if (!d || /^null$/i.test(d)) return null;
  if (/^(sysdate|systimestamp|current_timestamp|current_date|localtimestamp)(\(\d*\))?$/i.test(d)) return 'CURRENT_TIMESTAMP';
  return d;
}

/** The dictionary rows a catalog is built from (each list as its query in `introspectOracle` returns it). */
export interface OracleCatalogRows {
  version: string;
  tables: Row[];
  columns: Row[];
  identities: Row[];
  constraints: Row[];
  consColumns: Row[];
  indexes: Row[];
  indColumns: Row[];
  objects: Row[];
}

export async function introspectOracle(conn: OracleConnection, service: string, selection: TableSelection): Promise<Catalog> {
  const [[version], tables, columns, identities, constraints, consColumns, indexes, indColumns, objects] = await Promise.all([
    oracleRows(conn, "SELECT VERSION_FULL AS VERSION FROM PRODUCT_COMPONENT_VERSION WHERE PRODUCT LIKE 'Oracle%'").catch(() =>
      oracleRows(conn, "SELECT VERSION FROM PRODUCT_COMPONENT_VERSION WHERE PRODUCT LIKE 'Oracle%'"),
    ),
    oracleRows(
      conn,
      `SELECT t.OWNER, t.TABLE_NAME, TO_CHAR(t.NUM_ROWS) AS NUM_ROWS, TO_CHAR(t.AVG_ROW_LEN) AS AVG_ROW_LEN, t.IOT_TYPE, t.PARTITIONED,
              c.COMMENTS
         FROM ALL_TABLES t LEFT JOIN ALL_TAB_COMMENTS c ON c.OWNER = t.OWNER AND c.TABLE_NAME = t.TABLE_NAME
        WHERE t.OWNER IN (${USER_SCHEMAS}) AND t.NESTED = 'NO' AND t.SECONDARY = 'N' AND t.DROPPED = 'NO' AND t.TEMPORARY = 'N'
          AND (t.IOT_TYPE IS NULL OR t.IOT_TYPE = 'IOT')
          AND NOT EXISTS (SELECT 1 FROM ALL_MVIEWS m WHERE m.OWNER = t.OWNER AND m.CONTAINER_NAME = t.TABLE_NAME)
          AND NOT EXISTS (SELECT 1 FROM ALL_EXTERNAL_TABLES e WHERE e.OWNER = t.OWNER AND e.TABLE_NAME = t.TABLE_NAME)
        ORDER BY t.OWNER, t.TABLE_NAME`,
    ),
    oracleRows(
      conn,
      `SELECT c.OWNER, c.TABLE_NAME, c.COLUMN_NAME, c.DATA_TYPE, c.DATA_TYPE_OWNER, TO_CHAR(c.DATA_LENGTH) AS DATA_LENGTH,
              TO_CHAR(c.DATA_PRECISION) AS DATA_PRECISION, TO_CHAR(c.DATA_SCALE) AS DATA_SCALE, TO_CHAR(c.CHAR_LENGTH) AS CHAR_LENGTH,
              c.CHAR_USED, c.NULLABLE, c.DATA_DEFAULT, c.VIRTUAL_COLUMN, cm.COMMENTS
         FROM ALL_TAB_COLS c LEFT JOIN ALL_COL_COMMENTS cm
           ON cm.OWNER = c.OWNER AND cm.TABLE_NAME = c.TABLE_NAME AND cm.COLUMN_NAME = c.COLUMN_NAME
        WHERE c.OWNER IN (${USER_SCHEMAS}) AND c.HIDDEN_COLUMN = 'NO' AND c.COLUMN_ID IS NOT NULL
        ORDER BY c.OWNER, c.TABLE_NAME, c.COLUMN_ID`,
    ),
    oracleRows(
      conn,
      `SELECT OWNER, TABLE_NAME, COLUMN_NAME, GENERATION_TYPE, SEQUENCE_NAME FROM ALL_TAB_IDENTITY_COLS WHERE OWNER IN (${USER_SCHEMAS})`,
    ),
    oracleRows(
      conn,
      `SELECT c.OWNER, c.TABLE_NAME, c.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, c.R_OWNER, c.R_CONSTRAINT_NAME, c.DELETE_RULE,
              c.SEARCH_CONDITION_VC, c.GENERATED, c.INDEX_NAME
         FROM ALL_CONSTRAINTS c
        WHERE c.OWNER IN (${USER_SCHEMAS}) AND c.CONSTRAINT_TYPE IN ('P', 'U', 'R', 'C')`,
    ),
    oracleRows(
      conn,
      `SELECT OWNER, CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, TO_CHAR(POSITION) AS POSITION FROM ALL_CONS_COLUMNS
        WHERE OWNER IN (${USER_SCHEMAS}) ORDER BY OWNER, CONSTRAINT_NAME, POSITION`,
    ),
    oracleRows(
      conn,
      `SELECT OWNER, INDEX_NAME, TABLE_OWNER, TABLE_NAME, INDEX_TYPE, UNIQUENESS FROM ALL_INDEXES
        WHERE TABLE_OWNER IN (${USER_SCHEMAS}) AND INDEX_TYPE <> 'LOB'`,
    ),
    oracleRows(
      conn,
      `SELECT INDEX_OWNER, INDEX_NAME, COLUMN_NAME, TO_CHAR(COLUMN_POSITION) AS POS, DESCEND FROM ALL_IND_COLUMNS
        WHERE TABLE_OWNER IN (${USER_SCHEMAS}) ORDER BY INDEX_OWNER, INDEX_NAME, COLUMN_POSITION`,
    ),
    oracleRows(
      conn,
      `SELECT OWNER, OBJECT_NAME, OBJECT_TYPE FROM ALL_OBJECTS
        WHERE OWNER IN (${USER_SCHEMAS}) AND OBJECT_TYPE IN ('VIEW', 'MATERIALIZED VIEW', 'TRIGGER', 'PROCEDURE', 'FUNCTION',
              'PACKAGE', 'TYPE', 'SYNONYM', 'SEQUENCE') AND OBJECT_NAME NOT LIKE 'ISEQ$$%' AND GENERATED = 'N'`,
    ),
  ]);
  return oracleCatalog(
    { version: version?.VERSION ?? '', tables, columns, identities, constraints, consColumns, indexes, indColumns, objects },
    service,
    selection,
  );
}

/** The catalog of a selection from its dictionary rows (server-free). */
export function oracleCatalog(rows: OracleCatalogRows, service: string, selection: TableSelection): Catalog {
  const { tables, columns, identities, constraints, consColumns, indexes, indColumns, objects } = rows;
  const match = compileSelection(selection);
  const key = (o: string | null | undefined, t: string | null | undefined) => `${o ?? ''}\u0000${t ?? ''}`;
  const selected = tables.filter((t) => match(t.OWNER ?? '', t.TABLE_NAME ?? ''));
  const selectedKeys = new Set(selected.map((t) => key(t.OWNER, t.TABLE_NAME)));
  const group = (rows: Row[], owner: string, table: string) => {
    const m = new Map<string, Row[]>();
    for (const r of rows) {
      const k = key(r[owner], r[table]);
      if (!selectedKeys.has(k)) continue;
      m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const columnsOf = group(columns, 'OWNER', 'TABLE_NAME');
  const identityOf = new Map(identities.map((r) => [`${key(r.OWNER, r.TABLE_NAME)}\u0000${r.COLUMN_NAME}`, r]));
  const consOf = group(constraints, 'OWNER', 'TABLE_NAME');
  const consCols = new Map<string, string[]>();
  for (const r of consColumns) {
    const k = key(r.OWNER, r.CONSTRAINT_NAME);
    consCols.set(k, [...(consCols.get(k) ?? []), r.COLUMN_NAME ?? '']);
  }
  const consByName = new Map(constraints.map((c) => [key(c.OWNER, c.CONSTRAINT_NAME), c]));
  const indexesOf = group(indexes, 'TABLE_OWNER', 'TABLE_NAME');
  const indCols = new Map<string, Row[]>();
  for (const r of indColumns) {
    const k = key(r.INDEX_OWNER, r.INDEX_NAME);
    indCols.set(k, [...(indCols.get(k) ?? []), r]);
  }

  const notMigrated: NotMigratedObject[] = [];
  const sequences: SequenceDef[] = [];
  const out: TableDef[] = [];
  for (const t of selected) {
    const schema = t.OWNER ?? '';
    const name = t.TABLE_NAME ?? '';
    const k = key(schema, name);
    const cols: ColumnDef[] = (columnsOf.get(k) ?? []).map((c) => {
      const facts = {
        dataType: c.DATA_TYPE ?? '',
        dataTypeOwner: c.DATA_TYPE_OWNER ?? null,
        dataLength: num(c.DATA_LENGTH),
        dataPrecision: num(c.DATA_PRECISION),
        dataScale: num(c.DATA_SCALE),
        charLength: num(c.CHAR_LENGTH),
        charUsed: c.CHAR_USED ?? null,
      };
      let canonical;
      try {
        canonical = oracleCanonicalType(facts);
      } catch (err) {
        if (!(err instanceof UnmappableOracleTypeError)) throw err;
        notMigrated.push({ kind: 'column', name: `${schema}.${name}.${c.COLUMN_NAME}`, reason: err.message });
      }
      const virtual = c.VIRTUAL_COLUMN === 'YES';
      const identity = identityOf.get(`${k}\u0000${c.COLUMN_NAME}`);
      // `ID NUMBER GENERATED … AS IDENTITY` has no precision; an identity is an integer counter: 64 bits
      // (a value beyond 2^63 − 1 fails to load, loudly)
      if (identity && canonical?.kind === 'decimal' && canonical.scale === 0 && (canonical.precision ?? 38) > 18) {
        canonical = { kind: 'int' as const, bits: 64 as const, unsigned: false };
      }
      const col: ColumnDef = {
        name: c.COLUMN_NAME ?? '',
        nativeType: oracleNativeType(facts),
        nullable: c.NULLABLE !== 'N',
        default: virtual || identity ? null : oracleDefault(c.DATA_DEFAULT ?? null),
        identity: null,
        generated: virtual ? (c.DATA_DEFAULT ?? '').trim() : null,
        collation: null,
        binarySafe: false,
        comment: c.COMMENTS ?? null,
        ...(canonical ? { canonical } : {}),
        ...(identity ? { autoIncrement: true } : {}),
      };
      if (virtual) col.generatedKind = 'virtual';
      if (identity) {
        sequences.push({
          schema,
          name: `${name}.${col.name}`,
          dataType: col.nativeType,
          start: '1',
          increment: '1',
          min: '1',
          max: '9223372036854775807',
          cache: '1',
          cycle: false,
          ownedBy: { table: { schema, name }, column: col.name },
          identity: true,
        });
      }
      return col;
    });
    let primaryKey: ConstraintDef | null = null;
    const cons: ConstraintDef[] = [];
    const constraintIndexes = new Set<string>();
    const uniques: IndexDef[] = [];
    for (const c of consOf.get(k) ?? []) {
      const cname = c.CONSTRAINT_NAME ?? '';
      const ccols = consCols.get(key(schema, cname)) ?? [];
      if (c.INDEX_NAME) constraintIndexes.add(c.INDEX_NAME);
      const list = ccols.map((x) => `"${x.replace(/"/g, '""')}"`).join(', ');
      switch (c.CONSTRAINT_TYPE) {
        case 'P':
          primaryKey = { name: cname, kind: 'primary', definition: `PRIMARY KEY (${list})`, columns: ccols, references: null };
          break;
        case 'U':
          // a unique key in engine-neutral form is a unique index (as MySQL's are): another engine rebuilds it
          uniques.push({
            name: cname,
            definition: `CONSTRAINT "${cname}" UNIQUE (${list})`,
            columns: ccols.map((name) => ({ name, descending: false })),
            unique: true,
            method: 'BTREE',
          });
          break;
        case 'R': {
          const ref = consByName.get(key(c.R_OWNER, c.R_CONSTRAINT_NAME));
          const refCols = consCols.get(key(c.R_OWNER, c.R_CONSTRAINT_NAME)) ?? [];
          if (!ref) break;
          cons.push({
            name: cname,
            kind: 'foreign',
            definition: `FOREIGN KEY (${list}) REFERENCES "${ref.OWNER}"."${ref.TABLE_NAME}"`,
            columns: ccols,
            references: { schema: ref.OWNER ?? '', name: ref.TABLE_NAME ?? '' },
            referencedColumns: refCols,
            onDelete: c.DELETE_RULE === 'CASCADE' ? 'CASCADE' : c.DELETE_RULE === 'SET NULL' ? 'SET NULL' : 'NO ACTION',
            onUpdate: 'NO ACTION',
          });
          break;
        }
        case 'C': {
          const cond = (c.SEARCH_CONDITION_VC ?? '').trim();
          // NOT NULL is the column's nullability, not a constraint of its own
          if (/^"?[^"]+"? IS NOT NULL$/i.test(cond) && ccols.length === 1) break;
          cons.push({ name: cname, kind: 'check', definition: `CHECK (${cond})`, columns: ccols, references: null });
          break;
        }
      }
    }
    const idx: IndexDef[] = [...uniques];
    for (const i of indexesOf.get(k) ?? []) {
      const iname = i.INDEX_NAME ?? '';
      if (constraintIndexes.has(iname) && i.OWNER === schema) continue;
      const type = (i.INDEX_TYPE ?? 'NORMAL').toUpperCase();
      const parts = (indCols.get(key(i.OWNER, iname)) ?? []).map((p) => ({
        // function-based parts key on hidden SYS_NC columns: an expression, not a column
        name: /^SYS_NC\d+\$$/.test(p.COLUMN_NAME ?? '') ? '' : (p.COLUMN_NAME ?? ''),
        descending: p.DESCEND === 'DESC',
      }));
      const domain = type === 'DOMAIN';
      idx.push({
        name: iname,
        definition: `CREATE ${i.UNIQUENESS === 'UNIQUE' ? 'UNIQUE ' : ''}INDEX "${iname}" ON "${schema}"."${name}" (${parts.map((p) => `"${p.name}"`).join(', ')})`,
        columns: domain ? [] : parts,
        unique: i.UNIQUENESS === 'UNIQUE',
        method: domain ? 'DOMAIN' : type.includes('BITMAP') ? 'BITMAP' : 'BTREE',
      });
    }
    const rows = Number(t.NUM_ROWS ?? 0);
    out.push({
      schema,
      name,
      kind: 'table',
      partitionOf: null,
      partitionBound: null,
      partitionKey: null,
      columns: cols,
      primaryKey,
      constraints: cons,
      indexes: idx,
      estimatedRows: rows,
      estimatedBytes: rows * Number(t.AVG_ROW_LEN ?? 0),
      pages: 0,
      replicaIdentity: primaryKey ? 'default' : 'full',
      comment: t.COMMENTS ?? null,
    });
  }

  const schemas = [...new Set(out.map((t) => t.schema))];
  for (const o of objects) {
    if (!schemas.includes(o.OWNER ?? '')) continue;
    notMigrated.push({
      kind: (o.OBJECT_TYPE ?? 'object').toLowerCase(),
      name: `${o.OWNER}.${o.OBJECT_NAME}`,
      reason:
        'Oracle code and schema objects other than tables are not converted (PL/SQL, views, synonyms, standalone sequences)',
    });
  }
  return {
    engine: 'oracle',
    serverVersion: rows.version,
    database: service,
    schemas,
    extensions: [],
    enums: [],
    sequences,
    tables: out,
    views: [],
    notMigrated,
  };
}
