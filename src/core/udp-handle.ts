// A UDP socket on libuv's UDP handle itself (RFC 768 datagrams, no node:dgram): what listenUdp's
// fast path and the ONC RPC server over UDP (RFC 5531) receive and send through.
//
// Per datagram, node:dgram's send() validates its arguments, runs dns.lookup() on the (literal)
// address, defers to a nextTick and builds a request object and a buffer list; here a send is
// one call into the binding, and the request object is reused whenever the datagram left
// synchronously (the usual case), so it is allocated only for the rare send that has to wait.

import type net from 'node:net';
import { getSystemErrorName } from 'node:util';
import type { UdpBindings, UdpHandle, UdpPeer } from './handles.js';

export function errnoError(syscall: string, code: number): NodeJS.ErrnoException {
  const name = getSystemErrorName(code);
  return Object.assign(new Error(`${syscall} ${name}`), { code: name, errno: code, syscall });
}

export interface UdpHandleSocket {
  /** Binds and starts receiving; resolves with the bound address, rejects with an errno error. */
  bind(): Promise<net.AddressInfo>;
  /**
   * Sends one datagram without a callback (errors go to `onError`). True: the kernel took it (or
   * refused it) and `data` may be reused at once; false: it is queued and `data` must stay
   * untouched (the request keeps it alive until it is sent).
   */
  send(data: Uint8Array, port: number, address: string): boolean;
  /** Sends one datagram and settles when it has left (or failed). */
  sendAndWait(data: Uint8Array, port: number, address: string): Promise<void>;
  /** Stops receiving and closes; resolves once the handle is closed. */
  close(): Promise<void>;
}

/**
 * Opens a UDP handle for `host` (an IP literal) and `port`. `receive` gets each datagram (a
 * Buffer of its own) with its source; `onError` gets receive and send errors (the socket carries
 * on).
 */
export function openUdpHandle(
  b: UdpBindings,
  v6: boolean,
  host: string,
  port: number,
  receive: (msg: Buffer, peer: UdpPeer) => void,
  onError: (err: Error) => void,
): UdpHandleSocket {
  const handle: UdpHandle = new b.UDP();
  const one: Uint8Array[] = [];
  let spare: Record<string, unknown> | undefined;
  let closed: Promise<void> | undefined;
  handle.onmessage = (nread, _h, buf, rinfo) => {
    if (nread < 0 || !buf || !rinfo) {
      if (nread < 0 && !closed) onError(errnoError('recvmsg', nread));
      return;
    }
    receive(buf, rinfo);
  };
  const send = (d: Uint8Array, p: number, a: string, req: Record<string, unknown>, cb: boolean): number => {
    one[0] = d;
    const r = v6 ? handle.send6(req, one, 1, p, a, cb) : handle.send(req, one, 1, p, a, cb);
    one[0] = undefined as unknown as Uint8Array;
    return r;
  };
  const fail = (err: NodeJS.ErrnoException) => {
    closed = Promise.resolve();
    handle.close();
    return Promise.reject(err);
  };
  return {
    bind() {
      const err = v6 ? handle.bind6(host, port, 0) : handle.bind(host, port, 0);
      if (err < 0) return fail(errnoError('bind', err));
      const rs = handle.recvStart();
      if (rs < 0) return fail(errnoError('recvStart', rs));
      const out: { address?: string; port?: number; family?: string } = {};
      handle.getsockname(out);
      return Promise.resolve({
        address: out.address ?? host,
        family: out.family ?? (v6 ? 'IPv6' : 'IPv4'),
        port: out.port ?? 0,
      });
    },
    send(d, p, a) {
      if (closed) return true;
      const req = spare ?? new b.SendWrap();
      spare = undefined;
      const r = send(d, p, a, req, false);
      if (r >= 1) {
        spare = req; // left at once: the request was not used
        return true;
      }
      if (r < 0) {
        spare = req;
        onError(errnoError('send', r));
        return true;
      }
      req.buffer = d; // queued: the request keeps the bytes alive until libuv sent them
      return false;
    },
    sendAndWait(d, p, a) {
      return new Promise((resolve, reject) => {
        if (closed) return reject(errnoError('send', -9)); // EBADF
        const req = new b.SendWrap();
        req.buffer = d;
        req.oncomplete = (status: number) => (status < 0 ? reject(errnoError('send', status)) : resolve());
        const r = send(d, p, a, req, true);
        if (r >= 1) resolve();
        else if (r < 0) reject(errnoError('send', r));
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        handle.recvStop();
        handle.close(() => resolve());
      });
      return closed;
    },
  };
}
