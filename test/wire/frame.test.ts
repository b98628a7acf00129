import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIPv4, parseIPv4, parseMac } from '../../src/core/bytes.js';
import { DecodeError, ErrorCodes } from '../../src/core/errors.js';
import { decodeArp } from '../../src/wire/arp.js';
import { buildPacket } from '../../src/wire/build.js';
import { transportChecksumOk } from '../../src/wire/checksums.js';
import { decodeFrame, findLayer } from '../../src/wire/frame.js';
import { decodeIpv4 } from '../../src/wire/ipv4.js';
import { decodeIpv6 } from '../../src/wire/ipv6.js';
import { LinkType } from '../../src/wire/numbers.js';
import { encodeSll } from '../../src/wire/sll.js';
import { decodeTcp } from '../../src/wire/tcp.js';
import { mixedFrames } from '../helpers/mixed-frames.js';
import { bytes, normalize } from './arbitraries.js';

const names = (b: Uint8Array, lt = 1) =>
  decodeFrame(lt, b).layers.map((l) => (l.embedded ? `(${l.name})` : l.name));

test('decodeFrame names every layer of the bench mix, outermost first', () => {
  const got = mixedFrames().map((f) => names(f).join('/'));
  assert.deepEqual(got, [
    'eth/ipv4/tcp',
    'eth/ipv4/tcp',
    'eth/ipv4/tcp',
    'eth/vlan/ipv4/udp/dns',
    'eth/ipv4/udp/dns',
    'eth/arp',
    'eth/ipv6/tcp',
    'eth/ipv6/udp',
    'eth/ipv4/icmp',
    'eth/ipv6/icmpv6',
    'eth/ipv4/udp',
    'eth/ipv4',
    'eth/ipv6/ipv6.fraghdr/udp',
    'eth/vlan/vlan/ipv4/tcp',
  ]);
});

test('decodeFrame never throws: arbitrary bytes on every link type give layers and at most a DecodeError', () => {
  for (const lt of [0, 1, 101, 108, 113, 228, 229, 276, 9999]) {
    fc.assert(
      fc.property(bytes(0, 120), (b) => {
        const f = decodeFrame(lt, b);
        assert.ok(f.error === undefined || f.error instanceof DecodeError);
        assert.ok(f.payloadOffset <= f.payloadEnd || f.error !== undefined);
      }),
      { numRuns: 500 },
    );
  }
});

test('every truncation of real frames decodes the captured layers and reports TRUNCATED', () => {
  for (const full of mixedFrames()) {
    const complete = decodeFrame(1, full);
    assert.equal(complete.error, undefined);
    for (let cut = 0; cut < full.length; cut++) {
      const f = decodeFrame(1, full.subarray(0, cut));
      if (f.error) {
        assert.ok(f.error instanceof DecodeError);
        assert.equal(f.error.code, ErrorCodes.TRUNCATED, `cut ${cut}: ${f.error.message}`);
      }
      // Whatever was decoded is a prefix of the complete decode.
      assert.deepEqual(
        f.layers.map((l) => l.name),
        complete.layers.slice(0, f.layers.length).map((l) => l.name),
      );
    }
  }
});

test('a transport checksum cut short by the snapshot length is unknown (null), not bad', () => {
  const full = buildPacket([
    { layer: 'eth' },
    { layer: 'ipv4' },
    { layer: 'udp', dport: 9 },
    { layer: 'payload', data: new Uint8Array(100) },
  ]).bytes;
  const f = decodeFrame(1, full);
  assert.equal(transportChecksumOk(full, f, 2), true);
  const cut = full.subarray(0, 60);
  assert.equal(transportChecksumOk(cut, decodeFrame(1, cut), 2), null);
});

test('Ethernet padding after IPv4 Total Length is not payload', () => {
  const f = buildPacket([
    { layer: 'eth' },
    { layer: 'ipv4' },
    { layer: 'udp', dport: 9 },
    { layer: 'payload', data: Uint8Array.of(1, 2) },
  ]);
  assert.equal(f.bytes.length, 60);
  const d = decodeFrame(1, f.bytes);
  assert.equal(d.payloadEnd - d.payloadOffset, 2);
  assert.equal(transportChecksumOk(f.bytes, d, 2), true);
});

test('an ICMP error quotes the offending IPv4 header and UDP ports as embedded layers', () => {
  const b = buildPacket([
    { layer: 'eth' },
    { layer: 'ipv4', src: parseIPv4('10.0.0.9') },
    { layer: 'icmp', type: 11 },
    { layer: 'ipv4', src: parseIPv4('10.0.0.1'), dst: parseIPv4('8.8.8.8'), ttl: 1 },
    { layer: 'udp', sport: 33434, dport: 33435 },
  ]).bytes;
  assert.deepEqual(names(b), ['eth', 'ipv4', 'icmp', '(ipv4)', '(udp)']);
  const inner = decodeFrame(1, b).layers[3]!;
  assert.equal(inner.name === 'ipv4' && formatIPv4(inner.header.dst), '8.8.8.8');
  // Only 8 bytes of a quoted TCP header: the TCP layer is left out rather than reported as an error.
  const tcpQuoted = buildPacket([
    { layer: 'ipv4' },
    { layer: 'icmp', type: 3, code: 1 },
    { layer: 'ipv4', totalLength: 60 },
    { layer: 'payload', data: new Uint8Array(8) },
  ]);
  tcpQuoted.bytes[tcpQuoted.layers[2]!.offset + 9] = 6;
  const d = decodeFrame(LinkType.RAW, tcpQuoted.bytes);
  assert.equal(d.error, undefined);
  assert.deepEqual(
    d.layers.map((l) => l.name),
    ['ipv4', 'icmp', 'ipv4'],
  );
});

test('802.3 length frames decode LLC and SNAP, and the length trims padding', () => {
  const llc = Uint8Array.from([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06]);
  const arp = buildPacket([{ layer: 'eth' }, { layer: 'arp' }]).bytes.subarray(14, 42);
  const frame = new Uint8Array(64);
  frame.set(
    buildPacket(
      [
        { layer: 'eth', type: llc.length + arp.length },
        { layer: 'payload', data: llc },
        { layer: 'payload', data: arp },
      ],
      { pad: false },
    ).bytes,
  );
  assert.deepEqual(names(frame), ['eth', 'llc', 'arp']);
  const stp = new Uint8Array(60);
  stp.set(
    buildPacket(
      [
        { layer: 'eth', dst: parseMac('01:80:c2:00:00:00'), type: 38 },
        { layer: 'payload', data: Uint8Array.of(0x42, 0x42, 0x03) },
      ],
      { pad: false },
    ).bytes,
  );
  const d = decodeFrame(1, stp);
  assert.deepEqual(names(stp), ['eth', 'llc']);
  assert.equal(d.payloadEnd, 14 + 38);
});

test('Linux cooked captures and raw IP link types reach the transport layer', () => {
  const ip = buildPacket([{ layer: 'ipv4' }, { layer: 'tcp' }]).bytes;
  const sll = new Uint8Array(16 + ip.length);
  encodeSll({ pkttype: 4, hatype: 1, halen: 6, addr: new Uint8Array(8), type: 0x0800 }, sll, 0);
  sll.set(ip, 16);
  assert.deepEqual(names(sll, LinkType.LINUX_SLL), ['linux_sll', 'ipv4', 'tcp']);
  assert.deepEqual(names(ip, LinkType.RAW), ['ipv4', 'tcp']);
  const ip6 = buildPacket([{ layer: 'ipv6' }, { layer: 'udp', dport: 9 }]).bytes;
  assert.deepEqual(names(ip6, LinkType.IPV6), ['ipv6', 'udp']);
  const nul = Uint8Array.from([2, 0, 0, 0, ...ip]);
  assert.deepEqual(names(nul, LinkType.NULL), ['null', 'ipv4', 'tcp']);
  const loop6 = Uint8Array.from([0, 0, 0, 24, ...ip6]);
  assert.deepEqual(names(loop6, LinkType.LOOP), ['null', 'ipv6', 'udp']);
});

test('a frame with an FCS decodes the same when told its FCS length', () => {
  const b = buildPacket(
    [
      { layer: 'eth' },
      { layer: 'ipv4' },
      { layer: 'udp', dport: 9 },
      { layer: 'payload', data: new Uint8Array(40) },
    ],
    { fcs: true },
  ).bytes;
  const d = decodeFrame(1, b, { fcsLength: 4 });
  assert.equal(d.error, undefined);
  assert.equal(d.payloadEnd, b.length - 4);
  assert.equal(findLayer(d, 'udp')?.header.length, 48);
});

test('the fast-path header values hold the same fields as the codecs decode, byte ranges included', () => {
  const decoders: Record<string, (b: Uint8Array, o: number) => unknown> = {
    ipv4: decodeIpv4,
    ipv6: decodeIpv6,
    tcp: decodeTcp,
    arp: decodeArp,
  };
  let checked = 0;
  const extra = buildPacket([
    { layer: 'eth' },
    { layer: 'ipv4', options: Uint8Array.of(0x94, 4, 0, 0) },
    { layer: 'tcp', options: [{ kind: 2, mss: 1 }] },
  ]).bytes;
  for (const b of [...mixedFrames(), extra]) {
    for (const l of decodeFrame(1, b).layers) {
      const d = decoders[l.name];
      if (!d) continue;
      const h = l.header as unknown as { toJSON(): unknown };
      assert.deepEqual(normalize(h.toJSON()), normalize(d(b, l.offset)), l.name);
      const viaGetters = Object.fromEntries(
        Object.keys(normalize(d(b, l.offset)) as object).map((k) => [k, (l.header as never)[k]]),
      );
      assert.deepEqual(normalize(viaGetters), normalize(d(b, l.offset)));
      checked++;
    }
  }
  assert.equal(checked, 21);
});

test('mutated real frames never make decodeFrame or the checksum verdicts throw', () => {
  const base = [
    ...mixedFrames(),
    buildPacket([
      { layer: 'eth' },
      { layer: 'ipv6' },
      { layer: 'ipv6.hopopts' },
      { layer: 'ipv6.routing', type: 4, addresses: [new Uint8Array(16)] },
      { layer: 'ipv6.dstopts' },
      { layer: 'udp', dport: 53 },
      { layer: 'payload', data: new Uint8Array(12) },
    ]).bytes,
    buildPacket([
      { layer: 'eth' },
      { layer: 'ipv4' },
      { layer: 'icmp', type: 3 },
      { layer: 'ipv6' },
      { layer: 'tcp' },
    ]).bytes,
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: base.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      (which, edits, cut) => {
        const b = Uint8Array.from(base[which]!);
        for (const [at, v] of edits) b[at % b.length] = v;
        const captured = b.subarray(0, b.length - (cut % 8));
        const frame = decodeFrame(1, captured);
        assert.ok(frame.error === undefined || frame.error instanceof DecodeError);
        frame.layers.forEach((_, i) => {
          const ok = transportChecksumOk(captured, frame, i);
          assert.ok(ok === null || typeof ok === 'boolean');
        });
      },
    ),
    { numRuns: 3000 },
  );
});

test('an IPv6 Payload Length that ends inside the extension headers stops the decode at the transport header', () => {
  const b = buildPacket([
    { layer: 'ipv6', payloadLength: 4 },
    { layer: 'ipv6.hopopts' },
    { layer: 'udp', dport: 9 },
  ]).bytes;
  const f = decodeFrame(LinkType.RAW, b);
  assert.deepEqual(
    f.layers.map((l) => l.name),
    ['ipv6', 'ipv6.hopopts'],
  );
  assert.equal(f.error?.layer, 'udp');
  assert.equal(f.error?.code, ErrorCodes.TRUNCATED);
  assert.equal(transportChecksumOk(b, f, 1), null);
});

test('IP tunnels continue the demultiplexing, with nesting bounded', () => {
  const six4 = buildPacket([{ layer: 'eth' }, { layer: 'ipv4' }, { layer: 'ipv6' }, { layer: 'tcp' }]).bytes;
  assert.deepEqual(names(six4), ['eth', 'ipv4', 'ipv6', 'tcp']);
  const f = decodeFrame(1, six4);
  assert.equal(transportChecksumOk(six4, f, 3), true);
  const deep = buildPacket([
    { layer: 'ipv4' },
    { layer: 'ipv4' },
    { layer: 'ipv4' },
    { layer: 'ipv4' },
    { layer: 'ipv4' },
    { layer: 'ipv4' },
    { layer: 'udp', dport: 9 },
  ]).bytes;
  const d = decodeFrame(LinkType.RAW, deep);
  assert.equal(d.error, undefined);
  assert.deepEqual(
    d.layers.map((l) => l.name),
    ['ipv4', 'ipv4', 'ipv4', 'ipv4'],
  );
});
