import { processGone } from './process-liveness.js';
import type { Lease } from './state-backend.js';

/** A lease someone still holds: not expired, and its holder is not a process known to be gone. */
export function leaseAlive(lease: Lease | null, now: Date): boolean {
  if (!lease) return false;
  if (Date.parse(lease.expiresAt) < now.getTime()) return false;
  return !processGone(lease.host, lease.pid, lease.heartbeatAt);
}
