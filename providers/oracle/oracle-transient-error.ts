/**
 * Which Oracle errors are worth retrying, and which a person fixes outside
 * the job. Server errors carry `errorNum` (ORA-nnnnn), node-oracledb's own
 * `code` (NJS-nnn, DPY-nnnn) and `isRecoverable`.
 */
import { someCause } from '../error-chain.js';

/** ORA- numbers after which the same work can simply be retried. */
const TRANSIENT_ORA = new Set([
  18, // maximum number of sessions exceeded
  20, // maximum number of processes exceeded
  28, // your session has been killed
  51, // timeout waiting for a resource
  54, // resource busy (NOWAIT)
  60, // deadlock
  1012, // not logged on
  1033, // initialization or shutdown in progress
  1034, // ORACLE not available
  1089, // immediate shutdown in progress
  1090, // shutdown in progress
  3113, // end-of-file on communication channel
  3114, // not connected
  3135, // connection lost contact
  12500, // listener failed to start a dedicated server
  12514, // listener does not currently know of the service (starting up)
  12516, // listener could not find an available handler
  12518, // listener could not hand off
  12519, // no appropriate service handler
  12520,
  12521, // instance not yet registered
  12528, // instance blocking new connections
  12537, // connection closed
  12541, // no listener
  12543, // destination host unreachable
  12571, // packet writer failure
  25408, // cannot safely replay call
  30006, // resource busy, wait timeout
]);

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_NJS = /^(NJS-(500|501|503|510|521)|DPY-(4011|6005))$/;

/** Credentials, privileges, settings, missing objects: a person fixes them (retried until then). */
const CONFIGURATION_ORA = new Set([
  942, // table or view does not exist (a missing grant on a V$ view, too)
  1017, // invalid username/password
  1031, // insufficient privileges
  1045, // lacks CREATE SESSION
  1291, // missing log file (archived logs deleted)
  1292, // no log file has been specified for the current LogMiner session
  1325, // archive log mode must be enabled to build into the logstream
  1555, // snapshot too old: UNDO retention (the table is read again)
  8180, // no snapshot found based on specified time (flashback)
  12505, // listener does not know of the SID
  28000, // the account is locked
  28001, // the password has expired
  44609, // CONTINUOUS_MINE is desupported
]);

export function isTransientOracleError(err: unknown): boolean {
  return someCause(err, (e) => {
    const x = e as { errorNum?: unknown; code?: unknown; isRecoverable?: unknown };
    if (typeof x.errorNum === 'number' && TRANSIENT_ORA.has(x.errorNum)) return true;
    if (typeof x.code === 'string' && (TRANSIENT_CODES.has(x.code) || TRANSIENT_NJS.test(x.code))) return true;
    return x.isRecoverable === true;
  });
}

export function isConfigurationOracleError(err: unknown): boolean {
  return someCause(err, (e) => {
    const x = e as { errorNum?: unknown };
    return typeof x.errorNum === 'number' && CONFIGURATION_ORA.has(x.errorNum);
  });
}
