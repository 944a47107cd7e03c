import type { DatabaseStatusView, JobStatusView } from '../../engine/progress/status-view.js';

/** A one-time job's status view around `databases` (what status and the progress renderers read). */
export function jobView(databases: DatabaseStatusView[], over: Partial<JobStatusView> = {}): JobStatusView {
  return {
    name: 'shop-upgrade',
    type: 'one-time',
    source: 'legacy',
    destination: 'cloud',
    status: 'RUNNING',
    substatus: 'FULL_DUMP',
    desiredState: 'running',
    generation: 1,
    startedAt: null,
    endedAt: null,
    updatedAt: null,
    error: null,
    worker: null,
    databases,
    history: [],
    ...over,
  };
}
