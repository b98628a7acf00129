// Daytime (RFC 867), TCP and UDP: the date and time as one ASCII line. We send what OpenBSD
// inetd sends — ctime(3) in local time, `%.24s\r\n` (e.g. `Tue Nov 24 17:38:46 2026\r\n`) —
// so that differential tests and scripts written against it keep working.

import type { Duplex } from 'node:stream';
import { type ConnHandle, sendAndClose } from '../core/tcp-server.js';
import { ctime } from '../core/time.js';
import { type ClientOptions, printableAscii, tcpRequest, udpRequest } from './client.js';

let cachedSecond = Number.NaN;
let cached: Buffer = Buffer.alloc(0);

/** The daytime reply for `nowMs`, built once per second and shared by every connection. */
export function daytimeBytes(nowMs: number = Date.now()): Buffer {
  const sec = Math.floor(nowMs / 1000);
  if (sec !== cachedSecond) {
    cached = Buffer.from(`${ctime(new Date(sec * 1000))}\r\n`, 'latin1');
    cachedSecond = sec;
  }
  return cached;
}

/** Serves one TCP daytime connection: the line, then the server closes. */
export function serveDaytimeTcp(stream: Duplex): ConnHandle | undefined {
  sendAndClose(stream, daytimeBytes());
  return undefined;
}

export function daytimeUdpHandler(): () => Uint8Array {
  return () => daytimeBytes();
}

/** Asks a daytime server over TCP; returns its text (non-printable characters replaced by '?'). */
export async function daytimeTcp(host: string, port = 13, opts: ClientOptions = {}): Promise<string> {
  const b = await tcpRequest(host, port, undefined, { maxBytes: 4096, ...opts });
  return printableAscii(b.toString('latin1'));
}

/** Asks a daytime server over UDP (one empty datagram); returns the text of its answer. */
export async function daytimeUdp(host: string, port = 13, opts: ClientOptions = {}): Promise<string> {
  const [b] = await udpRequest(host, port, new Uint8Array(0), opts);
  return printableAscii((b ?? Buffer.alloc(0)).toString('latin1'));
}
