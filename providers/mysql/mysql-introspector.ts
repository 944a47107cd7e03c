/**
 * The catalog of one MySQL/MariaDB database (a MySQL "database" is the
 * schema: every table's `schema` is the database name), read from
 * information_schema in a few queries whatever the number of tables. Every
 * column carries its COLUMN_TYPE as `nativeType` and its canonical type
 * (DESIGN §7a); keys, foreign keys and indexes come in engine-neutral form
 * besides their MySQL text. The source's own DDL of tables, views,
 * routines, triggers and events is in `native` (mysql-native-catalog.ts) for
 * a MySQL destination; another engine's destination names the code objects
 * as not migrated (`nativeOnly`).
 */
import type { Connection } from 'mysql2/promise';
import type { TableSelection } from '../../contract/declaration.js';
import { compileSelection } from '../../contract/table-pattern.js';
import type {
  Catalog,
  ColumnDef,
  ConstraintDef,
  IndexColumn,
  IndexDef,
  NotMigratedObject,
  SequenceDef,
  TableDef,
} from '../catalog.js';
import { cascadingActions } from '../catalog.js';
import { mysqlRows } from './mysql-connection.js';
import { mysqlCanonicalType, UnmappableTypeError } from './mysql-native-type.js';
import { readMySqlNative, unconvertedCodeObjects } from './mysql-native-catalog.js';
import { quoteMySqlIdent, quoteMySqlQualified } from './mysql-quote.js';
import { withoutForeignKeys } from './mysql-ddl.js';

type Row = Record<string, string | null>;

const num = (v: string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export async function introspectMySql(conn: Connection, database: string, selection: TableSelection): Promise<Catalog> {
  const match = compileSelection(selection);
  const [[version], tables, columns, stats, fks, checks, views, triggers, routines, events] = await Promise.all([
    mysqlRows(conn, 'SELECT @@version AS version, @@GLOBAL.sql_mode AS sql_mode'),
    mysqlRows(
      conn,
      `SELECT TABLE_NAME AS name, TABLE_ROWS AS \`rows\`, DATA_LENGTH AS data, INDEX_LENGTH AS idx, AUTO_INCREMENT AS ai,
              TABLE_COMMENT AS comment, ENGINE AS engine, CREATE_OPTIONS AS options
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME`,
      [database],
    ),
    mysqlRows(
      conn,
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable,
              COLUMN_DEFAULT AS def, EXTRA AS extra, GENERATION_EXPRESSION AS gen, CHARACTER_MAXIMUM_LENGTH AS len,
              NUMERIC_PRECISION AS prec, NUMERIC_SCALE AS scale, DATETIME_PRECISION AS dtp, CHARACTER_SET_NAME AS charset,
              COLLATION_NAME AS collation, COLUMN_COMMENT AS comment
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      [database],
    ),
    mysqlRows(
      conn,
      `SELECT TABLE_NAME AS t, INDEX_NAME AS name, NON_UNIQUE AS nonUnique, SEQ_IN_INDEX AS seq, COLUMN_NAME AS col,
              SUB_PART AS sub, INDEX_TYPE AS type, COLLATION AS dir, INDEX_COMMENT AS comment
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      [database],
    ),
    mysqlRows(
      conn,
      `SELECT k.TABLE_NAME AS t, k.CONSTRAINT_NAME AS name, k.COLUMN_NAME AS col, k.REFERENCED_TABLE_SCHEMA AS rs,
              k.REFERENCED_TABLE_NAME AS rt, k.REFERENCED_COLUMN_NAME AS rc, r.DELETE_RULE AS del, r.UPDATE_RULE AS upd
         FROM information_schema.KEY_COLUMN_USAGE k
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r
           ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL
        ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
      [database],
    ),
    mysqlRows(
      conn,
      `SELECT tc.TABLE_NAME AS t, cc.CONSTRAINT_NAME AS name, cc.CHECK_CLAUSE AS clause
         FROM information_schema.CHECK_CONSTRAINTS cc
         JOIN information_schema.TABLE_CONSTRAINTS tc
           ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME AND tc.CONSTRAINT_TYPE = 'CHECK'
        WHERE cc.CONSTRAINT_SCHEMA = ?`,
      [database],
    ).catch(() => [] as Row[]), // servers before CHECK constraints (MySQL < 8.0.16)
    mysqlRows(conn, 'SELECT TABLE_NAME AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?', [database]),
    mysqlRows(
      conn,
      'SELECT TRIGGER_NAME AS name, EVENT_OBJECT_TABLE AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?',
      [database],
    ),
    mysqlRows(
      conn,
      'SELECT ROUTINE_NAME AS name, ROUTINE_TYPE AS type FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?',
      [database],
    ),
    mysqlRows(conn, 'SELECT EVENT_NAME AS name FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?', [database]),
  ]);

  const selected = tables.filter((t) => match(database, t.name ?? ''));
  const mariadb = /mariadb/i.test(version?.version ?? '');
  const selectedNames = new Set(selected.map((t) => t.name));
  const by = <T extends Row>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) {
      const k = r.t ?? '';
      if (!selectedNames.has(k)) continue;
      const list = m.get(k) ?? [];
      list.push(r);
      m.set(k, list);
    }
    return m;
  };
  const columnsOf = by(columns);
  const statsOf = by(stats);
  const fksOf = by(fks);
  const checksOf = by(checks);
  // MariaDB's JSON is LONGTEXT with a column check `json_valid(col)`
  const jsonColumns = new Set<string>();
  for (const c of checks) {
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec((c.clause ?? '').trim());
    if (m) jsonColumns.add(`${c.t}.${(m[1] as string).replace(/``/g, '`')}`);
  }

  const notMigrated: NotMigratedObject[] = [];
  const sequences: SequenceDef[] = [];
  const out: TableDef[] = [];
  for (const t of selected) {
    const name = t.name ?? '';
    const cols: ColumnDef[] = (columnsOf.get(name) ?? []).map((c) => {
      const extra = (c.extra ?? '').toLowerCase();
      const generated = /\b(virtual|stored|persistent) generated\b/.test(extra) ? (c.gen ?? '') : null;
      let canonical;
      try {
        canonical = mysqlCanonicalType({
          dataType: c.dataType ?? '',
          columnType: c.columnType ?? '',
          charMaxLength: num(c.len),
          numericPrecision: num(c.prec),
          numericScale: num(c.scale),
          datetimePrecision: num(c.dtp),
          charset: c.charset ?? null,
          json: jsonColumns.has(`${name}.${c.name}`),
        });
      } catch (err) {
        if (!(err instanceof UnmappableTypeError)) throw err;
        canonical = undefined;
      }
      const col: ColumnDef = {
        name: c.name ?? '',
        nativeType: c.columnType ?? '',
        nullable: c.nullable === 'YES',
        default: columnDefault(c.def ?? null, extra, mariadb),
        identity: null,
        generated,
        collation: c.collation ?? null,
        binarySafe: false,
        comment: c.comment ? c.comment : null,
        ...(canonical ? { canonical } : {}),
        ...(extra.includes('auto_increment') ? { autoIncrement: true } : {}),
      };
      if (generated !== null) col.generatedKind = extra.includes('virtual') ? 'virtual' : 'stored';
      return col;
    });
    const { primaryKey, constraints, indexes } = keysOf(name, statsOf.get(name) ?? [], fksOf.get(name) ?? []);
    for (const c of checksOf.get(name) ?? []) {
      if (/^json_valid\(`(?:[^`]|``)+`\)$/i.test((c.clause ?? '').trim())) continue; // the column's JSON type
      constraints.push({ name: c.name ?? '', kind: 'check', definition: `CHECK (${c.clause})`, columns: [], references: null });
    }
    const ai = cols.find((c) => c.autoIncrement);
    const table: TableDef = {
      schema: database,
      name,
      kind: 'table',
      partitionOf: null,
      partitionBound: null,
      partitionKey: null,
      columns: cols,
      primaryKey,
      constraints,
      indexes,
      estimatedRows: Number(t.rows ?? 0),
      estimatedBytes: Number(t.data ?? 0) + Number(t.idx ?? 0),
      pages: 0,
      replicaIdentity: primaryKey ? 'default' : 'full',
      comment: t.comment ? t.comment : null,
      autoIncrementNext: ai ? (t.ai ?? '1') : null,
    };
    if (ai) {
      sequences.push({
        schema: database,
        name: `${name}.${ai.name}`,
        dataType: ai.nativeType,
        start: '1',
        increment: '1',
        min: '1',
        max: '9223372036854775807',
        cache: '1',
        cycle: false,
        ownedBy: { table: { schema: database, name }, column: ai.name },
        identity: true,
      });
    }
    out.push(table);
  }
  const inSelection = (table: string | null) => !table || selectedNames.has(table);
  const unselected = foreignKeysOutsideSelection(database, out, selectedNames);
  notMigrated.push(...unselected.objects);
  const native = await readMySqlNative(
    conn,
    database,
    out.map((t) => t.name),
    {
      views: views.filter((v) => match(database, v.name ?? '')).map((v) => v.name ?? ''),
      routines: routines.map((r) => ({ name: r.name ?? '', type: r.type ?? 'PROCEDURE' })),
      triggers: triggers.filter((t) => inSelection(t.t ?? null)).map((t) => `${t.t}\u0000${t.name}`),
      events: events.map((e) => e.name ?? ''),
    },
  );
  for (const o of native.objects) {
    if (!o.create) {
      notMigrated.push({
        kind: o.kind,
        name: `${database}.${o.name}`,
        reason:
          'its definition is hidden from the source user (grant SHOW_ROUTINE, or SELECT on mysql.proc): cannot be recreated',
      });
    }
  }
  native.objects = native.objects.filter((o) => o.create);
  for (const [table, names] of unselected.byTable) {
    const create = native.createTable[table];
    if (create) native.createTable[table] = withoutForeignKeys(create, names);
  }

  return {
    engine: 'mysql',
    serverVersion: version?.version ?? '',
    database,
    schemas: [database],
    extensions: [],
    enums: [],
    sequences,
    tables: out,
    views: [],
    notMigrated,
    nativeOnly: unconvertedCodeObjects(database, native),
    ...(zeroDatesAllowed(version?.sql_mode ?? null) ? { zeroDatesAllowed: true } : {}),
    native,
  };
}

/** Whether `sql_mode` lets writers store zero dates: both NO_ZERO_* modes need strict mode to reject them. */
export function zeroDatesAllowed(sqlMode: string | null): boolean {
  if (sqlMode === null) return false;
  const modes = new Set(sqlMode.toUpperCase().split(','));
  const strict = modes.has('STRICT_TRANS_TABLES') || modes.has('STRICT_ALL_TABLES') || modes.has('TRADITIONAL');
  const noZero = (modes.has('NO_ZERO_DATE') && modes.has('NO_ZERO_IN_DATE')) || modes.has('TRADITIONAL');
  return !(strict && noZero);
}

/**
 * COLUMN_DEFAULT as SQL: MariaDB quotes literals itself; MySQL gives a
 * literal's bare text and marks expressions `DEFAULT_GENERATED` (5.7 only
 * has CURRENT_TIMESTAMP, unmarked).
 */
export function columnDefault(def: string | null, extra: string, mariadb: boolean): string | null {
  if (def === null || mariadb) return def;
  if (/default_generated/i.test(extra) || /^current_timestamp(\(\d*\))?$/i.test(def)) return def;
  return `'${def.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Primary key, unique keys, foreign keys and indexes of one table from STATISTICS and KEY_COLUMN_USAGE rows. */
function keysOf(
  table: string,
  stats: Row[],
  fks: Row[],
): { primaryKey: ConstraintDef | null; constraints: ConstraintDef[]; indexes: IndexDef[] } {
  const groups = new Map<string, Row[]>();
  for (const s of stats) {
    const list = groups.get(s.name ?? '') ?? [];
    list.push(s);
    groups.set(s.name ?? '', list);
  }
  let primaryKey: ConstraintDef | null = null;
  const constraints: ConstraintDef[] = [];
  const indexes: IndexDef[] = [];
  for (const [name, parts] of groups) {
    const cols: IndexColumn[] = parts.map((p) => ({
      name: p.col ?? '',
      descending: p.dir === 'D',
      ...(p.sub !== null && p.sub !== undefined ? { prefixLength: Number(p.sub) } : {}),
    }));
    const keyText = cols
      .map((c) => `${quoteMySqlIdent(c.name)}${c.prefixLength ? `(${c.prefixLength})` : ''}${c.descending ? ' DESC' : ''}`)
      .join(', ');
    const unique = parts[0]?.nonUnique === '0';
    const method = parts[0]?.type ?? 'BTREE';
    if (name === 'PRIMARY') {
      primaryKey = {
        name: 'PRIMARY',
        kind: 'primary',
        definition: `PRIMARY KEY (${keyText})`,
        columns: cols.map((c) => c.name),
        references: null,
      };
      continue;
    }
    const kind = method === 'FULLTEXT' ? 'FULLTEXT ' : method === 'SPATIAL' ? 'SPATIAL ' : unique ? 'UNIQUE ' : '';
    indexes.push({
      name,
      definition: `CREATE ${kind}INDEX ${quoteMySqlIdent(name)} ON ${quoteMySqlIdent(table)} (${keyText})`,
      columns: cols,
      unique,
      method,
      comment: parts[0]?.comment ? parts[0].comment : null,
    });
  }
  const fkGroups = new Map<string, Row[]>();
  for (const f of fks) {
    const list = fkGroups.get(f.name ?? '') ?? [];
    list.push(f);
    fkGroups.set(f.name ?? '', list);
  }
  for (const [name, parts] of fkGroups) {
    const first = parts[0] as Row;
    const references = { schema: first.rs ?? '', name: first.rt ?? '' };
    const columns = parts.map((p) => p.col ?? '');
    const referencedColumns = parts.map((p) => p.rc ?? '');
    constraints.push({
      name,
      kind: 'foreign',
      definition:
        `FOREIGN KEY (${columns.map(quoteMySqlIdent).join(', ')}) REFERENCES ${quoteMySqlQualified(references)} ` +
        `(${referencedColumns.map(quoteMySqlIdent).join(', ')}) ON DELETE ${first.del} ON UPDATE ${first.upd}`,
      columns,
      references,
      referencedColumns,
      onDelete: first.del ?? 'NO ACTION',
      onUpdate: first.upd ?? 'NO ACTION',
    });
  }
  return { primaryKey, constraints, indexes };
}

/**
 * Foreign keys of selected tables to tables outside the selection (or in
 * another database): they cannot hold on the destination, so they are left
 * out of the tables (removed from `tables`' constraints in place) and named.
 * One that cascades is named with what it costs: the binary log leaves out
 * the rows a cascade changes, so those changes never reach the table.
 */
function foreignKeysOutsideSelection(
  database: string,
  tables: TableDef[],
  selected: ReadonlySet<string | null | undefined>,
): { objects: NotMigratedObject[]; byTable: Map<string, Set<string>> } {
  const objects: NotMigratedObject[] = [];
  const byTable = new Map<string, Set<string>>();
  for (const t of tables) {
    t.constraints = t.constraints.filter((c) => {
      if (c.kind !== 'foreign' || !c.references) return true;
      if (c.references.schema === database && selected.has(c.references.name)) return true;
      const ref = `${c.references.schema}.${c.references.name}`;
      const actions = cascadingActions(c);
      objects.push({
        kind: 'foreign key',
        name: `${database}.${t.name}.${c.name}`,
        reason:
          `references ${ref}, which is not selected` +
          (actions.length
            ? `; the rows its ${actions.join(' / ')} changes in ${t.name} are not in the binary log and will not arrive`
            : '') +
          `: select ${ref} too to keep it`,
      });
      const names = byTable.get(t.name) ?? new Set<string>();
      names.add(c.name);
      byTable.set(t.name, names);
      return false;
    });
  }
  return { objects, byTable };
}
