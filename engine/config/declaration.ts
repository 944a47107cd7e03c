import type { SourceLocation } from '../../contract/diagnostic.js';
import type { DesiredState, JobType, Parallelism, Profile, SchemaSettings, TableSelection } from '../../contract/declaration.js';
import type { Policy } from '../policy/policy.js';

export type {
  DesiredState,
  EngineKind,
  JobType,
  Parallelism,
  Profile,
  SchemaSettings,
  TableSelection,
  TlsMode,
  TlsSettings,
  TypeOverride,
  ZeroDates,
} from '../../contract/declaration.js';
export { ENGINE_KINDS } from '../../contract/declaration.js';

export interface DatabaseSpec {
  name: string;
  /** Destination database name; default: same as `name`. */
  target: string;
  tables: TableSelection;
  location: SourceLocation;
}

export interface JobSpec {
  name: string;
  source: string;
  destination: string;
  type: JobType;
  state: DesiredState;
  parallelism: Parallelism;
  /** Run `verify` before promote completes; promote refuses on a difference. Default false. */
  verify: boolean;
  /** Plans that would delete, replace or restart the job (or remove a database) are errors. Default false. */
  protect: boolean;
  /** Owners and grants of recreated objects. Default keep / keep. */
  schema: SchemaSettings;
  databases: DatabaseSpec[];
  location: SourceLocation;
}

export type BackendSpec = { type: 'local'; path?: string } | { type: 'postgres'; profile: string; schema?: string };

/** The typed, validated declaration: all YAML files merged. Secrets are still references. */
export interface Declaration {
  version: 1;
  /** Directory the declaration was loaded from; the local backend lives in `<dir>/.migrate` by default. */
  dir: string;
  files: string[];
  backend: BackendSpec;
  /** The declared `policy:` block, or the default (`destructive: allow`, no approvers). */
  policy: Policy;
  profiles: Record<string, Profile>;
  jobs: Record<string, JobSpec>;
}
