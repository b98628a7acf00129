// Small clients shared by the classic services (RFC 862–868, 1288): read a TCP answer to EOF, ask
// one question over UDP. Bounded in bytes and time.

import dgram from 'node:dgram';
import net from 'node:net';
import { ErrorCodes, NetkitError, networkError } from '../core/errors.js';

export interface ClientOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Stop reading after this many bytes (default 1 MiB). */
  maxBytes?: number;
  signal?: AbortSignal;
}

function timeoutError(what: string, ms: number): NetkitError {
  return new NetkitError(ErrorCodes.TIMEOUT, `${what}: no answer within ${ms} ms`);
}

/** Connects, sends `send` (if any) then half-closes, and reads until the server closes. */
export function tcpRequest(
  host: string,
  port: number,
  send: Uint8Array | string | undefined,
  opts: ClientOptions = {},
): Promise<Buffer> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const maxBytes = opts.maxBytes ?? 1 << 20;
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let connected = false;
    const s = net.connect({ host, port });
    const done = (err?: Error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      s.destroy();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, total));
    };
    const onAbort = () => done(new NetkitError(ErrorCodes.TIMEOUT, `${where}: aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => done(timeoutError(where, timeoutMs)), timeoutMs);
    s.on('connect', () => {
      connected = true;
      if (send !== undefined) s.end(send);
    });
    s.on('data', (c: Buffer) => {
      const room = maxBytes - total;
      chunks.push(c.length > room ? c.subarray(0, room) : c);
      total += Math.min(c.length, room);
      if (total >= maxBytes) done();
    });
    s.on('end', () => done());
    s.on('error', (err: NodeJS.ErrnoException) => {
      // A server that closes at once may reset a connection we already read from: keep the answer.
      if (connected && err.code === 'ECONNRESET') done();
      else done(networkError('connect', where, err));
    });
  });
}

/**
 * Sends one datagram and collects answers until `expect` datagrams came or, after the first,
 * `settleMs` passes with no more (for services that may answer with several datagrams).
 */
export function udpRequest(
  host: string,
  port: number,
  payload: Uint8Array,
  opts: ClientOptions & { expect?: number; settleMs?: number } = {},
): Promise<Buffer[]> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  const expect = opts.expect ?? 1;
  const settleMs = opts.settleMs ?? 100;
  const where = `${host}:${port}/udp`;
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    let settle: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      clearTimeout(timer);
      clearTimeout(settle);
      opts.signal?.removeEventListener('abort', onAbort);
      sock.close();
      if (err) reject(err);
      else resolve(got);
    };
    const onAbort = () => done(new NetkitError(ErrorCodes.TIMEOUT, `${where}: aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => (got.length ? done() : done(timeoutError(where, timeoutMs))), timeoutMs);
    sock.on('message', (m, r) => {
      if (r.port !== port) return;
      got.push(m);
      clearTimeout(settle);
      if (got.length >= expect) done();
      else settle = setTimeout(() => done(), settleMs);
    });
    sock.on('error', (err) => done(networkError('send', where, err)));
    sock.send(payload, port, host, (err) => {
      if (err) done(networkError('send', where, err));
    });
  });
}

/** Keeps printable ASCII, TAB, CR and LF (RFC 1288 §3.3: no terminal escapes from the network). */
export function printableAscii(text: string): string {
  return text.replace(/[^\t\r\n\x20-\x7e]/g, '?');
}

/**
 * Sends a whole answer and closes: half-close at once (our FIN follows the data in the same
 * turn), then read and discard until the client closes too. Closing outright with unread input
 * would make the kernel send RST, and a client that had sent a line (`echo hi | nc -N host 13`)
 * can lose the answer — openbsd-inetd's daytime loses it now and then for that reason.
 */
