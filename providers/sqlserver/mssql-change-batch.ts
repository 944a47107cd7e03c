/**
 * Batches of whole decoded transactions, up to `maxEvents` events; a
 * transaction larger than that goes out in `partial` pieces (the engine
 * applies them in one destination transaction), its commit in the last.
 */
import type { ChangeBatch } from '../provider.js';
import type { DecodedTransaction } from './mssql-change-rows.js';

/** Events of the queue's first transaction already handed out in partial batches. */
export interface BatchCursor {
  sent: number;
}

/** Take the next batch off `queue` (mutated: finished transactions are removed). */
export function takeBatch(queue: DecodedTransaction[], cursor: BatchCursor, maxEvents: number): ChangeBatch {
  const max = Math.max(1, maxEvents);
  const batch: ChangeBatch = { events: [], endPosition: null, lastCommitTime: null, transactions: 0, partial: false };
  while (queue.length) {
    const tx = queue[0] as DecodedTransaction;
    const rest = tx.events.length - cursor.sent;
    if (batch.transactions && batch.events.length + rest > max) break;
    if (rest > max) {
      batch.events.push(...tx.events.slice(cursor.sent, cursor.sent + max));
      cursor.sent += max;
      batch.partial = true;
      return batch;
    }
    batch.events.push(...tx.events.slice(cursor.sent));
    cursor.sent = 0;
    queue.shift();
    const commit = tx.events[tx.events.length - 1];
    batch.endPosition = tx.endPosition;
    batch.lastCommitTime = commit?.kind === 'commit' ? commit.commitTime : null;
    batch.transactions++;
  }
  return batch;
}
