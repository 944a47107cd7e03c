import { describe, expect, it } from 'vitest';
import { settlement, type Settlement } from '../../engine/apply/settled.js';
import type { JobStatus, Substatus } from '../../engine/lifecycle/job-status.js';
import type { DatabaseStatusView, JobStatusView } from '../../engine/progress/status-view.js';
import type { DatabaseMigrationState, JobError } from '../../state/job-runtime.js';
import { jobView } from '../harness/status-views.js';

function db(migrationState: DatabaseMigrationState): DatabaseStatusView {
  return {
    name: 'shop',
    target: 'shop',
    migrationState,
    startedOn: null,
    endedOn: null,
    incomingChanges: 0,
    appliedChanges: 0,
    latencyMs: null,
    fullLoadQueuedTables: 0,
    fullLoadLoadingTables: 0,
    fullLoadCompletedTables: 0,
    fullLoadErroredTables: 0,
    tables: [],
  };
}

function view(over: Partial<JobStatusView> & { status: JobStatus; substatus?: Substatus | null }): JobStatusView {
  return jobView([db('CDC')], { name: 'x', type: 'continuous', source: 'src', destination: 'dst', substatus: null, ...over });
}

const retrying = (retry: 'transient' | 'configuration'): JobError => ({
  message: 'x',
  at: '2024-05-01T10:00:00.000Z',
  phase: null,
  fatal: false,
  retry,
});

describe('settlement: has apply seen the job reach its desired state?', () => {
  const cases: [string, JobStatusView, Settlement, { catchUp?: boolean }?][] = [
    ['failed', view({ status: 'FAILED', substatus: 'CDC' }), 'failed'],
    ['one-time completed', view({ type: 'one-time', status: 'COMPLETED' }), 'reached'],
    ['one-time still dumping', view({ type: 'one-time', status: 'RUNNING', substatus: 'FULL_DUMP' }), 'pending'],
    ['continuous streaming', view({ status: 'RUNNING', substatus: 'CDC' }), 'reached'],
    [
      'continuous, one database still dumping',
      view({ status: 'RUNNING', substatus: 'CDC', databases: [db('CDC'), db('FULL_DUMP')] }),
      'pending',
    ],
    ['taken over, still behind', view({ status: 'RUNNING', substatus: 'CDC' }), 'pending', { catchUp: true }],
    [
      'taken over, caught up',
      view({ status: 'RUNNING', substatus: 'CDC', databases: [db('READY_TO_COMPLETE')] }),
      'reached',
      { catchUp: true },
    ],
    ['waiting for a credential', view({ status: 'STARTING', error: retrying('configuration') }), 'blocked'],
    [
      'waiting for a setting mid-run',
      view({ status: 'RUNNING_WITH_ERRORS', substatus: 'CDC', error: retrying('configuration') }),
      'blocked',
    ],
    ['cannot reach its servers to start', view({ status: 'STARTING', error: retrying('transient') }), 'blocked'],
    [
      'lost a connection mid-run (comes back)',
      view({ status: 'RUNNING_WITH_ERRORS', substatus: 'CDC', error: retrying('transient') }),
      'reached',
    ],
    ['stopped as declared', view({ status: 'STOPPED', substatus: 'CDC', desiredState: 'stopped' }), 'reached'],
    ['promoted', view({ status: 'COMPLETED', desiredState: 'promoted' }), 'reached'],
    ['promote in progress', view({ status: 'RUNNING', substatus: 'PROMOTE_IN_PROGRESS', desiredState: 'promoted' }), 'pending'],
  ];
  it.each(cases)('%s', (_name, v, expected, opts) => {
    expect(settlement(v, opts)).toBe(expected);
  });
});
