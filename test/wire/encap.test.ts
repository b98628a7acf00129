import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIPv4, parseIPv6, parseMac } from '../../src/core/bytes.js';
import { fcsOk } from '../../src/core/checksum.js';
import { decapsulate, encapsulate } from '../../src/wire/encap.js';
import { LinkType } from '../../src/wire/numbers.js';

const data = new TextEncoder().encode('hello, world\n');

test('the sender adds a header per layer, each step longer by that header', () => {
  const { bytes, steps, linkType } = encapsulate(data, {
    ethernet: { src: parseMac('00:00:00:00:00:01'), dst: parseMac('00:00:00:00:00:02') },
    ip: { version: 4, src: parseIPv4('10.0.0.1'), dst: parseIPv4('10.0.0.2') },
    transport: { protocol: 'udp', sport: 5000, dport: 7 },
    fcs: true,
  });
  assert.equal(linkType, LinkType.ETHERNET);
  assert.deepEqual(
    steps.map((s) => [s.layer, s.headerLength, s.totalLength]),
    [
      ['payload', 13, 13],
      ['udp', 8, 21],
      ['ipv4', 20, 41],
      ['eth', 14, 60], // 55 bytes padded to the 60-byte minimum
      ['fcs', 4, 64],
    ],
  );
  assert.equal(bytes.length, 64);
  assert.ok(fcsOk(bytes));
});

test('the receiver demultiplexes by EtherType, protocol and port, verifying checksums, and gets the data back', () => {
  for (const ip of [
    { version: 4 as const, src: parseIPv4('10.0.0.1'), dst: parseIPv4('10.0.0.2') },
    { version: 6 as const, src: parseIPv6('2001:db8::1'), dst: parseIPv6('2001:db8::2') },
  ]) {
    for (const transport of [
      { protocol: 'udp' as const, sport: 5000, dport: 7 },
      { protocol: 'tcp' as const, sport: 5000, dport: 7, seq: 100, ack: 1 },
    ]) {
      const sent = encapsulate(data, { ethernet: { vlan: [42] }, ip, transport, fcs: true });
      const got = decapsulate(sent.bytes, sent.linkType, { fcs: true });
      assert.equal(new TextDecoder().decode(got.data), 'hello, world\n');
      assert.deepEqual(
        got.steps.map((s) => s.layer),
        ['fcs', 'eth', 'vlan', `ipv${ip.version}`, transport.protocol],
      );
      for (const s of got.steps) if (s.checksumOk !== undefined) assert.equal(s.checksumOk, true, s.layer);
      assert.match(got.steps[1]!.demux, /^type 0x8100 → vlan$/);
      assert.match(got.steps[4]!.demux, /^port 7 → application$/);
    }
  }
});

test('the receiver notices a corrupted byte through the checksums', () => {
  const sent = encapsulate(data, { ip: { version: 4 }, transport: { protocol: 'udp', sport: 1, dport: 7 } });
  sent.bytes[sent.bytes.length - 1]! ^= 0x20;
  const got = decapsulate(sent.bytes, sent.linkType);
  assert.equal(got.steps.find((s) => s.layer === 'udp')?.checksumOk, false);
  assert.equal(got.steps.find((s) => s.layer === 'ipv4')?.checksumOk, true);
});
