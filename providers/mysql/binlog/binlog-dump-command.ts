/**
 * COM_REGISTER_SLAVE then COM_BINLOG_DUMP as one mysql2 command: mysql2
 * runs commands one at a time on a connection and hands each incoming
 * packet to the running command's `execute`. Events go to the sink as
 * copies (mysql2 reuses its packet buffers), so they outlive the callback.
 */
import { EventEmitter } from 'node:events';
import { BinlogError } from './binlog-error.js';

const COM_BINLOG_DUMP = 0x12;
const COM_REGISTER_SLAVE = 0x15;

/** Where the command delivers what the server sends. */
export interface BinlogSink {
  /** One whole event (header … checksum), a private copy. */
  event(event: Buffer): void;
  /** The dump ended: a server error, a lost connection, or the end of a non-blocking dump (null). */
  end(error: BinlogError | null): void;
}

export interface BinlogDumpRequest {
  serverId: number;
  /** '' with a MariaDB GTID start (`@slave_connect_state`): the server ignores file and offset then. */
  file: string;
  offset: number;
  /** BINLOG_DUMP_NON_BLOCK (1): end at the end of the binlog instead of waiting. */
  flags?: number;
}

/** The parts of mysql2's incoming packet this command reads. */
interface IncomingPacket {
  buffer: Buffer;
  offset: number;
  end: number;
}

/** The parts of mysql2's connection a command uses (not in its public typings). */
interface CommandConnection {
  writePacket(packet: OutgoingPacket): void;
  _resetSequenceId(): void;
}

/** What mysql2's `writePacket` needs: the whole frame with room for the 4-byte header. */
class OutgoingPacket {
  readonly buffer: Buffer;
  constructor(payload: Buffer) {
    this.buffer = Buffer.concat([Buffer.alloc(4), payload]);
  }
  length(): number {
    return this.buffer.length;
  }
  writeHeader(sequenceId: number): void {
    this.buffer.writeUIntLE(this.buffer.length - 4, 0, 3);
    this.buffer[3] = sequenceId;
  }
}

export function registerSlavePayload(serverId: number): Buffer {
  const b = Buffer.alloc(18);
  b[0] = COM_REGISTER_SLAVE;
  b.writeUInt32LE(serverId, 1);
  // hostname, user, password: empty (1-byte lengths 0); port 0; rank 0; master id 0
  return b;
}

export function binlogDumpPayload(req: BinlogDumpRequest): Buffer {
  if (req.offset > 0xffff_ffff) throw new BinlogError('SERVER_ERROR', `COM_BINLOG_DUMP cannot start past 4 GiB (${req.offset})`);
  const name = Buffer.from(req.file, 'latin1');
  const b = Buffer.alloc(11 + name.length);
  b[0] = COM_BINLOG_DUMP;
  b.writeUInt32LE(req.offset, 1);
  b.writeUInt16LE(req.flags ?? 0, 5);
  b.writeUInt32LE(req.serverId, 7);
  name.copy(b, 11);
  return b;
}

/** Decode an ERR packet payload (0xff, errno, '#', sqlstate, message). */
function serverError(payload: Buffer): BinlogError {
  const errno = payload.readUInt16LE(1);
  const hasState = payload[3] === 0x23;
  const message = payload.toString('utf8', hasState ? 9 : 3);
  return new BinlogError('SERVER_ERROR', `binlog dump refused by the server: ${message} (errno ${errno})`, { errno });
}

/** The mysql2 command; `execute` returns true when it is done with the connection. */
export class BinlogDumpCommand extends EventEmitter {
  private state: 'start' | 'registering' | 'dumping' | 'done' = 'start';

  constructor(
    private readonly req: BinlogDumpRequest,
    private readonly sink: BinlogSink,
  ) {
    super();
  }

  execute(packet: IncomingPacket | undefined, connection: CommandConnection): boolean {
    if (this.state === 'start') {
      connection._resetSequenceId();
      connection.writePacket(new OutgoingPacket(registerSlavePayload(this.req.serverId)));
      this.state = 'registering';
      return false;
    }
    if (!packet) return false;
    const marker = packet.buffer[packet.offset];
    if (this.state === 'dumping' && marker === 0x00) {
      // the common case, one event: a private copy from the packet (no intermediate views)
      const event = Buffer.allocUnsafe(packet.end - packet.offset - 1);
      packet.buffer.copy(event, 0, packet.offset + 1, packet.end);
      this.sink.event(event);
      return false;
    }
    const payload = packet.buffer.subarray(packet.offset, packet.end);
    if (marker === 0xff) return this.finish(serverError(payload));
    if (this.state === 'registering') {
      connection._resetSequenceId();
      connection.writePacket(new OutgoingPacket(binlogDumpPayload(this.req)));
      this.state = 'dumping';
      return false;
    }
    if (marker === 0xfe && payload.length < 9) return this.finish(null);
    if (marker !== 0x00)
      return this.finish(new BinlogError('MALFORMED_EVENT', `unexpected packet 0x${(marker ?? 0).toString(16)} in the dump`));
    this.sink.event(Buffer.from(payload.subarray(1)));
    return false;
  }

  /** mysql2 calls this with connection errors (lost connection, protocol errors). */
  onResult(err: Error | null): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.sink.end(err ? new BinlogError('SERVER_ERROR', `binlog connection failed: ${err.message}`, { cause: err }) : null);
  }

  private finish(error: BinlogError | null): boolean {
    if (this.state !== 'done') {
      this.state = 'done';
      this.sink.end(error);
    }
    return true;
  }
}
