// The layered fast path: decodes a captured frame from its link type down to the application
// header, one header value per layer, and never throws — what cannot be decoded ends the list and
// is returned as a DecodeError. Checksums are verified only when asked (see `checksums.ts`).

import { EMPTY, u16, u32 } from '../core/bytes.js';
import { DecodeError, ErrorCodes } from '../core/errors.js';
import { type ArpPacket, decodeArp } from './arp.js';
import { type DnsSummary, decodeDnsSummary } from './dns.js';
import { decodeEthernet, decodeLlc, type EthernetHeader, type LlcHeader, llcLength } from './ethernet.js';
import { decodeIcmp, ICMP_HEADER_LEN, type IcmpHeader, icmpQuotesDatagram } from './icmp.js';
import { decodeIcmpv6, ICMPV6_HEADER_LEN, type Icmpv6Header, icmpv6IsError } from './icmpv6.js';
import { checkIpv4, type Ipv4Header } from './ipv4.js';
import {
  type AhHeader,
  checkIpv6,
  decodeEsp,
  type EspHeader,
  IPV6_HEADER_LEN,
  type Ipv6FragmentHeader,
  type Ipv6Header,
  type Ipv6OptionsHeader,
  type Ipv6RoutingHeader,
  isIpv6ExtHeader,
  walkIpv6,
} from './ipv6.js';
import { EtherType, IpProto, isVlanTpid, LinkType, MAX_8023_LENGTH } from './numbers.js';
import { decodeSll, decodeSll2, type Sll2Header, type SllHeader } from './sll.js';
import { checkTcp, TCP_MIN_HEADER_LEN, type TcpHeader } from './tcp.js';
import { decodeUdp, UDP_HEADER_LEN, type UdpHeader } from './udp.js';
import { decodeVlan, type VlanTag } from './vlan.js';

interface L<N extends string, H> {
  name: N;
  /** Where the header starts in the frame, and its length in bytes. */
  offset: number;
  length: number;
  header: H;
  /** True for headers quoted inside an ICMP/ICMPv6 error. */
  embedded: boolean;
}

export type Layer =
  | L<'eth', EthernetHeader>
  | L<'llc', LlcHeader>
  | L<'linux_sll', SllHeader>
  | L<'linux_sll2', Sll2Header>
  | L<'null', { family: number }>
  | L<'vlan', VlanTag & { tpid: number }>
  | L<'arp', ArpPacket>
  | L<'ipv4', Ipv4Header>
  | L<'ipv6', Ipv6Header>
  | L<'ipv6.hopopts', Ipv6OptionsHeader>
  | L<'ipv6.dstopts', Ipv6OptionsHeader>
  | L<'ipv6.routing', Ipv6RoutingHeader>
  | L<'ipv6.fraghdr', Ipv6FragmentHeader>
  | L<'ah', AhHeader>
  | L<'esp', EspHeader>
  | L<'tcp', TcpHeader>
  | L<'udp', UdpHeader>
  | L<'icmp', IcmpHeader>
  | L<'icmpv6', Icmpv6Header>
  | L<'dns', DnsSummary>;

export type LayerName = Layer['name'];

export interface DecodedFrame {
  layers: Layer[];
  /** Why decoding stopped early; undefined when every header present was decoded. */
  error: DecodeError | undefined;
  /** Where the innermost payload (after the last decoded header) starts and ends. */
  payloadOffset: number;
  payloadEnd: number;
}

export interface DecodeFrameOptions {
  /** Bytes of FCS at the end of each frame (pcapng if_fcslen, usually 0 or 4). */
  fcsLength?: number;
  /** Decode DNS headers on UDP port 53/5353 (default true). */
  dns?: boolean;
}

/** UDP and TCP ports whose payload is decoded as DNS (summary only). */
export const DNS_PORTS: ReadonlySet<number> = new Set([53, 5353]);

const MAX_VLAN_TAGS = 8;
const MAX_IP_NESTING = 4;

/**
 * Decodes `bytes[0..caplen)` as a frame of the given LINKTYPE_. Supported: ETHERNET (Ethernet II
 * and 802.3/LLC/SNAP, stacked VLAN tags), LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL and LOOP (BSD
 * loopback; the family's byte order depends on the capturing host, so both orders are tried).
 */
export function decodeFrame(linkType: number, bytes: Uint8Array, opts?: DecodeFrameOptions): DecodedFrame {
  const layers: Layer[] = [];
  const frame: DecodedFrame = { layers, error: undefined, payloadOffset: 0, payloadEnd: bytes.length };
  let end = bytes.length - (opts?.fcsLength ?? 0);
  if (end < 0) end = 0;
  frame.payloadEnd = end;
  const dnsOn = opts?.dns !== false;
  try {
    let type: number;
    let p: number;
    switch (linkType) {
      case LinkType.ETHERNET: {
        const h = decodeEthernet(bytes, 0, end);
        layers.push({ name: 'eth', offset: 0, length: 14, header: h, embedded: false });
        type = h.type;
        p = 14;
        break;
      }
      case LinkType.LINUX_SLL: {
        const h = decodeSll(bytes, 0, end);
        layers.push({ name: 'linux_sll', offset: 0, length: 16, header: h, embedded: false });
        type = h.type;
        p = 16;
        break;
      }
      case LinkType.LINUX_SLL2: {
        const h = decodeSll2(bytes, 0, end);
        layers.push({ name: 'linux_sll2', offset: 0, length: 20, header: h, embedded: false });
        type = h.type;
        p = 20;
        break;
      }
      case LinkType.NULL:
      case LinkType.LOOP: {
        if (end < 4) throw new DecodeError('null', 0, 'truncated: needs 4 bytes', ErrorCodes.TRUNCATED);
        let family = u32(bytes, 0);
        if (family > 0xffff) family = ((family >>> 24) | ((family >>> 8) & 0xff00)) >>> 0;
        layers.push({ name: 'null', offset: 0, length: 4, header: { family }, embedded: false });
        type =
          family === 2
            ? EtherType.IPV4
            : family === 24 || family === 28 || family === 30
              ? EtherType.IPV6
              : -1;
        p = 4;
        break;
      }
      case LinkType.RAW:
      case LinkType.IPV4:
      case LinkType.IPV6: {
        if (end < 1) throw new DecodeError('ip', 0, 'truncated: needs 1 byte', ErrorCodes.TRUNCATED);
        type = bytes[0]! >>> 4 === 6 ? EtherType.IPV6 : EtherType.IPV4;
        p = 0;
        break;
      }
      default:
        throw new DecodeError('frame', 0, `link type ${linkType} not supported`);
    }
    // VLAN tags, 802.3 length frames.
    for (let tags = 0; ; tags++) {
      if (isVlanTpid(type) && tags < MAX_VLAN_TAGS) {
        if (p + 4 > end) decodeVlan(bytes, p, end); // throws TRUNCATED
        const tci = (bytes[p]! << 8) | bytes[p + 1]!;
        const t = {
          tpid: type,
          pcp: tci >>> 13,
          dei: (tci & 0x1000) !== 0,
          id: tci & 0xfff,
          type: u16(bytes, p + 2),
        };
        layers.push({ name: 'vlan', offset: p, length: 4, header: t, embedded: false });
        type = t.type;
        p += 4;
        continue;
      }
      if (type <= MAX_8023_LENGTH && linkType === LinkType.ETHERNET) {
        // 802.3: the field is the length of the LLC data; anything after it is padding.
        if (p + type < end) end = p + type;
        const h = decodeLlc(bytes, p, end);
        const n = llcLength(h);
        layers.push({ name: 'llc', offset: p, length: n, header: h, embedded: false });
        p += n;
        type = h.snap ? h.snap.type : -1;
        if (type >= 0 && type <= MAX_8023_LENGTH) type = -1;
      }
      break;
    }
    frame.payloadOffset = p;
    frame.payloadEnd = end;
    if (type === EtherType.IPV4 || type === EtherType.IPV6) decodeIp(frame, bytes, p, end, dnsOn, false);
    else if (type === EtherType.ARP) {
      if (p + 8 > end) decodeArp(bytes, p, end); // throws TRUNCATED
      const n = 8 + 2 * (bytes[p + 4]! + bytes[p + 5]!);
      if (p + n > end) decodeArp(bytes, p, end);
      const h = new ArpFast(bytes, p);
      layers.push({ name: 'arp', offset: p, length: n, header: h, embedded: false });
      frame.payloadOffset = p + n;
    }
  } catch (e) {
    if (e instanceof DecodeError) frame.error = e;
    else frame.error = new DecodeError('frame', 0, String((e as Error)?.message ?? e));
  }
  return frame;
}

/** Decodes an IP packet at `p` (IPv4 or IPv6 by its version nibble) and what it carries. */
function decodeIp(
  frame: DecodedFrame,
  b: Uint8Array,
  p: number,
  end: number,
  dnsOn: boolean,
  embedded: boolean,
): void {
  const layers = frame.layers;
  if (p >= end) throw new DecodeError('ip', p, 'truncated: needs 1 byte', ErrorCodes.TRUNCATED);
  let proto: number;
  let q: number;
  let stop: number;
  let firstFragment = true;
  if (b[p]! >>> 4 === 4) {
    const hl = checkIpv4(b, p, end);
    const h = new Ipv4Fast(b, p, hl);
    layers.push({ name: 'ipv4', offset: p, length: hl, header: h, embedded });
    proto = h.protocol;
    q = p + hl;
    // Bytes past Total Length are link padding; bytes missing before it were cut by the snapshot.
    stop = Math.min(p + h.totalLength, end);
    firstFragment = h.fragOffset === 0;
  } else {
    if (b[p]! >>> 4 !== 6) {
      throw new DecodeError('ip', p, `version ${b[p]! >>> 4} is neither 4 nor 6`);
    }
    checkIpv6(b, p, end);
    const nh = b[p + 6]!;
    if (!isIpv6ExtHeader(nh)) {
      // The common case: no extension headers, so no chain to walk.
      const h = new Ipv6Fast(b, p);
      layers.push({ name: 'ipv6', offset: p, length: IPV6_HEADER_LEN, header: h, embedded });
      proto = nh;
      q = p + IPV6_HEADER_LEN;
      const plEnd = q + h.payloadLength;
      stop = h.payloadLength === 0 || plEnd > end ? end : plEnd;
      frame.payloadOffset = q;
      frame.payloadEnd = stop;
      if (embedded) decodeQuotedTransport(frame, b, proto, q, stop);
      else decodeTransport(frame, b, proto, q, stop, dnsOn, false);
      return;
    }
    const c = walkIpv6(b, p, end);
    layers.push({ name: 'ipv6', offset: p, length: IPV6_HEADER_LEN, header: new Ipv6Fast(b, p), embedded });
    for (const x of c.ext) {
      const name = x.kind === 'ah' ? 'ah' : (`ipv6.${x.kind}` as const);
      layers.push({ name, offset: x.offset, length: x.length, header: x.header, embedded } as Layer);
    }
    proto = c.protocol;
    q = c.offset;
    const plEnd = p + IPV6_HEADER_LEN + c.header.payloadLength;
    // Payload Length 0 with a Hop-by-Hop header means a jumbogram (RFC 2675): take what was captured.
    stop = c.header.payloadLength === 0 || plEnd > end ? end : plEnd;
    firstFragment = !c.fragment || c.fragment.fragOffset === 0;
  }
  frame.payloadOffset = q;
  frame.payloadEnd = stop;
  if (!firstFragment) return;
  if (embedded) {
    decodeQuotedTransport(frame, b, proto, q, stop);
    return;
  }
  decodeTransport(frame, b, proto, q, stop, dnsOn, false);
}

/** ICMP errors quote only the start of the transport header: decode it when all of it is there. */
function decodeQuotedTransport(
  frame: DecodedFrame,
  b: Uint8Array,
  proto: number,
  q: number,
  stop: number,
): void {
  const min =
    proto === IpProto.TCP
      ? TCP_MIN_HEADER_LEN
      : proto === IpProto.UDP || proto === IpProto.ICMP || proto === IpProto.ICMPV6
        ? 8
        : 0;
  if (min > 0 && q + min <= stop) decodeTransport(frame, b, proto, q, stop, false, true);
}

function decodeTransport(
  frame: DecodedFrame,
  b: Uint8Array,
  proto: number,
  q: number,
  stop: number,
  dnsOn: boolean,
  embedded: boolean,
): void {
  const layers = frame.layers;
  switch (proto) {
    case IpProto.TCP: {
      const hl = checkTcp(b, q, stop);
      const h = new TcpFast(b, q, hl);
      layers.push({ name: 'tcp', offset: q, length: hl, header: h, embedded });
      frame.payloadOffset = q + hl;
      break;
    }
    case IpProto.UDP: {
      const h = decodeUdp(b, q, stop);
      layers.push({ name: 'udp', offset: q, length: UDP_HEADER_LEN, header: h, embedded });
      frame.payloadOffset = q + UDP_HEADER_LEN;
      if (!embedded && q + h.length < frame.payloadEnd) frame.payloadEnd = q + h.length;
      if (dnsOn && (DNS_PORTS.has(h.sport) || DNS_PORTS.has(h.dport))) {
        const d = decodeDnsSummary(b, frame.payloadOffset, frame.payloadEnd);
        layers.push({
          name: 'dns',
          offset: frame.payloadOffset,
          length: frame.payloadEnd - frame.payloadOffset,
          header: d,
          embedded,
        });
      }
      break;
    }
    case IpProto.ICMP: {
      const h = decodeIcmp(b, q, stop);
      layers.push({ name: 'icmp', offset: q, length: ICMP_HEADER_LEN, header: h, embedded });
      frame.payloadOffset = q + ICMP_HEADER_LEN;
      if (!embedded && icmpQuotesDatagram(h.type)) quoted(frame, b, q + ICMP_HEADER_LEN, stop);
      break;
    }
    case IpProto.ICMPV6: {
      const h = decodeIcmpv6(b, q, stop);
      layers.push({ name: 'icmpv6', offset: q, length: ICMPV6_HEADER_LEN, header: h, embedded });
      frame.payloadOffset = q + ICMPV6_HEADER_LEN;
      if (!embedded && icmpv6IsError(h.type)) quoted(frame, b, q + ICMPV6_HEADER_LEN, stop);
      break;
    }
    case IpProto.IPV4:
    case IpProto.IPV6: {
      // IP in IP (RFC 2003), IPv6 in IPv4 (RFC 4213) or in IPv6 (RFC 2473): the inner packet
      // continues the demultiplexing. Nesting is bounded so a crafted packet cannot recurse deeply.
      if (embedded || q >= stop) break;
      let ips = 0;
      for (const l of layers) if (l.name === 'ipv4' || l.name === 'ipv6') ips++;
      if (ips < MAX_IP_NESTING) decodeIp(frame, b, q, stop, dnsOn, false);
      break;
    }
    case IpProto.ESP: {
      const h = decodeEsp(b, q, stop);
      layers.push({ name: 'esp', offset: q, length: 8, header: h, embedded });
      frame.payloadOffset = q + 8;
      break;
    }
    default:
  }
}

/** The invoking packet inside an ICMP error: its layers are marked embedded; the outer payload span is kept. */
function quoted(frame: DecodedFrame, b: Uint8Array, p: number, stop: number): void {
  if (p >= stop) return;
  const saveOff = frame.payloadOffset;
  const saveEnd = frame.payloadEnd;
  decodeIp(frame, b, p, stop, false, true);
  frame.payloadOffset = saveOff;
  frame.payloadEnd = saveEnd;
}

/** The first layer with this name (outer headers first), or undefined. */
export function findLayer<N extends LayerName>(
  frame: DecodedFrame,
  name: N,
): Extract<Layer, { name: N }> | undefined {
  for (const l of frame.layers) if (l.name === name && !l.embedded) return l as Extract<Layer, { name: N }>;
  return undefined;
}

// ---- fast-path header values ----
// The same fields as the codecs' values (they satisfy the same interfaces), but byte ranges —
// addresses, options — are views made on first access: V8 spends ~100 ns on a subarray and ~3 ns
// on a number field, and most packets never need their option bytes as an array.

class Ipv4Fast implements Ipv4Header {
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly rf: boolean;
  readonly df: boolean;
  readonly mf: boolean;
  readonly fragOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly checksum: number;
  readonly src: number;
  readonly dst: number;
  readonly #b: Uint8Array;
  readonly #o: number;
  readonly #hl: number;
  constructor(b: Uint8Array, o: number, hl: number) {
    const ff = (b[o + 6]! << 8) | b[o + 7]!;
    this.tos = b[o + 1]!;
    this.totalLength = u16(b, o + 2);
    this.id = u16(b, o + 4);
    this.rf = (ff & 0x8000) !== 0;
    this.df = (ff & 0x4000) !== 0;
    this.mf = (ff & 0x2000) !== 0;
    this.fragOffset = ff & 0x1fff;
    this.ttl = b[o + 8]!;
    this.protocol = b[o + 9]!;
    this.checksum = u16(b, o + 10);
    this.src = u32(b, o + 12);
    this.dst = u32(b, o + 16);
    this.#b = b;
    this.#o = o;
    this.#hl = hl;
  }
  get options(): Uint8Array {
    return this.#hl === 20 ? EMPTY : this.#b.subarray(this.#o + 20, this.#o + this.#hl);
  }
  toJSON(): Ipv4Header {
    return { ...this, options: this.options };
  }
}

class Ipv6Fast implements Ipv6Header {
  readonly tclass: number;
  readonly flow: number;
  readonly payloadLength: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly #b: Uint8Array;
  readonly #o: number;
  constructor(b: Uint8Array, o: number) {
    const w = u32(b, o);
    this.tclass = (w >>> 20) & 0xff;
    this.flow = w & 0xfffff;
    this.payloadLength = u16(b, o + 4);
    this.nextHeader = b[o + 6]!;
    this.hopLimit = b[o + 7]!;
    this.#b = b;
    this.#o = o;
  }
  /** Also readable without a view: formatIPv6(bytes, layer.offset + 8). */
  get src(): Uint8Array {
    return this.#b.subarray(this.#o + 8, this.#o + 24);
  }
  /** formatIPv6(bytes, layer.offset + 24). */
  get dst(): Uint8Array {
    return this.#b.subarray(this.#o + 24, this.#o + 40);
  }
  toJSON(): Ipv6Header {
    return { ...this, src: this.src, dst: this.dst };
  }
}

class TcpFast implements TcpHeader {
  readonly sport: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly window: number;
  readonly checksum: number;
  readonly urgent: number;
  readonly #b: Uint8Array;
  readonly #o: number;
  readonly #hl: number;
  constructor(b: Uint8Array, o: number, hl: number) {
    this.sport = u16(b, o);
    this.dport = u16(b, o + 2);
    this.seq = u32(b, o + 4);
    this.ack = u32(b, o + 8);
    this.flags = ((b[o + 12]! & 0x0f) << 8) | b[o + 13]!;
    this.window = u16(b, o + 14);
    this.checksum = u16(b, o + 16);
    this.urgent = u16(b, o + 18);
    this.#b = b;
    this.#o = o;
    this.#hl = hl;
  }
  get options(): Uint8Array {
    return this.#hl === 20 ? EMPTY : this.#b.subarray(this.#o + 20, this.#o + this.#hl);
  }
  toJSON(): TcpHeader {
    return { ...this, options: this.options };
  }
}

class ArpFast implements ArpPacket {
  readonly htype: number;
  readonly ptype: number;
  readonly op: number;
  readonly #b: Uint8Array;
  readonly #o: number;
  constructor(b: Uint8Array, o: number) {
    this.htype = u16(b, o);
    this.ptype = u16(b, o + 2);
    this.op = u16(b, o + 6);
    this.#b = b;
    this.#o = o;
  }
  #at(i: number, len: number): Uint8Array {
    return this.#b.subarray(this.#o + 8 + i, this.#o + 8 + i + len);
  }
  get sha(): Uint8Array {
    return this.#at(0, this.#b[this.#o + 4]!);
  }
  get spa(): Uint8Array {
    return this.#at(this.#b[this.#o + 4]!, this.#b[this.#o + 5]!);
  }
  get tha(): Uint8Array {
    return this.#at(this.#b[this.#o + 4]! + this.#b[this.#o + 5]!, this.#b[this.#o + 4]!);
  }
  get tpa(): Uint8Array {
    return this.#at(2 * this.#b[this.#o + 4]! + this.#b[this.#o + 5]!, this.#b[this.#o + 5]!);
  }
  toJSON(): ArpPacket {
    return { ...this, sha: this.sha, spa: this.spa, tha: this.tha, tpa: this.tpa };
  }
}
