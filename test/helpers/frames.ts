// Builds test frames byte by byte (Ethernet, VLAN, ARP, IPv4, IPv6 + fragment header, TCP, UDP,
// ICMP, ICMPv6, DNS queries) with correct lengths and checksums, unless told to spoil them.
// Used by the analyzer tests and the read bench; netkit craft (src/wire/encap) is the user-facing builder.

import { parseIPv4, parseIPv6, put16, put32 } from '../../src/core/bytes.js';
import {
  fillIpv4HeaderChecksum,
  fillTransportChecksum,
  pseudoSumV4,
  pseudoSumV6,
} from '../../src/core/checksum.js';

export interface FrameSpec {
  src?: string;
  dst?: string;
  vlan?: number[];
  /** 'ip4' by default when ip addresses are dotted quads, 'ip6' when they contain ':'. */
  ipSrc?: string;
  ipDst?: string;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** In 8-byte units. */
  fragOff?: number;
  /** IPv6: add a fragment header. */
  frag6?: { offset: number; more: boolean; ident: number };
  tcp?: {
    sport: number;
    dport: number;
    seq?: number;
    ack?: number;
    flags?: number;
    win?: number;
    options?: Uint8Array;
  };
  udp?: { sport: number; dport: number };
  icmp?: { type: number; code: number; rest?: number };
  arp?: { op: number; sha: string; spa: string; tha: string; tpa: string };
  /** Upper-layer protocol number when none of tcp/udp/icmp is given. */
  proto?: number;
  payload?: Uint8Array;
  badChecksum?: boolean;
  /** Ethernet type override (e.g. an 802.3 length). */
  etherType?: number;
}

function mac(s: string | undefined, fallback: number[]): number[] {
  return s ? s.split(':').map((x) => Number.parseInt(x, 16)) : fallback;
}

export function dnsQuery(id: number, name: string, qtype = 1, rd = true): Uint8Array {
  const labels = name.split('.').filter(Boolean);
  const q: number[] = [id >> 8, id & 0xff, rd ? 1 : 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  for (const l of labels) q.push(l.length, ...Buffer.from(l, 'ascii'));
  q.push(0, qtype >> 8, qtype & 0xff, 0, 1);
  return Uint8Array.from(q);
}

/** A DNS response with one A answer (name compressed to the question). */
export function dnsResponse(id: number, name: string, addr: string): Uint8Array {
  const q = dnsQuery(id, name);
  q[2] = 0x81;
  q[3] = 0x80;
  q[7] = 1;
  const a = [0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, ...addr.split('.').map(Number)];
  return Uint8Array.from([...q, ...a]);
}

export function buildFrame(s: FrameSpec): Uint8Array {
  const out: number[] = [];
  out.push(
    ...mac(s.dst, [0, 0x11, 0x22, 0x33, 0x44, 0x66]),
    ...mac(s.src, [0, 0x11, 0x22, 0x33, 0x44, 0x55]),
  );
  for (const v of s.vlan ?? []) out.push(0x81, 0x00, v >> 8, v & 0xff);
  const v6 = (s.ipSrc ?? '').includes(':');
  const body = s.arp ? arpBody(s.arp) : s.ipSrc ? ipPacket(s, v6) : (s.payload ?? new Uint8Array(46));
  const et = s.etherType ?? (s.arp ? 0x0806 : s.ipSrc ? (v6 ? 0x86dd : 0x0800) : body.length);
  out.push(et >> 8, et & 0xff);
  const f = Uint8Array.from([...out, ...body]);
  if (f.length >= 60) return f;
  const padded = new Uint8Array(60);
  padded.set(f);
  return padded;
}

function arpBody(a: NonNullable<FrameSpec['arp']>): Uint8Array {
  const b = new Uint8Array(28);
  put16(b, 0, 1);
  put16(b, 2, 0x0800);
  b[4] = 6;
  b[5] = 4;
  put16(b, 6, a.op);
  b.set(mac(a.sha, []), 8);
  put32(b, 14, parseIPv4(a.spa)!);
  b.set(mac(a.tha, []), 18);
  put32(b, 24, parseIPv4(a.tpa)!);
  return b;
}

function l4(s: FrameSpec): { proto: number; bytes: Uint8Array; ckOff: number } {
  const payload = s.payload ?? new Uint8Array(0);
  if (s.tcp) {
    const opts = s.tcp.options ?? new Uint8Array(0);
    const hl = 20 + opts.length;
    const b = new Uint8Array(hl + payload.length);
    put16(b, 0, s.tcp.sport);
    put16(b, 2, s.tcp.dport);
    put32(b, 4, s.tcp.seq ?? 1000);
    put32(b, 8, s.tcp.ack ?? 0);
    b[12] = (hl / 4) << 4;
    b[13] = s.tcp.flags ?? 0x02;
    put16(b, 14, s.tcp.win ?? 65535);
    b.set(opts, 20);
    b.set(payload, hl);
    return { proto: 6, bytes: b, ckOff: 16 };
  }
  if (s.udp) {
    const b = new Uint8Array(8 + payload.length);
    put16(b, 0, s.udp.sport);
    put16(b, 2, s.udp.dport);
    put16(b, 4, b.length);
    b.set(payload, 8);
    return { proto: 17, bytes: b, ckOff: 6 };
  }
  if (s.icmp) {
    const b = new Uint8Array(8 + payload.length);
    b[0] = s.icmp.type;
    b[1] = s.icmp.code;
    put32(b, 4, s.icmp.rest ?? 0);
    b.set(payload, 8);
    return { proto: (s.ipSrc ?? '').includes(':') ? 58 : 1, bytes: b, ckOff: 2 };
  }
  return { proto: s.proto ?? 253, bytes: payload, ckOff: -1 };
}

function ipPacket(s: FrameSpec, v6: boolean): Uint8Array {
  const t = l4(s);
  const fragmented = v6 ? s.frag6 !== undefined && s.frag6.offset !== 0 : (s.fragOff ?? 0) !== 0;
  if (v6) {
    const src = parseIPv6(s.ipSrc!)!;
    const dst = parseIPv6(s.ipDst!)!;
    if (t.ckOff >= 0 && !fragmented) {
      const pseudo = pseudoSumV6(src, 0, dst, 0, t.proto, t.bytes.length);
      fillTransportChecksum(pseudo, t.bytes, 0, t.bytes.length, t.ckOff, t.proto === 17);
      if (s.badChecksum) t.bytes[t.ckOff] = t.bytes[t.ckOff]! ^ 0xff;
    }
    const fh = s.frag6 ? 8 : 0;
    const b = new Uint8Array(40 + fh + t.bytes.length);
    b[0] = 0x60;
    put16(b, 4, fh + t.bytes.length);
    b[6] = s.frag6 ? 44 : t.proto;
    b[7] = s.ttl ?? 64;
    b.set(src, 8);
    b.set(dst, 24);
    if (s.frag6) {
      b[40] = t.proto;
      put16(b, 42, (s.frag6.offset << 3) | (s.frag6.more ? 1 : 0));
      put32(b, 44, s.frag6.ident);
    }
    b.set(t.bytes, 40 + fh);
    return b;
  }
  const src = parseIPv4(s.ipSrc!)!;
  const dst = parseIPv4(s.ipDst!)!;
  if (t.ckOff >= 0 && !fragmented && !s.mf) {
    const pseudo = t.proto === 1 ? 0 : pseudoSumV4(src, dst, t.proto, t.bytes.length);
    fillTransportChecksum(pseudo, t.bytes, 0, t.bytes.length, t.ckOff, t.proto === 17);
    if (s.badChecksum) t.bytes[t.ckOff] = t.bytes[t.ckOff]! ^ 0xff;
  }
  const b = new Uint8Array(20 + t.bytes.length);
  b[0] = 0x45;
  put16(b, 2, b.length);
  put16(b, 4, s.id ?? 1);
  put16(b, 6, (s.df ? 0x4000 : 0) | (s.mf ? 0x2000 : 0) | (s.fragOff ?? 0));
  b[8] = s.ttl ?? 64;
  b[9] = t.proto;
  put32(b, 12, src);
  put32(b, 16, dst);
  fillIpv4HeaderChecksum(b, 0, 20);
  b.set(t.bytes, 20);
  return b;
}
