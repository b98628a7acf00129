// Request/response TCP servers on libuv's TCP handle (ONC RPC record marking, RFC 5531 §11, is the
// user): reads land in one shared buffer, writes go straight from the caller's bytes, with the same
// limits as `listenTcp` — connections, per source, idle time, graceful close.
//
// Profiles of the RPC servers showed a `net.Socket` costing more CPU per call than the whole
// rpcgen C server: a bare Node responder on sockets spends 8–10 µs per call where the C server
// spends 5, nearly all of it stream machinery (Readable/Writable state, a fresh buffer per read, a
// write request and an after-write tick per write). Like `reply-server.ts`, this module drives the
// handle itself where the internal bindings are there (`fastTcpAvailable()`); callers keep the
// `listenTcp` path as the fallback and for `Duplex` streams, and tests run both.

import net from 'node:net';
import { ConnTable } from './conn-table.js';
import { listenOnHandle, noop, type TcpBindings, type TcpHandle, tcpBindings } from './handles.js';
import { type Logger, silentLogger } from './log.js';
import { DEFAULT_TCP_LIMITS, type TcpLimits, type TcpServer } from './tcp-server.js';

type Req = Record<string | symbol, unknown>;

/** True when this Node has the TCP handle bindings the fast servers need. */
export function fastTcpAvailable(): boolean {
  return tcpBindings() !== null;
}

// ---- connections --------------------------------------------------------------------------------

/** One connection on the handle. Its bytes arrive through `FastConnHandler.onData`. */
export interface FastConn {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /**
   * Writes `bytes`. True: the kernel took them, or the connection is gone — the memory may be
   * reused at once. False: part of it is queued and the memory must stay untouched (reading
   * pauses until the queue drains; `onDrain` says when).
   */
  write(bytes: Uint8Array): boolean;
  /** Stop / restart delivering data (a handler with too much work in progress). */
  pause(): void;
  resume(): void;
  /** Send FIN after the queued writes, then close once the peer's FIN arrives (or after the grace period). */
  end(): void;
  /** Close at once. */
  destroy(): void;
  readonly closed: boolean;
}

export interface FastConnHandler {
  /**
   * Bytes read: `buf[0 … length)`, in a buffer shared by every connection — valid only during
   * the call (copy what must outlive it).
   */
  onData(buf: Uint8Array, length: number): void;
  /** The peer's FIN (default: `end()`). */
  onEnd?(): void;
  /** Queued writes have all completed. */
  onDrain?(): void;
  /** Graceful shutdown of the server (default: `end()`). */
  goodbye?(): void;
}

export interface FastTcpOptions {
  name: string;
  host?: string;
  port: number;
  limits?: Partial<TcpLimits>;
  log?: Logger;
  signal?: AbortSignal;
  onConnection(conn: FastConn): FastConnHandler;
}

const UV_EOF = -4095;
/** Size of the shared read buffer: one read takes at most this much. */
const READ_BUFFER = 64 * 1024;

class Conn implements FastConn {
  readonly handle: TcpHandle;
  readonly server: ServerState;
  handler: FastConnHandler | undefined;
  source: string | undefined;
  epoch: number;
  closed = false;
  private userPaused = false;
  private writePaused = false;
  private reading = false;
  private eof = false;
  private shut = false;
  private shutDone = false;
  pendingWrites = 0;
  private peer: { address?: string; port?: number } | undefined;
  private local: { address?: string; port?: number } | undefined;

  constructor(handle: TcpHandle, server: ServerState, source: string | undefined) {
    this.handle = handle;
    this.server = server;
    this.source = source;
    this.epoch = server.epoch;
  }

  get remoteAddress(): string {
    return this.peerInfo().address ?? '';
  }
  get remotePort(): number {
    return this.peerInfo().port ?? 0;
  }
  get localAddress(): string {
    return this.localInfo().address ?? '';
  }
  get localPort(): number {
    return this.localInfo().port ?? 0;
  }
  private peerInfo() {
    if (!this.peer) {
      this.peer = {};
      this.handle.getpeername(this.peer);
    }
    return this.peer;
  }
  private localInfo() {
    if (!this.local) {
      this.local = {};
      this.handle.getsockname(this.local);
    }
    return this.local;
  }

  /** Starts or stops reading to match the flags. */
  flow(): void {
    const want = !this.closed && !this.eof && !this.userPaused && !this.writePaused;
    if (want === this.reading) return;
    this.reading = want;
    if (want) {
      if (this.handle.readStart() < 0) this.destroy();
    } else this.handle.readStop();
  }

  read(): void {
    const s = this.server;
    const n = s.b.state[s.b.kReadBytesOrError]!;
    if (n > 0) {
      this.epoch = s.epoch;
      // After our FIN nothing more is answered: the bytes are only drained.
      if (!this.shut) this.handler?.onData(s.readBuf, n);
      return;
    }
    if (n === 0) return;
    if (n !== UV_EOF) {
      this.destroy();
      return;
    }
    this.eof = true;
    this.reading = false; // libuv stops reading at EOF
    if (this.shutDone) {
      this.destroy();
      return;
    }
    if (this.shut) return;
    if (this.handler?.onEnd) this.handler.onEnd();
    else this.end();
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed || this.shut) return true;
    const s = this.server;
    const req = s.spareReq;
    req.handle = this.handle;
    if (this.handle.writeBuffer(req, bytes) < 0) {
      this.destroy();
      return true;
    }
    this.epoch = s.epoch;
    if (s.b.state[s.b.kLastWriteWasAsync] === 0) return true;
    // Part of it is queued: the request and the bytes now belong to libuv until oncomplete.
    req.buffer = bytes;
    req[CONN] = this;
    req.oncomplete = onWriteDone;
    s.spareReq = s.newWriteReq();
    this.pendingWrites++;
    this.writePaused = true;
    this.flow();
    return false;
  }

  writeDone(): void {
    if (--this.pendingWrites > 0 || this.closed) return;
    this.writePaused = false;
    this.flow();
    this.handler?.onDrain?.();
  }

  pause(): void {
    this.userPaused = true;
    this.flow();
  }

  resume(): void {
    this.userPaused = false;
    this.flow();
  }

  end(): void {
    if (this.closed || this.shut) return;
    this.shut = true;
    // Keep reading (and dropping) until the peer's FIN: closing with unread input would reset
    // the connection and could destroy replies still in flight.
    this.userPaused = false;
    this.writePaused = false;
    this.flow();
    const req = new this.server.b.ShutdownWrap();
    req.handle = this.handle;
    req[CONN] = this;
    req.oncomplete = onShutdownDone;
    if (this.handle.shutdown(req) < 0) this.destroy();
  }

  shutdownDone(): void {
    this.shutDone = true;
    if (this.eof) this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.reading = false;
    this.handle.onread = noop; // must stay a function: the native setter aborts on anything else
    (this.handle as OwnedHandle)[CONN] = undefined;
    this.handle.readStop();
    this.handle.close();
    this.server.forget(this);
  }
}

const CONN = Symbol('netkit.fastConn');
type OwnedHandle = TcpHandle & { [CONN]?: Conn };

// Shared callbacks (no closure per connection or per write): `this` is the handle or the request.
function onRead(this: OwnedHandle): void {
  this[CONN]?.read();
}
function onWriteDone(this: Req): void {
  const c = this[CONN] as Conn | undefined;
  this[CONN] = undefined;
  this.buffer = undefined;
  c?.writeDone();
}
function onShutdownDone(this: Req): void {
  const c = this[CONN] as Conn | undefined;
  this[CONN] = undefined;
  c?.shutdownDone();
}

interface ServerState {
  b: TcpBindings;
  readonly epoch: number;
  readBuf: Uint8Array;
  spareReq: Req;
  newWriteReq(): Req;
  forget(c: Conn): void;
}

/**
 * Listens like `listenTcp` but serves each connection on the TCP handle. Resolves with null where
 * the bindings are missing (use `listenTcp` then).
 */
export function listenTcpFast(opts: FastTcpOptions): Promise<TcpServer | null> {
  const b = tcpBindings();
  if (!b) return Promise.resolve(null);
  const limits: TcpLimits = { ...DEFAULT_TCP_LIMITS, ...opts.limits };
  const log = opts.log ?? silentLogger;
  const logging = log !== silentLogger;
  const name = opts.name;
  const host = opts.host ?? '127.0.0.1';
  const table = new ConnTable<Conn>(limits, (c) => {
    log({ level: 'info', event: 'idle-timeout', source: name, remote: c.remoteAddress });
    c.destroy();
  });
  const open = table.open;

  const newWriteReq = (): Req => {
    const r = new b.WriteWrap();
    r.async = false;
    r.oncomplete = noop;
    return r;
  };
  const state: ServerState = {
    b,
    get epoch() {
      return table.epoch;
    },
    readBuf: new Uint8Array(READ_BUFFER),
    spareReq: newWriteReq(),
    newWriteReq,
    forget(c: Conn) {
      table.remove(c);
    },
  };

  const server = net.createServer({ pauseOnConnect: true });
  server.maxConnections = Number.MAX_SAFE_INTEGER;
  // Connections are taken from the handle; a socket can only appear if that hook failed.
  server.on('connection', (s) => s.destroy());

  const accept = (err: number, handle: TcpHandle | undefined) => {
    if (err || !handle) return;
    const refused = table.refusal();
    if (refused) {
      if (logging && refused === 'max-connections')
        log({ level: 'warn', event: 'rejected', source: name, reason: refused });
      handle.close();
      return;
    }
    const source = table.admitSource(handle);
    if (source === null) {
      if (logging) {
        const out: { address?: string } = {};
        handle.getpeername(out);
        log({
          level: 'warn',
          event: 'rejected',
          source: name,
          reason: 'per-source',
          remote: out.address ?? '',
        });
      }
      handle.close();
      return;
    }
    const c = new Conn(handle, state, source);
    table.add(c);
    handle.setNoDelay(true);
    if (logging)
      log({ level: 'info', event: 'connected', source: name, remote: c.remoteAddress, port: c.remotePort });
    try {
      c.handler = opts.onConnection(c);
    } catch (e) {
      // A handler bug must cost one connection, never the server.
      log({ level: 'error', event: 'handler-error', source: name, error: (e as Error).message });
      c.destroy();
      return;
    }
    if (c.closed) return;
    handle.useUserBuffer(state.readBuf);
    (handle as OwnedHandle)[CONN] = c;
    handle.onread = onRead;
    c.flow();
  };

  const destroy = () => {
    server.close();
    table.destroy((c) => c.destroy());
  };

  const close = (): Promise<void> => {
    if (!table.isClosing) {
      log({ level: 'info', event: 'closing', source: name, connections: open.size });
      server.close();
    }
    return table.close((c) => {
      try {
        if (c.handler?.goodbye) c.handler.goodbye();
        else c.end();
      } catch {
        c.destroy();
      }
    }, destroy);
  };

  return listenOnHandle(server, {
    name,
    host,
    port: opts.port,
    log,
    accept,
    close,
    destroy,
    connections: () => open.size,
    ...(opts.signal ? { signal: opts.signal } : {}),
  }).then((s): TcpServer | null => {
    if (!s.fastPath) {
      // Not the handle we know: give up and let the caller use sockets.
      server.close();
      return null;
    }
    server.on('error', (err) =>
      log({ level: 'error', event: 'server-error', source: name, error: err.message }),
    );
    return s;
  });
}
