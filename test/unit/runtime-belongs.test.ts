import { describe, expect, it } from 'vitest';
import { observedStatus } from '../../engine/lifecycle/observed-status.js';
import { needsWork } from '../../engine/lifecycle/needs-work.js';
import type { JobRuntime } from '../../state/job-runtime.js';
import type { JobRecord } from '../../state/state-document.js';

const record = (id: string | undefined, generation: number): JobRecord => ({
  name: 'j',
  ...(id ? { id } : {}),
  source: 's',
  destination: 'd',
  type: 'continuous',
  desiredState: 'running',
  parallelism: 'optimal',
  databases: [],
  generation,
  createdAt: 't',
  updatedAt: 't',
  history: [],
});
const report = (jobId: string | undefined, generation: number, status: JobRuntime['status']): JobRuntime => ({
  job: 'j',
  ...(jobId ? { jobId } : {}),
  generation,
  status,
  substatus: 'CDC',
  startedAt: null,
  endedAt: null,
  error: null,
  workerId: null,
  updatedAt: 't',
  databases: [],
});

describe('a replaced job is never described by its predecessor’s worker report', () => {
  it('ignores a report of another incarnation (new job starts fresh, no restart wipe)', () => {
    expect(observedStatus(record('new', 1), report('old', 3, 'RUNNING'))).toEqual({ status: 'STARTING', substatus: null });
    expect(needsWork(record('new', 1), report('old', 3, 'COMPLETED'))).toBe(true);
  });
  it('uses the report of the same incarnation', () => {
    expect(observedStatus(record('same', 1), report('same', 1, 'RUNNING'))).toEqual({ status: 'RUNNING', substatus: 'CDC' });
    expect(needsWork(record('same', 1), report('same', 1, 'COMPLETED'))).toBe(false);
  });
  it('keeps working with states written before job ids existed', () => {
    expect(observedStatus(record(undefined, 1), report(undefined, 1, 'STOPPED'))).toEqual({
      status: 'RESUMING',
      substatus: null,
    });
  });
});
