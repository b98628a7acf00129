// A UDP socket on libuv's UDP handle, for request/response servers that answer every datagram at
// once (ONC RPC over UDP, RFC 5531): no dgram.Socket events, and replies leave through the handle
// without the address lookup and the tick that `dgram.send` spends on each of them.
//
// Where the internal bindings are missing, `bindUdpFast` resolves with null and callers use
// `node:dgram`; tests run both paths.

import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { networkError } from './errors.js';

interface UdpHandle {
  onmessage: (nread: number, handle: unknown, buf?: Buffer, rinfo?: RemoteInfo) => void;
  bind(ip: string, port: number, flags: number): number;
  bind6(ip: string, port: number, flags: number): number;
  recvStart(): number;
  recvStop(): number;
  send(req: object, list: Uint8Array[], count: number, port: number, address: string, cb: boolean): number;
  send6(req: object, list: Uint8Array[], count: number, port: number, address: string, cb: boolean): number;
  getsockname(out: Record<string, unknown>): number;
  close(cb?: () => void): void;
}

interface Bindings {
  UDP: new () => UdpHandle;
  SendWrap: new () => Record<string, unknown>;
}

/** What the handle says about a datagram's source. */
export interface RemoteInfo {
  address: string;
  family: string;
  port: number;
}

let bindings: Bindings | null | undefined;

function loadBindings(): Bindings | null {
  if (bindings !== undefined) return bindings;
  bindings = null;
  try {
    const p = process as unknown as { binding?: (name: string) => Record<string, unknown> };
    if (typeof p.binding !== 'function') return null;
    const uw = p.binding('udp_wrap') as { UDP?: { prototype: Record<string, unknown> }; SendWrap?: unknown };
    const proto = uw.UDP?.prototype;
    const methods = ['bind', 'bind6', 'recvStart', 'recvStop', 'send', 'send6', 'getsockname', 'close'];
    if (typeof uw.SendWrap === 'function' && proto && methods.every((m) => typeof proto[m] === 'function')) {
      bindings = { UDP: uw.UDP as unknown as Bindings['UDP'], SendWrap: uw.SendWrap as Bindings['SendWrap'] };
    }
  } catch {
    bindings = null;
  }
  return bindings;
}

/** True when this Node has the UDP handle bindings. */
export function fastUdpAvailable(): boolean {
  return loadBindings() !== null;
}

export interface FastUdpSocket {
  readonly address: AddressInfo;
  /**
   * Sends one datagram. True: the kernel took it (or refused it) and the memory may be reused at
   * once; false: it is queued and `bytes` must stay untouched (it is kept alive until sent).
   */
  send(bytes: Uint8Array, port: number, address: string): boolean;
  close(): Promise<void>;
}

export interface FastUdpOptions {
  host: string;
  port: number;
  /** Each datagram (a Buffer of its own) and its source. */
  onMessage(msg: Buffer, rinfo: RemoteInfo): void;
  /** Receive and send errors (the socket carries on). */
  onError?(err: Error): void;
}

/** Binds a UDP socket on the handle; null where the bindings are missing. */
export function bindUdpFast(opts: FastUdpOptions): Promise<FastUdpSocket | null> {
  const b = loadBindings();
  if (!b) return Promise.resolve(null);
  const v6 = net.isIPv6(opts.host);
  const h = new b.UDP();
  const err = v6 ? h.bind6(opts.host, opts.port, 0) : h.bind(opts.host, opts.port, 0);
  if (err < 0) {
    h.close();
    const e = Object.assign(new Error(`bind ${getSystemErrorName(err)}`), { code: getSystemErrorName(err) });
    return Promise.reject(networkError('listen', `${opts.host}:${opts.port}`, e));
  }
  const out: Record<string, unknown> = {};
  h.getsockname(out);
  const address: AddressInfo = {
    address: String(out.address ?? opts.host),
    family: String(out.family ?? (v6 ? 'IPv6' : 'IPv4')),
    port: Number(out.port ?? opts.port),
  };
  const onMessage = opts.onMessage;
  const onError = opts.onError;
  h.onmessage = (nread, _handle, buf, rinfo) => {
    if (nread < 0) {
      onError?.(new Error(`recvmsg ${getSystemErrorName(nread)}`));
      return;
    }
    if (buf && rinfo) onMessage(buf, rinfo);
  };
  const rs = h.recvStart();
  if (rs < 0) {
    h.close();
    return Promise.reject(
      networkError('listen', `${opts.host}:${opts.port}`, new Error(`recv ${getSystemErrorName(rs)}`)),
    );
  }
  let req = new b.SendWrap();
  let list: Uint8Array[] = [new Uint8Array(0)];
  let closed: Promise<void> | undefined;
  return Promise.resolve({
    address,
    send(bytes: Uint8Array, port: number, addr: string): boolean {
      if (closed) return true;
      list[0] = bytes;
      // > 0: sent at once; 0: queued (the request and the list now belong to libuv); < 0: error.
      const r = v6 ? h.send6(req, list, 1, port, addr, false) : h.send(req, list, 1, port, addr, false);
      if (r > 0) return true;
      if (r < 0) {
        onError?.(new Error(`send ${getSystemErrorName(r)}`));
        return true;
      }
      req.list = list;
      req = new b.SendWrap();
      list = [new Uint8Array(0)];
      return false;
    },
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        h.recvStop();
        h.onmessage = () => {};
        h.close(() => resolve());
      });
      return closed;
    },
  });
}
