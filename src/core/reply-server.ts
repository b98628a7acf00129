// Answer-and-close TCP servers (the course's day/time, RFC 867 daytime, RFC 868 time): accept,
// write one reply, send FIN, read and discard until the client's FIN, close.
//
// A Node `net.Socket` costs 50–80 µs of server CPU per connection, several times what inetd spends;
// for a service that only answers and closes, almost all of it is stream machinery it never uses.
// So when nobody listens to per-connection events, this server works on libuv's TCP handle
// directly (one write, one shutdown, read to EOF, close) — with the same limits as `listenTcp`:
// a connection cap, a per-source cap, an idle sweep and a graceful close. Where those internal
// bindings are missing, or logging or `fastPath: false` asks for sockets, it is `listenTcp` with
// `sendAndClose`: the same bytes on the wire, tested both ways.
//
// Waiting for the client's FIN is what keeps a reset from destroying the answer, but watching
// every connection for it costs an epoll registration and a second wake-up per connection — a
// third of the server's CPU. Most clients close as soon as they have read the answer, so the
// fast path first lets a few milliseconds pass and then asks the socket once, with one
// non-blocking read, whether the FIN is already there: EOF means it can close at once, exactly
// as if it had waited; anything else (data, or nothing yet) and it watches for the FIN as before.

import { readSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnTable } from './conn-table.js';
import {
  fastPathDefault,
  listenOnHandle,
  noop,
  type TcpBindings,
  type TcpHandle,
  tcpBindings,
} from './handles.js';
import { type Logger, silentLogger } from './log.js';
import { DEFAULT_TCP_LIMITS, listenTcp, sendAndClose, type TcpLimits, type TcpServer } from './tcp-server.js';

export interface ReplyServerOptions {
  name: string;
  host?: string;
  port: number;
  /** The reply for a new connection (called once per connection; cache it). */
  reply: () => Uint8Array;
  limits?: Partial<TcpLimits>;
  log?: Logger;
  signal?: AbortSignal;
  /** Log the slides' "Waiting for connection" lines (when there is a log, which needs sockets). */
  logWaiting?: boolean;
  /** false: always use Node sockets (tests compare both paths). */
  fastPath?: boolean;
  /**
   * Fast path: how long after answering it first looks for the client's FIN with one
   * non-blocking read (ms, default 4); 0 watches every connection for its FIN instead.
   */
  finCheckMs?: number;
}

export interface ReplyServer extends TcpServer {
  /** True when connections are served on the TCP handle directly. */
  readonly fastPath: boolean;
}

/** Scratch space for the FIN check's reads (the bytes are discarded). */
let scratch: Buffer | undefined;
/** One non-blocking read: 0 at EOF, > 0 bytes read (dropped), -1 nothing yet, -2 error. */
function tryRead(fd: number): number {
  scratch ??= Buffer.allocUnsafe(16384);
  try {
    return readSync(fd, scratch, 0, scratch.length, null);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EAGAIN' || code === 'EWOULDBLOCK' ? -1 : -2;
  }
}

// ---- the server -------------------------------------------------------------------------------

export function listenReplyAndClose(opts: ReplyServerOptions): Promise<ReplyServer> {
  const log = opts.log ?? silentLogger;
  const b = opts.fastPath === false || !fastPathDefault() || log !== silentLogger ? null : tcpBindings();
  if (!b) {
    return listenTcp({
      name: opts.name,
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      port: opts.port,
      ...(opts.limits ? { limits: opts.limits } : {}),
      log,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.logWaiting ? { logWaiting: true } : {}),
      pauseOnConnect: true,
      noDelay: false,
      onConnection(stream: Duplex) {
        sendAndClose(stream, opts.reply());
        return undefined;
      },
    }).then((s) => Object.assign(s, { fastPath: false }));
  }
  return listenFast(opts, b, log);
}

interface Conn {
  handle: TcpHandle;
  epoch: number;
  source: string | undefined;
}

const CONN = Symbol('netkit.conn');
type OwnedHandle = TcpHandle & { [CONN]?: Conn };

function listenFast(opts: ReplyServerOptions, b: TcpBindings, log: Logger): Promise<ReplyServer> {
  const limits: TcpLimits = { ...DEFAULT_TCP_LIMITS, ...opts.limits };
  const host = opts.host ?? '127.0.0.1';
  const table = new ConnTable<Conn>(limits, (c) => finish(c));
  const open = table.open;
  const server = net.createServer({ pauseOnConnect: true });
  server.maxConnections = Number.MAX_SAFE_INTEGER;
  // A connection accepted before our handler is installed still gets its answer.
  server.on('connection', (s) => sendAndClose(s, opts.reply()));

  const finish = (c: Conn) => {
    if (!table.remove(c)) return;
    c.handle.onread = noop; // must stay a function: the native setter aborts on anything else
    (c.handle as OwnedHandle)[CONN] = undefined;
    c.handle.readStop();
    c.handle.close();
  };

  const newWriteReq = () => {
    const w = new b.WriteWrap();
    w.oncomplete = noop;
    w.async = false;
    return w;
  };
  let writeReq = newWriteReq();

  const accept = (err: number, handle: TcpHandle | undefined) => {
    if (err || !handle) return;
    if (table.refusal()) {
      handle.close();
      return;
    }
    const source = table.admitSource(handle);
    if (source === null) {
      handle.close();
      return;
    }
    const c: Conn = { handle, epoch: table.epoch, source };
    table.add(c);
    // A write that completes at once leaves its request object untouched, so one is reused
    // until a write has to wait (then that one belongs to the pending write).
    const w = writeReq;
    w.handle = handle;
    if (handle.writeBuffer(w, opts.reply()) < 0) return finish(c);
    if (b.state[b.kLastWriteWasAsync]) writeReq = newWriteReq();
    // No completion callback for the shutdown: nothing waits for it, and without `oncomplete`
    // the binding skips the call into JavaScript.
    const sd = new b.ShutdownWrap();
    sd.handle = handle;
    if (handle.shutdown(sd) < 0) return finish(c);
    if (finCheckMs > 0 && typeof handle.fd === 'number' && handle.fd >= 0) {
      young.push(c);
      finTimer ??= setTimeout(checkFins, finCheckMs);
    } else {
      watchForFin(c);
    }
  };

  // Read (and drop) until the client's FIN: closing with unread input would reset the
  // connection and could destroy the reply still in flight. One shared callback, no closure.
  const watchForFin = (c: Conn) => {
    (c.handle as OwnedHandle)[CONN] = c;
    c.handle.onread = onread;
    if (c.handle.readStart() < 0) finish(c);
  };

  function onread(this: OwnedHandle) {
    const c = this[CONN];
    if (c && b.state[b.kReadBytesOrError]! < 0) finish(c); // EOF or error
  }

  // Connections answered 0–1 and 1–2 check periods ago. Every connection waits at least one
  // period, so its client has had time to read the answer and send its FIN.
  const finCheckMs = opts.finCheckMs ?? 4;
  let young: Conn[] = [];
  let old: Conn[] = [];
  let finTimer: NodeJS.Timeout | undefined;
  const checkFins = () => {
    finTimer = undefined;
    const due = old;
    old = young;
    young = [];
    for (const c of due) {
      if (!open.has(c)) continue; // finished meanwhile (idle sweep, destroy)
      let r = 1;
      // Bounded: a client still sending after its 64 KiB is watched like any other.
      for (let i = 0; i < 4 && r > 0; i++) r = tryRead(c.handle.fd!);
      if (r === 0 || r === -2)
        finish(c); // FIN (or an error): nothing can be lost by closing
      else watchForFin(c);
    }
    if (old.length > 0) finTimer = setTimeout(checkFins, finCheckMs);
  };

  const destroy = () => {
    if (finTimer) clearTimeout(finTimer);
    finTimer = undefined;
    young = [];
    old = [];
    server.close();
    table.destroy(finish);
  };

  const close = (): Promise<void> => {
    server.close();
    return table.close(undefined, destroy);
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
  });
}
