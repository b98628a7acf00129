// A TCP listener with the limits every netkit server shares: total and per-source connections,
// idle time, and a graceful close (stop accepting, say goodbye, drain, then destroy).

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { networkError } from './errors.js';
import { type Logger, silentLogger } from './log.js';
import type { RunningServer } from './service.js';

export interface ConnInfo {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** What a service hands back for one connection: how to say goodbye when the server stops. */
export interface ConnHandle {
  /** Called once on graceful shutdown; should write a last message and end the stream. */
  goodbye?(): void;
  /** Asked when the idle timer fires: true keeps the connection (a client waiting in a queue). */
  exemptFromIdle?(): boolean;
}

export interface TcpLimits {
  /** Connections open at once; further ones are refused (closed at once, after `busyMessage`). */
  maxConnections: number;
  /** Connections open at once from one address; 0 means no per-source limit. */
  perSourceConnections: number;
  /** A connection with no traffic either way for this long is closed; 0 disables. */
  idleTimeoutMs: number;
  /** How long a graceful close waits for connections to finish before destroying them. */
  graceMs: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 10_000,
  perSourceConnections: 0,
  idleTimeoutMs: 300_000,
  graceMs: 2_000,
};

export interface TcpServerOptions {
  name: string;
  host?: string;
  port: number;
  limits?: Partial<TcpLimits>;
  log?: Logger;
  signal?: AbortSignal;
  /** Written to a refused connection before it is closed (a line ending in CRLF is polite). */
  busyMessage?: (reason: 'max-connections' | 'per-source') => Uint8Array | string | undefined;
  /** Written before closing an idle connection. */
  idleMessage?: Uint8Array | string;
  /** Handles one connection. Services take a Duplex so they also run on netkit's own TCP. */
  onConnection(stream: Duplex, info: ConnInfo): ConnHandle | undefined;
  /**
   * Keep the write side open after the peer's FIN (its stream then must end itself). Line protocols
   * want this: `nc -N` sends its lines and a FIN, and every line still deserves an answer.
   */
  allowHalfOpen?: boolean;
  /**
   * Do not start reading: for services that write and close (daytime, time), this saves the
   * epoll registration and the wait for the peer's FIN. The handler must end or destroy the stream.
   */
  pauseOnConnect?: boolean;
  /** TCP_NODELAY on each connection (default true; one setsockopt per connection). */
  noDelay?: boolean;
  /** Called when the listener is ready and before each accept wait, for the slides' log line. */
  logWaiting?: boolean;
}

export interface TcpServer extends RunningServer {
  readonly protocol: 'tcp';
  /** Connections open now. */
  readonly connections: number;
}

const QUIET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ERR_STREAM_DESTROYED']);

/**
 * Writes `bytes`, sends FIN, and keeps reading (and discarding) until the peer's FIN. Closing at
 * once would be faster, but if the peer had sent anything unread, the kernel would answer with a
 * reset that can destroy the reply in flight.
 */
export function sendAndClose(stream: Duplex, bytes: Uint8Array): void {
  stream.on('error', () => {});
  stream.end(bytes);
  stream.resume();
}

function lazyInfo(socket: net.Socket): ConnInfo {
  let peer: { a: string; p: number } | undefined;
  let local: { a: string; p: number } | undefined;
  const getPeer = () => (peer ??= { a: socket.remoteAddress ?? '', p: socket.remotePort ?? 0 });
  const getLocal = () => (local ??= { a: socket.localAddress ?? '', p: socket.localPort ?? 0 });
  return {
    get remoteAddress() {
      return getPeer().a;
    },
    get remotePort() {
      return getPeer().p;
    },
    get localAddress() {
      return getLocal().a;
    },
    get localPort() {
      return getLocal().p;
    },
  };
}

export function listenTcp(opts: TcpServerOptions): Promise<TcpServer> {
  const limits: TcpLimits = { ...DEFAULT_TCP_LIMITS, ...opts.limits };
  const log = opts.log ?? silentLogger;
  const logging = log !== silentLogger; // build no event objects per connection when nobody listens
  const host = opts.host ?? '127.0.0.1';
  const name = opts.name;
  const open = new Map<net.Socket, ConnHandle | undefined>();
  const perSource = new Map<string, number>();
  let closing: Promise<void> | undefined;

  const server = net.createServer({
    noDelay: opts.noDelay ?? true,
    allowHalfOpen: opts.allowHalfOpen ?? false,
    pauseOnConnect: opts.pauseOnConnect ?? false,
  });
  server.maxConnections = Number.MAX_SAFE_INTEGER; // we refuse ourselves, politely

  server.on('connection', (socket) => {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (!QUIET_ERRORS.has(err.code ?? '')) {
        log({ level: 'warn', event: 'socket-error', source: name, error: err.message });
      }
    });
    // Addresses cost a getpeername/getsockname each: read them only when someone asks.
    const info = lazyInfo(socket);
    const refuse = (reason: 'max-connections' | 'per-source') => {
      if (logging)
        log({ level: 'warn', event: 'rejected', source: name, reason, remote: info.remoteAddress });
      const msg = opts.busyMessage?.(reason);
      if (msg !== undefined) socket.end(msg);
      else socket.end();
      socket.destroySoon?.();
      setTimeout(() => socket.destroy(), 1000).unref();
    };
    if (closing) {
      socket.destroy();
      return;
    }
    if (open.size >= limits.maxConnections) return refuse('max-connections');
    const tracked = limits.perSourceConnections > 0;
    const remoteAddress = tracked ? info.remoteAddress : '';
    if (tracked) {
      const n = perSource.get(remoteAddress) ?? 0;
      if (n >= limits.perSourceConnections) return refuse('per-source');
      perSource.set(remoteAddress, n + 1);
    }
    open.set(socket, undefined);
    socket.once('close', () => {
      open.delete(socket);
      if (tracked) {
        const left = (perSource.get(remoteAddress) ?? 1) - 1;
        if (left <= 0) perSource.delete(remoteAddress);
        else perSource.set(remoteAddress, left);
      }
      if (logging && opts.logWaiting && !closing) log({ level: 'info', event: 'waiting', source: name });
    });
    if (limits.idleTimeoutMs > 0) {
      socket.setTimeout(limits.idleTimeoutMs, () => {
        if (open.get(socket)?.exemptFromIdle?.()) {
          socket.setTimeout(limits.idleTimeoutMs);
          return;
        }
        log({ level: 'info', event: 'idle-timeout', source: name, remote: info.remoteAddress });
        if (opts.idleMessage !== undefined && socket.writable) socket.end(opts.idleMessage);
        setTimeout(() => socket.destroy(), 200).unref();
      });
    }
    if (logging)
      log({
        level: 'info',
        event: 'connected',
        source: name,
        remote: info.remoteAddress,
        port: info.remotePort,
      });
    try {
      open.set(socket, opts.onConnection(socket, info));
    } catch (err) {
      // A handler bug must cost one connection, never the server.
      log({ level: 'error', event: 'handler-error', source: name, error: (err as Error).message });
      socket.destroy();
    }
  });

  const destroy = () => {
    server.close();
    for (const s of open.keys()) s.destroy();
  };

  const close = (): Promise<void> => {
    if (closing) return closing;
    log({ level: 'info', event: 'closing', source: name, connections: open.size });
    closing = new Promise<void>((resolve) => {
      server.close();
      for (const [s, h] of open) {
        try {
          if (h?.goodbye) h.goodbye();
          else s.end();
        } catch {
          s.destroy();
        }
      }
      if (open.size === 0) return resolve();
      const timer = setTimeout(() => {
        for (const s of open.keys()) s.destroy();
      }, limits.graceMs);
      timer.unref();
      const check = () => {
        if (open.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      for (const s of open.keys()) s.once('close', () => setImmediate(check));
    });
    return closing;
  };

  return new Promise<TcpServer>((resolve, reject) => {
    const onError = (err: Error) => reject(networkError('listen', `${host}:${opts.port}`, err));
    server.once('error', onError);
    server.listen({ host, port: opts.port, backlog: 4096 }, () => {
      server.off('error', onError);
      server.on('error', (err) =>
        log({ level: 'error', event: 'server-error', source: name, error: err.message }),
      );
      const address = server.address() as net.AddressInfo;
      log({
        level: 'info',
        event: 'listening',
        source: name,
        protocol: 'tcp',
        address: address.address,
        port: address.port,
      });
      if (opts.logWaiting) log({ level: 'info', event: 'waiting', source: name });
      if (opts.signal) {
        if (opts.signal.aborted) void close();
        else opts.signal.addEventListener('abort', () => void close(), { once: true });
      }
      resolve({
        name,
        protocol: 'tcp',
        address,
        close,
        destroy,
        get connections() {
          return open.size;
        },
      });
    });
  });
}
