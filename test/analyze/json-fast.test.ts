import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Analyzer } from '../../src/analyze/analyzer.js';
import type { PacketRecord } from '../../src/pcap/format.js';
import { parseCapture } from '../../src/pcap/reader.js';
import { buildFrame } from '../helpers/frames.js';
import { mixedFrames } from '../helpers/mixed-frames.js';
import { frames, samplePackets } from './sample.js';

const rec = (
  data: Uint8Array,
  linktype = 1,
  len = data.length,
  tsSec = 1_700_000_000,
  tsNsec = 5,
): PacketRecord => ({
  kind: 'packet',
  iface: 0,
  linktype,
  tsSec,
  tsNsec,
  caplen: data.length,
  len,
  data,
  offset: 0,
  block: 'pcap',
  flags: 0,
});

/** --json text of the packets by the fast writer and by layers.ts + JSON.stringify, in one pass each. */
function bothWays(packets: PacketRecord[]): [string[], string[]] {
  const fast = new Analyzer({ mode: 'json' });
  const slow = new Analyzer({ mode: 'json', fastJson: false });
  return [packets.map((p) => fast.packet(p)), packets.map((p) => slow.packet(p))];
}

function assertSame(packets: PacketRecord[]): void {
  const [a, b] = bothWays(packets);
  for (let i = 0; i < a.length; i++) assert.equal(a[i], b[i], `packet ${i + 1}`);
}

/** ICMP errors quoting 0 to 40 bytes past an IPv4 header carrying TCP, UDP or ICMP. */
function quoting(): Uint8Array[] {
  const inner = [
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      tcp: { sport: 1, dport: 2, flags: 2, seq: 5 },
      payload: new Uint8Array(30),
    }),
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      udp: { sport: 1, dport: 2 },
      payload: new Uint8Array(30),
    }),
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      icmp: { type: 8, code: 0, rest: 7 },
      payload: new Uint8Array(30),
    }),
  ];
  const out: Uint8Array[] = [];
  for (const f of inner) {
    for (let n = 0; n <= 40; n++) {
      for (const [type, code] of [
        [3, 3],
        [11, 0],
        [12, 0],
      ] as const) {
        out.push(
          buildFrame({
            ipSrc: '10.0.0.9',
            ipDst: '10.0.0.1',
            icmp: { type, code, rest: 0 },
            payload: f.subarray(14, 14 + 20 + n),
          }),
        );
      }
    }
  }
  return out;
}
/** IPv4 packets whose total length runs past the end of the frame, with UDP lengths around the limits. */
function cutShort(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const bases = [
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      udp: { sport: 1, dport: 2 },
      payload: new Uint8Array(30),
    }),
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      udp: { sport: 53, dport: 2 },
      payload: new Uint8Array(30),
    }),
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      tcp: { sport: 1, dport: 2, flags: 2, seq: 5 },
      payload: new Uint8Array(30),
    }),
    buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.9',
      icmp: { type: 8, code: 0, rest: 7 },
      payload: new Uint8Array(30),
    }),
  ];
  for (const f of bases) {
    const total = (f[16]! << 8) | f[17]!;
    for (const extraLen of [1, 2, 40, 1000]) {
      for (const udpLen of [
        0,
        7,
        8,
        38,
        39,
        total - 20,
        total - 20 + extraLen,
        total - 20 + extraLen + 1,
        65535,
      ]) {
        const b = new Uint8Array(f);
        b[16] = (total + extraLen) >> 8;
        b[17] = (total + extraLen) & 0xff;
        if (b[23] === 17) {
          b[38] = udpLen >> 8;
          b[39] = udpLen & 0xff;
        }
        out.push(b);
      }
    }
  }
  return out;
}
const extra = [...quoting(), ...cutShort()];

describe('--json from the fast writer', () => {
  it('equals the layers.ts object for every sample frame, bench frame, and every truncation of each', () => {
    const all = [...frames, ...mixedFrames(), ...extra];
    assertSame(all.map((f) => rec(f)));
    assertSame(samplePackets.map((p) => rec(p.data, 1, p.len ?? p.data.length, p.tsSec, p.tsNsec)));
    for (const f of all) {
      assertSame(Array.from({ length: f.length + 1 }, (_, n) => rec(f.subarray(0, n), 1, f.length)));
      assertSame(Array.from({ length: f.length + 1 }, (_, n) => rec(f.subarray(0, n))));
    }
  });

  it('equals the layers.ts object for every packet of the public test captures', () => {
    const dir = new URL('../fixtures/pcap/', import.meta.url);
    const packets = readdirSync(dir)
      .filter((f) => /\.pcap(ng)?$/.test(f))
      .flatMap((f) => parseCapture(readFileSync(new URL(f, dir))))
      .filter((r): r is PacketRecord => r.kind === 'packet');
    assert.ok(packets.length >= 20);
    assertSame(packets);
  });

  it('equals the layers.ts object on arbitrary bytes behind valid headers, in any order', () => {
    const all = [...frames, ...mixedFrames(), ...extra];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(...all), fc.uint8Array({ maxLength: 60 }), fc.nat(90), fc.nat(1e9 - 1)),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (list) => {
          assertSame(
            list.map(([f, tail, at, ns]) => {
              const b = new Uint8Array(f);
              b.set(tail.subarray(0, Math.max(0, b.length - at)), Math.min(at, b.length));
              return rec(b, 1, b.length, 1_700_000_000, ns);
            }),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('equals the layers.ts object on arbitrary bytes under every link type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(0, 1, 101, 113, 276), (b, lt) => {
        assertSame([rec(b, lt)]);
      }),
      { numRuns: 2000 },
    );
  });

  it('still writes valid JSON with a summary that needs escaping', () => {
    // A DNS TXT answer prints its quoted text in the summary.
    const an = new Analyzer({ mode: 'json' });
    for (const f of [...frames, ...mixedFrames()]) {
      const j = JSON.parse(an.packet(rec(f))) as { summary: string };
      assert.equal(typeof j.summary, 'string');
    }
  });
});
