import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  dataView,
  formatIPv4,
  formatIPv6,
  formatMac,
  fromHex,
  hexDump,
  parseIPv4,
  parseIPv6,
  parseMac,
  readMac,
  toHex,
  writeMac,
} from '../../src/core/bytes.js';

test('IPv6 text follows RFC 5952 canonical form', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'], // §4.2.3: first of equal runs
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // §4.2.2: one zero group is not compressed
    ['2001:db8:0:0:1:0:0:0', '2001:db8:0:0:1::'], // longest run wins
    ['2001:DB8::AbCd', '2001:db8::abcd'], // §4.3 lower case
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::', 'fe80::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // §5 IPv4-mapped
  ];
  for (const [input, want] of cases) assert.equal(formatIPv6(parseIPv6(input)!), want, input);
});

test('malformed IPv6 text is refused', () => {
  for (const bad of [
    '',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'g::',
    '1:2:3:4:5:6:7',
    '::1.2.3',
  ]) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
});

test('IPv6 text round-trips for any address', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (a) => {
      assert.deepEqual(parseIPv6(formatIPv6(a)), Uint8Array.from(a));
    }),
    { numRuns: 500 },
  );
});

test('IPv4 and MAC text round-trip and refuse nonsense', () => {
  assert.equal(parseIPv4('192.168.1.11'), 0xc0a8010b);
  assert.equal(formatIPv4(0xc0a8010b), '192.168.1.11');
  for (const bad of ['1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '1.2.3.4.5'])
    assert.equal(parseIPv4(bad), undefined);
  assert.equal(parseMac('00:11:22:33:44:55'), 0x001122334455);
  assert.equal(parseMac('0011.2233.4455'), 0x001122334455);
  assert.equal(formatMac(0xffffffffffff), 'ff:ff:ff:ff:ff:ff');
  assert.equal(parseMac('00:11:22:33:44'), undefined);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (m) => {
      assert.equal(parseMac(formatMac(m)), m);
      const b = new Uint8Array(8);
      writeMac(b, 1, m);
      assert.equal(readMac(b, 1), m);
    }),
  );
});

test('a DataView over a pooled Buffer sees the Buffer, not the start of the pool', () => {
  const buf = Buffer.from('abcdef');
  const sub = buf.subarray(2);
  assert.equal(dataView(sub).getUint8(0), 'c'.charCodeAt(0));
});

test('hex helpers round-trip and the dump shows offsets, hex and ASCII', () => {
  assert.equal(toHex(fromHex('de ad:be-ef')!), 'deadbeef');
  assert.equal(fromHex('abc'), undefined);
  const d = hexDump(new TextEncoder().encode('GET / HTTP/1.1\r\nHost'), '');
  assert.equal(d.split('\n')[0], '0x0000:  4745 5420 2f20 4854 5450 2f31 2e31 0d0a  GET / HTTP/1.1..');
  assert.match(d.split('\n')[1]!, /^0x0010: {2}486f 7374 {31} Host$/);
});
