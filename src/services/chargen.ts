// Character Generator (RFC 864), TCP and UDP: 72-character lines rotating through the 95
// printable ASCII characters from space, each ended by CR LF; TCP as fast as the reader takes it.

import net from 'node:net';
import type { Duplex } from 'node:stream';
import { networkError } from '../core/errors.js';
import type { ConnHandle } from '../core/tcp-server.js';

export const LINE_CHARS = 72;
export const LINE_BYTES = 74;
/** 95 lines of 74 bytes: after this the stream repeats. */
export const PERIOD_BYTES = 95 * LINE_BYTES;

/** Line n of the RFC 864 pattern (without CR LF): characters (n mod 95) … (n + 71 mod 95) from ' '. */
export function chargenLine(n: number): string {
  let s = '';
  for (let i = 0; i < LINE_CHARS; i++) s += String.fromCharCode(32 + ((n + i) % 95));
  return s;
}

/** `periods` whole periods of the stream (7,030 bytes each), starting at line 0. */
export function chargenPattern(periods = 1): Buffer {
  const one = Buffer.alloc(PERIOD_BYTES);
  for (let n = 0; n < 95; n++) {
    one.write(chargenLine(n), n * LINE_BYTES, 'latin1');
    one[n * LINE_BYTES + 72] = 13;
    one[n * LINE_BYTES + 73] = 10;
  }
  if (periods === 1) return one;
  const b = Buffer.alloc(PERIOD_BYTES * periods);
  for (let p = 0; p < periods; p++) one.copy(b, p * PERIOD_BYTES);
  return b;
}

/** The block TCP chargen writes again and again: 10 periods (70,300 bytes), so blocks join seamlessly. */
const BLOCK = chargenPattern(10);
/** Two periods: any line start plus up to 95 lines is a contiguous slice, for UDP replies. */
const TWO_PERIODS = BLOCK.subarray(0, 2 * PERIOD_BYTES);

let sourceBlock: Buffer | undefined;
/**
 * The block the TCP handle fast path writes again and again: 100 periods (703,000 bytes), built
 * once and shared by every connection — a slow reader's queue points into it and copies nothing.
 */
export function chargenSourceBlock(): Buffer {
  sourceBlock ??= chargenPattern(100);
  return sourceBlock;
}

export interface ChargenTcpOptions {
  /** Bytes per write (rounded to whole periods, at most 70,300). Default 70,300. */
  blockBytes?: number;
}

/**
 * Serves one TCP chargen connection: writes the stream until the client closes, pausing whenever
 * write() returns false and resuming on 'drain', so at most one block waits in memory. Input is
 * read and thrown away (RFC 864: "data received is thrown away").
 */
export function serveChargenTcp(stream: Duplex, opts: ChargenTcpOptions = {}): ConnHandle {
  const periods = Math.max(1, Math.min(10, Math.floor((opts.blockBytes ?? BLOCK.length) / PERIOD_BYTES)));
  const block = BLOCK.subarray(0, periods * PERIOD_BYTES);
  let stopped = false;
  const pump = () => {
    // A few writes per turn: the socket accepts one block beyond its high-water mark, then asks us to wait.
    while (!stopped && !stream.destroyed && stream.writable) {
      if (!stream.write(block)) {
        stream.once('drain', pump);
        return;
      }
    }
  };
  const stop = () => {
    stopped = true;
  };
  stream.on('data', () => {});
  stream.on('end', () => {
    stop();
    stream.end();
  });
  stream.on('close', stop);
  stream.on('error', stop); // EPIPE / ECONNRESET: the client's rude abort is a normal end
  pump();
  return {
    goodbye() {
      stop();
      stream.end();
    },
  };
}

/**
 * The UDP reply to a datagram of `requestBytes` bytes. Size rule: one 74-byte line, or, for a
 * request of 148 bytes or more, as many whole lines as fit in min(request size, 512). So the
 * reply is never above 512 bytes (RFC 864: "between 0 and 512"), never above 74 bytes for a small
 * request, and never larger than the request once it exceeds one line. `counter` picks the first
 * line, so successive replies walk the ring as OpenBSD inetd's do.
 */
export function chargenUdpReply(requestBytes: number, counter: number): Uint8Array {
  const lines = Math.max(1, Math.min(Math.floor(512 / LINE_BYTES), Math.floor(requestBytes / LINE_BYTES)));
  const start = (((counter % 95) + 95) % 95) * LINE_BYTES;
  return TWO_PERIODS.subarray(start, start + lines * LINE_BYTES);
}

/** A UDP chargen datagram handler (stateful only in which line starts the next reply). */
export function chargenUdpHandler(): (data: Uint8Array) => Uint8Array {
  let counter = 0;
  return (data) => chargenUdpReply(data.length, counter++);
}

export interface ChargenReadOptions {
  /** Stop after this many bytes. */
  bytes?: number;
  /** Stop after this many seconds. */
  seconds?: number;
  /** Every chunk, as it arrives (the CLI prints it). */
  onData?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface ChargenResult {
  bytes: number;
  seconds: number;
  /** Whether every byte matched the RFC 864 pattern (checked against the ring from line 0). */
  matchesRfc864: boolean;
}

/** Reads a TCP chargen stream for a number of bytes or seconds and reports the throughput. */
export function chargenRead(host: string, port = 19, opts: ChargenReadOptions = {}): Promise<ChargenResult> {
  const limit = opts.bytes ?? Number.POSITIVE_INFINITY;
  const where = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    let got = 0;
    let ok = true;
    let t0 = 0;
    let settled = false;
    const s = net.connect({ host, port });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      s.destroy();
      if (err) reject(err);
      else resolve({ bytes: got, seconds: t0 ? (performance.now() - t0) / 1000 : 0, matchesRfc864: ok });
    };
    const onAbort = () => finish();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.seconds !== undefined ? setTimeout(() => finish(), opts.seconds * 1000) : undefined;
    s.on('connect', () => {
      t0 = performance.now();
    });
    s.on('data', (c: Buffer) => {
      const take = Math.min(c.length, limit - got);
      const part = take < c.length ? c.subarray(0, take) : c;
      if (ok) {
        // Compare with the pattern at this offset, one period at a time.
        let off = got % PERIOD_BYTES;
        let i = 0;
        while (i < part.length && ok) {
          const n = Math.min(part.length - i, PERIOD_BYTES - off);
          if (!part.subarray(i, i + n).equals(TWO_PERIODS.subarray(off, off + n))) ok = false;
          i += n;
          off = 0;
        }
      }
      got += take;
      opts.onData?.(part);
      if (got >= limit) finish();
    });
    s.on('end', () => finish());
    s.on('error', (e) => (got > 0 ? finish() : finish(networkError('connect', where, e))));
  });
}
