import { randomUUID } from 'node:crypto';
import type { StateDocument } from './state-document.js';

/**
 * A fresh lineage: fixed when a state is first created, so a plan or a write
 * made against one state can never be applied to an unrelated one that merely
 * happens to have a matching serial.
 */
export function newLineage(): string {
  return randomUUID();
}

/**
 * The state before the first apply: serial 0 (the first write carries 1),
 * no profiles, no jobs. `lineage` defaults to a new one.
 */
export function emptyState(lineage: string = newLineage()): StateDocument {
  return { version: 1, serial: 0, lineage, profiles: {}, jobs: {} };
}
