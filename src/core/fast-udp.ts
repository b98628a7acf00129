// A UDP socket on libuv's UDP handle, for request/response servers that answer every datagram at
// once (ONC RPC over UDP, RFC 5531): no dgram.Socket events, and replies leave through the handle
// without the address lookup and the tick that `dgram.send` spends on each of them.
//
// Where the internal bindings are missing, `bindUdpFast` resolves with null and callers use
// `node:dgram`; tests run both paths.

import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { networkError } from './errors.js';
import { type UdpPeer, udpBindings } from './handles.js';
import { openUdpHandle } from './udp-handle.js';

/** What the handle says about a datagram's source. */
export type RemoteInfo = UdpPeer;

/** True when this Node has the UDP handle bindings. */
export function fastUdpAvailable(): boolean {
  return udpBindings() !== null;
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
export async function bindUdpFast(opts: FastUdpOptions): Promise<FastUdpSocket | null> {
  const b = udpBindings();
  if (!b) return null;
  const onError = opts.onError;
  const h = openUdpHandle(b, net.isIPv6(opts.host), opts.host, opts.port, opts.onMessage, (e) =>
    onError?.(e),
  );
  const address = await h.bind().catch((e: Error) => {
    throw networkError('listen', `${opts.host}:${opts.port}`, e);
  });
  return { address, send: (d, p, a) => h.send(d, p, a), close: () => h.close() };
}
