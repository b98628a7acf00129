import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatIPv4, formatIPv6 } from '../../src/core/bytes.js';
import { DecodeError, ErrorCodes } from '../../src/core/errors.js';
import {
  type DnsMessage,
  type DnsRecord,
  decodeDns,
  decodeDnsSummary,
  decodeName,
  dns,
  encodeDnsMessage,
} from '../../src/wire/dns.js';
import { bytes, normalize, onlyDecodeError, roundTrip, u16, u32 } from './arbitraries.js';

const label = fc
  .uint8Array({ minLength: 1, maxLength: 20 })
  .map((b) =>
    Array.from(b, (c) =>
      c === 0x2e || c === 0x5c
        ? `\\${String.fromCharCode(c)}`
        : c < 0x21 || c > 0x7e
          ? `\\${String(c).padStart(3, '0')}`
          : String.fromCharCode(c),
    ).join(''),
  );
const name = fc.oneof(
  fc.constant('.'),
  fc
    .array(fc.oneof(label, fc.constantFrom('example', 'com', 'www')), { minLength: 1, maxLength: 5 })
    .map((l) => l.join('.')),
);

const record: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ name, type: fc.constant(1), class: u16, ttl: u32, data: u32.map(formatIPv4) }),
  fc.record({
    name,
    type: fc.constant(28),
    class: u16,
    ttl: u32,
    data: bytes(16, 16).map((b) => formatIPv6(b)),
  }),
  fc.record({ name, type: fc.constantFrom(2, 5, 12), class: u16, ttl: u32, data: name }),
  fc.record({
    name,
    type: fc.constant(15),
    class: u16,
    ttl: u32,
    data: fc.record({ preference: u16, exchange: name }),
  }),
  fc.record({
    name,
    type: fc.constant(16),
    class: u16,
    ttl: u32,
    data: fc.array(bytes(0, 40), { maxLength: 3 }),
  }),
  fc.record({
    name,
    type: fc.constant(6),
    class: u16,
    ttl: u32,
    data: fc.record({
      mname: name,
      rname: name,
      serial: u32,
      refresh: u32,
      retry: u32,
      expire: u32,
      minimum: u32,
    }),
  }),
  fc.record({ name, type: fc.constantFrom(99, 41, 65280, 33), class: u16, ttl: u32, data: bytes(0, 30) }),
);

export const dnsArb: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  qr: fc.boolean(),
  opcode: fc.integer({ min: 0, max: 15 }),
  aa: fc.boolean(),
  tc: fc.boolean(),
  rd: fc.boolean(),
  ra: fc.boolean(),
  z: fc.boolean(),
  ad: fc.boolean(),
  cd: fc.boolean(),
  rcode: fc.integer({ min: 0, max: 15 }),
  questions: fc.array(fc.record({ name, type: u16, class: u16 }), { maxLength: 3 }),
  answers: fc.array(record, { maxLength: 4 }),
  authorities: fc.array(record, { maxLength: 2 }),
  additionals: fc.array(record, { maxLength: 2 }),
});

test('dns: decode(encode(m)) equals m, with and without compression', () => {
  roundTrip(dns, dnsArb, 300);
  fc.assert(
    fc.property(dnsArb, (m) => {
      assert.deepEqual(normalize(decodeDns(encodeDnsMessage(m, false))), normalize(m));
    }),
    { numRuns: 100 },
  );
});

test('dns: compression makes repeated names shorter and points backwards', () => {
  const m: DnsMessage = {
    id: 1,
    qr: true,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [{ name: 'www.example.com', type: 1, class: 1 }],
    answers: [{ name: 'www.example.com', type: 5, class: 1, ttl: 1, data: 'mail.example.com' }],
    authorities: [],
    additionals: [],
  };
  const c = encodeDnsMessage(m, true);
  const u = encodeDnsMessage(m, false);
  // Answer name: a 2-byte pointer to offset 12; CNAME "mail" + pointer to "example.com" at 16.
  assert.equal(u.length - c.length, 17 - 2 + (18 - 7));
  assert.deepEqual(Array.from(c.subarray(33, 35)), [0xc0, 12]);
});

test('dns: a pointer to itself or forwards is rejected, so a loop cannot be built', () => {
  const hdr = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
  // Name at 12: pointer to 12 (itself).
  const self = Uint8Array.from([...hdr, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(
    () => decodeDns(self),
    (e: unknown) => e instanceof DecodeError && /backwards/.test(e.message),
  );
  // Label "a" then a pointer back to the label: a two-step loop.
  const loop = Uint8Array.from([...hdr, 1, 0x61, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(
    () => decodeDns(loop),
    (e: unknown) => e instanceof DecodeError && /backwards/.test(e.message),
  );
  // Two names pointing at each other.
  const pair = Uint8Array.from([...hdr, 0xc0, 14, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decodeDns(pair), DecodeError);
});

test('dns: names longer than 255 octets are rejected even when built from pointers', () => {
  const hdr = [0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
  const long63 = [63, ...new Array(63).fill(0x61)];
  // First name: 3 × 64 = 192 octets + root; second: 64 more octets, then a pointer to the first (> 255).
  const first = [...long63, ...long63, ...long63, 0, 0, 1, 0, 1];
  const second = [...long63, 0xc0, 12, 0, 1, 0, 1];
  const b = Uint8Array.from([...hdr, ...first, ...second]);
  assert.throws(
    () => decodeDns(b),
    (e: unknown) => e instanceof DecodeError && /255/.test(e.message),
  );
  assert.throws(() =>
    encodeDnsMessage({
      ...decodeDns(Uint8Array.from([...hdr.slice(0, 5), 1, ...hdr.slice(6), ...first])),
      questions: [{ name: `${'a'.repeat(63)}.`.repeat(4), type: 1, class: 1 }],
    }),
  );
});

test('dns: huge counts in a short message end in TRUNCATED without allocating for them', () => {
  const b = Uint8Array.from([0, 1, 0x81, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]);
  assert.throws(
    () => decodeDns(b),
    (e: unknown) => e instanceof DecodeError && e.code === ErrorCodes.TRUNCATED,
  );
});

test('dns: arbitrary bytes and every truncation give only DecodeError', () => {
  fc.assert(
    fc.property(bytes(0, 200), (b) => onlyDecodeError(() => decodeDns(b))),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(dnsArb, (m) => {
      const full = encodeDnsMessage(m);
      for (let cut = 0; cut < full.length; cut++) onlyDecodeError(() => decodeDns(full.subarray(0, cut)));
    }),
    { numRuns: 50 },
  );
});

test('dns: the summary gives the first question and header fields', () => {
  fc.assert(
    fc.property(dnsArb, (m) => {
      const s = decodeDnsSummary(encodeDnsMessage(m));
      assert.equal(s.id, m.id);
      assert.equal(s.qr, m.qr);
      assert.equal(s.ancount, m.answers.length);
      assert.equal(s.qname, m.questions[0]?.name);
    }),
    { numRuns: 200 },
  );
});

test('dns: label bytes that are dots, backslashes or unprintable are escaped and read back', () => {
  const b = Uint8Array.from([3, 0x61, 0x2e, 0x62, 2, 0x5c, 0x00, 0]);
  const r = decodeName(b, 0, 0, b.length);
  assert.equal(r.name, 'a\\.b.\\\\\\000');
  assert.equal(r.next, 8);
});

test('dns: a final dot is the root, an escaped final dot is part of the label', () => {
  const q = (name: string) =>
    decodeDns(
      encodeDnsMessage({
        id: 0,
        qr: false,
        opcode: 0,
        aa: false,
        tc: false,
        rd: false,
        ra: false,
        z: false,
        ad: false,
        cd: false,
        rcode: 0,
        questions: [{ name, type: 1, class: 1 }],
        answers: [],
        authorities: [],
        additionals: [],
      }),
    ).questions[0]!.name;
  assert.equal(q('example.com.'), 'example.com');
  assert.equal(q('a\\.'), 'a\\.');
  assert.equal(q('a\\\\.b'), 'a\\\\.b');
  assert.equal(q('a\\\\.'), 'a\\\\');
  assert.throws(() => q('a..b'), /empty label/);
});
