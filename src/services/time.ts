// Time (RFC 868), TCP and UDP: seconds since 1900-01-01 00:00 UTC as an unsigned 32-bit
// big-endian number. It wraps on 2036-02-07 06:28:16 UTC; clients read values below 2^31 as
// the next era (as OpenRdate does), and so does ours.

import type { Duplex } from 'node:stream';
import { DecodeError, ErrorCodes } from '../core/errors.js';
import { type ConnHandle, sendAndClose } from '../core/tcp-server.js';
import { type ClientOptions, tcpRequest, udpRequest } from './client.js';

/** Seconds from 1900-01-01 to 1970-01-01. */
export const EPOCH_OFFSET = 2_208_988_800;

/** RFC 868 value for a Unix time in milliseconds: (unix seconds + 2,208,988,800) mod 2^32. */
export function rfc868Seconds(unixMs: number): number {
  const v = (Math.floor(unixMs / 1000) + EPOCH_OFFSET) % 2 ** 32;
  return v < 0 ? v + 2 ** 32 : v;
}

export function encodeTime(unixMs: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(rfc868Seconds(unixMs), 0);
  return b;
}

/**
 * Unix milliseconds for an RFC 868 value. Values below 2^31 are taken as the era after the 2036
 * wrap (1900 + 2^32 s); this holds for dates 1968–2104.
 */
export function timeFromRfc868(value: number): number {
  const secs1900 = value < 2 ** 31 ? value + 2 ** 32 : value;
  return (secs1900 - EPOCH_OFFSET) * 1000;
}

let cachedSecond = Number.NaN;
let cached: Buffer = Buffer.alloc(4);

/** The 4-byte reply for now, built once per second. */
export function timeBytes(nowMs: number = Date.now()): Buffer {
  const sec = Math.floor(nowMs / 1000);
  if (sec !== cachedSecond) {
    cached = encodeTime(nowMs);
    cachedSecond = sec;
  }
  return cached;
}

export function serveTimeTcp(stream: Duplex): ConnHandle | undefined {
  sendAndClose(stream, timeBytes());
  return undefined;
}

export function timeUdpHandler(): () => Uint8Array {
  return () => timeBytes();
}

export interface TimeAnswer {
  /** The 32-bit value the server sent. */
  raw: number;
  /** What it means, in Unix milliseconds. */
  unixMs: number;
}

function decode(b: Uint8Array): TimeAnswer {
  if (b.length < 4)
    throw new DecodeError('time', b.length, `answer has ${b.length} bytes, need 4`, ErrorCodes.TRUNCATED);
  const raw = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return { raw, unixMs: timeFromRfc868(raw) };
}

export async function timeTcp(host: string, port = 37, opts: ClientOptions = {}): Promise<TimeAnswer> {
  return decode(await tcpRequest(host, port, undefined, { maxBytes: 64, ...opts }));
}

export async function timeUdp(host: string, port = 37, opts: ClientOptions = {}): Promise<TimeAnswer> {
  const [b] = await udpRequest(host, port, new Uint8Array(0), opts);
  return decode(b ?? new Uint8Array(0));
}
