// The mixed frames of the decode-only bench (Ethernet, VLAN, ARP, IPv4/IPv6, fragments,
// TCP/UDP/ICMP/ICMPv6, DNS), built with src/wire/build; shared by test/wire/frame.test.ts and
// bench/wire/decode.bench.ts so that the test checks exactly what the bench measures.

import { parseIPv4, parseIPv6 } from '../../src/core/bytes.js';
import { buildPacket, type LayerSpec } from '../../src/wire/build.js';
import type { DnsMessage } from '../../src/wire/dns.js';

/** One of each kind of frame in the bench mix, in a fixed order. */
export function mixedFrames(): Uint8Array[] {
  const a = parseIPv4('10.0.0.1')!;
  const b = parseIPv4('10.0.0.2')!;
  const q: DnsMessage = {
    id: 1,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [{ name: 'www.example.com', type: 1, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
  };
  const r: DnsMessage = {
    ...q,
    qr: true,
    answers: [{ name: 'www.example.com', type: 1, class: 1, ttl: 60, data: '93.184.216.34' }],
  };
  const data = new Uint8Array(512).fill(0x61);
  const specs: LayerSpec[][] = [
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: a, dst: b },
      {
        layer: 'tcp',
        flags: 2,
        options: [
          { kind: 2, mss: 1460 },
          { kind: 4 },
          { kind: 8, tsval: 1, tsecr: 0 },
          { kind: 1 },
          { kind: 3, shift: 7 },
        ],
      },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: b, dst: a },
      {
        layer: 'tcp',
        flags: 0x18,
        ack: 1,
        options: [{ kind: 1 }, { kind: 1 }, { kind: 8, tsval: 2, tsecr: 1 }],
      },
      { layer: 'payload', data },
    ],
    [{ layer: 'eth' }, { layer: 'ipv4', src: a, dst: b }, { layer: 'tcp', flags: 0x10, ack: 1 }],
    [
      { layer: 'eth' },
      { layer: 'vlan', id: 7 },
      { layer: 'ipv4', src: a, dst: b },
      { layer: 'udp', sport: 5000, dport: 53 },
      { layer: 'dns', message: q },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: b, dst: a },
      { layer: 'udp', sport: 53, dport: 5000 },
      { layer: 'dns', message: r },
    ],
    [{ layer: 'eth' }, { layer: 'arp' }],
    [{ layer: 'eth' }, { layer: 'ipv6' }, { layer: 'tcp', flags: 0x10, ack: 5 }, { layer: 'payload', data }],
    [
      { layer: 'eth' },
      { layer: 'ipv6' },
      { layer: 'udp', sport: 1, dport: 2 },
      { layer: 'payload', data: data.subarray(0, 100) },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: a, dst: b },
      { layer: 'icmp', type: 8 },
      { layer: 'payload', data: data.subarray(0, 56) },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv6' },
      { layer: 'icmpv6', type: 128 },
      { layer: 'payload', data: data.subarray(0, 56) },
    ],
    [
      { layer: 'eth' },
      { layer: 'ipv4', src: a, dst: b, mf: true, id: 9 },
      { layer: 'udp', dport: 9 },
      { layer: 'payload', data },
    ],
    [{ layer: 'eth' }, { layer: 'ipv4', src: a, dst: b, fragOffset: 65, id: 9 }, { layer: 'payload', data }],
    [
      { layer: 'eth' },
      { layer: 'ipv6', dst: parseIPv6('2001:db8::9') },
      { layer: 'ipv6.fraghdr', more: true, ident: 3 },
      { layer: 'udp', dport: 9 },
      { layer: 'payload', data },
    ],
    [
      { layer: 'eth' },
      { layer: 'vlan', id: 10, tpid: 0x88a8 },
      { layer: 'vlan', id: 20 },
      { layer: 'ipv4', src: a, dst: b },
      { layer: 'tcp', flags: 0x11, ack: 1 },
    ],
  ];
  return specs.map((s) => buildPacket(s).bytes);
}
