// TCP record marking (RFC 5531 §11): a record is one or more fragments, each a 4-byte header
// (bit 31 = last fragment, bits 0–30 = length) and that many bytes. The reader takes arbitrary
// chunks, bounds the record size before buffering, and copies only across chunk boundaries.

import { DecodeError, ErrorCodes } from '../../core/errors.js';

export const LAST_FRAGMENT = 0x8000_0000;
export const MAX_FRAGMENT = 0x7fff_ffff;

/** Default record limit: 1 MiB (a call or reply larger than this closes the connection). */
export const DEFAULT_MAX_RECORD = 1 << 20;

/** Prefixes a message with one last-fragment header (rpcbind accepts only single-fragment calls). */
export function frameRecord(message: Uint8Array): Uint8Array {
  if (message.length > MAX_FRAGMENT)
    throw new DecodeError('rpc-record', 0, 'message too large for one fragment', ErrorCodes.LIMIT);
  const out = new Uint8Array(message.length + 4);
  writeRecordMark(out, 0, message.length);
  out.set(message, 4);
  return out;
}

/** Writes a last-fragment header for `length` bytes at `at`. */
export function writeRecordMark(buf: Uint8Array, at: number, length: number): void {
  const v = (LAST_FRAGMENT | length) >>> 0;
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/**
 * Incremental record reader. `push(chunk)` returns the records completed by that chunk (views
 * into the chunk when a record lies inside it, otherwise fresh copies). After an error (record
 * over `maxRecord`) the reader stays failed: the connection should be closed.
 */
export class RecordReader {
  readonly maxRecord: number;
  private header = new Uint8Array(4);
  private headerFill = 0;
  /** Bytes still expected in the current fragment (-1: reading a header). */
  private fragLeft = -1;
  private last = false;
  /** Parts of the record so far, and their total length. */
  private parts: Uint8Array[] = [];
  private size = 0;
  /** parts[0 … owned) are our own copies; later ones are views into the current chunk. */
  private owned = 0;
  /** Bytes consumed in total (for error offsets). */
  private offset = 0;
  private failed: DecodeError | undefined;

  constructor(maxRecord = DEFAULT_MAX_RECORD) {
    this.maxRecord = maxRecord;
  }

  /** True between records (nothing buffered): a clean place for the stream to end. */
  get idle(): boolean {
    return this.fragLeft < 0 && this.headerFill === 0 && this.size === 0 && this.parts.length === 0;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.feed(chunk, chunk.length, (bytes, from, to) => {
      out.push(from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to));
    });
    return out;
  }

  /**
   * Reads `chunk[0 … end)` and calls `onRecord(bytes, from, to)` for each record it completes:
   * `bytes[from … to)`, a range of the chunk itself when the record lies inside it (valid only
   * during the call), otherwise of a copy. Throws like `push` (the records before the error have
   * been delivered).
   */
  feed(
    chunk: Uint8Array,
    end: number,
    onRecord: (bytes: Uint8Array, from: number, to: number) => void,
  ): void {
    if (this.failed) throw this.failed;
    let i = 0;
    const n = end;
    while (i < n) {
      if (this.fragLeft < 0) {
        // Fast path: a whole single-fragment record inside this chunk, nothing buffered.
        if (this.headerFill === 0 && this.parts.length === 0 && n - i >= 4) {
          const v = ((chunk[i]! << 24) | (chunk[i + 1]! << 16) | (chunk[i + 2]! << 8) | chunk[i + 3]!) >>> 0;
          const len = v & MAX_FRAGMENT;
          if (v & LAST_FRAGMENT && n - i - 4 >= len && len <= this.maxRecord) {
            i += 4 + len;
            this.offset += 4 + len;
            onRecord(chunk, i - len, i);
            continue;
          }
        }
        const take = Math.min(4 - this.headerFill, n - i);
        this.header.set(chunk.subarray(i, i + take), this.headerFill);
        this.headerFill += take;
        i += take;
        this.offset += take;
        if (this.headerFill < 4) break;
        this.headerFill = 0;
        const h = this.header;
        const v = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
        this.last = (v & LAST_FRAGMENT) !== 0;
        this.fragLeft = v & MAX_FRAGMENT;
        if (this.size + this.fragLeft > this.maxRecord) {
          this.failed = new DecodeError(
            'rpc-record',
            this.offset - 4,
            `record of at least ${this.size + this.fragLeft} bytes exceeds the ${this.maxRecord}-byte limit`,
            ErrorCodes.LIMIT,
          );
          throw this.failed;
        }
      }
      const take = Math.min(this.fragLeft, n - i);
      if (take > 0) {
        // Keep a view for now; copied when the record completes (the chunk may be reused).
        this.parts.push(chunk.subarray(i, i + take));
        this.size += take;
        this.fragLeft -= take;
        i += take;
        this.offset += take;
      }
      if (this.fragLeft === 0) {
        this.fragLeft = -1;
        if (this.last) {
          const rec = this.parts.length === 1 ? this.parts[0]! : concat(this.parts, this.size);
          this.parts = [];
          this.size = 0;
          this.owned = 0;
          onRecord(rec, 0, rec.length);
        }
      }
    }
    // Parts that span past this chunk must not alias it (Node may reuse the memory).
    if (this.parts.length > this.owned) {
      const views = this.parts.splice(this.owned);
      let len = 0;
      for (const v of views) len += v.length;
      this.parts.push(concat(views, len));
      this.owned = this.parts.length;
    }
  }
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let p = 0;
  for (const x of parts) {
    out.set(x, p);
    p += x.length;
  }
  return out;
}
