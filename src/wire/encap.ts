// The slides' "action of sender / receiver": application data goes down the stack, each layer
// adding its header (and the link layer its FCS); on the way up each layer checks its header,
// strips it, and hands the rest to the protocol its demultiplexing field names
// (EtherType → IP, Protocol / Next Header → TCP or UDP, port → application).

import { formatIPv4, formatIPv6, formatMac } from '../core/bytes.js';
import { fcsOk } from '../core/checksum.js';
import { type BuildOptions, buildPacket, type LayerSpec } from './build.js';
import { ipv4LayerChecksumOk, transportChecksumOk } from './checksums.js';
import { type DecodedFrame, decodeFrame, type Layer } from './frame.js';
import { LinkType } from './numbers.js';
import type { TcpOption } from './tcp.js';

export interface StackSpec {
  /** Omit for a bare IP packet (LINKTYPE_RAW). */
  ethernet?: { src?: number; dst?: number; vlan?: number[] };
  ip:
    | { version: 4; src?: number; dst?: number; ttl?: number; id?: number; df?: boolean }
    | { version: 6; src?: Uint8Array; dst?: Uint8Array; hopLimit?: number; flow?: number };
  transport:
    | { protocol: 'udp'; sport: number; dport: number }
    | {
        protocol: 'tcp';
        sport: number;
        dport: number;
        seq?: number;
        ack?: number;
        flags?: number;
        window?: number;
        options?: TcpOption[];
      };
  /** Append an FCS to the Ethernet frame. */
  fcs?: boolean;
}

/** What one layer did on the way down: the header it added in front of what it was given. */
export interface SenderStep {
  layer: string;
  headerLength: number;
  /** Bytes handed down to the next layer: this header plus everything inside it. */
  totalLength: number;
  action: string;
}

/** Sender: wraps `data` in transport, IP and (optionally) Ethernet headers. */
export function encapsulate(
  data: Uint8Array,
  spec: StackSpec,
): { bytes: Uint8Array; linkType: number; steps: SenderStep[] } {
  const specs: LayerSpec[] = [];
  if (spec.ethernet) {
    specs.push({ layer: 'eth', src: spec.ethernet.src, dst: spec.ethernet.dst });
    for (const id of spec.ethernet.vlan ?? []) specs.push({ layer: 'vlan', id });
  }
  if (spec.ip.version === 4) specs.push({ layer: 'ipv4', ...spec.ip });
  else specs.push({ layer: 'ipv6', ...spec.ip });
  if (spec.transport.protocol === 'udp')
    specs.push({ layer: 'udp', sport: spec.transport.sport, dport: spec.transport.dport });
  else specs.push({ layer: 'tcp', ...spec.transport, flags: spec.transport.flags ?? 0x18 });
  specs.push({ layer: 'payload', data });
  const opts: BuildOptions = { fcs: spec.fcs === true };
  const built = buildPacket(specs, opts);
  const steps: SenderStep[] = [];
  for (let i = built.layers.length - 1; i >= 0; i--) {
    const l = built.layers[i]!;
    let total = 0;
    for (let j = i; j < built.layers.length; j++) total += built.layers[j]!.length;
    if (i === 0 && l.layer === 'eth') total = built.bytes.length - (spec.fcs ? 4 : 0); // with padding
    steps.push({
      layer: l.layer,
      headerLength: l.length,
      totalLength: total,
      action: senderAction(l.layer, l.length),
    });
  }
  if (spec.fcs && spec.ethernet) {
    steps.push({
      layer: 'fcs',
      headerLength: 4,
      totalLength: built.bytes.length,
      action: 'append the CRC-32 frame check sequence',
    });
  }
  return { bytes: built.bytes, linkType: spec.ethernet ? LinkType.ETHERNET : LinkType.RAW, steps };
}

function senderAction(layer: string, n: number): string {
  switch (layer) {
    case 'payload':
      return `application hands ${n} bytes to the transport layer`;
    case 'udp':
      return 'prepend UDP header: ports, length, checksum over pseudo-header + data';
    case 'tcp':
      return `prepend TCP header (${n} bytes): ports, sequence numbers, flags, checksum over pseudo-header + segment`;
    case 'ipv4':
      return 'prepend IPv4 header: addresses, protocol, total length, TTL, header checksum';
    case 'ipv6':
      return 'prepend IPv6 header: addresses, next header, payload length, hop limit';
    case 'vlan':
      return 'insert an 802.1Q tag: VLAN id and priority';
    case 'eth':
      return 'prepend Ethernet header: MAC addresses and EtherType (padded to 60 bytes if short)';
    default:
      return `prepend ${layer} header`;
  }
}

/** What one layer did on the way up. */
export interface ReceiverStep {
  layer: string;
  /** The field that chose the next protocol, e.g. `type 0x0800 → ipv4`. */
  demux: string;
  /** Checksum verdict where the layer has one (null: cannot be verified). */
  checksumOk?: boolean | null;
  summary: string;
}

/** Receiver: decodes each layer, verifies its checksum, and returns the application data. */
export function decapsulate(
  bytes: Uint8Array,
  linkType: number,
  opts: { fcs?: boolean } = {},
): { frame: DecodedFrame; steps: ReceiverStep[]; data: Uint8Array } {
  const steps: ReceiverStep[] = [];
  if (opts.fcs) {
    steps.push({
      layer: 'fcs',
      demux: '',
      checksumOk: fcsOk(bytes),
      summary: 'check and strip the CRC-32 frame check sequence',
    });
  }
  const frame = decodeFrame(linkType, bytes, { fcsLength: opts.fcs ? 4 : 0, dns: false });
  frame.layers.forEach((l, i) => {
    const next = frame.layers[i + 1]?.name ?? 'application';
    steps.push(receiverStep(bytes, frame, l, i, next));
  });
  return { frame, steps, data: bytes.subarray(frame.payloadOffset, frame.payloadEnd) };
}

function receiverStep(
  bytes: Uint8Array,
  frame: DecodedFrame,
  l: Layer,
  i: number,
  next: string,
): ReceiverStep {
  switch (l.name) {
    case 'eth':
      return {
        layer: 'eth',
        demux: `type 0x${l.header.type.toString(16).padStart(4, '0')} → ${next}`,
        summary: `${formatMac(l.header.src)} > ${formatMac(l.header.dst)}`,
      };
    case 'vlan':
      return {
        layer: 'vlan',
        demux: `type 0x${l.header.type.toString(16).padStart(4, '0')} → ${next}`,
        summary: `vlan ${l.header.id}`,
      };
    case 'ipv4':
      return {
        layer: 'ipv4',
        demux: `protocol ${l.header.protocol} → ${next}`,
        checksumOk: ipv4LayerChecksumOk(bytes, l),
        summary: `${formatIPv4(l.header.src)} > ${formatIPv4(l.header.dst)} ttl ${l.header.ttl}`,
      };
    case 'ipv6':
      return {
        layer: 'ipv6',
        demux: `next header ${l.header.nextHeader} → ${next}`,
        summary: `${formatIPv6(l.header.src)} > ${formatIPv6(l.header.dst)} hlim ${l.header.hopLimit}`,
      };
    case 'tcp':
    case 'udp':
      return {
        layer: l.name,
        demux: `port ${l.header.dport} → ${next}`,
        checksumOk: transportChecksumOk(bytes, frame, i),
        summary: `${l.header.sport} > ${l.header.dport}`,
      };
    default:
      return { layer: l.name, demux: `→ ${next}`, summary: '' };
  }
}
