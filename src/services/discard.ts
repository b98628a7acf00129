// Discard (RFC 863), TCP and UDP: read and throw away; never answer.

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { networkError } from '../core/errors.js';
import type { ConnHandle } from '../core/tcp-server.js';

/** Serves one TCP discard connection: reads until the client closes, sends nothing, then closes. */
export function serveDiscardTcp(stream: Duplex): ConnHandle {
  stream.on('end', () => stream.end());
  stream.resume();
  return { goodbye: () => stream.end() };
}

/** UDP discard: no reply, ever. */
export function discardUdpHandler(): () => undefined {
  return () => undefined;
}

/** Sends `bytes` bytes (a repeated pattern) to a discard server over TCP; resolves with the time taken. */
export function discardSend(
  host: string,
  port: number,
  bytes: number,
): Promise<{ bytes: number; seconds: number }> {
  const where = `${host}:${port}`;
  const block = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port });
    let sent = 0;
    let t0 = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(block.length, bytes - sent);
        sent += n;
        if (!s.write(n === block.length ? block : block.subarray(0, n))) return void s.once('drain', pump);
      }
      s.end();
    };
    s.on('connect', () => {
      t0 = performance.now();
      pump();
    });
    s.on('error', (e) => reject(networkError('connect', where, e)));
    s.on('close', () => resolve({ bytes: sent, seconds: (performance.now() - t0) / 1000 }));
    s.resume();
  });
}
