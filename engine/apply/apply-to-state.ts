import { ACTION_EFFECT } from '../lifecycle/lifecycle-table.js';
import type { PlanAction } from '../plan/plan-action.js';
import type { JobConfigRecord, JobRecord, StateDocument } from '../../state/state-document.js';

/**
 * The state after executing `actions` (pure). Lifecycle commands become
 * recorded desired state and generations; workers converge to them.
 */
export function applyToState(
  doc: StateDocument,
  actions: readonly PlanAction[],
  at: string,
  by: string,
  newId: () => string = () => `job-${doc.serial + 1}`,
): StateDocument {
  const next: StateDocument = structuredClone(doc);
  next.serial = doc.serial + 1;
  const job = (name: string): JobRecord => {
    const j = next.jobs[name];
    if (!j) throw new Error(`job.${name} is not in the state`);
    return j;
  };
  const note = (j: JobRecord, action: string, from: string, to: string) => {
    j.history.push({ at, action, from, to, by });
    j.updatedAt = at;
  };
  const fresh = (name: string, after: JobConfigRecord, start: boolean, history: JobRecord['history'] = []): JobRecord => {
    const j: JobRecord = {
      ...structuredClone(after),
      name,
      id: newId(),
      generation: start ? 1 : 0,
      createdAt: at,
      updatedAt: at,
      history,
    };
    note(j, 'create', 'absent', start ? 'STARTING' : 'NOT_STARTED');
    return j;
  };

  for (const a of actions) {
    switch (a.kind) {
      case 'create-profile':
      case 'update-profile':
        next.profiles[a.name] = structuredClone(a.after);
        break;
      case 'delete-profile':
        delete next.profiles[a.name];
        break;
      case 'create-job':
        next.jobs[a.name] = fresh(a.name, a.after, a.start);
        break;
      case 'replace-job': {
        const old = job(a.name);
        note(old, 'replace', a.observed.status, 'deleted');
        next.jobs[a.name] = fresh(a.name, a.after, a.start, old.history);
        break;
      }
      case 'delete-job':
        delete next.jobs[a.name];
        break;
      case 'update-job': {
        const j = job(a.name);
        j.parallelism = a.after.parallelism;
        j.desiredState = a.after.desiredState;
        if (a.after.verify) j.verify = true;
        else delete j.verify;
        if (a.after.protect) j.protect = true;
        else delete j.protect;
        if (a.after.schema) j.schema = structuredClone(a.after.schema);
        else delete j.schema;
        note(
          j,
          'update',
          a.changes.map((c) => `${c.path}=${JSON.stringify(c.before)}`).join(','),
          a.changes.map((c) => `${c.path}=${JSON.stringify(c.after)}`).join(','),
        );
        break;
      }
      case 'take-over':
        note(job(a.name), 'take-over', `no worker since ${a.observed.unservedSince ?? 'unknown'}`, a.observed.status);
        break;
      case 'add-database':
      case 'update-database': {
        const j = job(a.name);
        const i = j.databases.findIndex((d) => d.name === a.database.name);
        if (i >= 0) j.databases[i] = structuredClone(a.database);
        else j.databases.push(structuredClone(a.database));
        note(j, a.kind, '', a.database.name);
        break;
      }
      case 'remove-database': {
        const j = job(a.name);
        j.databases = j.databases.filter((d) => d.name !== a.database.name);
        note(j, 'remove-database', a.database.name, '');
        break;
      }
      case 'transition': {
        const j = job(a.name);
        j.desiredState = a.after.desiredState;
        j.parallelism = a.after.parallelism;
        if (a.action === 'start' || a.action === 'restart') j.generation += 1;
        if (a.action === 'restart' && j.desiredState !== 'running') j.desiredState = 'running';
        note(j, a.action, a.observed.status, ACTION_EFFECT[a.action].during);
        break;
      }
    }
  }
  return next;
}
