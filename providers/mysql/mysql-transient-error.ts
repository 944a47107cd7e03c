import { someCause } from '../error-chain.js';

/** mysql2 error codes after which the same work can simply be retried. */
const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ER_CON_COUNT_ERROR', // too many connections
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_CONNECTION_KILLED',
  'ER_NET_READ_ERROR',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_ERROR_ON_WRITE',
  'ER_NET_WRITE_INTERRUPTED',
  'ER_CLIENT_INTERACTION_TIMEOUT',
  // our change stream: the source ended the dump (shutdown, restart)
  'BINLOG_STREAM_ENDED',
]);

/** The binlog reader's broken dump (lost connection, server shutdown), but not a purged binary log (1236: drift). */
const PURGED_BINLOG = 1236;
const TRANSIENT_TEXT = [
  /connection lost/i,
  /server has gone away/i,
  /connection is in closed state/i,
  /can't add new command when connection is in closed state/i,
];

export function isTransientMySqlError(err: unknown): boolean {
  return someCause(err, (e) => {
    if (typeof e.code === 'string' && TRANSIENT_CODES.has(e.code)) return true;
    if ((e as { name?: unknown }).name === 'BinlogError' && e.code === 'SERVER_ERROR' && e.errno !== PURGED_BINLOG) return true;
    return typeof e.message === 'string' && TRANSIENT_TEXT.some((re) => re.test(e.message as string));
  });
}

/** Credentials, privileges, a missing database: a person fixes them outside the job (retried until then). */
const CONFIGURATION_CODES = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_MASTER_FATAL_ERROR_READING_BINLOG',
]);

export function isConfigurationMySqlError(err: unknown): boolean {
  return someCause(err, (e) => typeof e.code === 'string' && CONFIGURATION_CODES.has(e.code));
}
