// Echo (RFC 862), TCP and UDP: send back every byte received; over UDP the whole datagram.

import type { Duplex } from 'node:stream';
import type { ConnHandle } from '../core/tcp-server.js';

/** Largest UDP payload over IPv4 (65,535 − 20 − 8): echo answers any datagram whole. */
export const MAX_UDP_PAYLOAD = 65_507;

/**
 * Serves one TCP echo connection until the client closes (then half-closes back). pipe() pauses
 * reading while the client is not reading our replies, so memory stays bounded.
 */
export function serveEchoTcp(stream: Duplex): ConnHandle {
  stream.pipe(stream);
  return { goodbye: () => stream.end() };
}

/** UDP echo: the reply is the request, byte for byte, whatever its size. */
export function echoUdpHandler(): (data: Uint8Array) => Uint8Array {
  return (data) => data;
}
