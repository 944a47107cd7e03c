/**
 * Opens a replication connection on mysql2: checks the server's binlog
 * settings, sets the session variables a replica sets, picks a server id
 * no other replica uses, and starts the dump (COM_REGISTER_SLAVE, then
 * COM_BINLOG_DUMP from file/offset, or on MariaDB from a GTID state).
 * MySQL's COM_BINLOG_DUMP_GTID is not implemented: on MySQL, start from
 * file/offset (the snapshot reads them from SHOW MASTER STATUS).
 */
import { randomInt } from 'node:crypto';
import mysql from 'mysql2';
import { BinlogError } from './binlog-error.js';
import { BinlogDumpCommand, type BinlogSink } from './binlog-dump-command.js';
import type { BinlogStart } from './binlog-types.js';

export interface BinlogConnectionOptions {
  /** How to reach the source (host, port, user, password, ssl…). */
  connection: mysql.ConnectionOptions;
  start: BinlogStart;
  /** The replica server id to register; default a random one no registered replica and not the source uses. */
  serverId?: number;
  /** Seconds of source idleness before it sends a heartbeat; default 10. */
  heartbeatSeconds?: number;
  /**
   * How long the source waits on a paused reader before dropping the dump
   * (session `net_write_timeout`, seconds); default 3600.
   */
  stallSeconds?: number;
}

/** What the reader learns while connecting. */
export interface BinlogSession {
  flavor: 'mariadb' | 'mysql';
  version: string;
  serverId: number;
  checksum: 'NONE' | 'CRC32';
  /** File and offset the dump was asked for ('' and 4 with a GTID start). */
  file: string;
  offset: number;
  /** MariaDB: the GTID state at the start (`BINLOG_GTID_POS` of file/offset, or the GTID start itself). */
  gtidState?: string;
}

/** The mysql2 connection methods used here that its typings do not declare. */
interface RawConnection {
  addCommand(cmd: BinlogDumpCommand): void;
}

type Row = Record<string, string | number | null>;

function query(conn: mysql.Connection, sql: string, values: unknown[] = []): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    conn.query({ sql, values, rowsAsArray: false }, (err, rows) => (err ? reject(err) : resolve(rows as Row[])));
  });
}

export interface OpenedBinlogConnection {
  conn: mysql.Connection;
  session: BinlogSession;
  /** Start the dump: from now on events flow to the sink. */
  startDump(sink: BinlogSink): void;
}

/** Connect and prepare the session; the dump starts with `startDump`. */
export async function openBinlogConnection(opts: BinlogConnectionOptions): Promise<OpenedBinlogConnection> {
  const conn = mysql.createConnection({ ...opts.connection, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  try {
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    const [info] = await query(
      conn,
      'SELECT VERSION() AS version, @@global.binlog_checksum AS checksum, @@server_id AS sid, @@global.log_bin AS log_bin',
    );
    const version = String(info?.version ?? '');
    const flavor = /mariadb/i.test(version) ? 'mariadb' : 'mysql';
    if (String(info?.log_bin) !== '1' && String(info?.log_bin).toUpperCase() !== 'ON') {
      throw new BinlogError('SERVER_ERROR', 'the source has no binary log (log_bin is OFF): start it with log_bin on');
    }
    const checksum = String(info?.checksum ?? 'NONE').toUpperCase() === 'CRC32' ? 'CRC32' : 'NONE';
    const serverId = opts.serverId ?? (await freeServerId(conn, Number(info?.sid)));
    const heartbeatNs = BigInt(Math.round((opts.heartbeatSeconds ?? 10) * 1000)) * 1_000_000n;
    // events arrive with the checksum of the file they are read from; the decoder strips and verifies it
    await query(
      conn,
      'SET @master_binlog_checksum = @@global.binlog_checksum, @source_binlog_checksum = @@global.binlog_checksum',
    );
    // MySQL 8.0.26+ dump threads read the source_ name, older servers and MariaDB the master_ one
    await query(
      conn,
      `SET @master_heartbeat_period = ${heartbeatNs}, @source_heartbeat_period = ${heartbeatNs}, SESSION net_write_timeout = ?`,
      [opts.stallSeconds ?? 3600],
    );
    let file = '';
    let offset = 4;
    let gtidState: string | undefined;
    if (flavor === 'mariadb') {
      // 4 = MARIA_SLAVE_CAPABILITY_GTID: GTID events instead of BEGIN, no fake events for old replicas
      await query(conn, 'SET @mariadb_slave_capability = 4');
    }
    if ('gtid' in opts.start) {
      if (flavor !== 'mariadb') {
        throw new BinlogError('SERVER_ERROR', 'a GTID start is only supported on MariaDB; start MySQL from a file and offset');
      }
      gtidState = opts.start.gtid;
      await query(conn, 'SET @slave_connect_state = ?, @slave_gtid_strict_mode = 1, @slave_gtid_ignore_duplicates = 0', [
        gtidState,
      ]);
    } else {
      file = opts.start.file;
      offset = opts.start.offset;
      if (flavor === 'mariadb') {
        const [row] = await query(conn, 'SELECT BINLOG_GTID_POS(?, ?) AS gtid', [file, offset]);
        const g = row?.gtid;
        if (g !== null && g !== undefined) gtidState = String(g);
      }
    }
    const session: BinlogSession = {
      flavor,
      version,
      serverId,
      checksum,
      file,
      offset,
      ...(gtidState !== undefined ? { gtidState } : {}),
    };
    return {
      conn,
      session,
      startDump(sink) {
        (conn as unknown as RawConnection).addCommand(new BinlogDumpCommand({ serverId, file, offset }, sink));
      },
    };
  } catch (err) {
    conn.destroy();
    if (err instanceof BinlogError) throw err;
    throw new BinlogError('SERVER_ERROR', `could not open the binlog connection: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * A random server id in the upper half of the 32-bit range (operators number
 * real servers from 1), not the source's own and not a registered replica's:
 * a second replica with the same id makes the source drop the first.
 */
async function freeServerId(conn: mysql.Connection, sourceId: number): Promise<number> {
  let taken = new Set<number>([sourceId]);
  try {
    const rows = await query(conn, 'SHOW SLAVE HOSTS');
    taken = new Set([sourceId, ...rows.map((r) => Number(r.Server_id))]);
  } catch {
    // MySQL 8.4 renamed it SHOW REPLICAS and needs REPLICATION SLAVE; a random id is then the whole defence
  }
  for (;;) {
    const id = randomInt(0x8000_0000, 0xffff_ffff);
    if (!taken.has(id)) return id;
  }
}
