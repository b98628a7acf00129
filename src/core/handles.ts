// libuv's TCP and UDP handles as Node's internal bindings expose them (stream_wrap, tcp_wrap,
// udp_wrap): checked once, typed narrowly, for servers that skip the stream and dgram machinery.
//
// Everything here is optional: `tcpBindings()` / `udpBindings()` return null when the bindings are
// missing or look different, and callers then use `net` / `dgram`. `setFastPathDefault(false)`
// makes every server that consults `fastPathDefault()` take the portable path (tests run both).

import type net from 'node:net';
import { networkError } from './errors.js';
import type { Logger } from './log.js';
import type { TcpServer } from './tcp-server.js';

/** A connected TCP handle (StreamBase over uv_tcp_t). */
export interface TcpHandle {
  onread: (arrayBuffer?: ArrayBuffer) => void;
  readonly writeQueueSize: number;
  writeBuffer(req: object, data: Uint8Array): number;
  writev(req: object, chunks: Uint8Array[], allBuffers: boolean): number;
  shutdown(req: object): number;
  readStart(): number;
  readStop(): number;
  useUserBuffer(buf: Uint8Array): void;
  setNoDelay(on: boolean): number;
  close(cb?: () => void): void;
  getpeername(out: { address?: string; port?: number; family?: string }): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  /** The socket's file descriptor on Unix (-1 or absent elsewhere). */
  readonly fd?: number;
}

export interface TcpBindings {
  WriteWrap: new () => Record<string | symbol, unknown>;
  ShutdownWrap: new () => Record<string | symbol, unknown>;
  /** streamBaseState: after a read, [kReadBytesOrError] is nread (< 0: EOF or error). */
  state: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kBytesWritten: number;
  kLastWriteWasAsync: number;
}

/** A UDP handle (uv_udp_t). `send`/`send6` return ≥ 1 when the datagram left synchronously. */
export interface UdpHandle {
  onmessage: (nread: number, handle: unknown, buf?: Buffer, rinfo?: UdpPeer) => void;
  bind(ip: string, port: number, flags: number): number;
  bind6(ip: string, port: number, flags: number): number;
  send(req: object, list: Uint8Array[], n: number, port: number, ip: string, cb: boolean): number;
  send6(req: object, list: Uint8Array[], n: number, port: number, ip: string, cb: boolean): number;
  recvStart(): number;
  recvStop(): number;
  getsockname(out: { address?: string; port?: number; family?: string }): number;
  close(cb?: () => void): void;
}

export interface UdpPeer {
  address: string;
  family: string;
  port: number;
}

export interface UdpBindings {
  UDP: new () => UdpHandle;
  SendWrap: new () => Record<string, unknown>;
}

type Binding = (name: string) => Record<string, unknown>;

function binding(): Binding | null {
  const p = process as unknown as { binding?: Binding };
  return typeof p.binding === 'function' ? p.binding : null;
}

const hasMethods = (proto: Record<string, unknown> | undefined, names: string[]) =>
  proto !== undefined && names.every((m) => typeof proto[m] === 'function');

let tcp: TcpBindings | null | undefined;
let udp: UdpBindings | null | undefined;
let enabled = true;

/** Whether servers use the handle fast paths unless told otherwise (true where available). */
export function fastPathDefault(): boolean {
  return enabled;
}

/** Tests switch every server to the portable path (false) and back (true). */
export function setFastPathDefault(on: boolean): void {
  enabled = on;
}

/** The TCP stream bindings, or null when this Node does not have them as we know them. */
export function tcpBindings(): TcpBindings | null {
  if (tcp !== undefined) return tcp;
  tcp = null;
  try {
    const b = binding();
    if (!b) return null;
    const sw = b('stream_wrap');
    const t = b('tcp_wrap') as { TCP?: { prototype: Record<string, unknown> } };
    const methods = ['writeBuffer', 'writev', 'shutdown', 'readStart', 'readStop', 'useUserBuffer'];
    const more = ['setNoDelay', 'close', 'getpeername', 'getsockname'];
    const numbers = ['kReadBytesOrError', 'kArrayBufferOffset', 'kBytesWritten', 'kLastWriteWasAsync'];
    if (
      typeof sw.WriteWrap === 'function' &&
      typeof sw.ShutdownWrap === 'function' &&
      sw.streamBaseState instanceof Int32Array &&
      numbers.every((k) => typeof sw[k] === 'number') &&
      hasMethods(t.TCP?.prototype, [...methods, ...more]) &&
      'writeQueueSize' in (t.TCP?.prototype ?? {})
    ) {
      tcp = {
        WriteWrap: sw.WriteWrap as TcpBindings['WriteWrap'],
        ShutdownWrap: sw.ShutdownWrap as TcpBindings['ShutdownWrap'],
        state: sw.streamBaseState,
        kReadBytesOrError: sw.kReadBytesOrError as number,
        kArrayBufferOffset: sw.kArrayBufferOffset as number,
        kBytesWritten: sw.kBytesWritten as number,
        kLastWriteWasAsync: sw.kLastWriteWasAsync as number,
      };
    }
  } catch {
    tcp = null;
  }
  return tcp;
}

/** The UDP bindings, or null. */
export function udpBindings(): UdpBindings | null {
  if (udp !== undefined) return udp;
  udp = null;
  try {
    const b = binding();
    if (!b) return null;
    const u = b('udp_wrap') as { UDP?: unknown; SendWrap?: unknown };
    const methods = ['bind', 'bind6', 'send', 'send6', 'recvStart', 'recvStop', 'getsockname', 'close'];
    const proto = (u.UDP as { prototype?: Record<string, unknown> } | undefined)?.prototype;
    if (typeof u.UDP === 'function' && typeof u.SendWrap === 'function' && hasMethods(proto, methods)) {
      udp = { UDP: u.UDP as unknown as UdpBindings['UDP'], SendWrap: u.SendWrap as UdpBindings['SendWrap'] };
    }
  } catch {
    udp = null;
  }
  return udp;
}

export const noop = (): void => {};

// ---- what every server on TCP handles shares ---------------------------------------------------

/** Open connections per source address, for a per-source cap. */
export class SourceCounts {
  readonly #counts = new Map<string, number>();

  /** Counts one more connection from `source`; false (and nothing counted) if `max` are open. */
  take(source: string, max: number): boolean {
    const n = this.#counts.get(source) ?? 0;
    if (n >= max) return false;
    this.#counts.set(source, n + 1);
    return true;
  }

  /** Counts a connection from `source` that is already open, whatever the cap. */
  add(source: string): void {
    this.#counts.set(source, (this.#counts.get(source) ?? 0) + 1);
  }

  /** One connection from `source` has closed. */
  give(source: string): void {
    const left = (this.#counts.get(source) ?? 1) - 1;
    if (left <= 0) this.#counts.delete(source);
    else this.#counts.set(source, left);
  }
}

export interface HandleListenOptions {
  name: string;
  host: string;
  port: number;
  log: Logger;
  signal?: AbortSignal;
  /** Takes each accepted connection's handle (libuv's status first, < 0 on error). */
  accept: (status: number, handle: TcpHandle | undefined) => void;
  /** Graceful close, called when `signal` aborts. */
  close: () => Promise<void>;
  destroy: () => void;
  /** Connections open now. */
  connections: () => number;
}

/** A TCP server built on `listenOnHandle`. */
export interface HandleServer extends TcpServer {
  /** True when connections are served on the TCP handle directly. */
  readonly fastPath: boolean;
}

/**
 * Listens with `server`, then takes its connections on the raw TCP handle where the server has
 * the handle we know (`fast`); otherwise they stay with the server's 'connection' listeners.
 * Logs `listening` and wires `signal` to `close`. Rejects with a NetworkError when listen fails.
 */
export function listenOnHandle(server: net.Server, o: HandleListenOptions): Promise<HandleServer> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      o.destroy(); // stops what the server set up (its idle sweep) for a listen that failed
      reject(networkError('listen', `${o.host}:${o.port}`, err));
    };
    server.once('error', onError);
    server.listen({ host: o.host, port: o.port, backlog: 4096 }, () => {
      server.off('error', onError);
      const h = (server as unknown as { _handle?: { onconnection?: unknown } })._handle;
      const fast = h !== undefined && typeof h.onconnection === 'function';
      if (fast) h.onconnection = o.accept;
      else o.log({ level: 'debug', event: 'fast-path-unavailable', source: o.name });
      const address = server.address() as net.AddressInfo;
      o.log({
        level: 'info',
        event: 'listening',
        source: o.name,
        protocol: 'tcp',
        address: address.address,
        port: address.port,
      });
      if (o.signal) {
        if (o.signal.aborted) void o.close();
        else o.signal.addEventListener('abort', () => void o.close(), { once: true });
      }
      resolve({
        name: o.name,
        protocol: 'tcp',
        address,
        close: o.close,
        destroy: o.destroy,
        fastPath: fast,
        get connections() {
          return o.connections();
        },
      });
    });
  });
}
