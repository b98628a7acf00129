// TCP header (RFC 9293 §3.1) and options: EOL, NOP, MSS (RFC 9293), window scale and timestamps
// (RFC 7323), SACK-permitted and SACK (RFC 2018), TCP Fast Open (RFC 7413); unknown kinds kept with
// their data. Options stay raw in the header value and are parsed on demand. The checksum covers a
// pseudo-header (src/core/checksum.ts: pseudoSumV4/V6 + transportChecksum).

import { EMPTY, u16, u32 } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, invalid, need, target } from './codec.js';

export const TCP_MIN_HEADER_LEN = 20;

/** Flag bits of the 12-bit field `((b[12] & 0x0f) << 8) | b[13]` (RFC 9293, RFC 3168, RFC 3540). */
export const TcpFlags = {
  FIN: 0x001,
  SYN: 0x002,
  RST: 0x004,
  PSH: 0x008,
  ACK: 0x010,
  URG: 0x020,
  ECE: 0x040,
  CWR: 0x080,
  /** ECN nonce (RFC 3540, historic); now the AE bit of AccECN. */
  NS: 0x100,
} as const;

export interface TcpHeader {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** 12 bits: 3 reserved, NS, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN. */
  flags: number;
  window: number;
  checksum: number;
  urgent: number;
  /** Option bytes including padding: header length − 20, a multiple of 4 (at most 40). */
  options: Uint8Array;
}

export function tcpHeaderLength(h: TcpHeader): number {
  return TCP_MIN_HEADER_LEN + h.options.length;
}

/** Data offset is checked against 5 and against the bytes before the options are touched. */
export function decodeTcp(b: Uint8Array, off = 0, end?: number): TcpHeader {
  const hl = checkTcp(b, off, endOf(b, end));
  return {
    sport: u16(b, off),
    dport: u16(b, off + 2),
    seq: u32(b, off + 4),
    ack: u32(b, off + 8),
    flags: ((b[off + 12]! & 0x0f) << 8) | b[off + 13]!,
    window: u16(b, off + 14),
    checksum: u16(b, off + 16),
    urgent: u16(b, off + 18),
    options: hl === TCP_MIN_HEADER_LEN ? EMPTY : b.subarray(off + 20, off + hl),
  };
}

/** The checks of `decodeTcp`; returns the header length. Shared with the fast path in frame.ts. */
export function checkTcp(b: Uint8Array, off: number, e: number): number {
  need('tcp', off, TCP_MIN_HEADER_LEN, e);
  const hl = (b[off + 12]! >>> 4) * 4;
  if (hl < TCP_MIN_HEADER_LEN) invalid('tcp', off + 12, `data offset ${hl} bytes < 20`);
  need('tcp', off, hl, e);
  return hl;
}

export function encodeTcp(h: TcpHeader, into?: Uint8Array, off = 0): Uint8Array {
  const hl = tcpHeaderLength(h);
  if (h.options.length % 4 !== 0 || hl > 60) badValue('tcp', 'options must be 0..40 bytes, a multiple of 4');
  checkUint('tcp', 'sport', h.sport, 0xffff);
  checkUint('tcp', 'dport', h.dport, 0xffff);
  checkUint('tcp', 'seq', h.seq, 0xffffffff);
  checkUint('tcp', 'ack', h.ack, 0xffffffff);
  checkUint('tcp', 'flags', h.flags, 0xfff);
  checkUint('tcp', 'window', h.window, 0xffff);
  checkUint('tcp', 'checksum', h.checksum, 0xffff);
  checkUint('tcp', 'urgent', h.urgent, 0xffff);
  const b = target('tcp', into, off, hl);
  const dv = new DataView(b.buffer, b.byteOffset + off, hl);
  dv.setUint16(0, h.sport);
  dv.setUint16(2, h.dport);
  dv.setUint32(4, h.seq);
  dv.setUint32(8, h.ack);
  dv.setUint8(12, ((hl / 4) << 4) | (h.flags >>> 8));
  dv.setUint8(13, h.flags & 0xff);
  dv.setUint16(14, h.window);
  dv.setUint16(16, h.checksum);
  dv.setUint16(18, h.urgent);
  b.set(h.options, off + 20);
  return b;
}

export const tcp: Codec<TcpHeader> = {
  name: 'tcp',
  decode: decodeTcp,
  encodingLength: tcpHeaderLength,
  encode: encodeTcp,
};

/** `S`, `S.`, `P.`, `F.` … in tcpdump's order and letters (`.` is ACK, `E` ECE, `W` CWR, `e` NS). */
export function tcpFlagsText(flags: number): string {
  let s = '';
  if (flags & TcpFlags.FIN) s += 'F';
  if (flags & TcpFlags.SYN) s += 'S';
  if (flags & TcpFlags.RST) s += 'R';
  if (flags & TcpFlags.PSH) s += 'P';
  if (flags & TcpFlags.URG) s += 'U';
  if (flags & TcpFlags.ECE) s += 'E';
  if (flags & TcpFlags.CWR) s += 'W';
  if (flags & TcpFlags.NS) s += 'e';
  if (flags & TcpFlags.ACK) s += '.';
  return s === '' ? 'none' : s;
}

/** Parses `S`, `SA`, `S.`, `PA`, `FPU`, `syn,ack` … into flag bits; undefined on an unknown letter. */
export function parseTcpFlags(text: string): number | undefined {
  const words: Record<string, number> = {
    fin: 1,
    syn: 2,
    rst: 4,
    psh: 8,
    push: 8,
    ack: 0x10,
    urg: 0x20,
    ece: 0x40,
    cwr: 0x80,
    ns: 0x100,
  };
  const t = text.trim();
  if (t === '' || t === 'none') return 0;
  const word = words[t.toLowerCase()];
  if (word !== undefined && t.length > 1) return word;
  if (/[,|+]/.test(t)) {
    let f = 0;
    for (const w of t.toLowerCase().split(/[,|+]/)) {
      const v = words[w.trim()];
      if (v === undefined) return undefined;
      f |= v;
    }
    return f;
  }
  const letters: Record<string, number> = {
    F: 1,
    S: 2,
    R: 4,
    P: 8,
    A: 0x10,
    '.': 0x10,
    U: 0x20,
    E: 0x40,
    W: 0x80,
    C: 0x80,
    N: 0x100,
    e: 0x100,
  };
  let f = 0;
  for (const ch of t) {
    const v = letters[ch] ?? letters[ch.toUpperCase()];
    if (v === undefined) return undefined;
    f |= v;
  }
  return f;
}

// ---- options ----

export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WSCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMP: 8,
  FAST_OPEN: 34,
} as const;

export type TcpOption =
  | { kind: 0 }
  | { kind: 1 }
  | { kind: 2; mss: number }
  | { kind: 3; shift: number }
  | { kind: 4 }
  | { kind: 5; blocks: [number, number][] }
  | { kind: 8; tsval: number; tsecr: number }
  /** Fast Open: an empty cookie is a cookie request (RFC 7413 §4.1.1). */
  | { kind: 34; cookie: Uint8Array }
  | { kind: number; data: Uint8Array };

const FIXED_LEN: Record<number, number> = { 2: 4, 3: 3, 4: 2, 8: 10 };

/**
 * Parses option bytes. Stops after EOL (what follows is padding). Every length byte is checked
 * (≥ 2, within the options, the fixed size for MSS/WS/SACK-permitted/timestamps, 2 + 8n for SACK)
 * before the data is read; a known kind with the wrong length is an error.
 */
export function decodeTcpOptions(raw: Uint8Array, base = 0): TcpOption[] {
  const out: TcpOption[] = [];
  let p = 0;
  while (p < raw.length) {
    const kind = raw[p]!;
    if (kind === 0) {
      out.push({ kind: 0 });
      break;
    }
    if (kind === 1) {
      out.push({ kind: 1 });
      p++;
      continue;
    }
    need('tcp.option', base + p, 2, base + raw.length);
    const len = raw[p + 1]!;
    if (len < 2) invalid('tcp.option', base + p + 1, `option ${kind} length ${len} < 2`);
    need('tcp.option', base + p, len, base + raw.length);
    const fixed = FIXED_LEN[kind];
    if (fixed !== undefined && len !== fixed) {
      invalid('tcp.option', base + p + 1, `option ${kind} length ${len}, expected ${fixed}`);
    }
    const d = p + 2;
    switch (kind) {
      case 2:
        out.push({ kind, mss: u16(raw, d) });
        break;
      case 3:
        out.push({ kind, shift: raw[d]! });
        break;
      case 4:
        out.push({ kind });
        break;
      case 5: {
        if ((len - 2) % 8 !== 0) invalid('tcp.option', base + p + 1, `SACK length ${len} is not 2 + 8n`);
        const blocks: [number, number][] = [];
        for (let q = d; q < p + len; q += 8) blocks.push([u32(raw, q), u32(raw, q + 4)]);
        out.push({ kind, blocks });
        break;
      }
      case 8:
        out.push({ kind, tsval: u32(raw, d), tsecr: u32(raw, d + 4) });
        break;
      case 34:
        out.push({ kind, cookie: raw.subarray(d, p + len) });
        break;
      default:
        out.push({ kind, data: raw.subarray(d, p + len) });
    }
    p += len;
  }
  return out;
}

function optionLength(o: TcpOption): number {
  switch (o.kind) {
    case 0:
    case 1:
      return 1;
    case 5:
      return 2 + 8 * (o as { blocks: unknown[] }).blocks.length;
    case 34:
      return 2 + (o as { cookie: Uint8Array }).cookie.length;
    default: {
      const fixed = FIXED_LEN[o.kind];
      return fixed ?? 2 + (o as { data: Uint8Array }).data.length;
    }
  }
}

/** Encodes options, padded with zeros (EOL) to a multiple of 4; at most 40 bytes. */
export function encodeTcpOptions(opts: TcpOption[]): Uint8Array {
  let n = 0;
  for (const o of opts) n += optionLength(o);
  const out = new Uint8Array((n + 3) & ~3);
  if (out.length > 40) badValue('tcp.option', `options need ${out.length} bytes, at most 40 fit`);
  let p = 0;
  for (const o of opts) {
    checkUint('tcp.option', 'kind', o.kind, 0xff);
    const len = optionLength(o);
    out[p] = o.kind;
    if (len > 1) out[p + 1] = len;
    const d = p + 2;
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    if (o.kind === 2) {
      const { mss } = o as { mss: number };
      checkUint('tcp.option', 'mss', mss, 0xffff);
      dv.setUint16(d, mss);
    } else if (o.kind === 3) {
      const { shift } = o as { shift: number };
      checkUint('tcp.option', 'shift', shift, 0xff);
      out[d] = shift;
    } else if (o.kind === 5) {
      (o as { blocks: [number, number][] }).blocks.forEach(([l, r], i) => {
        checkUint('tcp.option', 'sack edge', l, 0xffffffff);
        checkUint('tcp.option', 'sack edge', r, 0xffffffff);
        dv.setUint32(d + 8 * i, l);
        dv.setUint32(d + 8 * i + 4, r);
      });
    } else if (o.kind === 8) {
      const { tsval, tsecr } = o as { tsval: number; tsecr: number };
      checkUint('tcp.option', 'tsval', tsval, 0xffffffff);
      checkUint('tcp.option', 'tsecr', tsecr, 0xffffffff);
      dv.setUint32(d, tsval);
      dv.setUint32(d + 4, tsecr);
    } else if (o.kind === 34) out.set((o as { cookie: Uint8Array }).cookie, d);
    else if (len > 1 && o.kind !== 4) out.set((o as { data: Uint8Array }).data, d);
    p += len;
  }
  return out;
}
