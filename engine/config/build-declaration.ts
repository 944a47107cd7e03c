import type {
  TypeOverride,
  BackendSpec,
  DatabaseSpec,
  Declaration,
  DesiredState,
  EngineKind,
  JobSpec,
  JobType,
  Parallelism,
  Profile,
  TlsMode,
} from './declaration.js';
import type { DeclarationDefaults } from './declaration-defaults.js';
import type { MergedDeclaration } from './merge-declaration-files.js';
import type { DestructivePolicy, Policy } from '../policy/policy.js';

/** Shapes as the schema guarantees them (optional where it has defaults). */
interface RawProfile {
  engine: EngineKind;
  host: string;
  port?: number;
  user: string;
  password?: string;
  database?: string;
  tls?: { mode?: TlsMode; ca?: string };
}
interface RawDatabase {
  name: string;
  target?: string;
  tables?: { include?: string[]; exclude?: string[] };
}
interface RawJob {
  source: string;
  destination: string;
  type?: JobType;
  state?: DesiredState;
  parallelism?: Parallelism;
  verify?: boolean;
  protect?: boolean;
  schema?: { owners?: 'keep' | 'skip'; grants?: 'keep' | 'skip' };
  types?: TypeOverride[];
  /** YAML `zeroDates: null` is JSON null: the default, like `'null'` or leaving it out. */
  zeroDates?: string | null;
  databases: RawDatabase[];
}
interface RawPolicy {
  destructive?: DestructivePolicy;
  approvers?: string[];
}
type RawBackend = { type?: 'local'; path?: string } | { type: 'postgres'; profile: string; schema?: string };

/**
 * The typed declaration with every default filled in. Only call it on a
 * merged declaration that passed the schema and all checks: it trusts shapes.
 */
export function buildDeclaration(
  merged: MergedDeclaration,
  dir: string,
  files: string[],
  defaults: DeclarationDefaults,
): Declaration {
  const profiles: Record<string, Profile> = {};
  for (const { name, value, file } of merged.profiles.values()) {
    const p = value as RawProfile;
    profiles[name] = {
      name,
      engine: p.engine,
      host: p.host,
      port: p.port ?? defaults.port[p.engine],
      user: p.user,
      ...(p.password !== undefined ? { password: p.password } : {}),
      database: p.database ?? defaults.database[p.engine],
      tls: {
        mode: p.tls?.mode ?? defaults.tls.mode,
        ...(p.tls?.ca !== undefined ? { ca: p.tls.ca } : {}),
      },
      location: file.locator.key(['profiles', name]),
    };
  }

  const jobs: Record<string, JobSpec> = {};
  for (const { name, value, file } of merged.jobs.values()) {
    const j = value as RawJob;
    const databases: DatabaseSpec[] = j.databases.map((db, i) => ({
      name: db.name,
      target: db.target ?? db.name,
      tables: {
        include: [...(db.tables?.include ?? defaults.tables.include)],
        exclude: [...(db.tables?.exclude ?? defaults.tables.exclude)],
      },
      location: file.locator.value(['jobs', name, 'databases', i]),
    }));
    jobs[name] = {
      name,
      source: j.source,
      destination: j.destination,
      type: j.type ?? defaults.jobType,
      state: j.state ?? defaults.state,
      parallelism: j.parallelism ?? defaults.parallelism,
      verify: j.verify ?? false,
      protect: j.protect ?? defaults.protect,
      schema: {
        owners: j.schema?.owners ?? defaults.schema.owners,
        grants: j.schema?.grants ?? defaults.schema.grants,
        ...(j.types?.length ? { types: j.types.map((t) => ({ ...t })) } : {}),
        // absent = null, the default: jobs that do not set it record nothing new
        ...(j.zeroDates != null && j.zeroDates !== 'null' ? { zeroDates: j.zeroDates } : {}),
      },
      databases,
      location: file.locator.key(['jobs', name]),
    };
  }

  const backend = buildBackend(merged.backend?.value as RawBackend | undefined, defaults);
  return { version: 1, dir, files, backend, policy: buildPolicy(merged.policy, defaults), profiles, jobs };
}

/** The declared policy with its defaults, located at its `policy:` key; the default policy has no location. */
export function buildPolicy(
  declared: MergedDeclaration['policy'] | undefined,
  defaults: Pick<DeclarationDefaults, 'policy'>,
): Policy {
  if (!declared) return { ...defaults.policy, approvers: [...defaults.policy.approvers] };
  const raw = declared.value as RawPolicy;
  return {
    destructive: raw.destructive ?? defaults.policy.destructive,
    approvers: [...(raw.approvers ?? defaults.policy.approvers)],
    location: declared.file.locator.key(['policy']),
  };
}

function buildBackend(raw: RawBackend | undefined, defaults: DeclarationDefaults): BackendSpec {
  if (raw?.type === 'postgres') {
    return { type: 'postgres', profile: raw.profile, schema: raw.schema ?? defaults.postgresSchema };
  }
  return { type: defaults.backendType, path: raw?.path ?? defaults.localPath };
}
