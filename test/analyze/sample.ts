// A capture of hand-built frames covering every layer the analyzer decodes (and a few it shows
// as truncated), shared by the analyzer tests.

import { encodeCapture, PcapWriter, type WritePacket } from '../../src/pcap/index.js';
import { buildFrame, dnsQuery, dnsResponse } from '../helpers/frames.js';

const tcpOpts = Uint8Array.from([2, 4, 5, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1]);
const quoted = buildFrame({
  ipSrc: '10.0.0.1',
  ipDst: '10.0.0.2',
  udp: { sport: 1234, dport: 33434 },
}).subarray(14, 14 + 28);
const data100 = { sport: 40000, dport: 80, flags: 0x18, seq: 12346, ack: 1000 };

export const frames: Uint8Array[] = [
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    tcp: { sport: 40000, dport: 80, flags: 2, seq: 12345, options: tcpOpts.slice(0, 20) },
  }),
  buildFrame({
    ipSrc: '10.0.0.2',
    ipDst: '10.0.0.1',
    tcp: { sport: 80, dport: 40000, flags: 0x12, seq: 999, ack: 12346 },
  }),
  buildFrame({ ipSrc: '10.0.0.1', ipDst: '10.0.0.2', tcp: data100, payload: new Uint8Array(100) }),
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    tcp: { sport: 40000, dport: 80, flags: 0x11, seq: 12446, ack: 1000 },
  }),
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    tcp: { sport: 40000, dport: 80, flags: 0x04, seq: 12446, ack: 0 },
  }),
  buildFrame({ ipSrc: '10.0.0.1', ipDst: '10.0.0.2', tcp: { sport: 40000, dport: 80, flags: 0xc2, seq: 1 } }),
  buildFrame({
    ipSrc: '192.168.1.11',
    ipDst: '209.87.249.18',
    udp: { sport: 43966, dport: 53 },
    payload: dnsQuery(22836, 'www.example.com'),
  }),
  buildFrame({
    ipSrc: '209.87.249.18',
    ipDst: '192.168.1.11',
    udp: { sport: 53, dport: 43966 },
    payload: dnsResponse(22836, 'www.example.com', '93.184.216.34'),
  }),
  buildFrame({
    ipSrc: '127.0.0.1',
    ipDst: '127.0.0.1',
    udp: { sport: 5000, dport: 9 },
    payload: new Uint8Array(5),
  }),
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    icmp: { type: 8, code: 0, rest: 0x00010002 },
    payload: new Uint8Array(56),
  }),
  buildFrame({
    ipSrc: '10.0.0.2',
    ipDst: '10.0.0.1',
    icmp: { type: 0, code: 0, rest: 0x00010002 },
    payload: new Uint8Array(56),
  }),
  buildFrame({ ipSrc: '10.0.0.2', ipDst: '10.0.0.1', icmp: { type: 3, code: 3 }, payload: quoted }),
  buildFrame({
    ipSrc: '10.0.0.2',
    ipDst: '10.0.0.1',
    icmp: { type: 11, code: 0 },
    payload: new Uint8Array(28),
  }),
  buildFrame({
    arp: { op: 1, sha: '00:11:22:33:44:55', spa: '10.0.0.1', tha: '00:00:00:00:00:00', tpa: '10.0.0.2' },
    dst: 'ff:ff:ff:ff:ff:ff',
  }),
  buildFrame({
    arp: { op: 2, sha: '00:11:22:33:44:66', spa: '10.0.0.2', tha: '00:11:22:33:44:55', tpa: '10.0.0.1' },
  }),
  buildFrame({
    vlan: [100],
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    udp: { sport: 1, dport: 2 },
    payload: new Uint8Array(3),
  }),
  buildFrame({
    vlan: [100, 200],
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    tcp: { sport: 1, dport: 2, flags: 0x10, ack: 5 },
  }),
  buildFrame({
    ipSrc: '2001:db8::1',
    ipDst: '2001:db8::2',
    tcp: { sport: 40000, dport: 443, flags: 2, seq: 7 },
  }),
  buildFrame({
    ipSrc: '2001:db8::1',
    ipDst: '2001:db8::2',
    udp: { sport: 40000, dport: 53 },
    payload: dnsQuery(7, 'example.org', 28),
  }),
  buildFrame({
    ipSrc: 'fe80::1',
    ipDst: 'fe80::2',
    icmp: { type: 128, code: 0, rest: 0x00050006 },
    payload: new Uint8Array(8),
  }),
  buildFrame({
    ipSrc: 'fe80::2',
    ipDst: 'fe80::1',
    icmp: { type: 129, code: 0, rest: 0x00050006 },
    payload: new Uint8Array(8),
  }),
  buildFrame({
    ipSrc: 'fe80::1',
    ipDst: 'ff02::1:ff00:2',
    icmp: { type: 135, code: 0, rest: 0 },
    payload: Uint8Array.from([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]),
  }),
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    udp: { sport: 7, dport: 8 },
    payload: new Uint8Array(100),
    mf: true,
    id: 77,
  }),
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    proto: 17,
    payload: new Uint8Array(50),
    fragOff: 14,
    id: 77,
  }),
  buildFrame({
    ipSrc: '2001:db8::1',
    ipDst: '2001:db8::2',
    udp: { sport: 7, dport: 8 },
    payload: new Uint8Array(100),
    frag6: { offset: 0, more: true, ident: 99 },
  }),
  buildFrame({
    ipSrc: '2001:db8::1',
    ipDst: '2001:db8::2',
    proto: 17,
    payload: new Uint8Array(40),
    frag6: { offset: 14, more: false, ident: 99 },
  }),
  buildFrame({ ipSrc: '10.0.0.1', ipDst: '10.0.0.2', proto: 47, payload: new Uint8Array(20) }),
  buildFrame({ etherType: 0x88cc, payload: new Uint8Array(46) }),
  buildFrame({ payload: Uint8Array.from([0x42, 0x42, 3, ...new Array<number>(43).fill(0)]) }),
  buildFrame({ ipSrc: '10.0.0.1', ipDst: '10.0.0.2', tcp: data100, payload: new Uint8Array(100) }).subarray(
    0,
    40,
  ),
  buildFrame({ ipSrc: '10.0.0.1', ipDst: '10.0.0.2', tcp: data100, payload: new Uint8Array(100) }).subarray(
    0,
    54,
  ),
  buildFrame({
    ipSrc: '10.0.0.1',
    ipDst: '10.0.0.2',
    udp: { sport: 40000, dport: 80 },
    payload: new Uint8Array(100),
  }).subarray(0, 20),
];

/** Frames tcpdump decodes further than netkit (application layers): index → why. */
export const tcpdumpDecodesMore: Record<number, string> = {
  2: 'HTTP payload',
  26: 'GRE',
  27: 'LLDP',
  28: 'STP',
  30: 'HTTP payload',
};

/** The last three frames are cut by the snapshot length (their original length is 154). */
export const samplePackets: WritePacket[] = frames.map((data, i) => ({
  data,
  tsSec: 1591780794 + i,
  tsNsec: 740079000,
  len: i >= frames.length - 3 ? 154 : data.length,
}));

export function sampleCapture(): Uint8Array {
  return encodeCapture(new PcapWriter(), samplePackets);
}
