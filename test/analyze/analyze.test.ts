import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { Analyzer } from '../../src/analyze/analyzer.js';
import { Dissection, dissect } from '../../src/analyze/dissect.js';
import { compileFilter } from '../../src/analyze/filter.js';
import { decodeLayers } from '../../src/analyze/layers.js';
import { SyntaxError_ } from '../../src/core/errors.js';
import { type PacketRecord, parseCapture } from '../../src/pcap/index.js';
import { buildFrame } from '../helpers/frames.js';
import { needPeer } from '../helpers/peers.js';
import { frames, sampleCapture, samplePackets, tcpdumpDecodesMore } from './sample.js';

const tmp = mkdtempSync(join(tmpdir(), 'netkit-analyze-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 'sample.pcap');
writeFileSync(file, sampleCapture());
const records = parseCapture(sampleCapture()).filter((r): r is PacketRecord => r.kind === 'packet');

function summaries(filter?: string): string[] {
  const an = new Analyzer({ filter: filter === undefined ? undefined : compileFilter(filter) });
  return records
    .map((r) => an.packet(r))
    .filter((s) => s !== '')
    .map((s) => s.trimEnd());
}

function tcpdump(t: import('node:test').TestContext, args: string[]): string[] | undefined {
  const bin = needPeer(t, 'tcpdump');
  if (!bin) return undefined;
  const r = spawnSync(bin, ['-n', '-r', file, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

describe('one-line summaries', () => {
  it('print the same line as tcpdump -n for every frame whose application layer neither decodes', (t) => {
    const theirs = tcpdump(t, []);
    if (!theirs) return;
    const ours = summaries();
    assert.equal(ours.length, theirs.length);
    let compared = 0;
    ours.forEach((line, i) => {
      if (tcpdumpDecodesMore[i]) return;
      assert.equal(line, theirs[i], `frame ${i}`);
      compared++;
    });
    assert.ok(compared >= 25, `compared ${compared}`);
  });

  it('print absolute sequence numbers with -S like tcpdump -S', (t) => {
    const theirs = tcpdump(t, ['-S', 'tcp and not vlan']);
    if (!theirs) return;
    const an = new Analyzer({ absoluteSeq: true, filter: compileFilter('tcp') });
    const ours = records
      .filter((r) => !dissect(new Dissection(), r.data, r.linktype, r.len).vlanCount)
      .map((r) => an.packet(r).trimEnd())
      .filter(Boolean);
    assert.deepEqual(
      ours.map((l) => l.split(': HTTP')[0]),
      theirs.map((l) => l.split(': HTTP')[0]),
    );
  });
});

describe('filters', () => {
  // Frames with VLAN tags are left out: libpcap's `udp` does not look past a tag unless `vlan`
  // comes first, netkit's does (docs/protocols/analyze.md).
  const expressions = [
    'tcp',
    'udp',
    'icmp',
    'icmp6',
    'arp',
    'ip',
    'ip6',
    'host 10.0.0.1',
    'src host 10.0.0.2',
    'dst host 10.0.0.2 and tcp',
    'net 10.0.0.0/24',
    'net 192.168',
    'net 10.0.0.0 mask 255.255.255.0',
    'host 2001:db8::2',
    'net 2001:db8::/32',
    'port 53',
    'src port 53',
    'tcp port 80',
    'udp port 80',
    'portrange 1-10',
    'tcp dst portrange 440-450',
    'tcp[tcpflags] & tcp-syn != 0',
    'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0',
    'tcp[13] & 0x12 = 0x12',
    'icmp[icmptype] = icmp-echo',
    'less 61',
    'greater 100',
    'len > 100',
    'ether host 00:11:22:33:44:55',
    'ether dst ff:ff:ff:ff:ff:ff',
    'ip proto 47',
    'proto 17',
    'not tcp and ip',
    '!(udp || icmp) && ip',
    'ip and not (host 10.0.0.1 or host 127.0.0.1)',
    'src 10.0.0.1 and dst port 80',
    'udp[8:2] = 22836',
  ];
  const noVlan = (s: string[]) => s.filter((l) => !l.includes('> 10.0.0.2.2:'));
  for (const e of expressions) {
    it(`selects the same packets as tcpdump for '${e}'`, (t) => {
      const theirs = tcpdump(t, [e]);
      if (!theirs) return;
      const ours = noVlan(summaries(e)).map((l) => l.slice(0, 15));
      assert.deepEqual(
        ours,
        noVlan(theirs).map((l) => l.slice(0, 15)),
      );
    });
  }

  it('matches VLAN tags by presence and by id', () => {
    assert.equal(summaries('vlan').length, 2);
    assert.equal(summaries('vlan 100').length, 2);
    assert.equal(summaries('vlan 200').length, 0);
    assert.equal(summaries('vlan and udp').length, 1);
  });

  const mistakes: [string, number, RegExp][] = [
    ['tcp port', 9, /expected a port/],
    ['host 10.0.0.1 and', 18, /before the end/],
    ['tcp[13 & 2 != 0', 12, /expected '\]'/],
    ['port 70000', 6, /at most 65535/],
    ['host example.com', 6, /not resolved/],
    ['(tcp or udp', 12, /expected '\)'/],
    ['tcp $ udp', 5, /unexpected character/],
    ['net 10.0.0.1/24', 5, /host bits/],
    ['tcp frobnicate', 5, /unexpected/],
  ];
  for (const [text, col, msg] of mistakes) {
    it(`points at column ${col} of '${text}'`, () => {
      assert.throws(
        () => compileFilter(text),
        (e: unknown) => {
          assert.ok(e instanceof SyntaxError_);
          assert.equal(e.file, '<filter>');
          assert.equal(e.column, col, e.message);
          assert.match(e.message, msg);
          return true;
        },
      );
    });
  }
});

describe('layered decode', () => {
  it('gives every key the JSON document names, with checksums verified', () => {
    const tcp = decodeLayers(frames[1]!, 1, frames[1]!.length);
    assert.deepEqual(tcp.errors, []);
    assert.deepEqual(
      tcp.layers.map((l) => l.layer),
      ['eth', 'ipv4', 'tcp'],
    );
    const [eth, ip, t] = tcp.layers;
    for (const k of ['src', 'dst', 'type']) assert.ok(k in eth!, k);
    for (const k of [
      'src',
      'dst',
      'proto',
      'ttl',
      'id',
      'df',
      'mf',
      'frag_offset',
      'hdr_len',
      'total_length',
      'tos',
      'checksum',
      'checksum_ok',
    ])
      assert.ok(k in ip!, k);
    for (const k of [
      'sport',
      'dport',
      'seq',
      'ack',
      'flags',
      'window',
      'hdr_len',
      'payload_len',
      'urg',
      'checksum',
      'checksum_ok',
      'options',
    ])
      assert.ok(k in t!, k);
    assert.equal(ip!.checksum_ok, true);
    assert.equal(t!.checksum_ok, true);
    assert.equal(t!.flags, 0x12);
  });

  it('reports a bad transport checksum as checksum_ok false', () => {
    const f = buildFrame({
      ipSrc: '10.0.0.1',
      ipDst: '10.0.0.2',
      udp: { sport: 1, dport: 2 },
      payload: new Uint8Array(4),
      badChecksum: true,
    });
    const udp = decodeLayers(f, 1, f.length).layers.find((l) => l.layer === 'udp')!;
    assert.equal(udp.checksum_ok, false);
    const f6 = buildFrame({ ipSrc: '::1', ipDst: '::1', tcp: { sport: 1, dport: 2 }, badChecksum: true });
    assert.equal(decodeLayers(f6, 1, f6.length).layers.find((l) => l.layer === 'tcp')!.checksum_ok, false);
  });

  it('leaves checksum_ok null for a snapshot-truncated segment and a fragment', () => {
    const cut = samplePackets[30]!;
    const l = decodeLayers(cut.data, 1, cut.len!);
    assert.equal(l.layers.find((x) => x.layer === 'tcp')!.checksum_ok, null);
    const frag = decodeLayers(frames[22]!, 1, frames[22]!.length);
    assert.equal(frag.layers.find((x) => x.layer === 'udp')!.checksum_ok, null);
  });

  it('follows an ICMP error with the quoted headers marked embedded', () => {
    const l = decodeLayers(frames[11]!, 1, frames[11]!.length).layers;
    assert.deepEqual(
      l.map((x) => `${x.layer}${x.embedded ? '*' : ''}`),
      ['eth', 'ipv4', 'icmp', 'ipv4*', 'udp*'],
    );
    assert.equal(l[4]!.dport, 33434);
  });

  it('keeps the captured fields of a header cut short and says where it stopped', () => {
    const cut = samplePackets[29]!;
    const d = decodeLayers(cut.data, 1, cut.len!);
    const t = d.layers.find((x) => x.layer === 'tcp')!;
    assert.equal(t.sport, 40000);
    assert.equal(t.dport, 80);
    assert.deepEqual(d.errors, ['tcp: truncated at 40']);
  });
});

describe('never throws', () => {
  const an = new Analyzer({ mode: 'json' });
  const av = new Analyzer({ mode: 'verbose', hex: true });
  const rec = (data: Uint8Array, linktype: number): PacketRecord => ({
    kind: 'packet',
    iface: 0,
    linktype,
    tsSec: 0,
    tsNsec: 0,
    caplen: data.length,
    len: data.length,
    data,
    offset: 0,
    block: 'pcap',
    flags: 0,
  });
  it('on arbitrary bytes under every link type it knows', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.constantFrom(0, 1, 101, 108, 113, 228, 229, 276, 147),
        (b, lt) => {
          const j = JSON.parse(an.packet(rec(b, lt))) as { errors: string[]; summary: string };
          assert.equal(typeof j.summary, 'string');
          assert.ok(av.packet(rec(b, lt)).length > 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('on arbitrary bytes behind valid Ethernet/IP headers', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(80),
        (f, tail, at) => {
          const b = new Uint8Array(f);
          b.set(tail.subarray(0, Math.max(0, b.length - at)), Math.min(at, b.length));
          JSON.parse(an.packet(rec(b, 1)));
          av.packet(rec(b, 1));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('on every truncation of every sample frame, reporting where it stopped', () => {
    for (const f of frames) {
      for (let n = 0; n <= f.length; n++) {
        const cut = f.subarray(0, n);
        const j = JSON.parse(an.packet({ ...rec(cut, 1), len: f.length })) as {
          errors: string[];
          summary: string;
        };
        if (n < 14) assert.deepEqual(j.errors, [`eth: truncated at ${n}`]);
        av.packet(rec(cut, 1));
      }
    }
  });
});

describe('fast formatting', () => {
  it('writes IPv6 addresses exactly as the RFC 5952 formatter in src/core does', async () => {
    const { fastIPv6 } = await import('../../src/analyze/summary.js');
    const { formatIPv6 } = await import('../../src/core/bytes.js');
    const group = fc.constantFrom(0, 0, 0, 1, 0xffff, 0x2001, 0xdb8);
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (gs) => {
        const b = new Uint8Array(16);
        gs.forEach((g, i) => {
          b[2 * i] = g >> 8;
          b[2 * i + 1] = g & 0xff;
        });
        assert.equal(fastIPv6(b, 0), formatIPv6(b, 0));
      }),
      { numRuns: 3000 },
    );
  });
});
