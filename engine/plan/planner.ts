import type { SchemaSettings } from '../config/declaration.js';
import { describeStatus } from '../lifecycle/job-status.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { isDestructive } from '../lifecycle/lifecycle-table.js';
import { observedStatus, type JobService } from '../lifecycle/observed-status.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { Lease } from '../../state/state-backend.js';
import type { JobConfigRecord, JobRecord, ProfileRecord, StateDocument } from '../../state/state-document.js';
import { diffFields, sameValue } from './config-diff.js';
import type { DesiredSnapshot } from './desired-snapshot.js';
import { desiredTransition } from './desired-transition.js';
import type { FieldChange, PlanAction } from './plan-action.js';

export interface PlanOptions {
  /** Job addresses (`job.x`) to restart whatever their desired state (`-restart`). */
  restart?: readonly string[];
  /** Who serves each job (leases read at refresh time); without it, unserved jobs are not detected. */
  service?: { leases: Readonly<Record<string, Lease | null>>; now: Date };
}

export interface PlanResult {
  actions: PlanAction[];
  diagnostics: Diagnostic[];
}

const PROFILE_SENSITIVE = new Set(['passwordFingerprint']);
const PROFILE_REPLACES = new Set(['engine']);
const JOB_REPLACES = new Set(['source', 'destination', 'type']);

/**
 * plan(desired, recorded) → ordered actions. Pure: no I/O, no clock. The
 * runtimes are the workers' last reports (refreshed by the caller).
 */
export function plan(
  desired: DesiredSnapshot,
  state: StateDocument | null,
  runtimes: Readonly<Record<string, JobRuntime | null>>,
  options: PlanOptions = {},
): PlanResult {
  const diagnostics: Diagnostic[] = [];
  const recordedProfiles = state?.profiles ?? {};
  const recordedJobs = state?.jobs ?? {};
  const restart = new Set(options.restart ?? []);
  const serviceOf = (name: string): JobService | undefined =>
    options.service ? { lease: options.service.leases[name] ?? null, now: options.service.now } : undefined;

  for (const addr of restart) {
    if (!addr.startsWith('job.')) {
      // A bare name would never match `job.<name>` below and be silently ignored.
      diagnostics.push({
        severity: 'error',
        summary: `-restart ${addr}: not a job address`,
        detail: `name the job by its address: -restart job.${addr}`,
        address: addr,
      });
      continue;
    }
    const name = addr.slice('job.'.length);
    if (!recordedJobs[name] || !desired.jobs[name]) {
      diagnostics.push({
        severity: 'error',
        summary: `-restart ${addr}: no such job in both the declaration and the state`,
        detail: 'only a job that exists and has been applied can be restarted',
        address: addr,
      });
    }
  }

  const profileActions: PlanAction[] = [];
  const profileDeletes: PlanAction[] = [];
  for (const name of sortedUnion(desired.profiles, recordedProfiles)) {
    const after = desired.profiles[name];
    const before = recordedProfiles[name];
    const address = `profile.${name}`;
    if (after && !before) {
      profileActions.push({
        kind: 'create-profile',
        address,
        name,
        after: strip(after),
        reason: 'declared, not in state',
        destructive: false,
      });
    } else if (!after && before) {
      profileDeletes.push({ kind: 'delete-profile', address, name, reason: 'no longer declared', destructive: false });
    } else if (after && before) {
      const changes = diffFields(toRecord(before), toRecord(strip(after)), {
        sensitive: PROFILE_SENSITIVE,
        forcesReplacement: PROFILE_REPLACES,
      });
      if (changes.length) {
        profileActions.push({
          kind: 'update-profile',
          address,
          name,
          after: strip(after),
          changes,
          reason: 'profile fields changed',
          destructive: false,
        });
      }
    }
  }

  const jobDeletes: PlanAction[] = [];
  const jobCreates: PlanAction[] = [];
  const jobUpdates: PlanAction[] = [];
  const transitions: PlanAction[] = [];

  for (const name of sortedUnion(desired.jobs, recordedJobs)) {
    const address = `job.${name}`;
    const wanted = desired.jobs[name];
    const record = recordedJobs[name];
    if (wanted && !record) {
      const after = strip(wanted);
      if (after.desiredState === 'stopped' || after.desiredState === 'promoted') {
        diagnostics.push({
          severity: 'error',
          summary: `${address} does not exist yet: it cannot be ${after.desiredState}`,
          detail: 'declare it with state: running (or not-started), apply, and change the state later',
          address,
          field: `jobs.${name}.state`,
          ...(wanted.location ? { location: wanted.location } : {}),
        });
        continue;
      }
      const start = after.desiredState === 'running';
      jobCreates.push({
        kind: 'create-job',
        address,
        name,
        after,
        start,
        reason: start ? 'declared with state: running: it will be created and started' : 'declared with state: not-started',
        destructive: false,
      });
      continue;
    }
    const runtime = runtimes[name] ?? null;
    if (!wanted && record) {
      const observed = observedStatus(record, runtime, serviceOf(name));
      jobDeletes.push({
        kind: 'delete-job',
        address,
        name,
        observed,
        reason: `no longer declared (${observed.status}); source-side artifacts are removed, destination data is kept`,
        destructive: isDestructive('delete', observed.status),
      });
      continue;
    }
    if (!wanted || !record) continue;
    const after = strip(wanted);
    const observed = observedStatus(record, runtime, serviceOf(name));
    const replaceChanges = jobReplacementChanges(record, after, recordedProfiles, desired.profiles);
    if (replaceChanges.length) {
      if (after.desiredState === 'stopped' || after.desiredState === 'promoted') {
        // The replacement is a new job: like create, it cannot begin stopped or promoted.
        diagnostics.push({
          severity: 'error',
          summary: `${address} must be replaced (${replaceChanges.map((c) => c.path).join(', ')} changed): the new job cannot be ${after.desiredState}`,
          detail:
            'set state: running (or not-started) for the replacement, apply, and change the state later; or revert the change',
          address,
          field: `jobs.${name}.state`,
          ...(wanted.location ? { location: wanted.location } : {}),
        });
        continue;
      }
      const start = after.desiredState === 'running';
      jobDeletes.push({
        kind: 'replace-job',
        address,
        name,
        after,
        start,
        changes: replaceChanges,
        observed,
        reason: `${replaceChanges.map((c) => c.path).join(', ')} changed: the job must be replaced`,
        destructive: record.generation > 0,
      });
      continue;
    }
    jobUpdates.push(...databaseActions(name, record, after));
    const configChanges = diffFields(
      {
        parallelism: record.parallelism,
        verify: record.verify ?? false,
        protect: record.protect ?? false,
        schema: schemaSettings(record),
      },
      {
        parallelism: after.parallelism,
        verify: after.verify ?? false,
        protect: after.protect ?? false,
        schema: schemaSettings(after),
      },
    );
    if (configChanges.length) {
      jobUpdates.push({
        kind: 'update-job',
        address,
        name,
        changes: configChanges,
        after,
        reason:
          observed.status === 'RUNNING' && configChanges.some((c) => c.path === 'parallelism')
            ? 'parallelism changes apply in place to the running job'
            : 'settings changed',
        destructive: false,
      });
    }
    const decision = desiredTransition(name, after.type, after.desiredState, observed, restart.has(address));
    if (decision.kind === 'error') {
      diagnostics.push({
        severity: 'error',
        summary: decision.summary,
        detail: decision.detail,
        address,
        field: `jobs.${name}.state`,
        ...(wanted.location ? { location: wanted.location } : {}),
      });
    } else if (decision.kind === 'action') {
      transitions.push({
        kind: 'transition',
        address,
        name,
        action: decision.action,
        observed,
        after,
        reason: decision.reason,
        destructive: isDestructive(decision.action, observed.status) && !(decision.action === 'restart' && observed.pristine),
      });
    } else if (observed.unservedSince) {
      // the job has work to do and its worker is gone: drift a scheduled plan must report
      transitions.push({
        kind: 'take-over',
        address,
        name,
        observed,
        reason: `${describeStatus(observed.status, observed.substatus)} — no worker since ${observed.unservedSince}: apply runs it again from its checkpoints (finished tables are kept)`,
        destructive: false,
      });
    } else if (record.desiredState !== after.desiredState) {
      // desired state recorded differently but no lifecycle action needed (e.g. not-started kept)
      jobUpdates.push({
        kind: 'update-job',
        address,
        name,
        changes: [{ path: 'desiredState', before: record.desiredState, after: after.desiredState }],
        after,
        reason: 'desired state recorded',
        destructive: false,
      });
    }
    const warning = decision.kind !== 'error' ? decision.warning : undefined;
    if (warning) diagnostics.push({ severity: 'warning', summary: warning, address });
  }

  return {
    actions: [...profileActions, ...jobDeletes, ...jobCreates, ...jobUpdates, ...transitions, ...profileDeletes],
    diagnostics,
  };
}

function jobReplacementChanges(
  record: JobRecord,
  after: JobConfigRecord,
  recordedProfiles: Record<string, ProfileRecord>,
  desiredProfiles: DesiredSnapshot['profiles'],
): FieldChange[] {
  const changes = diffFields(
    { source: record.source, destination: record.destination, type: record.type },
    { source: after.source, destination: after.destination, type: after.type },
    { forcesReplacement: JOB_REPLACES },
  );
  for (const side of ['source', 'destination'] as const) {
    const before = recordedProfiles[record[side]]?.engine;
    const now = desiredProfiles[after[side]]?.engine;
    if (record[side] === after[side] && before && now && before !== now) {
      changes.push({ path: `${side}.engine`, before, after: now, forcesReplacement: true });
    }
  }
  return changes;
}

function databaseActions(name: string, record: JobRecord, after: JobConfigRecord): PlanAction[] {
  const out: PlanAction[] = [];
  const before = new Map(record.databases.map((d) => [d.name, d]));
  const now = new Map(after.databases.map((d) => [d.name, d]));
  for (const [db, spec] of now) {
    const address = `job.${name}.database.${db}`;
    const old = before.get(db);
    if (!old) {
      out.push({
        kind: 'add-database',
        address,
        name,
        database: spec,
        reason: 'added: it gets a full dump, then joins the running job',
        destructive: false,
      });
    } else if (old.target !== spec.target) {
      out.push({
        kind: 'remove-database',
        address,
        name,
        database: old,
        reason: `target changed (${old.target} -> ${spec.target}): replication into ${old.target} stops; its data is kept`,
        destructive: true,
      });
      out.push({
        kind: 'add-database',
        address,
        name,
        database: spec,
        reason: `target changed: migrated again into ${spec.target}`,
        destructive: false,
      });
    } else if (!sameValue(old.tables, spec.tables)) {
      out.push({
        kind: 'update-database',
        address,
        name,
        database: spec,
        changes: diffFields({ tables: old.tables }, { tables: spec.tables }),
        reason: 'table selection changed: added tables are backfilled, removed ones stop replicating (their data is kept)',
        destructive: false,
      });
    }
  }
  for (const [db, old] of before) {
    if (!now.has(db)) {
      out.push({
        kind: 'remove-database',
        address: `job.${name}.database.${db}`,
        name,
        database: old,
        reason: `removed: replication stops; data already in ${old.target} is kept`,
        destructive: true,
      });
    }
  }
  return out;
}

/** Owners and grants as recorded (absent = keep both). */
export function schemaSettings(job: JobConfigRecord): SchemaSettings {
  return job.schema ?? { owners: 'keep', grants: 'keep' };
}

function sortedUnion(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

/** Drop declaration-only fields (location) so records compare and serialize cleanly. */
function strip<T extends { location?: unknown }>(v: T): Omit<T, 'location'> {
  const { location: _location, ...rest } = v;
  return rest;
}

function toRecord(v: object): Record<string, unknown> {
  return v as Record<string, unknown>;
}
