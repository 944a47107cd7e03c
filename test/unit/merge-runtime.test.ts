import { describe, expect, it } from 'vitest';
import type { DatabaseProgress, JobError, JobRuntime } from '../../state/job-runtime.js';
import { mergeRuntime } from '../../state/merge-runtime.js';
import { emptyDatabaseProgress } from '../../engine/runtime/progress-reporter.js';

const db = (name: string, over: Partial<DatabaseProgress> = {}): DatabaseProgress => ({
  ...emptyDatabaseProgress(name, name),
  migrationState: 'FULL_DUMP',
  ...over,
});

const rt = (over: Partial<JobRuntime> = {}): JobRuntime => ({
  job: 'shop',
  jobId: 'id-1',
  generation: 1,
  status: 'RUNNING',
  substatus: 'FULL_DUMP',
  startedAt: '2026-01-01T10:00:00.000Z',
  endedAt: null,
  error: null,
  workerId: 'w1',
  updatedAt: '2026-01-01T10:00:05.000Z',
  databases: [],
  ...over,
});

const err = (message: string): JobError => ({ message, at: '2026-01-01T10:00:03.000Z', phase: 'FULL_DUMP', fatal: false });
const owned = (...names: string[]) => new Set(names);

describe('mergeRuntime: several workers writing one job report', () => {
  const cases: Array<{
    name: string;
    stored: JobRuntime | null;
    mine: JobRuntime;
    owned: Set<string>;
    expect: (m: JobRuntime) => void;
  }> = [
    {
      name: 'nothing stored: ours as is',
      stored: null,
      mine: rt({ databases: [db('a')] }),
      owned: owned('a'),
      expect: (m) => expect(m.databases.map((d) => d.name)).toEqual(['a']),
    },
    {
      name: 'an older generation is replaced (a restart)',
      stored: rt({ generation: 1, databases: [db('a'), db('b')] }),
      mine: rt({ generation: 2, databases: [db('a')] }),
      owned: owned('a'),
      expect: (m) => expect([m.generation, m.databases.map((d) => d.name)]).toEqual([2, ['a']]),
    },
    {
      name: 'another incarnation (replaced job) is replaced',
      stored: rt({ jobId: 'old', generation: 5, databases: [db('b')] }),
      mine: rt({ databases: [db('a')] }),
      owned: owned('a'),
      expect: (m) => expect([m.jobId, m.databases.map((d) => d.name)]).toEqual(['id-1', ['a']]),
    },
    {
      name: 'a stale writer (older generation) changes nothing',
      stored: rt({ generation: 3, databases: [db('b')] }),
      mine: rt({ generation: 2, databases: [db('a')] }),
      owned: owned('a'),
      expect: (m) => expect([m.generation, m.databases.map((d) => d.name)]).toEqual([3, ['b']]),
    },
    {
      name: 'ours replace theirs; the others are kept as their workers wrote them',
      stored: rt({ databases: [db('a', { appliedChanges: 1 }), db('b', { appliedChanges: 7, workerId: 'w2' })] }),
      mine: rt({ databases: [db('a', { appliedChanges: 5 }), db('b', { appliedChanges: 0 })] }),
      owned: owned('a'),
      expect: (m) =>
        expect(m.databases.map((d) => [d.name, d.appliedChanges])).toEqual([
          ['a', 5],
          ['b', 7],
        ]),
    },
    {
      name: 'a database we serve for the first time is added',
      stored: rt({ databases: [db('b')] }),
      mine: rt({ databases: [db('c'), db('x')] }),
      owned: owned('c'),
      expect: (m) => expect(m.databases.map((d) => d.name)).toEqual(['b', 'c']),
    },
    {
      name: 'a failed job stays failed whoever writes later; our databases still merge',
      stored: rt({ status: 'FAILED', error: { ...err('boom'), fatal: true }, databases: [db('a'), db('b')] }),
      mine: rt({ status: 'RUNNING', databases: [db('a', { migrationState: 'CDC' })] }),
      owned: owned('a'),
      expect: (m) => expect([m.status, m.error?.message, m.databases[0]?.migrationState]).toEqual(['FAILED', 'boom', 'CDC']),
    },
    {
      name: 'a completed generation stays completed',
      stored: rt({ status: 'COMPLETED', substatus: null }),
      mine: rt({ status: 'RUNNING' }),
      owned: owned(),
      expect: (m) => expect(m.status).toBe('COMPLETED'),
    },
    {
      name: 'another database in error keeps a running job at Running with errors',
      stored: rt({ databases: [db('b', { error: err('b: connection lost (retrying in 2s)') })] }),
      mine: rt({ status: 'RUNNING', databases: [db('a')] }),
      owned: owned('a'),
      expect: (m) => expect([m.status, m.error?.message]).toEqual(['RUNNING_WITH_ERRORS', 'b: connection lost (retrying in 2s)']),
    },
    {
      name: 'a removed database in error does not',
      stored: rt({ databases: [db('b', { migrationState: 'REMOVED', error: err('old') })] }),
      mine: rt({ status: 'RUNNING', databases: [db('a')] }),
      owned: owned('a'),
      expect: (m) => expect([m.status, m.error]).toEqual(['RUNNING', null]),
    },
    {
      name: 'an error cleared by the worker that took the database over clears the job',
      stored: rt({ status: 'RUNNING_WITH_ERRORS', error: err('b down'), databases: [db('b', { error: err('b down') })] }),
      mine: rt({ status: 'RUNNING', databases: [db('b', { error: null })] }),
      owned: owned('b'),
      expect: (m) => expect([m.status, m.error]).toEqual(['RUNNING', null]),
    },
    {
      name: 'the earliest start, any destination write and the restart wipe are kept',
      stored: rt({ startedAt: '2026-01-01T09:00:00.000Z', destinationWritten: true, wipeOnRestart: true }),
      mine: rt({ startedAt: '2026-01-01T10:00:00.000Z', destinationWritten: false, wipeOnRestart: false }),
      owned: owned(),
      expect: (m) =>
        expect([m.startedAt, m.destinationWritten, m.wipeOnRestart]).toEqual(['2026-01-01T09:00:00.000Z', true, true]),
    },
    {
      name: 'a stopped report is resumed by the writer',
      stored: rt({ status: 'STOPPED', substatus: 'CDC' }),
      mine: rt({ status: 'RESUMING', substatus: 'CDC' }),
      owned: owned(),
      expect: (m) => expect(m.status).toBe('RESUMING'),
    },
  ];
  for (const c of cases) it(c.name, () => c.expect(mergeRuntime(c.stored, c.mine, c.owned)));

  it('does not change its inputs', () => {
    const stored = rt({ databases: [db('a'), db('b')] });
    const mine = rt({ databases: [db('a', { appliedChanges: 3 })] });
    const before = structuredClone([stored, mine]);
    mergeRuntime(stored, mine, owned('a'));
    expect([stored, mine]).toEqual(before);
  });
});
