/**
 * Which SCNs the next LogMiner session mines and which redo logs it adds.
 *
 * Windows follow each other without a gap: (lastMined, end], with end at
 * most `maxScns` ahead and never past the database's current SCN. A resumed
 * stream starts at its checkpoint's restart SCN (oracle-scn.ts: the oldest
 * start of the transactions open at that commit, never after the checkpoint
 * itself), so a transaction straddling the checkpoint or a window boundary
 * has all its rows mined. Transactions open at a window's end stay in the
 * transaction buffer for the next window: none is lost and none is mined
 * twice.
 *
 * Logs: every redo log of every thread whose SCN range [FIRST_CHANGE#,
 * NEXT_CHANGE#) meets the window, the archived copy when there is one (it
 * cannot be overwritten while mined), the online member otherwise. A window
 * whose start no available log covers, or a missing sequence in between, is
 * a gap: those changes are gone (archived logs deleted), named as such.
 */

export interface RedoLogRow {
  /** Archived log NAME, or the online log's first MEMBER. */
  name: string;
  thread: number;
  sequence: number;
  firstScn: bigint;
  /** NEXT_CHANGE#; the current online log's is the maximum SCN. */
  nextScn: bigint;
  archived: boolean;
}

export interface MiningWindow {
  /** First SCN mined (STARTSCN). */
  startScn: bigint;
  /** Last SCN mined (ENDSCN, inclusive). */
  endScn: bigint;
  /** Log files to add, by thread then sequence. */
  files: string[];
}

export class RedoGapError extends Error {}

/** The next window after `lastMinedScn`, or null when the database has no newer SCN yet. */
export function nextWindowRange(
  lastMinedScn: bigint,
  currentScn: bigint,
  maxScns: bigint,
): { startScn: bigint; endScn: bigint } | null {
  if (maxScns < 1n) throw new RangeError('a mining window spans at least one SCN');
  if (currentScn <= lastMinedScn) return null;
  const end = lastMinedScn + maxScns < currentScn ? lastMinedScn + maxScns : currentScn;
  return { startScn: lastMinedScn + 1n, endScn: end };
}

/** The logs a window needs (RedoGapError when some of them are gone). */
export function planMiningWindow(range: { startScn: bigint; endScn: bigint }, logs: readonly RedoLogRow[]): MiningWindow {
  const { startScn, endScn } = range;
  if (endScn < startScn) throw new RangeError(`an empty mining window (${startScn}..${endScn})`);
  const bySeq = new Map<string, RedoLogRow>();
  for (const l of logs) {
    if (l.firstScn > endScn || l.nextScn <= startScn) continue;
    const key = `${l.thread}:${l.sequence}`;
    const seen = bySeq.get(key);
    // the archived copy wins: an online log may be overwritten while it is mined
    if (!seen || (l.archived && !seen.archived)) bySeq.set(key, l);
  }
  const threads = new Map<number, RedoLogRow[]>();
  for (const l of bySeq.values()) threads.set(l.thread, [...(threads.get(l.thread) ?? []), l]);
  // the window's first SCN must be in some log (a log holding it was deleted otherwise)
  if (![...bySeq.values()].some((l) => l.firstScn <= startScn && startScn < l.nextScn)) {
    throw new RedoGapError(gapMessage(startScn, logs));
  }
  const files: string[] = [];
  for (const [thread, list] of [...threads].sort((a, b) => a[0] - b[0])) {
    list.sort((a, b) => a.sequence - b.sequence);
    for (let i = 1; i < list.length; i++) {
      const prev = list[i - 1] as RedoLogRow;
      const cur = list[i] as RedoLogRow;
      if (cur.sequence !== prev.sequence + 1) {
        throw new RedoGapError(
          `redo log sequence ${prev.sequence + 1} of thread ${thread} (SCNs from ${prev.nextScn}) is neither online nor archived: the changes it held are lost to this job`,
        );
      }
    }
    files.push(...list.map((l) => l.name));
  }
  return { startScn, endScn, files };
}

function gapMessage(startScn: bigint, logs: readonly RedoLogRow[]): string {
  const oldest = oldestAvailableScn(logs);
  return `no online or archived redo log holds SCN ${startScn} any more (oldest available: ${oldest ?? 'none'}): the changes since then are lost to this job (archived logs deleted — keep them longer, e.g. RMAN's archivelog deletion policy)`;
}

/** The oldest SCN any available log holds, or null. */
export function oldestAvailableScn(logs: readonly RedoLogRow[]): bigint | null {
  let min: bigint | null = null;
  for (const l of logs) if (min === null || l.firstScn < min) min = l.firstScn;
  return min;
}
