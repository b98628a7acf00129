import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex } from '../../src/core/bytes.js';
import {
  crc32,
  fcsOk,
  fillFcs,
  fillIpv4HeaderChecksum,
  fillTransportChecksum,
  fold,
  internetChecksum,
  ipv4HeaderChecksum,
  ipv4HeaderChecksumOk,
  onesSum,
  pseudoSumV4,
  transportChecksumOk,
  updateChecksum,
} from '../../src/core/checksum.js';

const hex = (s: string) => fromHex(s)!;

test('the RFC 1071 §3 example sums to 0xddf2 and checksums to 0x220d', () => {
  const b = hex('0001f203f4f5f6f7');
  assert.equal(onesSum(b, 0, b.length), 0x2ddf0);
  assert.equal(fold(onesSum(b, 0, b.length)), 0xddf2);
  assert.equal(internetChecksum(b), 0x220d);
});

test('an odd final byte is padded with zero on the right', () => {
  assert.equal(onesSum(hex('0102ab'), 0, 3), 0x0102 + 0xab00);
});

test('a well-known IPv4 header has checksum 0xb861 and verifies', () => {
  const h = hex('450000730000400040110000c0a80001c0a800c7');
  assert.equal(ipv4HeaderChecksum(h, 0, 20), 0xb861);
  assert.equal(fillIpv4HeaderChecksum(h, 0, 20), 0xb861);
  assert.equal(h[10], 0xb8);
  assert.ok(ipv4HeaderChecksumOk(h, 0, 20));
  h[8] = 63;
  assert.ok(!ipv4HeaderChecksumOk(h, 0, 20));
});

test('the checksum of bytes holding their own checksum verifies, whatever the bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), (data) => {
      const b = Uint8Array.from(data);
      const c = fillTransportChecksum(pseudoSumV4(0x0a000001, 0x0a000002, 6, b.length), b, 0, b.length, 0);
      assert.ok(c >= 0 && c <= 0xffff);
      assert.ok(transportChecksumOk(pseudoSumV4(0x0a000001, 0x0a000002, 6, b.length), b, 0, b.length));
    }),
    { numRuns: 300 },
  );
});

test('a UDP checksum that computes to zero is sent as 0xffff (RFC 768)', () => {
  // Choose payload words so that the pseudo-header plus data sums to 0xffff, i.e. a checksum of 0.
  const pseudo = pseudoSumV4(0, 0, 17, 10);
  const b = new Uint8Array(10);
  b[4] = 0;
  b[5] = 10;
  const partial = fold(onesSum(b, 0, 10, pseudo));
  const fill = 0xffff - partial;
  b[8] = fill >>> 8;
  b[9] = fill & 0xff;
  assert.equal(fillTransportChecksum(pseudo, b, 0, 10, 6, true), 0xffff);
  assert.ok(transportChecksumOk(pseudo, b, 0, 10));
});

test('the incremental update of RFC 1624 equals recomputing', () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 20, maxLength: 20 }),
      fc.integer({ min: 0, max: 0xffff }),
      (data, word) => {
        const b = Uint8Array.from(data);
        b[0] = 0x45;
        const c = fillIpv4HeaderChecksum(b, 0, 20);
        const old = (b[8]! << 8) | b[9]!;
        b[8] = word >>> 8;
        b[9] = word & 0xff;
        const upd = updateChecksum(c, old, word);
        const recomputed = ipv4HeaderChecksum(b, 0, 20);
        // 0x0000 and 0xffff are the two one's-complement zeros.
        assert.equal(upd === 0xffff ? 0 : upd, recomputed === 0xffff ? 0 : recomputed);
      },
    ),
    { numRuns: 300 },
  );
});

test('CRC-32 of "123456789" is the check value 0xCBF43926', () => {
  assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test('CRC-32 can be computed in pieces', () => {
  const b = new TextEncoder().encode('123456789');
  assert.equal(crc32(b, 4, 5, crc32(b, 0, 4)), 0xcbf43926);
});

test('an Ethernet frame FCS is stored little-endian and detects a flipped bit', () => {
  const frame = new Uint8Array(64);
  frame.set(
    hex(
      'ffffffffffff001122334455080600010800060400010011223344550a000001000000000000 0a000002'.replace(
        ' ',
        '',
      ),
    ),
  );
  const c = fillFcs(frame);
  assert.equal(frame[60]! | (frame[61]! << 8) | (frame[62]! << 16) | (frame[63]! * 0x1000000), c);
  assert.ok(fcsOk(frame));
  frame[20]! ^= 1;
  assert.ok(!fcsOk(frame));
});
