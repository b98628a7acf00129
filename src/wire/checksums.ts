// Checksum verdicts for decoded frames: the IPv4 header checksum (RFC 791), and the TCP, UDP, ICMP
// and ICMPv6 checksums with their pseudo-headers (RFC 9293 §3.1, RFC 768, RFC 792, RFC 8200 §8.1
// with the final destination of a Routing header and the Home Address option, RFC 4443 §2.3).

import { fold, ipv4HeaderChecksumOk, onesSum, pseudoSumV4, pseudoSumV6 } from '../core/checksum.js';
import type { DecodedFrame, Layer } from './frame.js';
import { IPV6_HEADER_LEN, walkIpv6 } from './ipv6.js';
import { IpProto } from './numbers.js';

/** True/false for an IPv4 layer whose header was captured whole (decodeIpv4 guarantees that). */
export function ipv4LayerChecksumOk(bytes: Uint8Array, layer: Extract<Layer, { name: 'ipv4' }>): boolean {
  return ipv4HeaderChecksumOk(bytes, layer.offset, layer.length);
}

/**
 * The verdict for the transport layer at `index` in `frame.layers`: true or false, or null when it
 * cannot be verified — the segment is cut short by the snapshot length, the packet is a fragment,
 * or a UDP-over-IPv4 checksum is 0 ("no checksum"). A header quoted inside an ICMP error is
 * judged like any other when the whole quoted datagram is present (as Wireshark does).
 */
export function transportChecksumOk(bytes: Uint8Array, frame: DecodedFrame, index: number): boolean | null {
  const layer = frame.layers[index];
  if (!layer) return null;
  if (layer.name !== 'tcp' && layer.name !== 'udp' && layer.name !== 'icmp' && layer.name !== 'icmpv6')
    return null;
  let ip: Layer | undefined;
  for (let i = index - 1; i >= 0; i--) {
    const l = frame.layers[i]!;
    if (l.name === 'ipv4' || l.name === 'ipv6') {
      ip = l;
      break;
    }
  }
  if (!ip) return null;
  const off = layer.offset;
  if (ip.name === 'ipv4') {
    const h = ip.header;
    if (h.mf || h.fragOffset !== 0) return null;
    const len = h.totalLength - ip.length;
    if (off + len > bytes.length || len < 0 || ip.offset + h.totalLength > bytes.length) return null;
    if (layer.name === 'udp' && layer.header.checksum === 0) return null;
    if (layer.name === 'icmp') return fold(onesSum(bytes, off, len)) === 0xffff;
    if (layer.name === 'icmpv6') return null;
    const proto = layer.name === 'tcp' ? IpProto.TCP : IpProto.UDP;
    return fold(onesSum(bytes, off, len, pseudoSumV4(h.src, h.dst, proto, len))) === 0xffff;
  }
  if (layer.name === 'icmp') return null;
  const h = (ip as Extract<Layer, { name: 'ipv6' }>).header;
  const end = ip.offset + IPV6_HEADER_LEN + h.payloadLength;
  if (end > bytes.length || h.payloadLength === 0) return null;
  let chain: ReturnType<typeof walkIpv6>;
  try {
    chain = walkIpv6(bytes, ip.offset, end);
  } catch {
    return false; // Payload Length ends inside the extension headers: the segment it describes is broken
  }
  if (chain.fragment) return null;
  const len = end - off;
  const src = chain.homeAddress ?? h.src;
  const nh = layer.name === 'tcp' ? IpProto.TCP : layer.name === 'udp' ? IpProto.UDP : IpProto.ICMPV6;
  return fold(onesSum(bytes, off, len, pseudoSumV6(src, 0, chain.finalDst, 0, nh, len))) === 0xffff;
}
