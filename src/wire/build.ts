// Builds a packet from a list of layers, outermost first, the way a sender's stack does: each
// layer's "next protocol" field, lengths and checksums are filled in from the layers inside it
// unless the caller set them (to craft a deliberately wrong packet). Used by `netkit craft` and
// src/wire/encap.ts.

import { EMPTY, put16 } from '../core/bytes.js';
import {
  fillFcs,
  fillIpv4HeaderChecksum,
  finish,
  onesSum,
  pseudoSumV4,
  pseudoSumV6,
} from '../core/checksum.js';
import { ErrorCodes, NetkitError } from '../core/errors.js';
import { encodeArp } from './arp.js';
import { type DnsMessage, encodeDnsMessage } from './dns.js';
import { ETHERNET_MIN_FRAME, encodeEthernet } from './ethernet.js';
import { encodeIcmp } from './icmp.js';
import { encodeIcmpv6, encodeNd, isNdType, type NdOption } from './icmpv6.js';
import { encodeIpv4 } from './ipv4.js';
import {
  encodeIpv6,
  encodeIpv6Fragment,
  encodeIpv6OptionList,
  encodeIpv6Options,
  encodeIpv6Routing,
  type Ipv6Option,
  padIpv6Options,
  routing0,
  srh,
} from './ipv6.js';
import { EtherType, IpProto } from './numbers.js';
import { encodeTcp, encodeTcpOptions, type TcpOption } from './tcp.js';
import { encodeUdp } from './udp.js';
import { encodeVlan } from './vlan.js';

/** Fields left undefined get defaults or are computed. Addresses are numbers (MAC, IPv4) or 16 bytes (IPv6). */
export type LayerSpec =
  | { layer: 'eth'; src?: number; dst?: number; type?: number }
  | { layer: 'vlan'; id?: number; pcp?: number; dei?: boolean; type?: number; tpid?: number }
  | { layer: 'arp'; op?: number; sha?: number; spa?: number; tha?: number; tpa?: number }
  | {
      layer: 'ipv4';
      src?: number;
      dst?: number;
      ttl?: number;
      id?: number;
      tos?: number;
      rf?: boolean;
      df?: boolean;
      mf?: boolean;
      fragOffset?: number;
      protocol?: number;
      totalLength?: number;
      checksum?: number;
      /** Raw option bytes, padded to a multiple of 4 by the builder. */
      options?: Uint8Array;
    }
  | {
      layer: 'ipv6';
      src?: Uint8Array;
      dst?: Uint8Array;
      hopLimit?: number;
      tclass?: number;
      flow?: number;
      nextHeader?: number;
      payloadLength?: number;
    }
  | { layer: 'ipv6.hopopts' | 'ipv6.dstopts'; options?: Ipv6Option[]; nextHeader?: number }
  | {
      layer: 'ipv6.routing';
      /** 0 (addresses) or 4 (segment routing: segments[0] is the final destination). */
      type?: number;
      addresses: Uint8Array[];
      segmentsLeft?: number;
      nextHeader?: number;
    }
  | { layer: 'ipv6.fraghdr'; offset?: number; more?: boolean; ident?: number; nextHeader?: number }
  | {
      layer: 'tcp';
      sport?: number;
      dport?: number;
      seq?: number;
      ack?: number;
      flags?: number;
      window?: number;
      urgent?: number;
      checksum?: number;
      options?: TcpOption[];
    }
  | { layer: 'udp'; sport?: number; dport?: number; length?: number; checksum?: number }
  | { layer: 'icmp'; type?: number; code?: number; checksum?: number; rest?: number }
  | {
      layer: 'icmpv6';
      type?: number;
      code?: number;
      checksum?: number;
      rest?: number;
      /** Neighbor Discovery (types 133–137): target address (NS, NA, Redirect) and options. */
      target?: Uint8Array;
      destination?: Uint8Array;
      ndOptions?: NdOption[];
    }
  | { layer: 'dns'; message: DnsMessage }
  | { layer: 'payload'; data: Uint8Array };

export type SpecName = LayerSpec['layer'];

export interface BuildOptions {
  /** Store wrong checksums (every computed checksum gets a wrong value). */
  badChecksum?: boolean;
  /** Append an Ethernet FCS (CRC-32) to frames that start with `eth`. */
  fcs?: boolean;
  /** With `fcs`: store a wrong FCS (independent of `badChecksum`). */
  badFcs?: boolean;
  /** Pad Ethernet frames to 60 bytes before the FCS (IEEE 802.3 minimum); default true. */
  pad?: boolean;
}

/** One layer of the built packet: where it is and how long its header is. */
export interface BuiltLayer {
  layer: SpecName;
  offset: number;
  length: number;
}

export interface Built {
  bytes: Uint8Array;
  layers: BuiltLayer[];
}

const MAC_DEFAULT_SRC = 0x020000000001; // locally administered
const MAC_DEFAULT_DST = 0x020000000002;
const V4_DEFAULT_SRC = 0xc0000201; // 192.0.2.1 (TEST-NET-1, RFC 5737)
const V4_DEFAULT_DST = 0xc0000202;
const V6_DEFAULT_SRC = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]); // 2001:db8::1 (RFC 3849)
const V6_DEFAULT_DST = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);

function fail(msg: string): never {
  throw new NetkitError(ErrorCodes.INVALID, `build: ${msg}`);
}

function etherTypeOf(next: LayerSpec | undefined): number {
  switch (next?.layer) {
    case 'vlan':
      return next.tpid ?? EtherType.VLAN;
    case 'arp':
      return EtherType.ARP;
    case 'ipv4':
      return EtherType.IPV4;
    case 'ipv6':
      return EtherType.IPV6;
    default:
      return 0x88b5; // IEEE 802 local experimental EtherType for raw payloads
  }
}

function ipProtoOf(next: LayerSpec | undefined): number {
  switch (next?.layer) {
    case 'tcp':
      return IpProto.TCP;
    case 'udp':
      return IpProto.UDP;
    case 'icmp':
      return IpProto.ICMP;
    case 'icmpv6':
      return IpProto.ICMPV6;
    case 'ipv4':
      return IpProto.IPV4;
    case 'ipv6':
      return IpProto.IPV6;
    case 'ipv6.hopopts':
      return IpProto.HOPOPT;
    case 'ipv6.dstopts':
      return IpProto.DSTOPTS;
    case 'ipv6.routing':
      return IpProto.ROUTING;
    case 'ipv6.fraghdr':
      return IpProto.FRAGMENT;
    default:
      return IpProto.NONE;
  }
}

/** Encodes one header given the bytes that follow it (for lengths). Checksums are filled later. */
function encodeLayer(s: LayerSpec, next: LayerSpec | undefined, innerLen: number): Uint8Array {
  switch (s.layer) {
    case 'eth':
      return encodeEthernet({
        src: s.src ?? MAC_DEFAULT_SRC,
        dst: s.dst ?? MAC_DEFAULT_DST,
        type: s.type ?? etherTypeOf(next),
      });
    case 'vlan':
      return encodeVlan({
        id: s.id ?? 1,
        pcp: s.pcp ?? 0,
        dei: s.dei ?? false,
        type: s.type ?? etherTypeOf(next),
      });
    case 'arp': {
      const mac = (m: number) => {
        const b = new Uint8Array(6);
        put16(b, 0, Math.floor(m / 0x100000000));
        b[2] = (m >>> 24) & 0xff;
        b[3] = (m >>> 16) & 0xff;
        b[4] = (m >>> 8) & 0xff;
        b[5] = m & 0xff;
        return b;
      };
      const ip = (a: number) => Uint8Array.from([a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff]);
      return encodeArp({
        htype: 1,
        ptype: EtherType.IPV4,
        op: s.op ?? 1,
        sha: mac(s.sha ?? MAC_DEFAULT_SRC),
        spa: ip(s.spa ?? V4_DEFAULT_SRC),
        tha: mac(s.tha ?? 0),
        tpa: ip(s.tpa ?? V4_DEFAULT_DST),
      });
    }
    case 'ipv4': {
      const raw = s.options ?? EMPTY;
      const options = new Uint8Array((raw.length + 3) & ~3);
      options.set(raw);
      return encodeIpv4({
        tos: s.tos ?? 0,
        totalLength: s.totalLength ?? Math.min(0xffff, 20 + options.length + innerLen),
        id: s.id ?? 0,
        rf: s.rf ?? false,
        df: s.df ?? false,
        mf: s.mf ?? false,
        fragOffset: s.fragOffset ?? 0,
        ttl: s.ttl ?? 64,
        protocol: s.protocol ?? ipProtoOf(next),
        checksum: s.checksum ?? 0,
        src: s.src ?? V4_DEFAULT_SRC,
        dst: s.dst ?? V4_DEFAULT_DST,
        options,
      });
    }
    case 'ipv6':
      return encodeIpv6({
        tclass: s.tclass ?? 0,
        flow: s.flow ?? 0,
        payloadLength: s.payloadLength ?? Math.min(0xffff, innerLen),
        nextHeader: s.nextHeader ?? ipProtoOf(next),
        hopLimit: s.hopLimit ?? 64,
        src: s.src ?? V6_DEFAULT_SRC,
        dst: s.dst ?? V6_DEFAULT_DST,
      });
    case 'ipv6.hopopts':
    case 'ipv6.dstopts':
      return encodeIpv6Options({
        nextHeader: s.nextHeader ?? ipProtoOf(next),
        options: encodeIpv6OptionList(padIpv6Options(s.options ?? [])),
      });
    case 'ipv6.routing': {
      const nh = s.nextHeader ?? ipProtoOf(next);
      const left = s.segmentsLeft ?? s.addresses.length;
      const type = s.type ?? 0;
      if (type === 0) return encodeIpv6Routing(routing0(nh, left, s.addresses));
      if (type === 4)
        return encodeIpv6Routing(srh(nh, left, { flags: 0, tag: 0, segments: s.addresses, tlvs: EMPTY }));
      return fail(`routing type ${type}: only 0 and 4 can be built`);
    }
    case 'ipv6.fraghdr':
      return encodeIpv6Fragment({
        nextHeader: s.nextHeader ?? ipProtoOf(next),
        reserved: 0,
        fragOffset: s.offset ?? 0,
        res: 0,
        more: s.more ?? false,
        ident: s.ident ?? 0,
      });
    case 'tcp':
      return encodeTcp({
        sport: s.sport ?? 1024,
        dport: s.dport ?? 80,
        seq: s.seq ?? 0,
        ack: s.ack ?? 0,
        flags: s.flags ?? (s.ack !== undefined ? 0x10 : 0x02),
        window: s.window ?? 65535,
        checksum: s.checksum ?? 0,
        urgent: s.urgent ?? 0,
        options: s.options ? encodeTcpOptions(s.options) : EMPTY,
      });
    case 'udp':
      return encodeUdp({
        sport: s.sport ?? 1024,
        dport: s.dport ?? 53,
        length: s.length ?? Math.min(0xffff, 8 + innerLen),
        checksum: s.checksum ?? 0,
      });
    case 'icmp':
      return encodeIcmp({
        type: s.type ?? 8,
        code: s.code ?? 0,
        checksum: s.checksum ?? 0,
        rest: s.rest ?? 0,
      });
    case 'icmpv6': {
      const type = s.type ?? 128;
      if (!isNdType(type))
        return encodeIcmpv6({ type, code: s.code ?? 0, checksum: s.checksum ?? 0, rest: s.rest ?? 0 });
      return encodeNd({
        type,
        code: s.code ?? 0,
        checksum: s.checksum ?? 0,
        // NA: Solicited and Override by default (RFC 4861 §4.4); RA: hop limit 64, lifetime 1800 s.
        rest: s.rest ?? (type === 136 ? 0x60000000 : type === 134 ? 0x40000708 : 0),
        reachableTime: type === 134 ? 0 : undefined,
        retransTimer: type === 134 ? 0 : undefined,
        target: type >= 135 ? (s.target ?? V6_DEFAULT_DST) : undefined,
        destination: type === 137 ? (s.destination ?? V6_DEFAULT_DST) : undefined,
        options: s.ndOptions ?? [],
      });
    }
    case 'dns':
      return encodeDnsMessage(s.message);
    case 'payload':
      return s.data;
  }
}

function wrong(c: number): number {
  const w = c ^ 0x0101;
  return w === 0 ? 0xbad0 : w;
}

/** Builds the packet. Throws NetkitError(INVALID) when a layer cannot be encoded as given. */
export function buildPacket(specs: LayerSpec[], opts: BuildOptions = {}): Built {
  if (specs.length === 0) fail('no layers');
  const parts: Uint8Array[] = new Array(specs.length);
  let inner = 0;
  for (let i = specs.length - 1; i >= 0; i--) {
    parts[i] = encodeLayer(specs[i]!, specs[i + 1], inner);
    inner += parts[i]!.length;
  }
  const isEth = specs[0]!.layer === 'eth';
  const pad = isEth && opts.pad !== false && inner < ETHERNET_MIN_FRAME ? ETHERNET_MIN_FRAME - inner : 0;
  const fcs = isEth && opts.fcs ? 4 : 0;
  const bytes = new Uint8Array(inner + pad + fcs);
  const layers: BuiltLayer[] = [];
  let off = 0;
  for (let i = 0; i < specs.length; i++) {
    bytes.set(parts[i]!, off);
    layers.push({ layer: specs[i]!.layer, offset: off, length: parts[i]!.length });
    off += parts[i]!.length;
  }
  const payloadEnd = inner;
  // Checksums, innermost first: an ICMP error quoting a packet checksums over the quoted bytes as they are.
  for (let i = specs.length - 1; i >= 0; i--) {
    const s = specs[i]!;
    const l = layers[i]!;
    const segLen = payloadEnd - l.offset;
    const put = (fieldAt: number, c: number) => {
      const v = opts.badChecksum ? wrong(c) : c;
      bytes[fieldAt] = v >>> 8;
      bytes[fieldAt + 1] = v & 0xff;
    };
    if (s.layer === 'ipv4' && s.checksum === undefined) {
      fillIpv4HeaderChecksum(bytes, l.offset, l.length);
      if (opts.badChecksum) put(l.offset + 10, (bytes[l.offset + 10]! << 8) | bytes[l.offset + 11]!);
    } else if ((s.layer === 'tcp' || s.layer === 'udp' || s.layer === 'icmpv6') && s.checksum === undefined) {
      const pseudo = pseudoFor(specs, layers, bytes, i, segLen);
      if (pseudo === undefined) continue;
      const field = l.offset + (s.layer === 'tcp' ? 16 : s.layer === 'udp' ? 6 : 2);
      bytes[field] = 0;
      bytes[field + 1] = 0;
      let c = finish(onesSum(bytes, l.offset, segLen, pseudo));
      if (s.layer === 'udp' && c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
      put(field, c);
    } else if (s.layer === 'icmp' && s.checksum === undefined) {
      bytes[l.offset + 2] = 0;
      bytes[l.offset + 3] = 0;
      put(l.offset + 2, finish(onesSum(bytes, l.offset, segLen)));
    }
  }
  if (fcs) {
    fillFcs(bytes);
    if (opts.badFcs) bytes[bytes.length - 1]! ^= 0xff;
  }
  return { bytes, layers };
}

/** The pseudo-header sum for the transport layer at i, from the nearest IP layer outside it. */
function pseudoFor(
  specs: LayerSpec[],
  layers: BuiltLayer[],
  bytes: Uint8Array,
  i: number,
  len: number,
): number | undefined {
  const proto = ipProtoOf(specs[i]);
  let finalDst: Uint8Array | undefined;
  let homeAddress: Uint8Array | undefined;
  for (let j = i - 1; j >= 0; j--) {
    const s = specs[j]!;
    const l = layers[j]!;
    if (s.layer === 'ipv6.dstopts') {
      // RFC 6275 §6.3: with a Home Address option the pseudo-header's source is the home address.
      const hoa = s.options?.find((o) => o.type === 0xc9 && o.data?.length === 16);
      if (hoa) homeAddress = hoa.data;
    }
    if (s.layer === 'ipv6.routing' && (s.segmentsLeft ?? s.addresses.length) > 0 && s.addresses.length > 0) {
      // RFC 8200 §8.1: the final destination — the last address of type 0, Segment List[0] of an SRH.
      finalDst = (s.type ?? 0) === 4 ? s.addresses[0] : s.addresses[s.addresses.length - 1];
    }
    if (s.layer === 'ipv4') {
      const src =
        ((bytes[l.offset + 12]! << 24) |
          (bytes[l.offset + 13]! << 16) |
          (bytes[l.offset + 14]! << 8) |
          bytes[l.offset + 15]!) >>>
        0;
      const dst =
        ((bytes[l.offset + 16]! << 24) |
          (bytes[l.offset + 17]! << 16) |
          (bytes[l.offset + 18]! << 8) |
          bytes[l.offset + 19]!) >>>
        0;
      return pseudoSumV4(src, dst, proto, len);
    }
    if (s.layer === 'ipv6') {
      const [src, srcOff] = homeAddress ? [homeAddress, 0] : [bytes, l.offset + 8];
      return finalDst
        ? pseudoSumV6(src, srcOff, finalDst, 0, proto, len)
        : pseudoSumV6(src, srcOff, bytes, l.offset + 24, proto, len);
    }
  }
  return undefined;
}
