// Echo (RFC 862), TCP and UDP: send back every byte received; over UDP the whole datagram.

import dgram from 'node:dgram';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCodes, NetkitError, networkError } from '../core/errors.js';
import type { ConnHandle } from '../core/tcp-server.js';

/** Largest UDP payload over IPv4 (65,535 − 20 − 8): echo answers any datagram whole. */
export const MAX_UDP_PAYLOAD = 65_507;

/**
 * Serves one TCP echo connection until the client closes (then half-closes back). pipe() pauses
 * reading while the client is not reading our replies, so memory stays bounded.
 */
export function serveEchoTcp(stream: Duplex): ConnHandle {
  stream.pipe(stream);
  return {
    goodbye() {
      // Nothing more can be echoed after our FIN: stop piping (a write after end() is an error
      // that left the socket open until the grace timer) and read to the client's FIN.
      stream.unpipe(stream);
      stream.end();
      stream.resume();
    },
  };
}

/** UDP echo: the reply is the request, byte for byte, whatever its size. */
export function echoUdpHandler(): (data: Uint8Array) => Uint8Array {
  return (data) => data;
}

export interface EchoClientOptions {
  udp?: boolean;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * An echo session for round-trip timing: `roundTrip(payload)` sends and waits for the same bytes
 * back (TCP: the same number of bytes; UDP: one datagram), resolving with the echoed bytes and
 * the time in milliseconds.
 */
export interface EchoSession {
  roundTrip(payload: Uint8Array): Promise<{ data: Buffer; ms: number }>;
  close(): void;
}

export async function echoSession(
  host: string,
  port = 7,
  opts: EchoClientOptions = {},
): Promise<EchoSession> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const where = `${host}:${port}`;
  const timeout = () => new NetkitError(ErrorCodes.TIMEOUT, `${where}: no echo within ${timeoutMs} ms`);
  if (opts.udp) {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    await new Promise<void>((res, rej) => {
      sock.once('error', rej);
      sock.connect(port, host, () => {
        sock.off('error', rej);
        res();
      });
    });
    let waiting: ((b: Buffer) => void) | undefined;
    sock.on('message', (m) => waiting?.(m));
    sock.on('error', () => {});
    return {
      roundTrip(payload) {
        return new Promise((resolve, reject) => {
          const t0 = performance.now();
          const timer = setTimeout(() => {
            waiting = undefined;
            reject(timeout());
          }, timeoutMs);
          waiting = (m) => {
            clearTimeout(timer);
            waiting = undefined;
            resolve({ data: m, ms: performance.now() - t0 });
          };
          sock.send(payload, (err) => {
            if (err) {
              clearTimeout(timer);
              reject(networkError('send', where, err));
            }
          });
        });
      },
      close: () => sock.close(),
    };
  }
  const s = await new Promise<net.Socket>((res, rej) => {
    const c = net.connect({ host, port, noDelay: true }, () => {
      c.off('error', onErr);
      res(c);
    });
    const onErr = (e: Error) => rej(networkError('connect', where, e));
    c.once('error', onErr);
  });
  s.on('error', () => {});
  let buf: Buffer[] = [];
  let have = 0;
  let want = 0;
  let done: (() => void) | undefined;
  s.on('data', (c: Buffer) => {
    buf.push(c);
    have += c.length;
    if (done && have >= want) done();
  });
  return {
    roundTrip(payload) {
      return new Promise((resolve, reject) => {
        const t0 = performance.now();
        want = payload.length;
        const timer = setTimeout(() => {
          done = undefined;
          reject(timeout());
        }, timeoutMs);
        done = () => {
          clearTimeout(timer);
          done = undefined;
          const all = Buffer.concat(buf, have);
          resolve({ data: all.subarray(0, want), ms: performance.now() - t0 });
          buf = have > want ? [all.subarray(want)] : [];
          have -= want;
        };
        s.write(payload);
        if (have >= want) done();
      });
    },
    close: () => s.end(),
  };
}
