// A push parser for pcap and pcapng: feed chunks of any size, get records. Constant memory: a
// record is a view into the chunk that holds it, copied only when it spans chunks; oversized blocks
// are skipped by length without buffering. draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng.

import { DecodeError, ErrorCodes } from '../core/errors.js';
import {
  BlockType,
  type CaptureRecord,
  DEFAULT_MAX_RECORD,
  type InterfaceRecord,
  Opt,
  type PacketRecord,
  PCAP_MAGIC_NS,
  PCAP_MAGIC_US,
  PCAPNG_BOM,
  type SectionRecord,
} from './format.js';
import { MICRO, type Ts, ticksToTs, tsresolFromByte } from './time.js';

/**
 * Where the parser puts records: an array, or any object whose push() handles each record at once
 * (so that a reader need not hold a chunk's worth of records; a record's `data` is a view that is
 * valid until the next push()).
 */
export interface RecordSink {
  push(r: CaptureRecord): unknown;
}

export interface ParserOptions {
  /**
   * Hand every packet over in the same PacketRecord object, refilled for each one: for a sink that
   * is done with a record when its push() returns (the analyzer), it saves an object per packet.
   * Default false: every record is a new object that may be kept.
   */
  reuseRecords?: boolean;
  /** Largest captured packet accepted (default 262144); larger records become error records. */
  maxRecord?: number;
  /** Keep the data of pcapng Custom Blocks (default false: only their PEN is reported). */
  keepCustom?: boolean;
  /** Report non-packet blocks (section, interface, names, stats, custom, skipped) — default true. */
  metadata?: boolean;
}

const S_MAGIC = 0;
const S_PCAP = 1;
const S_PCAPNG = 2;
const S_FAILED = 3;

/** Room for options around a packet's data inside one pcapng block. */
const BLOCK_SLACK = 65536;

const td = new TextDecoder('utf-8', { fatal: false });
const pad4 = (n: number) => (n + 3) & ~3;

export class CaptureParser {
  private state = S_MAGIC;
  private le = true;
  private nano = false;
  private linktype = 0;
  private snaplen = 0;
  private interfaces: InterfaceRecord[] = [];
  private pend: Uint8Array | undefined;
  private pendLen = 0;
  private skip = 0;
  private readonly maxRecord: number;
  private readonly maxBlock: number;
  private readonly keepCustom: boolean;
  private readonly reuse: boolean;
  private readonly rec: PacketRecord = {
    kind: 'packet',
    iface: 0,
    linktype: 0,
    tsSec: 0,
    tsNsec: 0,
    caplen: 0,
    len: 0,
    data: new Uint8Array(0),
    offset: 0,
    block: 'pcap',
    flags: 0,
  };
  private readonly metadata: boolean;
  private readonly ts: Ts = { sec: 0, nsec: 0 };
  /** Absolute offset of the next byte not yet consumed. */
  offset = 0;
  /** Packets produced so far. */
  packets = 0;

  constructor(opts: ParserOptions = {}) {
    this.maxRecord = opts.maxRecord ?? DEFAULT_MAX_RECORD;
    this.maxBlock = this.maxRecord + BLOCK_SLACK;
    this.keepCustom = opts.keepCustom ?? false;
    this.metadata = opts.metadata ?? true;
    this.reuse = opts.reuseRecords ?? false;
  }

  /** True once a fatal error stopped the parser; later input is ignored. */
  get failed(): boolean {
    return this.state === S_FAILED;
  }

  /** Bytes held back waiting for the rest of a record (bounded by the record limit). */
  get bufferedBytes(): number {
    return this.pendLen;
  }

  /** Feeds one chunk; appends every complete record to `out`. */
  push(input: Uint8Array, out: RecordSink): void {
    // Records are views: a plain Uint8Array's subarray is much cheaper than a Buffer's.
    const chunk =
      input.constructor === Uint8Array
        ? input
        : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    let pos = 0;
    while (this.pend !== undefined) {
      if (this.state === S_FAILED) return;
      const p = this.pend;
      const take = Math.min(p.length - this.pendLen, chunk.length - pos);
      p.set(chunk.subarray(pos, pos + take), this.pendLen);
      this.pendLen += take;
      pos += take;
      if (this.pendLen < p.length) return;
      const r = this.unit(p, new DataView(p.buffer, p.byteOffset, p.byteLength), 0, this.pendLen, out);
      if (r < 0) {
        const g = new Uint8Array(-r);
        g.set(p);
        this.pend = g;
        continue;
      }
      if (r === 0) continue;
      this.offset += r;
      const rest = p.subarray(r, this.pendLen);
      this.pend = undefined;
      this.pendLen = 0;
      if (rest.length) this.pushFresh(rest, out);
    }
    if (pos < chunk.length) this.pushFresh(pos === 0 ? chunk : chunk.subarray(pos), out);
  }

  private pushFresh(buf: Uint8Array, out: RecordSink): void {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      if (this.state === S_FAILED) return;
      if (this.skip > 0) {
        const n = Math.min(this.skip, end - pos);
        this.skip -= n;
        pos += n;
        this.offset += n;
        continue;
      }
      const r = this.unit(buf, dv, pos, end, out);
      if (r < 0) {
        const need = -r;
        const p = new Uint8Array(need);
        p.set(buf.subarray(pos, end));
        this.pend = p;
        this.pendLen = end - pos;
        return;
      }
      pos += r;
      this.offset += r;
    }
  }

  /** Signals the end of input: reports a record cut short. */
  end(out: RecordSink): void {
    if (this.state === S_FAILED) return;
    if (this.state === S_MAGIC && this.pend === undefined) {
      this.fatal(out, this.offset, 'empty input: not a pcap or pcapng file', ErrorCodes.TRUNCATED);
      return;
    }
    if (this.pend !== undefined) {
      this.fatal(
        out,
        this.offset,
        `input ends inside a ${this.state === S_MAGIC ? 'file header' : 'record'}: ${this.pendLen} of ${this.pend.length} bytes`,
        ErrorCodes.TRUNCATED,
      );
      this.pend = undefined;
      this.pendLen = 0;
    } else if (this.skip > 0) {
      this.fatal(
        out,
        this.offset,
        `input ends inside a skipped block: ${this.skip} bytes missing`,
        ErrorCodes.TRUNCATED,
      );
      this.skip = 0;
    }
  }

  private emit(
    out: RecordSink,
    iface: number,
    linktype: number,
    tsSec: number,
    tsNsec: number,
    caplen: number,
    len: number,
    data: Uint8Array,
    block: PacketRecord['block'],
    flags: number,
  ): void {
    if (this.reuse) {
      const r = this.rec;
      r.iface = iface;
      r.linktype = linktype;
      r.tsSec = tsSec;
      r.tsNsec = tsNsec;
      r.caplen = caplen;
      r.len = len;
      r.data = data;
      r.offset = this.offset;
      r.block = block;
      r.flags = flags;
      out.push(r);
      return;
    }
    out.push({
      kind: 'packet',
      iface,
      linktype,
      tsSec,
      tsNsec,
      caplen,
      len,
      data,
      offset: this.offset,
      block,
      flags,
    });
  }

  private fatal(out: RecordSink, offset: number, msg: string, code: string = ErrorCodes.INVALID): void {
    const layer = this.state === S_PCAP ? 'pcap' : this.state === S_PCAPNG ? 'pcapng' : 'capture';
    out.push({ kind: 'error', error: new DecodeError(layer, offset, msg, code), fatal: true, offset });
    this.state = S_FAILED;
  }

  private soft(out: RecordSink, offset: number, msg: string, code: string = ErrorCodes.INVALID): void {
    const layer = this.state === S_PCAP ? 'pcap' : 'pcapng';
    out.push({ kind: 'error', error: new DecodeError(layer, offset, msg, code), fatal: false, offset });
  }

  /** Parses one unit at `pos`: returns bytes consumed, 0 after a state change, or -(bytes needed). */
  private unit(buf: Uint8Array, dv: DataView, pos: number, end: number, out: RecordSink): number {
    if (this.state === S_PCAP) return this.pcapRecord(buf, dv, pos, end, out);
    if (this.state === S_PCAPNG) return this.pcapngBlock(buf, dv, pos, end, out);
    if (this.state === S_MAGIC) return this.magic(dv, pos, end, out);
    return end - pos;
  }

  private magic(dv: DataView, pos: number, end: number, out: RecordSink): number {
    if (end - pos < 4) return -4;
    const m = dv.getUint32(pos, true);
    if (m === BlockType.SHB) {
      this.state = S_PCAPNG;
      return 0;
    }
    const mb = dv.getUint32(pos, false);
    let le: boolean;
    if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS) le = true;
    else if (mb === PCAP_MAGIC_US || mb === PCAP_MAGIC_NS) le = false;
    else {
      this.fatal(out, this.offset, `not a pcap or pcapng file (magic 0x${mb.toString(16).padStart(8, '0')})`);
      return end - pos;
    }
    if (end - pos < 24) return -24;
    this.le = le;
    this.nano = dv.getUint32(pos, le) === PCAP_MAGIC_NS;
    this.snaplen = dv.getUint32(pos + 16, le);
    // The upper bits of the link-type field carry FCS information (pcap draft, "LinkType and additional information").
    this.linktype = dv.getUint32(pos + 20, le) & 0x0fffffff;
    this.state = S_PCAP;
    if (this.metadata) {
      const s: SectionRecord = {
        kind: 'section',
        format: 'pcap',
        littleEndian: le,
        versionMajor: dv.getUint16(pos + 4, le),
        versionMinor: dv.getUint16(pos + 6, le),
        nano: this.nano,
        snaplen: this.snaplen,
        linktype: this.linktype & 0xffff,
        offset: this.offset,
        options: {},
      };
      out.push(s);
    }
    this.linktype &= 0xffff;
    return 24;
  }

  private pcapRecord(buf: Uint8Array, dv: DataView, pos: number, end: number, out: RecordSink): number {
    if (end - pos < 16) return -16;
    const le = this.le;
    const caplen = dv.getUint32(pos + 8, le);
    if (caplen > this.maxRecord) {
      this.soft(
        out,
        this.offset,
        `record claims ${caplen} captured bytes, above the limit of ${this.maxRecord}; skipped`,
      );
      this.skip = caplen;
      return 16;
    }
    const total = 16 + caplen;
    if (end - pos < total) return -total;
    let sec = dv.getUint32(pos, le);
    let frac = dv.getUint32(pos + 4, le);
    if (!this.nano) frac *= 1000;
    if (frac >= 1_000_000_000) {
      // A malformed sub-second field: carry the whole seconds rather than print a bad timestamp.
      sec += Math.floor(frac / 1_000_000_000);
      frac %= 1_000_000_000;
    }
    this.emit(
      out,
      0,
      this.linktype,
      sec,
      frac,
      caplen,
      dv.getUint32(pos + 12, le),
      buf.subarray(pos + 16, pos + total),
      'pcap',
      0,
    );
    this.packets++;
    return total;
  }

  private pcapngBlock(buf: Uint8Array, dv: DataView, pos: number, end: number, out: RecordSink): number {
    if (end - pos < 8) return -8;
    let le = this.le;
    const type = dv.getUint32(pos, le);
    if (type === BlockType.SHB) {
      if (end - pos < 12) return -12;
      const bom = dv.getUint32(pos + 8, true);
      if (bom === PCAPNG_BOM) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        this.fatal(out, this.offset, `section header has a bad byte-order magic 0x${bom.toString(16)}`);
        return end - pos;
      }
    }
    const total = dv.getUint32(pos + 4, le);
    if (total < 12 || total % 4 !== 0) {
      this.fatal(out, this.offset, `block total length ${total} is not a multiple of 4 of at least 12`);
      return end - pos;
    }
    if (type === BlockType.SHB && total < 28) {
      this.fatal(out, this.offset, `section header block of ${total} bytes is shorter than 28`);
      return end - pos;
    }
    if (total > this.maxBlock) {
      const isPacket = type === BlockType.EPB || type === BlockType.SPB || type === BlockType.OPB;
      if (type === BlockType.SHB || type === BlockType.IDB || isPacket) {
        this.soft(
          out,
          this.offset,
          `block of type 0x${type.toString(16)} is ${total} bytes, above the limit of ${this.maxBlock}; skipped`,
        );
      } else if (this.metadata) {
        out.push({ kind: 'skipped', blockType: type, length: total, offset: this.offset });
      }
      this.skip = total - 8;
      return 8;
    }
    if (end - pos < total) return -total;
    if (dv.getUint32(pos + total - 4, le) !== total) {
      this.fatal(
        out,
        this.offset,
        `block's trailing length ${dv.getUint32(pos + total - 4, le)} differs from its leading length ${total}`,
      );
      return end - pos;
    }
    switch (type) {
      case BlockType.EPB:
        this.epb(buf, dv, pos, total, out);
        break;
      case BlockType.SHB:
        this.shb(buf, dv, pos, total, le, out);
        break;
      case BlockType.IDB:
        this.idb(buf, dv, pos, total, out);
        break;
      case BlockType.SPB:
        this.spb(buf, dv, pos, total, out);
        break;
      case BlockType.OPB:
        this.opb(buf, dv, pos, total, out);
        break;
      case BlockType.NRB:
        if (this.metadata) this.nrb(buf, dv, pos, total, out);
        break;
      case BlockType.ISB:
        if (this.metadata) this.isb(buf, dv, pos, total, out);
        break;
      case BlockType.CUSTOM_COPY:
      case BlockType.CUSTOM_NOCOPY:
        if (this.metadata) {
          if (total < 16) this.soft(out, this.offset, 'custom block shorter than 16 bytes');
          else
            out.push({
              kind: 'custom',
              blockType: type,
              pen: dv.getUint32(pos + 8, le),
              data: this.keepCustom ? buf.slice(pos + 12, pos + total - 4) : undefined,
              copyable: type === BlockType.CUSTOM_COPY,
              offset: this.offset,
            });
        }
        break;
      default:
        if (this.metadata) out.push({ kind: 'skipped', blockType: type, length: total, offset: this.offset });
    }
    return total;
  }

  private shb(buf: Uint8Array, dv: DataView, pos: number, total: number, le: boolean, out: RecordSink): void {
    this.le = le;
    this.interfaces = [];
    const major = dv.getUint16(pos + 12, le);
    if (major !== 1) {
      // "a reader ... MUST NOT attempt to read a section whose major version it does not understand"
      this.fatal(out, this.offset, `pcapng major version ${major} is not supported`);
      return;
    }
    if (!this.metadata) return;
    const options: Record<string, string> = {};
    this.options(
      buf,
      dv,
      pos + 24,
      pos + total - 4,
      (code, s, e) => {
        const name =
          code === Opt.SHB_HARDWARE
            ? 'hardware'
            : code === Opt.SHB_OS
              ? 'os'
              : code === Opt.SHB_USERAPPL
                ? 'userappl'
                : code === Opt.COMMENT
                  ? 'comment'
                  : undefined;
        if (name) options[name] = td.decode(buf.subarray(s, e));
      },
      out,
    );
    out.push({
      kind: 'section',
      format: 'pcapng',
      littleEndian: le,
      versionMajor: major,
      versionMinor: dv.getUint16(pos + 14, le),
      nano: false,
      snaplen: 0,
      linktype: 0,
      offset: this.offset,
      options,
    });
  }

  private idb(buf: Uint8Array, dv: DataView, pos: number, total: number, out: RecordSink): void {
    if (total < 20) {
      this.soft(out, this.offset, `interface description block of ${total} bytes is shorter than 20`);
      return;
    }
    const le = this.le;
    const rec: InterfaceRecord = {
      kind: 'interface',
      id: this.interfaces.length,
      linktype: dv.getUint16(pos + 8, le),
      snaplen: dv.getUint32(pos + 12, le),
      tsresol: MICRO,
      tsoffset: 0,
      name: undefined,
      description: undefined,
      offset: this.offset,
    };
    this.options(
      buf,
      dv,
      pos + 16,
      pos + total - 4,
      (code, s, e) => {
        if (code === Opt.IF_TSRESOL && e - s >= 1) rec.tsresol = tsresolFromByte(buf[s]!);
        else if (code === Opt.IF_TSOFFSET && e - s >= 8) rec.tsoffset = Number(dv.getBigInt64(s, le));
        else if (code === Opt.IF_NAME) rec.name = td.decode(buf.subarray(s, e));
        else if (code === Opt.IF_DESCRIPTION) rec.description = td.decode(buf.subarray(s, e));
      },
      out,
    );
    this.interfaces.push(rec);
    if (this.metadata) out.push(rec);
  }

  /** Walks options in [s, e); a malformed option list is reported and the rest ignored. */
  private options(
    _buf: Uint8Array,
    dv: DataView,
    s: number,
    e: number,
    each: (code: number, start: number, end: number) => void,
    out: RecordSink,
  ): void {
    const le = this.le;
    let p = s;
    while (p + 4 <= e) {
      const code = dv.getUint16(p, le);
      const len = dv.getUint16(p + 2, le);
      if (code === Opt.END) return;
      if (p + 4 + len > e) {
        this.soft(
          out,
          this.offset,
          `option ${code} of ${len} bytes runs past its block`,
          ErrorCodes.TRUNCATED,
        );
        return;
      }
      each(code, p + 4, p + 4 + len);
      p += 4 + pad4(len);
    }
  }

  private iface(id: number, out: RecordSink): InterfaceRecord | undefined {
    const f = this.interfaces[id];
    if (!f)
      this.soft(
        out,
        this.offset,
        `packet names interface ${id}, but the section has ${this.interfaces.length}`,
      );
    return f;
  }

  private epb(buf: Uint8Array, dv: DataView, pos: number, total: number, out: RecordSink): void {
    if (total < 32) {
      this.soft(out, this.offset, `enhanced packet block of ${total} bytes is shorter than 32`);
      return;
    }
    const le = this.le;
    const id = dv.getUint32(pos + 8, le);
    const f = this.iface(id, out);
    if (!f) return;
    const caplen = dv.getUint32(pos + 20, le);
    if (caplen > total - 32) {
      this.soft(out, this.offset, `captured length ${caplen} exceeds the block's ${total - 32} data bytes`);
      return;
    }
    if (caplen > this.maxRecord) {
      this.soft(out, this.offset, `packet of ${caplen} bytes is above the limit of ${this.maxRecord}`);
      return;
    }
    ticksToTs(dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le), f.tsresol, this.ts);
    let flags = 0;
    const optStart = pos + 28 + pad4(caplen);
    if (optStart < pos + total - 4) {
      this.options(
        buf,
        dv,
        optStart,
        pos + total - 4,
        (code, s, e) => {
          if (code === Opt.EPB_FLAGS && e - s >= 4) flags = dv.getUint32(s, le);
        },
        out,
      );
    }
    this.emit(
      out,
      id,
      f.linktype,
      this.ts.sec + f.tsoffset,
      this.ts.nsec,
      caplen,
      dv.getUint32(pos + 24, le),
      buf.subarray(pos + 28, pos + 28 + caplen),
      'epb',
      flags,
    );
    this.packets++;
  }

  private spb(buf: Uint8Array, dv: DataView, pos: number, total: number, out: RecordSink): void {
    if (total < 16) {
      this.soft(out, this.offset, `simple packet block of ${total} bytes is shorter than 16`);
      return;
    }
    const f = this.iface(0, out);
    if (!f) return;
    const len = dv.getUint32(pos + 8, this.le);
    // "the Captured Packet Length is the minimum of the Original Packet Length and the snaplen, or
    // the block length minus 16 (the data area)".
    let caplen = Math.min(len, total - 16);
    if (f.snaplen > 0) caplen = Math.min(caplen, f.snaplen);
    this.emit(out, 0, f.linktype, 0, 0, caplen, len, buf.subarray(pos + 12, pos + 12 + caplen), 'spb', 0);
    this.packets++;
  }

  private opb(buf: Uint8Array, dv: DataView, pos: number, total: number, out: RecordSink): void {
    if (total < 32) {
      this.soft(out, this.offset, `packet block of ${total} bytes is shorter than 32`);
      return;
    }
    const le = this.le;
    const id = dv.getUint16(pos + 8, le);
    const f = this.iface(id, out);
    if (!f) return;
    const caplen = dv.getUint32(pos + 20, le);
    if (caplen > total - 32) {
      this.soft(out, this.offset, `captured length ${caplen} exceeds the block's ${total - 32} data bytes`);
      return;
    }
    ticksToTs(dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le), f.tsresol, this.ts);
    this.emit(
      out,
      id,
      f.linktype,
      this.ts.sec + f.tsoffset,
      this.ts.nsec,
      caplen,
      dv.getUint32(pos + 24, le),
      buf.subarray(pos + 28, pos + 28 + caplen),
      'opb',
      0,
    );
    this.packets++;
  }

  private nrb(buf: Uint8Array, dv: DataView, pos: number, total: number, out: RecordSink): void {
    const le = this.le;
    const entries: { family: 4 | 6; address: Uint8Array; names: string[] }[] = [];
    let p = pos + 8;
    const e = pos + total - 4;
    while (p + 4 <= e) {
      const type = dv.getUint16(p, le);
      const len = dv.getUint16(p + 2, le);
      if (type === 0) break;
      if (p + 4 + len > e) {
        this.soft(out, this.offset, `name record of ${len} bytes runs past its block`, ErrorCodes.TRUNCATED);
        break;
      }
      const alen = type === 1 ? 4 : type === 2 ? 16 : 0;
      if (alen > 0 && len >= alen) {
        const names = td
          .decode(buf.subarray(p + 4 + alen, p + 4 + len))
          .split('\0')
          .filter((n) => n.length > 0);
        entries.push({ family: alen === 4 ? 4 : 6, address: buf.slice(p + 4, p + 4 + alen), names });
      }
      p += 4 + pad4(len);
    }
    out.push({ kind: 'names', entries, offset: this.offset });
  }

  private isb(buf: Uint8Array, dv: DataView, pos: number, total: number, out: RecordSink): void {
    if (total < 24) {
      this.soft(out, this.offset, `interface statistics block of ${total} bytes is shorter than 24`);
      return;
    }
    const le = this.le;
    const id = dv.getUint32(pos + 8, le);
    const f = this.interfaces[id];
    ticksToTs(dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le), f?.tsresol ?? MICRO, this.ts);
    let received: number | undefined;
    let dropped: number | undefined;
    this.options(
      buf,
      dv,
      pos + 20,
      pos + total - 4,
      (code, s, e) => {
        if (e - s < 8) return;
        if (code === Opt.ISB_IFRECV) received = Number(dv.getBigUint64(s, le));
        else if (code === Opt.ISB_IFDROP) dropped = Number(dv.getBigUint64(s, le));
      },
      out,
    );
    out.push({
      kind: 'stats',
      iface: id,
      tsSec: this.ts.sec + (f?.tsoffset ?? 0),
      tsNsec: this.ts.nsec,
      received,
      dropped,
      offset: this.offset,
    });
  }
}
