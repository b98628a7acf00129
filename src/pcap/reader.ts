// Streaming capture readers: async iterators over any byte stream (a file, stdin, a child's stdout),
// built on the push parser, so memory stays constant however large the file.

import { createReadStream } from 'node:fs';
import type { CaptureRecord, PacketRecord } from './format.js';
import { CaptureParser, type ParserOptions } from './parser.js';

/** Yields the records of a capture in batches (one batch per input chunk) — the fast path. */
export async function* readBatches(
  source: AsyncIterable<Uint8Array>,
  opts: ParserOptions = {},
): AsyncGenerator<CaptureRecord[]> {
  const p = new CaptureParser(opts);
  for await (const chunk of source) {
    const out: CaptureRecord[] = [];
    p.push(chunk, out);
    if (out.length) yield out;
    if (p.failed) return;
  }
  const out: CaptureRecord[] = [];
  p.end(out);
  if (out.length) yield out;
}

/** Yields every record (packets, sections, interfaces, errors …) one at a time. */
export async function* readRecords(
  source: AsyncIterable<Uint8Array>,
  opts: ParserOptions = {},
): AsyncGenerator<CaptureRecord> {
  for await (const batch of readBatches(source, opts)) yield* batch;
}

/** Yields packets only; a fatal or per-record error is thrown as its DecodeError. */
export async function* readPackets(
  source: AsyncIterable<Uint8Array>,
  opts: ParserOptions = {},
): AsyncGenerator<PacketRecord> {
  for await (const batch of readBatches(source, { ...opts, metadata: false })) {
    for (const r of batch) {
      if (r.kind === 'packet') yield r;
      else if (r.kind === 'error') throw r.error;
    }
  }
}

/** A file as a stream of large chunks (1 MiB reads). */
export function fileSource(path: string, chunkSize = 1 << 20): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: chunkSize });
}

/** Parses a whole capture held in memory (tests, small files). */
export function parseCapture(bytes: Uint8Array, opts: ParserOptions = {}): CaptureRecord[] {
  const p = new CaptureParser(opts);
  const out: CaptureRecord[] = [];
  p.push(bytes, out);
  p.end(out);
  return out;
}
