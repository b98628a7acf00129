import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ErrorCodes } from '../../src/core/errors.js';
import { arp } from '../../src/wire/arp.js';
import type { Codec } from '../../src/wire/codec.js';
import { ethernet, llc } from '../../src/wire/ethernet.js';
import { icmp } from '../../src/wire/icmp.js';
import { icmpv6, nd } from '../../src/wire/icmpv6.js';
import { ipv4 } from '../../src/wire/ipv4.js';
import { ah, ipv6, ipv6Fragment, ipv6Options, ipv6Routing } from '../../src/wire/ipv6.js';
import { sll, sll2 } from '../../src/wire/sll.js';
import { tcp } from '../../src/wire/tcp.js';
import { udp } from '../../src/wire/udp.js';
import { vlan } from '../../src/wire/vlan.js';
import { addr6, bytes, mac, onlyDecodeError, padded, roundTrip, u8, u16, u32 } from './arbitraries.js';

export const arbs = {
  eth: fc.record({ dst: mac, src: mac, type: u16 }),
  // DSAP = SSAP = 0xAA announces a SNAP header: only the third kind may have it.
  llc: fc.oneof(
    fc
      .record({ dsap: u8, ssap: u8, control: u8.map((c) => c | 3) })
      .filter((h) => !(h.dsap === 0xaa && h.ssap === 0xaa)),
    fc
      .record({ dsap: u8, ssap: u8, control: u16.filter((c) => ((c >>> 8) & 3) !== 3) })
      .filter((h) => !(h.dsap === 0xaa && h.ssap === 0xaa)),
    fc.record({
      dsap: fc.constant(0xaa),
      ssap: fc.constant(0xaa),
      control: fc.constant(3),
      snap: fc.record({ oui: fc.integer({ min: 0, max: 0xffffff }), type: u16 }),
    }),
  ),
  vlan: fc.record({
    pcp: fc.integer({ min: 0, max: 7 }),
    dei: fc.boolean(),
    id: fc.integer({ min: 0, max: 4095 }),
    type: u16,
  }),
  sll: fc.record({ pkttype: u16, hatype: u16, halen: u16, addr: bytes(8, 8), type: u16 }),
  sll2: fc.record({
    type: u16,
    reserved: u16,
    ifindex: u32,
    hatype: u16,
    pkttype: u8,
    halen: u8,
    addr: bytes(8, 8),
  }),
  arp: fc
    .tuple(u16, u16, u16, fc.integer({ min: 0, max: 16 }), fc.integer({ min: 0, max: 16 }))
    .chain(([htype, ptype, op, hl, pl]) =>
      fc.record({
        htype: fc.constant(htype),
        ptype: fc.constant(ptype),
        op: fc.constant(op),
        sha: bytes(hl, hl),
        spa: bytes(pl, pl),
        tha: bytes(hl, hl),
        tpa: bytes(pl, pl),
      }),
    ),
  ipv4: padded(4, 10).chain((options) =>
    fc.record({
      tos: u8,
      totalLength: fc.integer({ min: 20 + options.length, max: 0xffff }),
      id: u16,
      rf: fc.boolean(),
      df: fc.boolean(),
      mf: fc.boolean(),
      fragOffset: fc.integer({ min: 0, max: 0x1fff }),
      ttl: u8,
      protocol: u8,
      checksum: u16,
      src: u32,
      dst: u32,
      options: fc.constant(options),
    }),
  ),
  ipv6: fc.record({
    tclass: u8,
    flow: fc.integer({ min: 0, max: 0xfffff }),
    payloadLength: u16,
    nextHeader: u8,
    hopLimit: u8,
    src: addr6,
    dst: addr6,
  }),
  ipv6Options: fc.record({ nextHeader: u8, options: padded(8, 6, 6) }),
  ipv6Routing: fc.record({ nextHeader: u8, routingType: u8, segmentsLeft: u8, data: padded(8, 6, 4) }),
  ipv6Fragment: fc.record({
    nextHeader: u8,
    reserved: u8,
    fragOffset: fc.integer({ min: 0, max: 0x1fff }),
    res: fc.integer({ min: 0, max: 3 }),
    more: fc.boolean(),
    ident: u32,
  }),
  ah: fc.record({ nextHeader: u8, reserved: u16, spi: u32, seq: u32, icv: padded(4, 8) }),
  icmp: fc.record({ type: u8, code: u8, checksum: u16, rest: u32 }),
  icmpv6: fc.record({ type: u8, code: u8, checksum: u16, rest: u32 }),
  tcp: padded(4, 10).chain((options) =>
    fc.record({
      sport: u16,
      dport: u16,
      seq: u32,
      ack: u32,
      flags: fc.integer({ min: 0, max: 0xfff }),
      window: u16,
      checksum: u16,
      urgent: u16,
      options: fc.constant(options),
    }),
  ),
  udp: fc.record({ sport: u16, dport: u16, length: fc.integer({ min: 8, max: 0xffff }), checksum: u16 }),
};

const ndOption = fc.record({ type: u8, data: padded(8, 3, 6) });
export const ndArb = fc.oneof(
  fc.record({
    type: fc.constant(133),
    code: u8,
    checksum: u16,
    rest: u32,
    options: fc.array(ndOption, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant(134),
    code: u8,
    checksum: u16,
    rest: u32,
    reachableTime: u32,
    retransTimer: u32,
    options: fc.array(ndOption, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constantFrom(135, 136),
    code: u8,
    checksum: u16,
    rest: u32,
    target: addr6,
    options: fc.array(ndOption, { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant(137),
    code: u8,
    checksum: u16,
    rest: u32,
    target: addr6,
    destination: addr6,
    options: fc.array(ndOption, { maxLength: 3 }),
  }),
);

const codecs: [Codec<never>, fc.Arbitrary<unknown>][] = [
  [ethernet, arbs.eth],
  [llc, arbs.llc],
  [vlan, arbs.vlan],
  [sll, arbs.sll],
  [sll2, arbs.sll2],
  [arp, arbs.arp],
  [ipv4, arbs.ipv4],
  [ipv6, arbs.ipv6],
  [ipv6Options, arbs.ipv6Options],
  [ipv6Routing, arbs.ipv6Routing],
  [ipv6Fragment, arbs.ipv6Fragment],
  [ah, arbs.ah],
  [icmp, arbs.icmp],
  [icmpv6, arbs.icmpv6],
  [nd, ndArb],
  [tcp, arbs.tcp],
  [udp, arbs.udp],
] as never;

for (const [codec, arb] of codecs) {
  test(`${codec.name}: decode(encode(v)) equals v for generated headers`, () => {
    roundTrip(codec as Codec<unknown>, arb);
  });

  test(`${codec.name}: arbitrary bytes and every truncation give only DecodeError`, () => {
    fc.assert(
      fc.property(bytes(0, 96), fc.integer({ min: 0, max: 8 }), (b, off) => {
        onlyDecodeError(() => codec.decode(b, Math.min(off, b.length), b.length));
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(arb, (v) => {
        const full = (codec as Codec<unknown>).encode(v);
        for (let cut = 0; cut < full.length; cut++) {
          try {
            codec.decode(full.subarray(0, cut), 0, cut);
          } catch (e) {
            assert.equal(
              (e as { code?: string }).code,
              ErrorCodes.TRUNCATED,
              `${codec.name} cut at ${cut}: ${e}`,
            );
            continue;
          }
          // Decoding a prefix may succeed only for codecs whose length is not fixed by the header.
          assert.ok(
            codec === (nd as never),
            `${codec.name}: decoded a truncated header (cut ${cut} of ${full.length})`,
          );
        }
      }),
      { numRuns: 60 },
    );
  });
}
