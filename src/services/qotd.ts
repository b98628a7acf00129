// Quote of the Day (RFC 865), TCP and UDP: a short message under 512 characters, then close.
// Quotes come from a file: fortune style, one quote per block, blocks separated by lines "%".

import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { type ConnHandle, sendAndClose } from '../core/tcp-server.js';
import { type ClientOptions, printableAscii, tcpRequest, udpRequest } from './client.js';

/** RFC 865: "The message should be limited to 512 characters". We keep each under it, CRLFs counted. */
export const MAX_QUOTE_BYTES = 511;
/** A quotes file larger than this is refused: it is read whole. */
export const MAX_QUOTES_FILE = 4 << 20;

export const DEFAULT_QUOTES_FILE = new URL('../../data/quotes.txt', import.meta.url);

export interface Quotes {
  /** Each quote as sent: printable ASCII lines, each ended by CR LF. */
  readonly quotes: readonly Buffer[];
  /** Quotes left out because they were too long or empty after filtering. */
  readonly skipped: number;
}

/**
 * Parses a quotes file. Lines become CRLF-terminated; characters outside printable ASCII become
 * '?'; a quote that would reach 512 bytes is skipped (counted in `skipped`), never cut.
 */
export function parseQuotes(text: string): Quotes {
  const quotes: Buffer[] = [];
  let skipped = 0;
  for (const block of text.replace(/\r\n?/g, '\n').split(/^%[ \t]*$/m)) {
    const lines = block.split('\n').map((l) =>
      l
        .replace(/\t/g, '    ')
        .replace(/[^\x20-\x7e]/g, '?')
        .trimEnd(),
    );
    while (lines.length && lines[0] === '') lines.shift();
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) continue;
    const b = Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');
    if (b.length > MAX_QUOTE_BYTES) skipped++;
    else quotes.push(b);
  }
  return { quotes, skipped };
}

export function loadQuotes(file: string | URL = DEFAULT_QUOTES_FILE): Quotes {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read quotes file ${String(file)}: ${(err as Error).message}`);
  }
  if (text.length > MAX_QUOTES_FILE) {
    throw new UsageError(`quotes file ${String(file)} is over ${MAX_QUOTES_FILE} bytes`);
  }
  const q = parseQuotes(text.toString('latin1'));
  if (q.quotes.length === 0) {
    throw new UsageError(`quotes file ${String(file)} has no quote under 512 bytes`);
  }
  return q;
}

/** Picks quotes in turn: each request gets the next one. */
export class QuoteRing {
  private i = 0;
  readonly quotes: readonly Buffer[];
  constructor(q: Quotes) {
    this.quotes = q.quotes;
  }
  next(): Buffer {
    const b = this.quotes[this.i % this.quotes.length]!;
    this.i = (this.i + 1) % this.quotes.length;
    return b;
  }
}

export function serveQotdTcp(stream: Duplex, ring: QuoteRing): ConnHandle | undefined {
  sendAndClose(stream, ring.next());
  return undefined;
}

export function qotdUdpHandler(ring: QuoteRing): () => Uint8Array {
  return () => ring.next();
}

export async function qotdTcp(host: string, port = 17, opts: ClientOptions = {}): Promise<string> {
  return printableAscii(
    (await tcpRequest(host, port, undefined, { maxBytes: 8192, ...opts })).toString('latin1'),
  );
}

export async function qotdUdp(host: string, port = 17, opts: ClientOptions = {}): Promise<string> {
  const [b] = await udpRequest(host, port, new Uint8Array(0), opts);
  return printableAscii((b ?? Buffer.alloc(0)).toString('latin1'));
}
