// The layered decode of one frame for display (`-v`) and `--json` (docs: analyzer-json.md), built
// on src/wire's codecs. Never throws: what a codec refuses becomes an entry in `errors`, and a header
// cut short by the snapshot length appears with the fields that were captured.
// Checksums: RFC 791 (IPv4 header), RFC 9293/768 pseudo-headers, RFC 8200 §8.1 (final destination).

import { formatIPv4, formatIPv6, formatMac, readMac } from '../core/bytes.js';
import {
  ipv4HeaderChecksumOk,
  onesSum,
  pseudoSumV4,
  pseudoSumV6,
  transportChecksumOk,
} from '../core/checksum.js';
import { DecodeError, ErrorCodes } from '../core/errors.js';
import { decodeArp } from '../wire/arp.js';
import { decodeDnsSummary } from '../wire/dns.js';
import { decodeLlc } from '../wire/ethernet.js';
import { decodeIpv4 } from '../wire/ipv4.js';
import { decodeIpv6, walkIpv6 } from '../wire/ipv6.js';
import { decodeSll, decodeSll2 } from '../wire/sll.js';
import { decodeTcp, decodeTcpOptions, type TcpOption } from '../wire/tcp.js';

export interface Layer {
  layer: string;
  [field: string]: unknown;
}

export interface Decoded {
  layers: Layer[];
  errors: string[];
}

const u16 = (b: Uint8Array, o: number) => (b[o]! << 8) | b[o + 1]!;
const u32 = (b: Uint8Array, o: number) =>
  b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function hw(b: Uint8Array, off: number, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(b[off + i]!.toString(16).padStart(2, '0'));
  return parts.join(':');
}

class Ctx {
  layers: Layer[] = [];
  errors: string[] = [];
  readonly b: Uint8Array;
  /** True when the frame was cut by the snapshot length (caplen < len). */
  readonly snapped: boolean;
  constructor(b: Uint8Array, snapped: boolean) {
    this.b = b;
    this.snapped = snapped;
  }
  fail(layer: string, e: unknown, end: number): void {
    if (e instanceof DecodeError) {
      if (e.code === ErrorCodes.TRUNCATED) this.errors.push(`${layer}: truncated at ${end}`);
      else this.errors.push(e.message.replace(/ \(at offset \d+\)$/, ''));
    } else this.errors.push(`${layer}: ${(e as Error)?.message ?? String(e)}`);
  }
  truncated(layer: string, at: number): void {
    this.errors.push(`${layer}: truncated at ${at}`);
  }
}

/** Decodes every layer of a frame. */
export function decodeLayers(data: Uint8Array, linktype: number, len: number): Decoded {
  const c = new Ctx(data, data.length < len);
  // Codecs report malformed bytes by throwing DecodeError, which is caught here and becomes an
  // entry in `errors`; nobody sees those stacks, and capturing them was 6% of --json's time.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    link(c, linktype);
  } catch (e) {
    // A codec bug must not take the analyzer down: report it as this packet's error.
    c.errors.push(`analyzer: ${(e as Error)?.message ?? String(e)}`);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return { layers: c.layers, errors: c.errors };
}

function link(c: Ctx, linktype: number): void {
  const b = c.b;
  const end = b.length;
  let type: number;
  let off: number;
  switch (linktype) {
    case 1: {
      if (end < 14) {
        const l: Layer = { layer: 'eth' };
        if (end >= 6) l.dst = formatMac(readMac(b, 0));
        if (end >= 12) l.src = formatMac(readMac(b, 6));
        c.layers.push(l);
        c.truncated('eth', end);
        return;
      }
      type = u16(b, 12);
      c.layers.push({ layer: 'eth', src: formatMac(readMac(b, 6)), dst: formatMac(readMac(b, 0)), type });
      off = 14;
      let tags = 0;
      while ((type === 0x8100 || type === 0x88a8 || type === 0x9100) && tags++ < 8) {
        if (off + 4 > end) {
          c.layers.push({ layer: 'vlan', tpid: type });
          c.truncated('vlan', end);
          return;
        }
        const tci = u16(b, off);
        const tpid = type;
        type = u16(b, off + 2);
        c.layers.push({
          layer: 'vlan',
          tpid,
          id: tci & 0xfff,
          pcp: tci >> 13,
          dei: (tci & 0x1000) !== 0,
          type,
        });
        off += 4;
      }
      if (type <= 1500) {
        try {
          const h = decodeLlc(b, off, end);
          const l: Layer = { layer: 'llc', dsap: h.dsap, ssap: h.ssap, control: h.control };
          if (h.snap) {
            l.oui = h.snap.oui;
            l.type = h.snap.type;
          }
          c.layers.push(l);
        } catch (e) {
          c.fail('llc', e, end);
        }
        return;
      }
      break;
    }
    case 113:
      try {
        const h = decodeSll(b, 0, end);
        type = h.type;
        c.layers.push({
          layer: 'linux_sll',
          pkttype: h.pkttype,
          hatype: h.hatype,
          src: hw(b, 6, Math.min(h.halen, 8)),
          type,
        });
        off = 16;
      } catch (e) {
        c.layers.push({ layer: 'linux_sll' });
        c.fail('linux_sll', e, end);
        return;
      }
      break;
    case 276:
      try {
        const h = decodeSll2(b, 0, end);
        type = h.type;
        c.layers.push({
          layer: 'linux_sll2',
          pkttype: h.pkttype,
          hatype: h.hatype,
          ifindex: h.ifindex,
          src: hw(b, 12, Math.min(h.halen, 8)),
          type,
        });
        off = 20;
      } catch (e) {
        c.layers.push({ layer: 'linux_sll2' });
        c.fail('linux_sll2', e, end);
        return;
      }
      break;
    case 101:
    case 228:
    case 229:
    case 12:
      if (end < 1) {
        c.truncated('raw', 0);
        return;
      }
      type = b[0]! >> 4 === 6 ? 0x86dd : 0x0800;
      off = 0;
      break;
    case 0:
    case 108: {
      if (end < 4) {
        c.truncated('null', end);
        return;
      }
      const af = linktype === 108 ? u32(b, 0) : b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! * 16777216);
      const a = af > 0xffff ? ((af >>> 24) | ((af >>> 8) & 0xff00)) & 0xffff : af;
      c.layers.push({ layer: 'null', family: a });
      type = a === 2 ? 0x0800 : a === 24 || a === 28 || a === 30 ? 0x86dd : -1;
      off = 4;
      break;
    }
    default:
      c.errors.push(`link type ${linktype} is not decoded`);
      return;
  }
  network(c, type, off, false);
}

function network(c: Ctx, type: number, off: number, embedded: boolean): void {
  if (type === 0x0800) ipv4(c, off, embedded);
  else if (type === 0x86dd) ipv6(c, off, embedded);
  else if (type === 0x0806 || type === 0x8035) arp(c, off);
}

function arp(c: Ctx, off: number): void {
  const b = c.b;
  try {
    const a = decodeArp(b, off, b.length);
    const addr = (x: Uint8Array) =>
      x.length === 4 ? formatIPv4(u32(x, 0)) : x.length === 6 ? formatMac(readMac(x, 0)) : hex(x);
    c.layers.push({
      layer: 'arp',
      htype: a.htype,
      ptype: a.ptype,
      op: a.op,
      sha: addr(a.sha),
      spa: addr(a.spa),
      tha: addr(a.tha),
      tpa: addr(a.tpa),
    });
  } catch (e) {
    c.layers.push({ layer: 'arp' });
    c.fail('arp', e, b.length);
  }
}

function ipv4(c: Ctx, off: number, embedded: boolean): void {
  const b = c.b;
  const end = b.length;
  let h: ReturnType<typeof decodeIpv4>;
  try {
    h = decodeIpv4(b, off, end);
  } catch (e) {
    // Keep what was captured of a short header, field by field.
    const l: Layer = { layer: 'ipv4' };
    const has = (n: number) => off + n <= end;
    if (has(1)) l.hdr_len = (b[off]! & 15) * 4;
    if (has(2)) l.tos = b[off + 1]!;
    if (has(4)) l.total_length = u16(b, off + 2);
    if (has(6)) l.id = u16(b, off + 4);
    if (has(8)) {
      const ff = u16(b, off + 6);
      l.df = (ff & 0x4000) !== 0;
      l.mf = (ff & 0x2000) !== 0;
      l.frag_offset = ff & 0x1fff;
    }
    if (has(9)) l.ttl = b[off + 8]!;
    if (has(10)) l.proto = b[off + 9]!;
    if (has(12)) l.checksum = u16(b, off + 10);
    if (has(16)) l.src = formatIPv4(u32(b, off + 12));
    if (has(20)) l.dst = formatIPv4(u32(b, off + 16));
    if (embedded) l.embedded = true;
    c.layers.push(l);
    c.fail('ipv4', e, end);
    return;
  }
  const hl = 20 + h.options.length;
  const ipEnd = off + h.totalLength;
  const l: Layer = {
    layer: 'ipv4',
    src: formatIPv4(h.src),
    dst: formatIPv4(h.dst),
    hdr_len: hl,
    tos: h.tos,
    total_length: h.totalLength,
    id: h.id,
    df: h.df,
    mf: h.mf,
    frag_offset: h.fragOffset,
    ttl: h.ttl,
    proto: h.protocol,
    checksum: h.checksum,
    checksum_ok: ipv4HeaderChecksumOk(b, off, hl),
  };
  if (embedded) l.embedded = true;
  c.layers.push(l);
  if (ipEnd > end && !c.snapped && !embedded)
    c.errors.push(`ipv4: total length ${h.totalLength} > ${end - off} available`);
  if (h.fragOffset !== 0) return;
  const lim = Math.min(end, ipEnd);
  const segLen = ipEnd - (off + hl);
  const complete = ipEnd <= end && !h.mf && !embedded;
  const pseudo = () => pseudoSumV4(h.src, h.dst, h.protocol, segLen);
  transport(c, h.protocol, off + hl, lim, segLen, complete, pseudo, embedded, false);
}

function ipv6(c: Ctx, off: number, embedded: boolean): void {
  const b = c.b;
  const end = b.length;
  let h: ReturnType<typeof decodeIpv6>;
  try {
    h = decodeIpv6(b, off, end);
  } catch (e) {
    const l: Layer = { layer: 'ipv6' };
    if (off + 8 <= end) {
      l.plen = u16(b, off + 4);
      l.nxt = b[off + 6]!;
      l.hlim = b[off + 7]!;
    }
    if (embedded) l.embedded = true;
    c.layers.push(l);
    c.fail('ipv6', e, end);
    return;
  }
  const ipEnd = off + 40 + h.payloadLength;
  const lim = Math.min(end, ipEnd);
  const l: Layer = {
    layer: 'ipv6',
    src: formatIPv6(h.src),
    dst: formatIPv6(h.dst),
    nxt: h.nextHeader,
    plen: h.payloadLength,
    hlim: h.hopLimit,
    tclass: h.tclass,
    flow: h.flow,
  };
  if (embedded) l.embedded = true;
  c.layers.push(l);
  if (ipEnd > end && !c.snapped && !embedded)
    c.errors.push(`ipv6: payload length ${h.payloadLength} > ${end - off - 40} available`);
  let chain: ReturnType<typeof walkIpv6>;
  try {
    chain = walkIpv6(b, off, lim);
  } catch (e) {
    c.fail('ipv6', e, lim);
    return;
  }
  for (const x of chain.ext) {
    const name = `ipv6.${x.kind}`;
    const e: Layer =
      x.kind === 'fraghdr'
        ? {
            layer: name,
            nxt: x.header.nextHeader,
            offset: x.header.fragOffset,
            more: x.header.more,
            ident: x.header.ident,
          }
        : x.kind === 'routing'
          ? {
              layer: name,
              nxt: x.header.nextHeader,
              len: b[x.offset + 1]!,
              type: x.header.routingType,
              segleft: x.header.segmentsLeft,
            }
          : { layer: name, nxt: x.header.nextHeader, len: b[x.offset + 1]! };
    if (embedded) e.embedded = true;
    c.layers.push(e);
  }
  if (chain.fragment && chain.fragment.fragOffset !== 0) return;
  const segLen = ipEnd - chain.offset;
  const complete = ipEnd <= end && !chain.fragment && !embedded;
  const src = chain.homeAddress ?? h.src;
  const pseudo = () => pseudoSumV6(src, 0, chain.finalDst, 0, chain.protocol, segLen);
  transport(c, chain.protocol, chain.offset, lim, segLen, complete, pseudo, embedded, true);
}

function optionJson(o: TcpOption): unknown {
  // The codec's values already hold only numbers and arrays except for byte fields.
  if ('data' in o) return { kind: o.kind, data: hex(o.data) };
  if ('cookie' in o) return { kind: o.kind, cookie: hex(o.cookie) };
  return o;
}

function transport(
  c: Ctx,
  proto: number,
  off: number,
  lim: number,
  segLen: number,
  complete: boolean,
  pseudo: () => number,
  embedded: boolean,
  v6: boolean,
): void {
  const b = c.b;
  switch (proto) {
    case 6: {
      let h: ReturnType<typeof decodeTcp>;
      try {
        h = decodeTcp(b, off, lim);
      } catch (e) {
        const l: Layer = { layer: 'tcp' };
        if (off + 4 <= lim) {
          l.sport = u16(b, off);
          l.dport = u16(b, off + 2);
        }
        if (off + 8 <= lim) l.seq = u32(b, off + 4);
        if (off + 12 <= lim) l.ack = u32(b, off + 8);
        if (off + 14 <= lim) l.flags = ((b[off + 12]! & 0x0f) << 8) | b[off + 13]!;
        if (embedded) l.embedded = true;
        c.layers.push(l);
        if (!embedded) c.fail('tcp', e, lim);
        return;
      }
      const hl = 20 + h.options.length;
      let options: unknown[];
      try {
        options = decodeTcpOptions(h.options, off + 20).map(optionJson);
      } catch (e) {
        options = [];
        c.fail('tcp', e, off + hl);
      }
      const l: Layer = {
        layer: 'tcp',
        sport: h.sport,
        dport: h.dport,
        seq: h.seq,
        ack: h.ack,
        flags: h.flags,
        window: h.window,
        hdr_len: hl,
        payload_len: Math.max(0, segLen - hl),
        urg: h.urgent,
        checksum: h.checksum,
        checksum_ok: complete ? transportChecksumOk(pseudo(), b, off, segLen) : null,
        options,
      };
      if (embedded) l.embedded = true;
      c.layers.push(l);
      const p = off + hl;
      if (!embedded && (h.sport === 53 || h.dport === 53) && p + 2 < lim) dns(c, p + 2, lim);
      return;
    }
    case 17: {
      if (off + 8 > lim) {
        const l: Layer = { layer: 'udp' };
        if (off + 4 <= lim) {
          l.sport = u16(b, off);
          l.dport = u16(b, off + 2);
        }
        if (embedded) l.embedded = true;
        c.layers.push(l);
        if (!embedded) c.truncated('udp', lim);
        return;
      }
      const sport = u16(b, off);
      const dport = u16(b, off + 2);
      const length = u16(b, off + 4);
      const checksum = u16(b, off + 6);
      let ok: boolean | null = null;
      if (length < 8) c.errors.push(`udp: length ${length} < 8`);
      else if (length > segLen) {
        if (!embedded) c.errors.push(`udp: length ${length} > ${segLen} available`);
      } else if (complete && !(checksum === 0 && !v6))
        ok = transportChecksumOk(pseudoFor(pseudo, segLen, length, v6), b, off, length);
      const l: Layer = { layer: 'udp', sport, dport, length, checksum, checksum_ok: ok };
      if (embedded) l.embedded = true;
      c.layers.push(l);
      if (!embedded && length >= 8 && (sport === 53 || dport === 53 || sport === 5353 || dport === 5353)) {
        dns(c, off + 8, Math.min(lim, off + Math.min(length, segLen)));
      }
      return;
    }
    case 1:
    case 58: {
      const name = proto === 1 ? 'icmp' : 'icmpv6';
      if (off + 4 > lim) {
        c.layers.push(embedded ? { layer: name, embedded: true } : { layer: name });
        if (!embedded) c.truncated(name, lim);
        return;
      }
      const type = b[off]!;
      const code = b[off + 1]!;
      const checksum = u16(b, off + 2);
      let ok: boolean | null = null;
      if (complete) {
        ok =
          proto === 1
            ? onesSumFold(b, off, segLen) === 0xffff
            : transportChecksumOk(pseudo(), b, off, segLen);
      }
      const l: Layer = { layer: name, type, code, checksum, checksum_ok: ok };
      if (
        off + 8 <= lim &&
        ((proto === 1 && (type === 0 || type === 8)) || (proto === 58 && (type === 128 || type === 129)))
      ) {
        l.id = u16(b, off + 4);
        l.seq = u16(b, off + 6);
      }
      if (embedded) l.embedded = true;
      c.layers.push(l);
      const quotes =
        proto === 1 ? type === 3 || type === 4 || type === 5 || type === 11 || type === 12 : type < 128;
      if (!embedded && quotes && off + 8 < lim) network(c, proto === 1 ? 0x0800 : 0x86dd, off + 8, true);
      return;
    }
  }
}

/** UDP's pseudo-header uses the UDP length field, which may differ from the IP payload length. */
function pseudoFor(pseudo: () => number, segLen: number, udpLen: number, _v6: boolean): number {
  return pseudo() - segLen + udpLen;
}

function onesSumFold(b: Uint8Array, off: number, len: number): number {
  let s = onesSum(b, off, len);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

function dns(c: Ctx, off: number, end: number): void {
  try {
    const s = decodeDnsSummary(c.b, off, end);
    c.layers.push({
      layer: 'dns',
      id: s.id,
      qr: s.qr,
      opcode: s.opcode,
      rcode: s.rcode,
      qdcount: s.qdcount,
      ancount: s.ancount,
      qname: s.qname ?? null,
    });
  } catch (e) {
    if (off + 12 <= end) {
      c.layers.push({ layer: 'dns', id: u16(c.b, off) });
    }
    c.fail('dns', e, end);
  }
}
