/**
 * A catalog of another engine (DESIGN §7a) as the PostgreSQL catalog it
 * becomes: names by PostgreSQL's identifier rule (lowercase: unquoted names
 * in application SQL keep working), column types from their canonical type
 * (pg-type-map.ts, per-job `types:` rules first), keys, unique and foreign
 * keys and indexes rebuilt from their engine-neutral form, AUTO_INCREMENT as
 * an identity whose counter is carried at the end. What cannot be converted
 * (check expressions, fulltext and spatial indexes, generated columns, code
 * objects) is named, never dropped silently; a column whose type maps to
 * nothing is an error naming it.
 *
 * Every destination call receives the source's catalog and tables and maps
 * them here (cached per object), so the engine never names an engine.
 */
import type { Diagnostic } from '../../contract/diagnostic.js';
import { describeCanonical, ZERO_DATE_TEXT } from '../canonical-type.js';
import { zeroDateKindOfColumn, zeroDateReplacement, type ZeroDateKind, type ZeroDateRule } from '../zero-dates.js';
import type {
  Catalog,
  ColumnDef,
  ConstraintDef,
  EnumDef,
  IndexDef,
  NotMigratedObject,
  QualifiedName,
  SequenceDef,
  TableDef,
} from '../catalog.js';
import { allowedTarget, defaultPgType, type TypeRule } from './pg-type-map.js';
import { quoteIdent, quoteLiteral, quoteQualified } from './pg-quote.js';

/** PostgreSQL's identifier length limit (bytes). */
const MAX_IDENT = 63;

/** Whether a catalog (or one of its tables) comes from another engine and must be mapped. */
export const isForeignCatalog = (c: Catalog): boolean => c.engine !== 'postgres';
export const isForeignTable = (t: TableDef): boolean => t.columns.some((c) => c.canonical !== undefined);

/** A source name as its PostgreSQL name. */
export function pgName(name: string): string {
  return name.toLowerCase();
}

function truncate(name: string): string {
  let out = name;
  while (Buffer.byteLength(out) > MAX_IDENT) out = out.slice(0, -1);
  return out;
}

export interface ColumnMapping {
  /** `schema.table.column` in source names. */
  column: string;
  nativeType: string;
  canonical: string;
  pgType: string;
  note?: string;
}

export interface ForeignMapping {
  catalog: Catalog;
  /** Every column, with the type it gets (the plan shows those with a note or a rule). */
  columns: ColumnMapping[];
  /** Errors (a column no type holds, a rule that cannot apply, two names that become one) and warnings (what is not converted). */
  diagnostics: Diagnostic[];
}

const cache = new WeakMap<Catalog, Map<string, ForeignMapping>>();
const tableCache = new WeakMap<TableDef, TableDef>();

/** The PostgreSQL form of a foreign catalog (cached per catalog and rule set). */
export function mapForeignCatalog(
  catalog: Catalog,
  rules: readonly TypeRule[] = [],
  zeroDates: ZeroDateRule = 'null',
): ForeignMapping {
  const key = JSON.stringify([rules, zeroDates]);
  let byRules = cache.get(catalog);
  if (!byRules) cache.set(catalog, (byRules = new Map()));
  const hit = byRules.get(key);
  if (hit) return hit;
  const mapping = build(catalog, rules, zeroDates);
  byRules.set(key, mapping);
  mapping.catalog.tables.forEach((t, i) => {
    const src = catalog.tables[i];
    if (src) tableCache.set(src, t);
  });
  return mapping;
}

/** The PostgreSQL form of one foreign table (names and copied columns: what loads and changes need). */
export function mapForeignTable(table: TableDef): TableDef {
  const hit = tableCache.get(table);
  if (hit) return hit;
  const mapped = build({ ...EMPTY, engine: 'mysql', tables: [table] }, []).catalog.tables[0] as TableDef;
  tableCache.set(table, mapped);
  return mapped;
}

/** A source table name as the PostgreSQL table it becomes. */
export function mapForeignName(q: QualifiedName): QualifiedName {
  return { schema: pgName(q.schema), name: pgName(q.name) };
}

const EMPTY: Catalog = {
  engine: 'mysql',
  serverVersion: '',
  database: '',
  schemas: [],
  extensions: [],
  enums: [],
  sequences: [],
  tables: [],
  views: [],
};

/** `*` and `?` globs, case-insensitive (MySQL column names are). */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function ruleFor(rules: readonly TypeRule[], column: string, nativeType: string): TypeRule | undefined {
  return rules.find(
    (r) =>
      (r.column === undefined || globToRegExp(r.column).test(column)) &&
      (r.nativeType === undefined || r.nativeType.trim().toLowerCase() === nativeType.trim().toLowerCase()),
  );
}

function build(catalog: Catalog, rules: readonly TypeRule[], zeroDates: ZeroDateRule = 'null'): ForeignMapping {
  const diagnostics: Diagnostic[] = [];
  const columns: ColumnMapping[] = [];
  const enums: EnumDef[] = [];
  const sequences: SequenceDef[] = [];
  const notMigrated: NotMigratedObject[] = [...(catalog.notMigrated ?? []), ...(catalog.nativeOnly ?? [])];
  const usedNames = new Map<string, string>();
  /** A unique PostgreSQL name in a schema's relation namespace (tables, indexes, sequences, types share it). */
  const claim = (schema: string, wanted: string): string => {
    let name = truncate(wanted);
    for (let n = 1; usedNames.has(`${schema}.${name}`); n++) name = truncate(`${wanted.slice(0, MAX_IDENT - 4)}_${n}`);
    usedNames.set(`${schema}.${name}`, wanted);
    return name;
  };
  const tables = catalog.tables.map((t): TableDef => {
    const schema = pgName(t.schema);
    const name = claim(schema, pgName(t.name));
    if (name !== pgName(t.name)) {
      diagnostics.push({
        severity: 'error',
        summary: `tables ${t.schema}.${t.name} and another become one name "${name}" in PostgreSQL (names are lowercased)`,
      });
    }
    const seen = new Map<string, string>();
    const cols: ColumnDef[] = [];
    for (const c of t.columns) {
      const full = `${t.schema}.${t.name}.${c.name}`;
      const colName = pgName(c.name);
      const clash = seen.get(colName);
      if (clash) {
        diagnostics.push({
          severity: 'error',
          summary: `columns ${full} and ${clash} become one name "${colName}" in PostgreSQL (names are lowercased)`,
        });
      }
      seen.set(colName, full);
      if (c.generated !== null) {
        notMigrated.push({
          kind: 'generated column',
          name: full,
          reason: `its expression (${c.generated}) is in the source's SQL: not converted, and its values are not copied`,
        });
        continue;
      }
      if (!c.canonical) {
        diagnostics.push({
          severity: 'error',
          summary: `column ${full} of type ${c.nativeType} cannot be mapped to PostgreSQL`,
          detail: 'exclude its table from the job, or change the column on the source',
          field: 'types',
        });
        continue;
      }
      const enumName = truncate(`${pgName(t.name)}_${colName}`);
      const rule = ruleFor(rules, full, c.nativeType);
      let type = defaultPgType(c.canonical, quoteQualified({ schema, name: enumName }));
      if (rule) {
        if (!allowedTarget(c.canonical, rule.to)) {
          diagnostics.push({
            severity: 'error',
            summary: `types: ${c.nativeType} (${full}) cannot become ${rule.to}`,
            detail: `a ${describeCanonical(c.canonical)} converts exactly to: ${defaultPgType(c.canonical, 'an enum type').type} (default) or the types the README lists for it`,
            field: 'types',
          });
        } else type = rule.to === 'enum' ? type : { type: rule.to, note: `types: rule (${rule.nativeType ?? rule.column})` };
      }
      if (c.canonical.kind === 'enum' && !rule && !c.canonical.labels.every((l) => l.length > 0 && Buffer.byteLength(l) < 64)) {
        // PostgreSQL enum labels are 1 to 63 bytes
        type = { type: 'text', note: 'enum with a label PostgreSQL cannot hold (empty, or over 63 bytes): text' };
      }
      if (c.canonical.kind === 'enum' && type.type.startsWith('"')) {
        enums.push({ schema, name: claim(schema, enumName), labels: c.canonical.labels });
      }
      let nullable = c.nullable;
      const zeroKind = zeroDateKindOfColumn(c);
      const zeroDefault = zeroKind !== null && ZERO_DATE_TEXT.test((c.default ?? '').replace(/^'/, ''));
      if (zeroDefault) {
        // a zero-date default: the column holds zero dates; they arrive as the job's zeroDates says
        const note =
          zeroDates === 'null'
            ? nullable
              ? 'zero-date default: NULL'
              : 'NOT NULL dropped: zero dates arrive as NULL'
            : zeroDates === 'error'
              ? 'zero-date default dropped: zeroDates is error'
              : `zero-date default: ${zeroDates.value}, as zeroDates says`;
        if (zeroDates === 'null') nullable = true;
        type = { ...type, note: `${type.note ? `${type.note}; ` : ''}${note}` };
      }
      columns.push({
        column: full,
        nativeType: c.nativeType,
        canonical: describeCanonical(c.canonical),
        pgType: type.type,
        ...(type.note ? { note: type.note } : {}),
      });
      const identity = c.autoIncrement ? ('by-default' as const) : null;
      const pgType = identity && type.type === 'numeric(20)' ? 'bigint' : type.type;
      if (identity && pgType !== type.type) {
        const last = columns[columns.length - 1] as ColumnMapping;
        last.pgType = pgType;
        last.note = 'unsigned 64-bit AUTO_INCREMENT: bigint identity (values above 2^63-1 cannot load)';
      }
      cols.push({
        name: colName,
        nativeType: pgType,
        nullable,
        default: identity
          ? null
          : zeroDefault
            ? zeroDefaultLiteral(zeroDates, zeroKind ?? 'date')
            : pgDefault(c, pgType, notMigrated, full),
        identity,
        generated: null,
        collation: null,
        binarySafe: false,
        comment: c.comment ?? null,
      });
      if (identity) {
        const seqName = claim(schema, truncate(`${pgName(t.name)}_${colName}_seq`));
        sequences.push({
          schema,
          name: seqName,
          dataType: pgType,
          start: '1',
          increment: '1',
          min: '1',
          max: pgType === 'smallint' ? '32767' : pgType === 'integer' ? '2147483647' : '9223372036854775807',
          cache: '1',
          cycle: false,
          ownedBy: { table: { schema, name }, column: colName },
          identity: true,
        });
      }
    }
    const colOf = (n: string) => pgName(n);
    const keyList = (names: string[]) => names.map((n) => quoteIdent(colOf(n))).join(', ');
    const primaryKey: ConstraintDef | null = t.primaryKey
      ? {
          ...t.primaryKey,
          name: truncate(`${name}_pkey`),
          columns: t.primaryKey.columns.map(colOf),
          definition: `PRIMARY KEY (${keyList(t.primaryKey.columns)})`,
        }
      : null;
    const constraints: ConstraintDef[] = [];
    for (const k of t.constraints) {
      if (k.kind === 'foreign' && k.references && k.referencedColumns) {
        const ref = mapForeignName(k.references);
        constraints.push({
          name: truncate(pgName(k.name)),
          kind: 'foreign',
          columns: k.columns.map(colOf),
          references: ref,
          definition:
            `FOREIGN KEY (${keyList(k.columns)}) REFERENCES ${quoteQualified(ref)} (${keyList(k.referencedColumns)})` +
            ` ON DELETE ${action(k.onDelete)} ON UPDATE ${action(k.onUpdate)}`,
        });
      } else {
        notMigrated.push({
          kind: `${k.kind} constraint`,
          name: `${t.schema}.${t.name}.${k.name}`,
          reason: `its definition (${k.definition}) is in the source's SQL: not converted`,
        });
      }
    }
    const indexes: IndexDef[] = [];
    for (const i of t.indexes) {
      const method = (i.method ?? 'BTREE').toUpperCase();
      if (method === 'FULLTEXT' || method === 'SPATIAL' || !i.columns?.length) {
        notMigrated.push({
          kind: `${method.toLowerCase()} index`,
          name: `${t.schema}.${t.name}.${i.name}`,
          reason:
            method === 'FULLTEXT' ? 'no fulltext index in PostgreSQL: build a GIN index over to_tsvector(...)' : 'not converted',
        });
        continue;
      }
      // an expression part (MySQL 8 functional index) or a column left out (generated): nothing to key on here
      const missing = i.columns.find((p) => !p.name || !t.columns.some((c) => c.name === p.name && c.generated === null));
      if (missing) {
        notMigrated.push({
          kind: 'index',
          name: `${t.schema}.${t.name}.${i.name}`,
          reason: missing.name
            ? `it keys on the generated column ${missing.name}, which is not converted`
            : 'it keys on an expression, which is in the source SQL: not converted',
        });
        continue;
      }
      const idxName = claim(schema, `${name}_${pgName(i.name)}`);
      const parts = i.columns.map((p) => {
        const col = quoteIdent(colOf(p.name));
        // a prefix index keys on the leading part, as on the source (a whole long value may not fit a btree entry)
        const key = p.prefixLength ? `(left(${col}::text, ${p.prefixLength}))` : col;
        return `${key}${p.descending ? ' DESC' : ''}`;
      });
      indexes.push({
        name: idxName,
        definition: `CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(idxName)} ON ${quoteQualified({ schema, name })} USING btree (${parts.join(', ')})`,
        columns: i.columns.map((p) => ({ ...p, name: colOf(p.name) })),
        unique: i.unique ?? false,
        comment: i.comment ?? null,
      });
    }
    return {
      ...t,
      schema,
      name,
      columns: cols,
      primaryKey,
      constraints,
      indexes,
      replicaIdentity: 'default',
      comment: t.comment,
      autoIncrementNext: null,
    };
  });
  return {
    catalog: {
      engine: 'postgres',
      serverVersion: '',
      database: catalog.database,
      schemas: [...new Set(catalog.schemas.map(pgName))],
      extensions: [],
      enums,
      sequences,
      tables,
      views: [],
      notMigrated,
    },
    columns,
    diagnostics,
  };
}

const ACTIONS = new Set(['CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION']);
function action(a: string | undefined): string {
  const up = (a ?? 'NO ACTION').toUpperCase();
  return ACTIONS.has(up) ? up : 'NO ACTION';
}

/** A zero-date default as the job's zeroDates makes it (NULL and `error`: no default). */
function zeroDefaultLiteral(rule: ZeroDateRule, kind: ZeroDateKind): string | null {
  const text = zeroDateReplacement(rule, kind);
  return text === null ? null : quoteLiteral(text);
}

/**
 * A source default as a PostgreSQL default: literals (quoted, so the
 * column's type reads them: `'1'` is a boolean too), the current time; any
 * other expression is named as not converted.
 */
function pgDefault(c: ColumnDef, pgType: string, notMigrated: NotMigratedObject[], full: string): string | null {
  const d = c.default;
  if (d === null || /^null$/i.test(d)) return null;
  if (/^current_timestamp(\(\d*\))?$/i.test(d) || /^now\(\)$/i.test(d)) return 'CURRENT_TIMESTAMP';
  let literal: string | null = null;
  if (/^'.*'$/s.test(d)) literal = d.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1');
  else if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(d)) literal = d;
  else if (/^b'[01]*'$/i.test(d)) return `B${d.slice(1)}`;
  if (literal === null) {
    notMigrated.push({ kind: 'column default', name: full, reason: `the expression ${d} is in the source's SQL: not converted` });
    return null;
  }
  if (/^0000-00-00/.test(literal)) return null; // a zero date: NULL on the destination
  if (c.canonical?.kind === 'bytes') return `${quoteLiteral(`\\x${Buffer.from(literal).toString('hex')}`)}::bytea`;
  if (pgType === 'boolean') return literal === '0' ? 'false' : 'true';
  return quoteLiteral(literal);
}
