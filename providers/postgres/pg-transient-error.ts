/** SQLSTATEs (and classes) after which the same work can simply be retried. */
const TRANSIENT_CODES = new Set([
  '57P01', // admin_shutdown (pg_terminate_backend, fast shutdown)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '53300', // too_many_connections
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55006', // object_in_use (a replication slot still held by a dying walsender)
  '55P03', // lock_not_available
  '58000', // system_error (e.g. could not open file during restart)
]);
const TRANSIENT_NODE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_TEXT = [
  /connection terminated/i,
  /terminating connection/i,
  /ended the replication stream/i,
  /timeout exceeded when trying to connect/i,
  /connection refused/i,
  /server closed the connection/i,
  // node-postgres, for a client whose connection broke while it was checked out and idle
  /encountered a connection error and is not queryable/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/** True when `err` (or any error in its cause chain) is a connection loss or another retryable condition. */
export function isTransientPgError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (TRANSIENT_CODES.has(code) || code.startsWith('08') || TRANSIENT_NODE.has(code)) return true;
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && TRANSIENT_TEXT.some((re) => re.test(message))) return true;
  }
  return false;
}

/**
 * SQLSTATEs a person fixes outside the job: credentials (28000, 28P01),
 * privileges (42501), a missing database (3D000), limits and settings
 * (53400: e.g. every replication slot in use; 55000: e.g. wal_level too low
 * for a logical slot). Retrying them is waiting for that fix.
 */
const CONFIGURATION_CODES = new Set(['28000', '28P01', '42501', '3D000', '53400', '55000']);

/** True when `err` (or its cause chain) is a credential, privilege or setting problem. */
export function isConfigurationPgError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONFIGURATION_CODES.has(code)) return true;
  }
  return false;
}
