import type { AnySchemaObject } from 'ajv/dist/2020.js';
import type {
  DesiredState,
  EngineKind,
  JobType,
  Parallelism,
  SchemaSettings,
  TableSelection,
  TlsSettings,
} from './declaration.js';
import { ENGINE_KINDS } from './declaration.js';
import { declarationSchema } from './declaration-schema.js';
import type { PolicyRecord } from '../policy/policy.js';

/** Every default the loader fills in, read from `schemas/migrate.schema.json` (the single source of truth). */
export interface DeclarationDefaults {
  port: Record<EngineKind, number>;
  database: Record<EngineKind, string>;
  tls: TlsSettings;
  jobType: JobType;
  state: DesiredState;
  parallelism: Parallelism;
  tables: TableSelection;
  schema: SchemaSettings;
  protect: boolean;
  policy: PolicyRecord;
  backendType: 'local';
  localPath: string;
  postgresSchema: string;
}

function pick(schema: AnySchemaObject, pointer: string): unknown {
  let node: unknown = schema;
  for (const seg of pointer.split('/')) {
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  if (node === undefined) throw new Error(`migrate.schema.json has no ${pointer}`);
  // A copy, so no caller can change the parsed schema through a default.
  return structuredClone(node);
}

function byEngine<T>(schema: AnySchemaObject, pointer: string): Record<EngineKind, T> {
  const table = pick(schema, pointer) as Partial<Record<EngineKind, T>>;
  for (const engine of ENGINE_KINDS) {
    if (table[engine] === undefined) throw new Error(`migrate.schema.json ${pointer} lacks ${engine}`);
  }
  return table as Record<EngineKind, T>;
}

let cached: DeclarationDefaults | undefined;

/**
 * The defaults, extracted once from the schema and shared: copy before mutating.
 * Throws if the schema lacks one (a packaging bug).
 */
export function declarationDefaults(): DeclarationDefaults {
  if (cached) return cached;
  const s = declarationSchema();
  const profile = '$defs/profile/properties';
  const job = '$defs/job/properties';
  const backend = 'properties/backend';
  cached = {
    port: byEngine<number>(s, `${profile}/port/x-defaultByEngine`),
    database: byEngine<string>(s, `${profile}/database/x-defaultByEngine`),
    tls: pick(s, `${profile}/tls/default`) as TlsSettings,
    jobType: pick(s, `${job}/type/default`) as JobType,
    state: pick(s, `${job}/state/default`) as DesiredState,
    parallelism: pick(s, `${job}/parallelism/default`) as Parallelism,
    tables: pick(s, '$defs/database/properties/tables/default') as TableSelection,
    schema: pick(s, `${job}/schema/default`) as SchemaSettings,
    protect: pick(s, `${job}/protect/default`) as boolean,
    policy: pick(s, 'properties/policy/default') as PolicyRecord,
    backendType: (pick(s, `${backend}/default`) as { type: 'local' }).type,
    localPath: pick(s, `${backend}/oneOf/0/properties/path/default`) as string,
    postgresSchema: pick(s, `${backend}/oneOf/1/properties/schema/default`) as string,
  };
  return cached;
}
