/**
 * FORMAT_DESCRIPTION events: the first event of every binlog file (and of
 * every dump), saying how the events after it are laid out: the header
 * length, each type's post-header length, the checksum algorithm, and the
 * server flavour (MariaDB writes `-MariaDB` in its version).
 */
import { BinlogError } from './binlog-error.js';
import { HEADER_LENGTH } from './binlog-header.js';

/** `binlog_checksum` values as the FDE stores them. */
export const CHECKSUM_OFF = 0;
export const CHECKSUM_CRC32 = 1;

export interface FormatDescription {
  binlogVersion: number;
  serverVersion: string;
  mariadb: boolean;
  headerLength: number;
  /** Post-header length of event type t at index t - 1. */
  postHeaderLengths: Buffer;
  checksum: number;
}

/** Decode a whole FORMAT_DESCRIPTION event (header included, checksum included or not). */
export function decodeFormatDescription(event: Buffer): FormatDescription {
  const at = HEADER_LENGTH;
  if (event.length < at + 57 + 5) throw new BinlogError('MALFORMED_EVENT', 'FORMAT_DESCRIPTION truncated');
  const binlogVersion = event.readUInt16LE(at);
  if (binlogVersion !== 4) {
    throw new BinlogError('UNSUPPORTED_EVENT', `binlog version ${binlogVersion}: only v4 (MySQL 5.0+, MariaDB) is supported`);
  }
  const raw = event.toString('latin1', at + 2, at + 52);
  const serverVersion = raw.replace(/\0.*$/s, '');
  const headerLength = event[at + 56] as number;
  // servers since MySQL 5.6.1 / MariaDB 5.3 end the event with the checksum algorithm and a 4-byte checksum
  const checksum = event[event.length - 5] as number;
  if (checksum !== CHECKSUM_OFF && checksum !== CHECKSUM_CRC32) {
    throw new BinlogError('UNSUPPORTED_EVENT', `binlog checksum algorithm ${checksum} (only NONE and CRC32 exist)`);
  }
  return {
    binlogVersion,
    serverVersion,
    mariadb: /mariadb/i.test(serverVersion),
    headerLength,
    postHeaderLengths: Buffer.from(event.subarray(at + 57, event.length - 5)),
    checksum,
  };
}
