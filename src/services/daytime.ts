// Daytime (RFC 867), TCP and UDP: the date and time as one ASCII line. We send what OpenBSD
// inetd sends — ctime(3) in local time, `%.24s\r\n` (e.g. `Tue Nov 24 17:38:46 2026\r\n`) —
// so that differential tests and scripts written against it keep working.

import type { Duplex } from 'node:stream';
import type { ConnHandle } from '../core/tcp-server.js';
import { type ClientOptions, printableAscii, sendAndClose, tcpRequest, udpRequest } from './client.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** ctime(3) without its newline, in the process's local time zone: `Tue Nov  4 07:08:09 2026`. */
export function ctime24(date: Date): string {
  const d = date.getDate();
  return (
    `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${d < 10 ? ` ${d}` : d} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())} ${date.getFullYear()}`
  );
}

let cachedSecond = Number.NaN;
let cached: Buffer = Buffer.alloc(0);

/** The daytime reply for `nowMs`, built once per second and shared by every connection. */
export function daytimeBytes(nowMs: number = Date.now()): Buffer {
  const sec = Math.floor(nowMs / 1000);
  if (sec !== cachedSecond) {
    cached = Buffer.from(`${ctime24(new Date(sec * 1000))}\r\n`, 'latin1');
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
