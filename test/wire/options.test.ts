import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIPv6, fromHex, parseIPv6 } from '../../src/core/bytes.js';
import { DecodeError, ErrorCodes } from '../../src/core/errors.js';
import { buildPacket } from '../../src/wire/build.js';
import { decodeIpv4Options, encodeIpv4Options } from '../../src/wire/ipv4.js';
import {
  decodeIpv6OptionList,
  decodeSrh,
  encodeIpv6OptionList,
  padIpv6Options,
  routing0,
  routing0Addresses,
  srh,
  walkIpv6,
} from '../../src/wire/ipv6.js';
import {
  decodeTcpOptions,
  encodeTcpOptions,
  parseTcpFlags,
  type TcpOption,
  tcpFlagsText,
} from '../../src/wire/tcp.js';
import { bytes, normalize, onlyDecodeError, u8, u16, u32 } from './arbitraries.js';

const tcpOption: fc.Arbitrary<TcpOption> = fc.oneof(
  fc.constant({ kind: 1 } as TcpOption),
  fc.record({ kind: fc.constant(2), mss: u16 }),
  fc.record({ kind: fc.constant(3), shift: u8 }),
  fc.constant({ kind: 4 } as TcpOption),
  fc.record({ kind: fc.constant(5), blocks: fc.array(fc.tuple(u32, u32), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant(8), tsval: u32, tsecr: u32 }),
  fc.record({ kind: fc.constant(34), cookie: bytes(0, 8) }),
  fc.record({ kind: fc.constantFrom(6, 19, 28, 29, 30, 253, 254), data: bytes(0, 6) }),
) as fc.Arbitrary<TcpOption>;

test('tcp options: parse(encode(list)) gives the list back, unknown kinds kept, then EOL padding', () => {
  fc.assert(
    fc.property(fc.array(tcpOption, { maxLength: 4 }), (opts) => {
      let raw: Uint8Array;
      try {
        raw = encodeTcpOptions(opts);
      } catch {
        return; // more than 40 bytes: refused, as it must be
      }
      assert.equal(raw.length % 4, 0);
      const back = decodeTcpOptions(raw);
      const padded =
        raw.length > opts.reduce((n, o) => n + (o.kind <= 1 ? 1 : 2), 0) && back.at(-1)?.kind === 0;
      assert.deepEqual(normalize(padded ? back.slice(0, -1) : back), normalize(opts));
    }),
    { numRuns: 500 },
  );
});

test('tcp options: a SYN option block decodes to MSS, SACK-permitted, timestamps, NOP, window scale', () => {
  const raw = fromHex('020405b4 0402 080a 0001e240 00000000 01 030307')!;
  assert.deepEqual(normalize(decodeTcpOptions(raw)), [
    { kind: 2, mss: 1460 },
    { kind: 4 },
    { kind: 8, tsval: 123456, tsecr: 0 },
    { kind: 1 },
    { kind: 3, shift: 7 },
  ]);
});

test('tcp options: a zero length, an overrun, a wrong fixed length or a ragged SACK is a DecodeError', () => {
  for (const [hex, code] of [
    ['0200', ErrorCodes.INVALID],
    ['0206 05b4', ErrorCodes.TRUNCATED],
    ['0203 05', ErrorCodes.INVALID],
    ['0512 00000001 00000002', ErrorCodes.TRUNCATED],
    ['0507 00000001 000000', ErrorCodes.INVALID],
    ['08', ErrorCodes.TRUNCATED],
  ] as const) {
    assert.throws(
      () => decodeTcpOptions(fromHex(hex)!),
      (e: unknown) => e instanceof DecodeError && e.code === code,
      hex,
    );
  }
  fc.assert(
    fc.property(bytes(0, 40), (b) => onlyDecodeError(() => decodeTcpOptions(b))),
    { numRuns: 2000 },
  );
});

test('tcp flags: text round-trips in tcpdump letters and parses word lists', () => {
  assert.equal(tcpFlagsText(0x002), 'S');
  assert.equal(tcpFlagsText(0x012), 'S.');
  assert.equal(tcpFlagsText(0x018), 'P.');
  assert.equal(tcpFlagsText(0x011), 'F.');
  assert.equal(parseTcpFlags('SA'), 0x012);
  assert.equal(parseTcpFlags('S.'), 0x012);
  assert.equal(parseTcpFlags('syn,ack'), 0x012);
  assert.equal(parseTcpFlags('FPU'), 0x029);
  assert.equal(parseTcpFlags('X'), undefined);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0x1ff }), (f) => assert.equal(parseTcpFlags(tcpFlagsText(f)), f)),
  );
});

test('ipv4 options: round trip, EOL ends the list, and a bad length is refused', () => {
  const opts = [
    { type: 148, data: Uint8Array.from([0, 0]) },
    { type: 1 },
    { type: 7, data: new Uint8Array(7) },
  ];
  const raw = encodeIpv4Options(opts);
  assert.equal(raw.length, 16);
  assert.deepEqual(normalize(decodeIpv4Options(raw)), normalize([...opts, { type: 0 }]));
  assert.throws(() => decodeIpv4Options(Uint8Array.from([7, 1, 0, 0])), DecodeError);
  assert.throws(() => decodeIpv4Options(Uint8Array.from([7, 9, 0, 0])), DecodeError);
  fc.assert(
    fc.property(bytes(0, 40), (b) => onlyDecodeError(() => decodeIpv4Options(b))),
    { numRuns: 2000 },
  );
});

test('ipv6 TLV options: round trip and padding to 8n + 6 bytes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ type: fc.integer({ min: 1, max: 255 }), data: bytes(0, 10) }), { maxLength: 4 }),
      (opts) => {
        const padded = padIpv6Options(opts);
        const raw = encodeIpv6OptionList(padded);
        assert.equal((raw.length + 2) % 8, 0);
        assert.deepEqual(normalize(decodeIpv6OptionList(raw)), normalize(padded));
      },
    ),
  );
  fc.assert(
    fc.property(bytes(0, 40), (b) => onlyDecodeError(() => decodeIpv6OptionList(b))),
    { numRuns: 2000 },
  );
});

test('ipv6 routing: type 0 addresses and SRH segments read back', () => {
  const a = ['2001:db8::1', '2001:db8::2', '2001:db8::3'].map((x) => parseIPv6(x)!);
  assert.deepEqual(
    routing0Addresses(routing0(6, 3, a)).map((x) => formatIPv6(x)),
    ['2001:db8::1', '2001:db8::2', '2001:db8::3'],
  );
  const s = decodeSrh(srh(17, 1, { flags: 0, tag: 7, segments: a, tlvs: new Uint8Array(0) }));
  assert.equal(s.lastEntry, 2);
  assert.equal(s.tag, 7);
  assert.deepEqual(
    s.segments.map((x) => formatIPv6(x)),
    ['2001:db8::1', '2001:db8::2', '2001:db8::3'],
  );
});

test('walkIpv6 finds the final destination (type 0, SRH) and the Home Address option', () => {
  const dst = parseIPv6('2001:db8::a')!;
  const hoa = parseIPv6('2001:db8:ffff::1')!;
  const p0 = buildPacket([
    { layer: 'ipv6', dst },
    { layer: 'ipv6.routing', type: 0, addresses: [parseIPv6('2001:db8::b')!, parseIPv6('2001:db8::c')!] },
    { layer: 'udp' },
  ]).bytes;
  const c0 = walkIpv6(p0);
  assert.equal(formatIPv6(c0.finalDst), '2001:db8::c');
  assert.equal(c0.protocol, 17);
  assert.equal(c0.offset, 40 + 40);
  const p4 = buildPacket([
    { layer: 'ipv6', dst },
    { layer: 'ipv6.routing', type: 4, addresses: [parseIPv6('2001:db8::f')!, dst], segmentsLeft: 1 },
    { layer: 'tcp' },
  ]).bytes;
  assert.equal(formatIPv6(walkIpv6(p4).finalDst), '2001:db8::f');
  const done = buildPacket([
    { layer: 'ipv6', dst },
    { layer: 'ipv6.routing', type: 0, addresses: [parseIPv6('2001:db8::b')!], segmentsLeft: 0 },
    { layer: 'udp' },
  ]).bytes;
  assert.equal(
    formatIPv6(walkIpv6(done).finalDst),
    '2001:db8::a',
    'no segments left: the destination is final',
  );
  const mip = buildPacket([
    { layer: 'ipv6' },
    { layer: 'ipv6.dstopts', options: [{ type: 0xc9, data: hoa }] },
    { layer: 'udp' },
  ]).bytes;
  assert.equal(formatIPv6(walkIpv6(mip).homeAddress!), '2001:db8:ffff::1');
});

test('walkIpv6 stops at a non-first fragment and gives only DecodeError on every truncation', () => {
  const p = buildPacket([
    { layer: 'ipv6' },
    { layer: 'ipv6.hopopts' },
    { layer: 'ipv6.fraghdr', offset: 100, more: true },
    { layer: 'payload', data: new Uint8Array(30) },
  ]).bytes;
  const c = walkIpv6(p);
  assert.equal(c.fragment?.fragOffset, 100);
  assert.equal(c.protocol, 59);
  for (let cut = 0; cut < 56; cut++) {
    assert.throws(
      () => walkIpv6(p.subarray(0, cut)),
      (e: unknown) => e instanceof DecodeError && e.code === ErrorCodes.TRUNCATED,
    );
  }
});

test('tcp flags: single words such as syn, ack, fin parse as words', () => {
  assert.equal(parseTcpFlags('syn'), 0x002);
  assert.equal(parseTcpFlags('ack'), 0x010);
  assert.equal(parseTcpFlags('FIN'), 0x001);
  assert.equal(parseTcpFlags('rst,ack'), 0x014);
});

test('ipv4 options: parse(encode(list)) gives the list back, then EOL padding', () => {
  const opt = fc.oneof(
    fc.constant({ type: 1 }),
    fc.record({ type: fc.integer({ min: 2, max: 255 }), data: bytes(0, 6) }),
  );
  fc.assert(
    fc.property(fc.array(opt, { maxLength: 4 }), (opts) => {
      const raw = encodeIpv4Options(opts);
      const back = decodeIpv4Options(raw);
      const n = opts.reduce((s, o) => s + (o.type <= 1 ? 1 : 2 + (o as { data: Uint8Array }).data.length), 0);
      assert.deepEqual(normalize(back), normalize(n < raw.length ? [...opts, { type: 0 }] : opts));
    }),
    { numRuns: 500 },
  );
});
