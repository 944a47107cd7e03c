/**
 * Which SQL Server errors are worth retrying and which a person fixes
 * (credentials, privileges, a setting, a missing database). tedious errors
 * carry `code` (ESOCKET, ETIMEOUT, ELOGIN…) and, for server errors, `number`.
 */
import { someCause } from '../error-chain.js';

/** tedious codes after which the same work can simply be retried. */
const TRANSIENT_CODES = new Set([
  'ESOCKET',
  'ETIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECLOSE',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECANCEL',
]);

/** Server error numbers that are transient. */
export const TRANSIENT_NUMBERS: ReadonlySet<number> = new Set([
  1205, // deadlock victim
  1222, // lock request time out
  -2, // timeout
  233, // connection closed by the server
  10053,
  10054,
  10060,
  40197, // Azure: service error processing the request
  40501, // Azure: service busy
  40613, // Azure: database not currently available
  49918,
  49919,
  49920,
  4221, // login to a read-secondary failed while it was catching up
  3960, // snapshot isolation update conflict: retry the transaction
  6005, // SHUTDOWN in progress
  17142, // server paused
  3906, // database is read-only (failover in progress)
]);

/** Credentials, privileges, settings, a missing database: retried until a person fixes them. */
export const CONFIGURATION_NUMBERS: ReadonlySet<number> = new Set([
  18456, // login failed
  18452, // untrusted domain login
  4060, // cannot open database
  229, // permission denied on object
  230, // permission denied on column
  262, // permission denied in database
  297, // user does not have permission
  300, // VIEW SERVER STATE / VIEW DATABASE STATE missing
  916, // server principal cannot access the database
  3952, // snapshot isolation not allowed in this database (ALLOW_SNAPSHOT_ISOLATION OFF)
  22911, // CDC: not enabled
  22832, // CDC: could not update metadata
]);

export function isTransientSqlServerError(err: unknown): boolean {
  return someCause(err, (e) => {
    if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
    const n = (e as { number?: unknown }).number;
    return typeof n === 'number' && TRANSIENT_NUMBERS.has(n);
  });
}

export function isConfigurationSqlServerError(err: unknown): boolean {
  return someCause(err, (e) => {
    if (e.code === 'ELOGIN') return true;
    const n = (e as { number?: unknown }).number;
    return typeof n === 'number' && CONFIGURATION_NUMBERS.has(n);
  });
}
