// Writers for classic pcap (micro/nanosecond, either byte order) and pcapng (SHB, IDB, EPB, SPB,
// NRB, ISB, custom blocks). draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng.
// Each writer encodes into caller-visible byte arrays; `CaptureSink` batches them onto a stream.

import type { Writable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import {
  BlockType,
  LinkType,
  Opt,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PCAPNG_BOM,
  type TsResol,
} from './format.js';
import { MICRO, tsresolToByte, tsToTicks } from './time.js';

/** One packet to write. Missing timestamp = 0; missing `len` = data length. */
export interface WritePacket {
  data: Uint8Array;
  tsSec?: number;
  tsNsec?: number;
  len?: number;
  /** pcapng interface id (default 0). */
  iface?: number;
  /** pcapng epb_flags (written only when non-zero). */
  flags?: number;
  /** pcapng opt_comment. */
  comment?: string;
}

/** The common shape of both writers: a file header, then one encoded record per packet. */
export interface CaptureEncoder {
  header(): Uint8Array;
  packetLength(p: WritePacket): number;
  /** Writes the record at `off`; returns the new offset. `buf` must have packetLength bytes free. */
  packetInto(p: WritePacket, buf: Uint8Array, off: number): number;
  /** One record as its own byte array. */
  packet(p: WritePacket): Uint8Array;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new UsageError(`${name} must be a 32-bit unsigned integer, got ${v}`);
}

export interface PcapWriterOptions {
  linktype?: number;
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d); default microseconds. */
  nano?: boolean;
  /** Byte order of the file; default little-endian. */
  littleEndian?: boolean;
}

/** Classic pcap: a 24-byte file header, then a 16-byte header per record. */
export class PcapWriter implements CaptureEncoder {
  readonly linktype: number;
  readonly snaplen: number;
  readonly nano: boolean;
  readonly littleEndian: boolean;

  constructor(opts: PcapWriterOptions = {}) {
    this.linktype = opts.linktype ?? LinkType.ETHERNET;
    this.snaplen = opts.snaplen ?? 262144;
    this.nano = opts.nano ?? false;
    this.littleEndian = opts.littleEndian ?? true;
    checkU32('linktype', this.linktype);
    checkU32('snaplen', this.snaplen);
  }

  header(): Uint8Array {
    const b = new Uint8Array(24);
    const v = view(b);
    const le = this.littleEndian;
    v.setUint32(0, this.nano ? PCAP_MAGIC_NS : PCAP_MAGIC_US, le);
    v.setUint16(4, 2, le);
    v.setUint16(6, 4, le);
    v.setInt32(8, 0, le); // thiszone: always 0 (UTC)
    v.setUint32(12, 0, le); // sigfigs
    v.setUint32(16, this.snaplen, le);
    v.setUint32(20, this.linktype, le);
    return b;
  }

  packetLength(p: WritePacket): number {
    return 16 + p.data.length;
  }

  packetInto(p: WritePacket, buf: Uint8Array, off: number): number {
    const v = view(buf);
    const le = this.littleEndian;
    const nsec = p.tsNsec ?? 0;
    v.setUint32(off, p.tsSec ?? 0, le);
    v.setUint32(off + 4, this.nano ? nsec : Math.floor(nsec / 1000), le);
    v.setUint32(off + 8, p.data.length, le);
    v.setUint32(off + 12, p.len ?? p.data.length, le);
    buf.set(p.data, off + 16);
    return off + 16 + p.data.length;
  }

  packet(p: WritePacket): Uint8Array {
    const b = new Uint8Array(this.packetLength(p));
    this.packetInto(p, b, 0);
    return b;
  }
}

export interface InterfaceSpec {
  linktype?: number;
  snaplen?: number;
  /** Timestamp resolution (default 10^-6, written as if_tsresol only when different). */
  tsresol?: TsResol;
  /** if_tsoffset in seconds (written only when non-zero). */
  tsoffset?: number;
  name?: string;
  description?: string;
}

export interface PcapngWriterOptions {
  littleEndian?: boolean;
  interfaces?: InterfaceSpec[];
  /** shb_userappl (default "netkit"). */
  userappl?: string;
}

const enc = new TextEncoder();
const pad4 = (n: number) => (n + 3) & ~3;

/** Options as (code, value) pairs; encodes them with padding and opt_endofopt. */
class OptionList {
  items: [number, Uint8Array][] = [];
  add(code: number, value: Uint8Array): this {
    if (value.length > 0xffff) throw new UsageError(`pcapng option ${code} is longer than 65535 bytes`);
    this.items.push([code, value]);
    return this;
  }
  str(code: number, s: string | undefined): this {
    return s === undefined ? this : this.add(code, enc.encode(s));
  }
  get length(): number {
    if (this.items.length === 0) return 0;
    let n = 4;
    for (const [, v] of this.items) n += 4 + pad4(v.length);
    return n;
  }
  write(v: DataView, buf: Uint8Array, off: number, le: boolean): number {
    if (this.items.length === 0) return off;
    for (const [code, val] of this.items) {
      v.setUint16(off, code, le);
      v.setUint16(off + 2, val.length, le);
      buf.set(val, off + 4);
      buf.fill(0, off + 4 + val.length, off + 4 + pad4(val.length));
      off += 4 + pad4(val.length);
    }
    v.setUint32(off, 0, le);
    return off + 4;
  }
}

/** pcapng: an SHB and IDBs up front, then EPBs (and any other block on request). */
export class PcapngWriter implements CaptureEncoder {
  readonly littleEndian: boolean;
  readonly interfaces: Required<Pick<InterfaceSpec, 'linktype' | 'snaplen' | 'tsresol' | 'tsoffset'>>[];
  private readonly specs: InterfaceSpec[];
  private readonly userappl: string;

  constructor(opts: PcapngWriterOptions = {}) {
    this.littleEndian = opts.littleEndian ?? true;
    this.specs = opts.interfaces ?? [{}];
    if (this.specs.length === 0) throw new UsageError('pcapng writer needs at least one interface');
    this.interfaces = this.specs.map((s) => ({
      linktype: s.linktype ?? LinkType.ETHERNET,
      snaplen: s.snaplen ?? 262144,
      tsresol: s.tsresol ?? MICRO,
      tsoffset: s.tsoffset ?? 0,
    }));
    for (const i of this.interfaces) {
      if (!Number.isInteger(i.linktype) || i.linktype < 0 || i.linktype > 0xffff)
        throw new UsageError(`pcapng linktype must be 0..65535, got ${i.linktype}`);
      checkU32('snaplen', i.snaplen);
    }
    this.userappl = opts.userappl ?? 'netkit';
  }

  private block(
    type: number,
    bodyLen: number,
    fill: (v: DataView, b: Uint8Array, off: number) => void,
  ): Uint8Array {
    const total = 12 + pad4(bodyLen);
    const b = new Uint8Array(total);
    const v = view(b);
    const le = this.littleEndian;
    v.setUint32(0, type, le);
    v.setUint32(4, total, le);
    fill(v, b, 8);
    v.setUint32(total - 4, total, le);
    return b;
  }

  /** The Section Header Block followed by one IDB per interface. */
  header(): Uint8Array {
    const parts = [this.sectionHeader(), ...this.interfaces.map((_, i) => this.interfaceBlock(i))];
    return concat(parts);
  }

  sectionHeader(): Uint8Array {
    const opts = new OptionList().str(Opt.SHB_USERAPPL, this.userappl);
    const le = this.littleEndian;
    return this.block(BlockType.SHB, 16 + opts.length, (v, b, off) => {
      v.setUint32(off, PCAPNG_BOM, le);
      v.setUint16(off + 4, 1, le);
      v.setUint16(off + 6, 0, le);
      // Section length -1: "not specified".
      v.setInt32(off + 8, -1, le);
      v.setInt32(off + 12, -1, le);
      opts.write(v, b, off + 16, le);
    });
  }

  interfaceBlock(i: number): Uint8Array {
    const s = this.specs[i]!;
    const f = this.interfaces[i]!;
    const le = this.littleEndian;
    const opts = new OptionList().str(Opt.IF_NAME, s.name).str(Opt.IF_DESCRIPTION, s.description);
    if (f.tsresol.binary || f.tsresol.exp !== 6)
      opts.add(Opt.IF_TSRESOL, Uint8Array.of(tsresolToByte(f.tsresol)));
    if (f.tsoffset !== 0) {
      const o = new Uint8Array(8);
      view(o).setBigInt64(0, BigInt(f.tsoffset), le);
      opts.add(Opt.IF_TSOFFSET, o);
    }
    return this.block(BlockType.IDB, 8 + opts.length, (v, b, off) => {
      v.setUint16(off, f.linktype, le);
      v.setUint16(off + 2, 0, le);
      v.setUint32(off + 4, f.snaplen, le);
      opts.write(v, b, off + 8, le);
    });
  }

  private epbOptions(p: WritePacket): OptionList | undefined {
    if (!p.flags && p.comment === undefined) return undefined;
    const o = new OptionList().str(Opt.COMMENT, p.comment);
    if (p.flags) {
      const f = new Uint8Array(4);
      view(f).setUint32(0, p.flags, this.littleEndian);
      o.add(Opt.EPB_FLAGS, f);
    }
    return o;
  }

  packetLength(p: WritePacket): number {
    return 32 + pad4(p.data.length) + (this.epbOptions(p)?.length ?? 0);
  }

  /** An Enhanced Packet Block. */
  packetInto(p: WritePacket, buf: Uint8Array, off: number): number {
    const iface = p.iface ?? 0;
    const f = this.interfaces[iface];
    if (!f) throw new UsageError(`packet names interface ${iface}, but only ${this.interfaces.length} exist`);
    const opts = this.epbOptions(p);
    const total = 32 + pad4(p.data.length) + (opts?.length ?? 0);
    const v = view(buf);
    const le = this.littleEndian;
    const [hi, lo] = tsToTicks((p.tsSec ?? 0) - f.tsoffset, p.tsNsec ?? 0, f.tsresol);
    v.setUint32(off, BlockType.EPB, le);
    v.setUint32(off + 4, total, le);
    v.setUint32(off + 8, iface, le);
    v.setUint32(off + 12, hi, le);
    v.setUint32(off + 16, lo, le);
    v.setUint32(off + 20, p.data.length, le);
    v.setUint32(off + 24, p.len ?? p.data.length, le);
    buf.set(p.data, off + 28);
    const end = off + 28 + pad4(p.data.length);
    buf.fill(0, off + 28 + p.data.length, end);
    const after = opts ? opts.write(v, buf, end, le) : end;
    v.setUint32(after, total, le);
    return after + 4;
  }

  packet(p: WritePacket): Uint8Array {
    const b = new Uint8Array(this.packetLength(p));
    this.packetInto(p, b, 0);
    return b;
  }

  /** A Simple Packet Block (interface 0, no timestamp). */
  simplePacket(data: Uint8Array, len = data.length): Uint8Array {
    const le = this.littleEndian;
    return this.block(BlockType.SPB, 4 + data.length, (v, b, off) => {
      v.setUint32(off, len, le);
      b.set(data, off + 4);
    });
  }

  /** An obsolete Packet Block (type 2), for readers' tests. */
  obsoletePacket(p: WritePacket): Uint8Array {
    const le = this.littleEndian;
    const iface = p.iface ?? 0;
    const f = this.interfaces[iface] ?? this.interfaces[0]!;
    const [hi, lo] = tsToTicks((p.tsSec ?? 0) - f.tsoffset, p.tsNsec ?? 0, f.tsresol);
    return this.block(BlockType.OPB, 20 + p.data.length, (v, b, off) => {
      v.setUint16(off, iface, le);
      v.setUint16(off + 2, 0, le);
      v.setUint32(off + 4, hi, le);
      v.setUint32(off + 8, lo, le);
      v.setUint32(off + 12, p.data.length, le);
      v.setUint32(off + 16, p.len ?? p.data.length, le);
      b.set(p.data, off + 20);
    });
  }

  /** A Name Resolution Block. */
  names(entries: { address: Uint8Array; names: string[] }[]): Uint8Array {
    const recs = entries.map((e) => {
      if (e.address.length !== 4 && e.address.length !== 16)
        throw new UsageError('NRB address must be 4 or 16 bytes');
      const names = e.names.map((n) => enc.encode(`${n}\0`));
      const value = concat([e.address, ...names]);
      return { type: e.address.length === 4 ? 1 : 2, value };
    });
    const bodyLen = recs.reduce((n, r) => n + 4 + pad4(r.value.length), 0) + 4;
    const le = this.littleEndian;
    return this.block(BlockType.NRB, bodyLen, (v, b, off) => {
      for (const r of recs) {
        v.setUint16(off, r.type, le);
        v.setUint16(off + 2, r.value.length, le);
        b.set(r.value, off + 4);
        off += 4 + pad4(r.value.length);
      }
      v.setUint32(off, 0, le);
    });
  }

  /** An Interface Statistics Block with isb_ifrecv / isb_ifdrop. */
  stats(iface: number, tsSec: number, tsNsec: number, received?: number, dropped?: number): Uint8Array {
    const le = this.littleEndian;
    const f = this.interfaces[iface] ?? this.interfaces[0]!;
    const [hi, lo] = tsToTicks(tsSec - f.tsoffset, tsNsec, f.tsresol);
    const opts = new OptionList();
    const u64 = (n: number) => {
      const o = new Uint8Array(8);
      view(o).setBigUint64(0, BigInt(n), le);
      return o;
    };
    if (received !== undefined) opts.add(Opt.ISB_IFRECV, u64(received));
    if (dropped !== undefined) opts.add(Opt.ISB_IFDROP, u64(dropped));
    return this.block(BlockType.ISB, 12 + opts.length, (v, b, off) => {
      v.setUint32(off, iface, le);
      v.setUint32(off + 4, hi, le);
      v.setUint32(off + 8, lo, le);
      opts.write(v, b, off + 12, le);
    });
  }

  /** A Custom Block (copyable 0x00000BAD or not 0x40000BAD) with a Private Enterprise Number. */
  custom(pen: number, data: Uint8Array, copyable = true): Uint8Array {
    const le = this.littleEndian;
    return this.block(
      copyable ? BlockType.CUSTOM_COPY : BlockType.CUSTOM_NOCOPY,
      4 + data.length,
      (v, b, off) => {
        v.setUint32(off, pen, le);
        b.set(data, off + 4);
      },
    );
  }

  /** Any block type with a raw body (for tests of unknown-block skipping). */
  rawBlock(type: number, body: Uint8Array): Uint8Array {
    return this.block(type, body.length, (_v, b, off) => b.set(body, off));
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Encodes a whole capture in memory (tests, small files). */
export function encodeCapture(enc: CaptureEncoder, packets: Iterable<WritePacket>): Uint8Array {
  const parts = [enc.header()];
  for (const p of packets) {
    const b = new Uint8Array(enc.packetLength(p));
    enc.packetInto(p, b, 0);
    parts.push(b);
  }
  return concat(parts);
}

/**
 * Batches encoded records into large chunks and writes them to a stream with backpressure:
 * `await sink.write(p)` resolves at once unless the stream asked to wait.
 */
export class CaptureSink {
  private buf: Uint8Array;
  private off = 0;
  private readonly out: Writable;
  private readonly enc: CaptureEncoder;

  constructor(out: Writable, enc: CaptureEncoder, chunkSize = 1 << 20) {
    this.out = out;
    this.enc = enc;
    this.buf = new Uint8Array(chunkSize);
    this.raw(enc.header());
  }

  /** Appends already-encoded bytes (an extra block, a second section). */
  raw(bytes: Uint8Array): void {
    if (this.off + bytes.length > this.buf.length) this.flushSync();
    if (bytes.length > this.buf.length) {
      this.out.write(bytes);
      return;
    }
    this.buf.set(bytes, this.off);
    this.off += bytes.length;
  }

  /** Adds one packet; returns a promise only when the stream needs draining. */
  write(p: WritePacket): Promise<void> | undefined {
    const n = this.enc.packetLength(p);
    let waited: boolean | undefined;
    if (this.off + n > this.buf.length) waited = this.flushSync();
    if (n > this.buf.length) {
      this.out.write(this.enc.packet(p));
    } else {
      this.off = this.enc.packetInto(p, this.buf, this.off);
    }
    return waited === false ? drain(this.out) : undefined;
  }

  /** Writes what is buffered; false when the stream wants a 'drain'. */
  private flushSync(): boolean {
    if (this.off === 0) return true;
    const chunk = this.buf.slice(0, this.off);
    this.off = 0;
    return this.out.write(chunk);
  }

  /** Flushes and ends the stream; resolves when it has finished. */
  async end(): Promise<void> {
    this.flushSync();
    await new Promise<void>((resolve, reject) => {
      this.out.once('error', reject);
      this.out.end(() => resolve());
    });
  }

  /** Flushes without ending. */
  async flush(): Promise<void> {
    if (!this.flushSync()) await drain(this.out);
  }
}

function drain(out: Writable): Promise<void> {
  return new Promise((resolve) => out.once('drain', resolve));
}
