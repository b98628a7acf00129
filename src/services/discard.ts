// Discard (RFC 863), TCP and UDP: read and throw away; never answer.

import type { Duplex } from 'node:stream';
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
