// Byte-stream TCP servers that never parse their input — discard (RFC 863), echo (RFC 862) and
// sources such as chargen (RFC 864) — on libuv's TCP handle directly, with listenTcp's limits.
//
// A `net.Socket` moves every chunk through Readable/Writable: a fresh 64 KiB buffer per read,
// push(), 'data', pipe(), write callbacks. These services need none of it: discard reads into
// one shared buffer and drops it; echo reads into a buffer of the connection's own and writes it
// straight back (a write that has to wait pins that buffer, and reading pauses until it has gone,
// or while the socket's write queue is full); a source writes one shared, immutable block again
// and again, the next write only when the last one left, so a slow reader holds no copies at all.
// Same limits as `listenTcp`: connection cap, per-source cap, idle time, graceful close (FIN
// after queued data, read to the client's FIN, destroy after `graceMs`), and the same events
// (connected, rejected, idle-timeout, socket-error; the peer's address is read only when there is
// a log). Where the bindings are missing, or `fastPath: false` asks for sockets, it is
// `listenTcp` with the service's Duplex handler: the same bytes on the wire, tested both ways.

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { getSystemErrorName } from 'node:util';
import { ConnTable } from './conn-table.js';
import { fastPathDefault, listenOnHandle, type TcpBindings, type TcpHandle, tcpBindings } from './handles.js';
import { type Logger, silentLogger } from './log.js';
import {
  type ConnHandle,
  DEFAULT_TCP_LIMITS,
  listenTcp,
  type TcpLimits,
  type TcpServer,
} from './tcp-server.js';

/** What the fast path does with a connection. */
export type StreamMode =
  /** Read and throw away until the client closes; send nothing. */
  | { kind: 'discard' }
  /** Send back every byte received; half-close back after the client's FIN. */
  | { kind: 'echo' }
  /** Write `block` again and again until the client closes (input read and thrown away). */
  | { kind: 'source'; block: Uint8Array };

export interface StreamServerOptions {
  name: string;
  host?: string;
  port: number;
  mode: StreamMode;
  /** The same service on a Duplex: the portable path, and what other stacks run. */
  onConnection(stream: Duplex): ConnHandle | undefined;
  limits?: Partial<TcpLimits>;
  log?: Logger;
  signal?: AbortSignal;
  /** false: always use Node sockets (tests compare both paths). Default: fastPathDefault(). */
  fastPath?: boolean;
  /** Echo on the fast path: how many connections may read into a buffer of their own (512). */
  echoBuffers?: number;
}

export interface StreamServer extends TcpServer {
  /** True when connections are served on the TCP handle directly (logging or not). */
  readonly fastPath: boolean;
  /** Bytes waiting in the connections' write queues now (fast path; 0 on sockets). */
  readonly queuedBytes: number;
  /** Echo: connections reading into a buffer of their own now (fast path; 0 on sockets). */
  readonly ownBuffers: number;
}

export function listenStream(opts: StreamServerOptions): Promise<StreamServer> {
  const log = opts.log ?? silentLogger;
  const b = (opts.fastPath ?? fastPathDefault()) ? tcpBindings() : null;
  if (!b) {
    return listenTcp({
      name: opts.name,
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      port: opts.port,
      ...(opts.limits ? { limits: opts.limits } : {}),
      log,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onConnection: (s) => opts.onConnection(s),
    }).then((s) => Object.assign(s, { fastPath: false, queuedBytes: 0, ownBuffers: 0 }));
  }
  return listenFast(opts, b, log);
}

interface Conn {
  handle: TcpHandle;
  /** Sweep epoch of the last traffic either way. */
  epoch: number;
  source: string | undefined;
  /** The peer's address and port, read once when needed (per-source limit, logging). */
  remote: string | undefined;
  remotePort: number;
  /** A write of ours is waiting in libuv's queue (source: the next block waits for it). */
  writing: boolean;
  /** Reading is paused until the write queue drains (echo backpressure). */
  paused: boolean;
  /** Echo: the connection's own read buffer (after its first read, while the budget lasts). */
  own: Uint8Array | undefined;
  /** Echo: a pending write still sends from `own`, so nothing may be read into it. */
  pinned: boolean;
  /** Our FIN is asked for (graceful close, or echo after the client's FIN): no more writes. */
  ending: boolean;
  /** Our FIN has gone. */
  shutDown: boolean;
  /** The client's FIN has arrived. */
  eof: boolean;
  done: boolean;
  /** Source: a pump is scheduled for the next turn. */
  scheduled: boolean;
}

const CONN = Symbol('netkit.stream');
type Owned = TcpHandle & { [CONN]?: Conn };
type Req = Record<string | symbol, unknown>;

/** Read size for discard and for a source's input: one buffer shared by every connection. */
const DROP_BUFFER_BYTES = 256 * 1024;
/** Echo stops reading while this much of its replies waits to be sent. */
const ECHO_QUEUE_HIGH = 64 * 1024;
/**
 * Echo reads into a buffer of the connection's own, reused from read to read, instead of a fresh
 * 64 KiB allocation per read (malloc, page faults and a cold copy target: ~10 % of echo's CPU).
 * A connection gets one at its first read, so idle connections cost nothing, and at most
 * ECHO_BUFFERS are handed out per server (32 MiB); beyond that, connections read as before.
 */
const ECHO_BUFFER_BYTES = 64 * 1024;
const ECHO_BUFFERS = 512;
/** Source writes per connection per event-loop turn when each leaves at once (fairness). */
const SOURCE_WRITES_PER_TURN = 4;

const noop = () => {};

/** Errors that are a client's normal way of leaving (the rude abort RFC 864 asks us to expect). */
const QUIET_ERRNO = new Set([
  -104 /* ECONNRESET */, -32 /* EPIPE */, -110 /* ETIMEDOUT */, -125 /* ECANCELED */,
]);

function listenFast(opts: StreamServerOptions, b: TcpBindings, log: Logger): Promise<StreamServer> {
  const logging = log !== silentLogger; // no getpeername, no event objects, when nobody listens
  const name = opts.name;
  const remoteOf = (c: Conn): string => {
    if (c.remote === undefined) {
      const out: { address?: string; port?: number } = {};
      c.handle.getpeername(out);
      c.remote = out.address ?? '';
      c.remotePort = out.port ?? 0;
    }
    return c.remote;
  };
  /** A failed read or write: log it unless it is a client leaving, then close. */
  const failed = (c: Conn, status: number) => {
    if (logging && !QUIET_ERRNO.has(status)) {
      log({ level: 'warn', event: 'socket-error', source: name, error: getSystemErrorName(status) });
    }
    finish(c);
  };
  const limits: TcpLimits = { ...DEFAULT_TCP_LIMITS, ...opts.limits };
  const host = opts.host ?? '127.0.0.1';
  const mode = opts.mode;
  const st = b.state;
  const kRead = b.kReadBytesOrError;
  const kOffset = b.kArrayBufferOffset;
  const kAsync = b.kLastWriteWasAsync;
  const drop = mode.kind === 'echo' ? undefined : new Uint8Array(DROP_BUFFER_BYTES);
  const block = mode.kind === 'source' ? mode.block : undefined;
  const table = new ConnTable<Conn>(limits, (c) => {
    if (logging) log({ level: 'info', event: 'idle-timeout', source: name, remote: remoteOf(c) });
    finish(c);
  });
  const open = table.open;
  let echoBuffers = 0;
  const maxEchoBuffers = opts.echoBuffers ?? ECHO_BUFFERS;
  // A write request that was not needed (the write left at once) serves the next write.
  let spare: Req | undefined;
  const server = net.createServer({ pauseOnConnect: false });
  server.maxConnections = Number.MAX_SAFE_INTEGER;
  // A connection accepted before our handler is installed is served on its socket.
  server.on('connection', (s) => {
    s.on('error', noop);
    opts.onConnection(s);
  });

  const finish = (c: Conn) => {
    if (c.done) return;
    c.done = true;
    table.remove(c);
    c.handle.onread = noop; // must stay a function: the native setter aborts on anything else
    (c.handle as Owned)[CONN] = undefined;
    c.handle.readStop();
    c.handle.close();
    if (c.own) {
      c.own = undefined;
      echoBuffers--;
    }
  };

  /**
   * FIN after everything queued has gone (libuv completes a shutdown once its write queue is
   * empty). The connection is finished when both sides have said goodbye: our FIN out and the
   * client's FIN in (or a reset, or the grace timer).
   */
  const shutdown = (c: Conn) => {
    if (c.ending) return;
    c.ending = true;
    const sd = new b.ShutdownWrap();
    sd.handle = c.handle;
    sd.callback = noop;
    sd.oncomplete = () => {
      c.shutDown = true;
      if (c.eof) finish(c);
    };
    if (c.handle.shutdown(sd) < 0) finish(c);
  };

  const request = (c: Conn, oncomplete: (this: Req, status: number) => void): Req => {
    const req = spare ?? (new b.WriteWrap() as Req);
    spare = undefined;
    req.handle = c.handle;
    req.oncomplete = oncomplete;
    req.async = false;
    req[CONN] = c;
    return req;
  };

  // ---- discard and a source's input: read into the shared buffer, drop ----------------------
  function onDropRead(this: Owned) {
    const c = this[CONN];
    if (!c) return;
    const n = st[kRead]!;
    if (n < 0) return n === -4095 /* UV_EOF */ ? finish(c) : failed(c, n); // the client's FIN: done
    c.epoch = table.epoch;
  }

  // ---- echo --------------------------------------------------------------------------------
  function onEchoRead(this: Owned, ab?: ArrayBuffer) {
    const c = this[CONN];
    if (!c) return;
    const n = st[kRead]!;
    if (n < 0) {
      // RFC 862: until the client closes. Its FIN: half-close back once every echo has gone.
      if (n !== -4095 /* UV_EOF */) return failed(c, n);
      c.eof = true;
      c.handle.readStop();
      if (c.shutDown) finish(c);
      else shutdown(c);
      return;
    }
    if (n === 0 || (!c.own && !ab)) return;
    c.epoch = table.epoch;
    if (c.ending) return; // after our goodbye (FIN) nothing more can be sent: read to the client's FIN
    // In its own buffer the data starts at 0 (the binding passes no ArrayBuffer then).
    const data = c.own ? c.own.subarray(0, n) : new Uint8Array(ab!, st[kOffset]!, n);
    const req = request(c, onEchoWritten);
    const err = c.handle.writeBuffer(req, data);
    if (err < 0) return failed(c, err);
    if (st[kAsync]) {
      req.buffer = data; // keeps the bytes alive until libuv has sent them
      c.writing = true;
      if (c.own) {
        // libuv sends the rest from `own` later: read nothing into it until then.
        c.pinned = true;
        pause(c);
      } else if (c.handle.writeQueueSize >= ECHO_QUEUE_HIGH) pause(c);
    } else spare = req;
    if (!c.own && echoBuffers < maxEchoBuffers) {
      // From the next read on, into a buffer of its own (the pending writes keep theirs).
      c.own = new Uint8Array(ECHO_BUFFER_BYTES);
      echoBuffers++;
      c.handle.useUserBuffer(c.own);
    }
  }

  const pause = (c: Conn) => {
    if (c.paused) return;
    c.paused = true;
    c.handle.readStop();
  };

  /** Reads again, unless a write still sends from the connection's own buffer. */
  const resume = (c: Conn) => {
    if (!c.paused || c.pinned) return;
    c.paused = false;
    if (c.handle.readStart() < 0) finish(c);
  };

  function onEchoWritten(this: Req, status: number) {
    const c = this[CONN] as Conn | undefined;
    this.buffer = undefined;
    this[CONN] = undefined;
    if (!c || c.done) return;
    if (status < 0) return failed(c, status);
    c.epoch = table.epoch;
    if (c.handle.writeQueueSize === 0) {
      c.writing = false;
      c.pinned = false; // every write has gone, the one from `own` too
    }
    // Until the client's FIN (after our goodbye too: it reads on to see that FIN).
    if (!c.eof && c.handle.writeQueueSize < ECHO_QUEUE_HIGH) resume(c);
  }

  // ---- a source (chargen) ---------------------------------------------------------------------
  const pump = (c: Conn) => {
    c.scheduled = false;
    for (let i = 0; i < SOURCE_WRITES_PER_TURN; i++) {
      if (c.done || c.ending || c.writing) return;
      const req = request(c, onSourceWritten);
      const err = c.handle.writeBuffer(req, block!);
      if (err < 0) return failed(c, err);
      if (st[kAsync]) {
        c.writing = true; // the next block waits for this one: nothing else is queued
        return;
      }
      spare = req;
      c.epoch = table.epoch;
    }
    // Every write left at once: let the other connections (and the event loop) have a turn.
    c.scheduled = true;
    setImmediate(pump, c);
  };

  function onSourceWritten(this: Req, status: number) {
    const c = this[CONN] as Conn | undefined;
    this[CONN] = undefined;
    if (!c || c.done) return;
    if (status < 0) return failed(c, status); // EPIPE / ECONNRESET: the client's rude abort is a normal end
    c.writing = false;
    c.epoch = table.epoch;
    if (!c.scheduled) pump(c);
  }

  const accept = (err: number, handle: TcpHandle | undefined) => {
    if (err || !handle) return;
    if (table.isClosing) {
      handle.close();
      return;
    }
    let peer: { address?: string; port?: number } | undefined;
    if (logging) {
      peer = {};
      handle.getpeername(peer);
    }
    const refuse = (reason: 'max-connections' | 'per-source') => {
      if (logging)
        log({ level: 'warn', event: 'rejected', source: name, reason, remote: peer?.address ?? '' });
      handle.close();
    };
    if (table.refusal()) return refuse('max-connections');
    const source = table.admitSource(handle, peer ? (peer.address ?? '') : undefined);
    if (source === null) return refuse('per-source');
    const c: Conn = {
      handle,
      epoch: table.epoch,
      source,
      remote: peer?.address,
      remotePort: peer?.port ?? 0,
      writing: false,
      paused: false,
      own: undefined,
      pinned: false,
      ending: false,
      shutDown: false,
      eof: false,
      done: false,
      scheduled: false,
    };
    if (logging)
      log({ level: 'info', event: 'connected', source: name, remote: remoteOf(c), port: c.remotePort });
    table.add(c);
    (handle as Owned)[CONN] = c;
    if (mode.kind === 'echo') {
      handle.setNoDelay(true); // an echo answers small messages at once
      handle.onread = onEchoRead;
    } else {
      handle.useUserBuffer(drop!);
      handle.onread = onDropRead;
    }
    if (handle.readStart() < 0) return finish(c);
    if (mode.kind === 'source') pump(c);
  };

  const destroy = () => {
    server.close();
    table.destroy(finish);
  };

  const close = (): Promise<void> => {
    if (!table.isClosing) {
      log({ level: 'info', event: 'closing', source: opts.name, connections: open.size });
      server.close();
    }
    // Goodbye: no more source blocks, FIN after what is queued, then read to the client's FIN.
    return table.close((c) => {
      resume(c); // a pinned buffer resumes once its write has gone (onEchoWritten)
      shutdown(c);
    }, destroy);
  };

  return listenOnHandle(server, {
    name: opts.name,
    host,
    port: opts.port,
    log,
    accept,
    close,
    destroy,
    connections: () => open.size,
    ...(opts.signal ? { signal: opts.signal } : {}),
  }).then(
    (s) =>
      Object.defineProperties(s, {
        queuedBytes: {
          get() {
            let n = 0;
            for (const c of open) n += c.handle.writeQueueSize;
            return n;
          },
        },
        ownBuffers: { get: () => echoBuffers },
      }) as StreamServer,
  );
}
