import type {
  DesiredState,
  EngineKind,
  JobType,
  Parallelism,
  SchemaSettings,
  TableSelection,
  TlsSettings,
} from '../engine/config/declaration.js';

/**
 * A profile as recorded in state. The password is kept only as its reference
 * (`env:NAME`, `file:PATH`) plus a keyed fingerprint of the resolved value so a
 * rotated secret shows as a change — never the secret itself.
 */
export interface ProfileRecord {
  engine: EngineKind;
  host: string;
  port: number;
  user: string;
  database: string;
  tls: TlsSettings;
  passwordRef: string | null;
  passwordFingerprint: string | null;
}

export interface DatabaseRecord {
  name: string;
  target: string;
  tables: TableSelection;
}

/** The declared part of a job, as recorded after apply (what plan diffs against). */
export interface JobConfigRecord {
  source: string;
  destination: string;
  type: JobType;
  desiredState: DesiredState;
  parallelism: Parallelism;
  /** Verify before promote completes (absent = false). */
  verify?: boolean;
  /** Declared `protect: true` (absent = false): delete, replace and restart are refused, even once undeclared. */
  protect?: boolean;
  /** Owners and grants of recreated schema objects (absent = keep both). */
  schema?: SchemaSettings;
  databases: DatabaseRecord[];
}

/** One recorded lifecycle transition (the audit trail). */
export interface TransitionRecord {
  at: string;
  action: string;
  from: string;
  to: string;
  by: string;
}

export interface JobRecord extends JobConfigRecord {
  name: string;
  /**
   * Identity of this incarnation of the job, new on create and replace: a
   * worker report carrying another id describes a job that no longer exists.
   * (Absent in states written before it existed.)
   */
  id?: string;
  /**
   * Bumped by every start and restart. A worker whose runtime carries an older
   * generation wipes the destination databases and migrates again (restart).
   * 0 = never started.
   */
  generation: number;
  createdAt: string;
  updatedAt: string;
  history: TransitionRecord[];
}

/**
 * The controller state (`.migrate/state.json`): written only under the state
 * lock, by apply. `serial` increases on every write; `lineage` is fixed at
 * creation. A saved plan records both and is refused when they differ.
 */
export interface StateDocument {
  version: 1;
  serial: number;
  lineage: string;
  profiles: Record<string, ProfileRecord>;
  jobs: Record<string, JobRecord>;
}
