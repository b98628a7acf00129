// Line framing for text protocols: messages end at LF (CRLF accepted), in any of the text encodings.
// The framer buffers at most `maxLineLength` bytes: a longer line is reported once, never buffered.

import { decodeText, type Encoding, unitSize } from './text.js';

export type Terminator = '\n' | '\r\n' | '';

export type FrameEvent =
  | { kind: 'line'; text: string; terminator: Terminator }
  | { kind: 'overflow'; length: number };

export interface LineFramerOptions {
  encoding?: Encoding;
  /** Maximum bytes in one line, terminator excluded. */
  maxLineLength?: number;
}

export const DEFAULT_MAX_LINE = 8192;

/**
 * Splits a byte stream into lines. `push` returns the complete lines found; `flush` hands out an
 * unterminated remainder as a message (terminator ''). After an overflow the framer discards bytes
 * up to the next terminator and then resumes, so a caller that wants to keep the connection can.
 */
export class LineFramer {
  readonly encoding: Encoding;
  readonly maxLineLength: number;
  private readonly unit: 1 | 2;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private discarding = false;

  constructor(opts: LineFramerOptions = {}) {
    this.encoding = opts.encoding ?? 'utf-8';
    this.maxLineLength = opts.maxLineLength ?? DEFAULT_MAX_LINE;
    this.unit = unitSize(this.encoding);
  }

  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Uint8Array): FrameEvent[] {
    const out: FrameEvent[] = [];
    let start = 0;
    // With a 2-byte code unit a chunk may split a unit: carry the odd byte in `pending`.
    let data = chunk;
    if (this.unit === 2 && this.pendingBytes % 2 === 1) {
      const last = this.popLastByte();
      data = new Uint8Array(chunk.length + 1);
      data[0] = last;
      data.set(chunk, 1);
    }
    for (;;) {
      const nl = this.findLf(data, start);
      if (nl < 0) break;
      const segEnd = nl; // LF excluded
      if (this.discarding) {
        this.discarding = false;
      } else if (this.contentLength(data, start, segEnd) > this.maxLineLength) {
        out.push({ kind: 'overflow', length: this.contentLength(data, start, segEnd) });
      } else {
        out.push(this.takeLine(data.subarray(start, segEnd)));
      }
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + this.unit;
    }
    if (start < data.length) {
      const rest = data.subarray(start);
      if (this.discarding) return out;
      // +unit: the last unit may be the CR of a CRLF still to come, which does not count
      if (this.pendingBytes + rest.length > this.maxLineLength + this.unit) {
        out.push({ kind: 'overflow', length: this.pendingBytes + rest.length });
        this.pending = [];
        this.pendingBytes = 0;
        this.discarding = true;
        return out;
      }
      // copy: the caller's chunk may be reused (pooled buffers)
      this.pending.push(Uint8Array.prototype.slice.call(rest));
      this.pendingBytes += rest.length;
    }
    return out;
  }

  /** Returns the unterminated remainder as a message, if there is one. */
  flush(): FrameEvent | undefined {
    if (this.discarding || this.pendingBytes === 0) return undefined;
    const bytes = this.concatPending(new Uint8Array(0));
    this.pending = [];
    this.pendingBytes = 0;
    let end = bytes.length;
    if (this.unit === 1 && bytes[end - 1] === 0x0d) end--;
    if (this.unit === 2 && end >= 2 && bytes[end - 2] === 0x0d && bytes[end - 1] === 0) end -= 2;
    return { kind: 'line', text: decodeText(bytes.subarray(0, end), this.encoding), terminator: '' };
  }

  /** Bytes of a complete line (pending + data[start, end)), its CR excluded. */
  private contentLength(data: Uint8Array, start: number, end: number): number {
    const total = this.pendingBytes + (end - start);
    const lastUnitAt = end - this.unit;
    let cr: boolean;
    if (lastUnitAt >= start) {
      cr = data[lastUnitAt] === 0x0d && (this.unit === 1 || data[lastUnitAt + 1] === 0);
    } else {
      const last = this.pending[this.pending.length - 1];
      cr = this.unit === 1 && last !== undefined && last[last.length - 1] === 0x0d;
    }
    return cr ? total - this.unit : total;
  }

  private takeLine(tail: Uint8Array): FrameEvent {
    const bytes = this.pendingBytes ? this.concatPending(tail) : tail;
    let end = bytes.length;
    let terminator: Terminator = '\n';
    if (this.unit === 1 && end > 0 && bytes[end - 1] === 0x0d) {
      end--;
      terminator = '\r\n';
    } else if (this.unit === 2 && end >= 2 && bytes[end - 2] === 0x0d && bytes[end - 1] === 0) {
      end -= 2;
      terminator = '\r\n';
    }
    return { kind: 'line', text: decodeText(bytes.subarray(0, end), this.encoding), terminator };
  }

  private concatPending(tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.pendingBytes + tail.length);
    let o = 0;
    for (const p of this.pending) {
      out.set(p, o);
      o += p.length;
    }
    out.set(tail, o);
    return out;
  }

  private popLastByte(): number {
    const last = this.pending[this.pending.length - 1]!;
    const b = last[last.length - 1]!;
    if (last.length === 1) this.pending.pop();
    else this.pending[this.pending.length - 1] = last.subarray(0, last.length - 1);
    this.pendingBytes--;
    return b;
  }

  private findLf(data: Uint8Array, from: number): number {
    if (this.unit === 1) return data.indexOf(0x0a, from);
    // UTF-16LE: LF is the code unit 0A 00 at an even offset from the start of the line. The pending
    // bytes are always an even count here, so offsets within `data` are aligned with `from`.
    for (let i = from; i + 1 < data.length; i += 2) {
      if (data[i] === 0x0a && data[i + 1] === 0) return i;
    }
    return -1;
  }
}
