// DNS messages (RFC 1035 §4.1): header, questions, answer/authority/additional records with
// A, AAAA (RFC 3596), NS, CNAME, PTR, MX, TXT and SOA rdata; other types kept as raw bytes.
// Names use compression pointers (§4.1.4), followed only strictly backwards so that no loop can
// be built, and are capped at 255 octets (§2.3.4). Offsets in pointers are from the message start.

import { formatIPv4, formatIPv6, parseIPv4, parseIPv6, u16, u32 } from '../core/bytes.js';
import { badValue, type Codec, checkUint, endOf, invalid, need } from './codec.js';

export const DNS_HEADER_LEN = 12;
export const MAX_NAME_OCTETS = 255;

export const DnsType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

export const DnsClass = { IN: 1, CH: 3, HS: 4, ANY: 255 } as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(DnsType).map(([k, v]) => [v, k]),
);

/** `A`, `AAAA`, … or `TYPE65` (RFC 3597 §5) for numbers without a name here. */
export function dnsTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `TYPE${t}`;
}

export interface DnsFlags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The reserved Z bit (must be zero). */
  z: boolean;
  /** DNSSEC bits (RFC 4035 §3.2). */
  ad: boolean;
  cd: boolean;
  rcode: number;
}

export interface DnsHeader extends DnsFlags {
  id: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface DnsQuestion {
  /** Presentation form without the final dot; the root is `.`; `\.` `\\` `\DDD` escape label bytes. */
  name: string;
  type: number;
  /** All 16 bits (mDNS puts its unicast-response bit here). */
  class: number;
}

export interface DnsSoa {
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

/**
 * A (dotted quad) and AAAA (RFC 5952 text) as strings; NS/CNAME/PTR a name; MX
 * `{preference, exchange}`; TXT a list of character-strings; SOA its seven fields; any other
 * type the raw rdata bytes.
 */
export type DnsRdata = string | { preference: number; exchange: string } | Uint8Array[] | DnsSoa | Uint8Array;

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: DnsRdata;
}

export interface DnsMessage extends DnsFlags {
  id: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

// ---- header ----

export function decodeDnsHeader(b: Uint8Array, off = 0, end?: number): DnsHeader {
  need('dns', off, DNS_HEADER_LEN, endOf(b, end));
  const f = u16(b, off + 2);
  return {
    id: u16(b, off),
    qr: (f & 0x8000) !== 0,
    opcode: (f >>> 11) & 0xf,
    aa: (f & 0x0400) !== 0,
    tc: (f & 0x0200) !== 0,
    rd: (f & 0x0100) !== 0,
    ra: (f & 0x0080) !== 0,
    z: (f & 0x0040) !== 0,
    ad: (f & 0x0020) !== 0,
    cd: (f & 0x0010) !== 0,
    rcode: f & 0xf,
    qdcount: u16(b, off + 4),
    ancount: u16(b, off + 6),
    nscount: u16(b, off + 8),
    arcount: u16(b, off + 10),
  };
}

function flagsWord(f: DnsFlags): number {
  checkUint('dns', 'opcode', f.opcode, 15);
  checkUint('dns', 'rcode', f.rcode, 15);
  return (
    (f.qr ? 0x8000 : 0) |
    (f.opcode << 11) |
    (f.aa ? 0x400 : 0) |
    (f.tc ? 0x200 : 0) |
    (f.rd ? 0x100 : 0) |
    (f.ra ? 0x80 : 0) |
    (f.z ? 0x40 : 0) |
    (f.ad ? 0x20 : 0) |
    (f.cd ? 0x10 : 0) |
    f.rcode
  );
}

// ---- names ----

function escapeLabel(b: Uint8Array, p: number, len: number): string {
  let plain = true;
  for (let i = p; i < p + len; i++) {
    const c = b[i]!;
    if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) {
    let t = '';
    for (let i = p; i < p + len; i++) t += String.fromCharCode(b[i]!);
    return t;
  }
  let s = '';
  for (let i = p; i < p + len; i++) {
    const c = b[i]!;
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\${String(c).padStart(3, '0')}`;
  }
  return s;
}

/**
 * Reads a possibly compressed name at `off` in the message that starts at `base`. Returns the name
 * and the offset after it in the original position. Every pointer must point before the start of
 * the run of labels it ends, so the walk strictly moves backwards and always terminates; the total
 * is capped at 255 octets.
 */
export function decodeName(
  b: Uint8Array,
  off: number,
  base: number,
  end: number,
): { name: string; next: number } {
  let p = off;
  let next = -1;
  let limit = off; // pointers must go below this
  let octets = 1; // the root label's length byte
  let name = '';
  for (;;) {
    need('dns.name', p, 1, end);
    const len = b[p]!;
    if (len === 0) {
      if (next < 0) next = p + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      need('dns.name', p, 2, end);
      const target = base + (((len & 0x3f) << 8) | b[p + 1]!);
      if (next < 0) next = p + 2;
      if (target >= limit)
        invalid('dns.name', p, `compression pointer to ${target - base} does not point backwards`);
      limit = target;
      p = target;
      continue;
    }
    if (kind !== 0) invalid('dns.name', p, `label type 0x${kind.toString(16)} not supported`);
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) invalid('dns.name', p, 'name longer than 255 octets');
    need('dns.name', p + 1, len, end);
    name += (name ? '.' : '') + escapeLabel(b, p + 1, len);
    p += len + 1;
  }
  return { name: name || '.', next };
}

/** Splits presentation text into label byte arrays, undoing `\.` `\\` `\DDD`. */
export function nameToLabels(name: string): Uint8Array[] {
  if (name === '.' || name === '') return [];
  const text = name;
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let total = 1;
  let endsWithDot = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    endsWithDot = false;
    if (ch === '.') {
      labels.push(Uint8Array.from(cur));
      cur = [];
      endsWithDot = true;
      continue;
    }
    if (ch === '\\') {
      const dec = /^\d{3}/.exec(text.slice(i + 1, i + 4));
      if (dec) {
        const v = Number(dec[0]);
        if (v > 255) badValue('dns.name', `escape \\${dec[0]} > 255`);
        cur.push(v);
        i += 3;
      } else {
        if (i + 1 >= text.length) badValue('dns.name', 'name ends with a backslash');
        cur.push(...new TextEncoder().encode(text[++i]!));
      }
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code < 0x80) cur.push(code);
    else cur.push(...new TextEncoder().encode(ch));
  }
  if (!endsWithDot) labels.push(Uint8Array.from(cur)); // a final unescaped dot is the root: `example.com.`
  for (const l of labels) {
    if (l.length === 0) badValue('dns.name', `empty label in '${name}'`);
    if (l.length > 63) badValue('dns.name', `label longer than 63 octets in '${name}'`);
    total += l.length + 1;
  }
  if (total > MAX_NAME_OCTETS) badValue('dns.name', `'${name}' is longer than 255 octets`);
  return labels;
}

/** Writes names, remembering each suffix's offset for compression (RFC 1035 §4.1.4). */
class NameWriter {
  readonly seen = new Map<string, number>();
  readonly compress: boolean;
  constructor(compress: boolean) {
    this.compress = compress;
  }
  /** Bytes the name takes at this point (depends on what was written before). */
  write(out: number[], name: string): void {
    const labels = nameToLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const key = labels
        .slice(i)
        .map((l) => Array.from(l).join(','))
        .join('|'); // exact bytes: matching case-insensitively would change a name's spelling
      const at = this.compress ? this.seen.get(key) : undefined;
      if (at !== undefined) {
        out.push(0xc0 | (at >>> 8), at & 0xff);
        return;
      }
      if (out.length < 0x4000) this.seen.set(key, out.length);
      out.push(labels[i]!.length, ...labels[i]!);
    }
    out.push(0);
  }
}

// ---- records ----

function readRdata(
  b: Uint8Array,
  type: number,
  p: number,
  rdlen: number,
  base: number,
  end: number,
): DnsRdata {
  const stop = p + rdlen;
  const nameIn = (at: number) => {
    const r = decodeName(b, at, base, stop);
    return r;
  };
  switch (type) {
    case DnsType.A:
      if (rdlen !== 4) invalid('dns.rdata', p, `A rdata length ${rdlen} ≠ 4`);
      return formatIPv4(u32(b, p));
    case DnsType.AAAA:
      if (rdlen !== 16) invalid('dns.rdata', p, `AAAA rdata length ${rdlen} ≠ 16`);
      return formatIPv6(b, p);
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR: {
      const r = nameIn(p);
      if (r.next !== stop) invalid('dns.rdata', p, 'name does not fill the rdata');
      return r.name;
    }
    case DnsType.MX: {
      need('dns.rdata', p, 2, stop);
      const r = nameIn(p + 2);
      if (r.next !== stop) invalid('dns.rdata', p, 'name does not fill the rdata');
      return { preference: u16(b, p), exchange: r.name };
    }
    case DnsType.TXT: {
      const out: Uint8Array[] = [];
      let q = p;
      while (q < stop) {
        const n = b[q]!;
        need('dns.rdata', q + 1, n, stop);
        out.push(b.slice(q + 1, q + 1 + n));
        q += 1 + n;
      }
      return out;
    }
    case DnsType.SOA: {
      const m = nameIn(p);
      const r = decodeName(b, m.next, base, stop);
      need('dns.rdata', r.next, 20, stop);
      if (r.next + 20 !== stop) invalid('dns.rdata', p, 'SOA fields do not fill the rdata');
      const q = r.next;
      return {
        mname: m.name,
        rname: r.name,
        serial: u32(b, q),
        refresh: u32(b, q + 4),
        retry: u32(b, q + 8),
        expire: u32(b, q + 12),
        minimum: u32(b, q + 16),
      };
    }
    default:
      void end;
      return b.slice(p, stop);
  }
}

function writeRdata(out: number[], names: NameWriter, r: DnsRecord): void {
  const lenAt = out.length;
  out.push(0, 0);
  const start = out.length;
  const d = r.data;
  const str = () => {
    if (typeof d !== 'string') badValue('dns.rdata', `${dnsTypeName(r.type)} rdata must be a string`);
    return d;
  };
  const push32 = (v: number) => out.push(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  switch (r.type) {
    case DnsType.A: {
      const v = parseIPv4(str());
      if (v === undefined) badValue('dns.rdata', `bad IPv4 address '${String(d)}'`);
      push32(v);
      break;
    }
    case DnsType.AAAA: {
      const v = parseIPv6(str());
      if (!v) badValue('dns.rdata', `bad IPv6 address '${String(d)}'`);
      out.push(...v);
      break;
    }
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR:
      names.write(out, str());
      break;
    case DnsType.MX: {
      const mx = d as { preference: number; exchange: string };
      checkUint('dns.rdata', 'preference', mx.preference, 0xffff);
      out.push(mx.preference >>> 8, mx.preference & 0xff);
      names.write(out, mx.exchange);
      break;
    }
    case DnsType.TXT:
      for (const s of d as Uint8Array[]) {
        if (s.length > 255) badValue('dns.rdata', 'TXT string longer than 255 bytes');
        out.push(s.length, ...s);
      }
      break;
    case DnsType.SOA: {
      const s = d as DnsSoa;
      names.write(out, s.mname);
      names.write(out, s.rname);
      for (const v of [s.serial, s.refresh, s.retry, s.expire, s.minimum]) {
        checkUint('dns.rdata', 'SOA number', v, 0xffffffff);
        push32(v);
      }
      break;
    }
    default:
      if (!(d instanceof Uint8Array)) badValue('dns.rdata', `${dnsTypeName(r.type)} rdata must be bytes`);
      out.push(...d);
  }
  const n = out.length - start;
  if (n > 0xffff) badValue('dns.rdata', 'rdata longer than 65535 bytes');
  out[lenAt] = n >>> 8;
  out[lenAt + 1] = n & 0xff;
}

// ---- messages ----

/**
 * Decodes a whole message at `off` (UDP payload; for TCP skip the 2-byte length first). The counts
 * are never used to allocate: each entry is read only after its bytes are checked, so a count of
 * 65535 in a short packet ends in TRUNCATED.
 */
export function decodeDns(b: Uint8Array, off = 0, end?: number): DnsMessage {
  const e = endOf(b, end);
  const h = decodeDnsHeader(b, off, e);
  let p = off + DNS_HEADER_LEN;
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < h.qdcount; i++) {
    const n = decodeName(b, p, off, e);
    need('dns.question', n.next, 4, e);
    questions.push({ name: n.name, type: u16(b, n.next), class: u16(b, n.next + 2) });
    p = n.next + 4;
  }
  const section = (count: number): DnsRecord[] => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const n = decodeName(b, p, off, e);
      need('dns.record', n.next, 10, e);
      const type = u16(b, n.next);
      const rdlen = u16(b, n.next + 8);
      need('dns.rdata', n.next + 10, rdlen, e);
      out.push({
        name: n.name,
        type,
        class: u16(b, n.next + 2),
        ttl: u32(b, n.next + 4),
        data: readRdata(b, type, n.next + 10, rdlen, off, e),
      });
      p = n.next + 10 + rdlen;
    }
    return out;
  };
  const answers = section(h.ancount);
  const authorities = section(h.nscount);
  const additionals = section(h.arcount);
  return {
    id: h.id,
    qr: h.qr,
    opcode: h.opcode,
    aa: h.aa,
    tc: h.tc,
    rd: h.rd,
    ra: h.ra,
    z: h.z,
    ad: h.ad,
    cd: h.cd,
    rcode: h.rcode,
    questions,
    answers,
    authorities,
    additionals,
  };
}

/** Encodes to a new array; names are compressed unless `compress` is false. */
export function encodeDnsMessage(m: DnsMessage, compress = true): Uint8Array {
  checkUint('dns', 'id', m.id, 0xffff);
  for (const [k, v] of [
    ['questions', m.questions.length],
    ['answers', m.answers.length],
    ['authorities', m.authorities.length],
    ['additionals', m.additionals.length],
  ] as const) {
    checkUint('dns', k, v, 0xffff);
  }
  const out: number[] = [];
  const f = flagsWord(m);
  const push16 = (v: number) => out.push(v >>> 8, v & 0xff);
  push16(m.id);
  push16(f);
  push16(m.questions.length);
  push16(m.answers.length);
  push16(m.authorities.length);
  push16(m.additionals.length);
  const names = new NameWriter(compress);
  for (const q of m.questions) {
    checkUint('dns', 'type', q.type, 0xffff);
    checkUint('dns', 'class', q.class, 0xffff);
    names.write(out, q.name);
    push16(q.type);
    push16(q.class);
  }
  for (const r of [...m.answers, ...m.authorities, ...m.additionals]) {
    checkUint('dns', 'type', r.type, 0xffff);
    checkUint('dns', 'class', r.class, 0xffff);
    checkUint('dns', 'ttl', r.ttl, 0xffffffff);
    names.write(out, r.name);
    push16(r.type);
    push16(r.class);
    out.push(r.ttl >>> 24, (r.ttl >>> 16) & 0xff, (r.ttl >>> 8) & 0xff, r.ttl & 0xff);
    writeRdata(out, names, r);
  }
  return Uint8Array.from(out);
}

export const dns: Codec<DnsMessage> = {
  name: 'dns',
  decode: decodeDns,
  encodingLength: (m) => encodeDnsMessage(m).length,
  encode: (m, into, off = 0) => {
    const bytes = encodeDnsMessage(m);
    if (!into) {
      if (off === 0) return bytes;
      const b = new Uint8Array(off + bytes.length);
      b.set(bytes, off);
      return b;
    }
    if (off + bytes.length > into.length) badValue('dns', 'buffer too small');
    into.set(bytes, off);
    return into;
  },
};

/** Header fields plus the first question (qname undefined when there is none). */
export interface DnsSummary extends DnsHeader {
  qname: string | undefined;
  qtype: number;
  qclass: number;
}

/**
 * The analyzer's fast path: header fields and the first question's name and type, without
 * decoding the records. Built as one object literal (no spreads: they are slow in V8).
 */
export function decodeDnsSummary(b: Uint8Array, off = 0, end?: number): DnsSummary {
  const e = endOf(b, end);
  need('dns', off, DNS_HEADER_LEN, e);
  const f = u16(b, off + 2);
  const qdcount = u16(b, off + 4);
  let qname: string | undefined;
  let qtype = 0;
  let qclass = 0;
  if (qdcount > 0) {
    const n = decodeName(b, off + DNS_HEADER_LEN, off, e);
    need('dns.question', n.next, 4, e);
    qname = n.name;
    qtype = u16(b, n.next);
    qclass = u16(b, n.next + 2);
  }
  return {
    id: u16(b, off),
    qr: (f & 0x8000) !== 0,
    opcode: (f >>> 11) & 0xf,
    aa: (f & 0x0400) !== 0,
    tc: (f & 0x0200) !== 0,
    rd: (f & 0x0100) !== 0,
    ra: (f & 0x0080) !== 0,
    z: (f & 0x0040) !== 0,
    ad: (f & 0x0020) !== 0,
    cd: (f & 0x0010) !== 0,
    rcode: f & 0xf,
    qdcount,
    ancount: u16(b, off + 6),
    nscount: u16(b, off + 8),
    arcount: u16(b, off + 10),
    qname,
    qtype,
    qclass,
  };
}
