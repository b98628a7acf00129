import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { DecodeError } from '../../src/core/errors.js';
import {
  CaptureParser,
  type CaptureRecord,
  concat,
  encodeCapture,
  formatTs,
  type PacketRecord,
  PcapngWriter,
  PcapWriter,
  parseCapture,
  readPackets,
  readRecords,
  type WritePacket,
} from '../../src/pcap/index.js';
import { needPeer } from '../helpers/peers.js';

const tmp = mkdtempSync(join(tmpdir(), 'netkit-pcap-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const packets = (rs: CaptureRecord[]) => rs.filter((r): r is PacketRecord => r.kind === 'packet');
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

const sample: WritePacket[] = [
  { data: bytes(60), tsSec: 1591780794, tsNsec: 740079123 },
  { data: bytes(1), tsSec: 1591780795, tsNsec: 0, len: 1500 },
  { data: bytes(0), tsSec: 0, tsNsec: 999_999_999 },
  { data: bytes(1514, 7), tsSec: 2147483647, tsNsec: 5000 },
];

describe('classic pcap', () => {
  for (const nano of [false, true]) {
    for (const littleEndian of [true, false]) {
      it(`round-trips packets with ${nano ? 'nanosecond' : 'microsecond'} ${littleEndian ? 'little' : 'big'}-endian files`, () => {
        const w = new PcapWriter({ nano, littleEndian, linktype: 113, snaplen: 65535 });
        const rs = parseCapture(encodeCapture(w, sample));
        const sec = rs[0]!;
        assert.equal(sec.kind, 'section');
        if (sec.kind === 'section') {
          assert.equal(sec.nano, nano);
          assert.equal(sec.littleEndian, littleEndian);
          assert.equal(sec.snaplen, 65535);
          assert.equal(sec.linktype, 113);
        }
        const ps = packets(rs);
        assert.equal(ps.length, sample.length);
        ps.forEach((p, i) => {
          const s = sample[i]!;
          assert.deepEqual([...p.data], [...s.data]);
          assert.equal(p.len, s.len ?? s.data.length);
          assert.equal(p.linktype, 113);
          assert.equal(p.tsSec, s.tsSec);
          assert.equal(p.tsNsec, nano ? s.tsNsec : Math.floor(s.tsNsec! / 1000) * 1000);
        });
      });
    }
  }

  it('writes the header bytes the pcap format specifies', () => {
    const h = new PcapWriter({ linktype: 1, snaplen: 262144 }).header();
    assert.deepEqual(
      Buffer.from(h).toString('hex'),
      'd4c3b2a1' + '0200' + '0400' + '00000000' + '00000000' + '00000400' + '01000000',
    );
    assert.equal(
      Buffer.from(new PcapWriter({ nano: true, littleEndian: false }).header()).toString('hex', 0, 4),
      'a1b23c4d',
    );
  });

  it('reports a record claiming more than the limit as an error record and skips it without buffering', () => {
    const w = new PcapWriter();
    const good = w.packet({ data: bytes(40) });
    const bad = w.packet({ data: bytes(300_000) });
    const file = concat([w.header(), good, bad, good]);
    const p = new CaptureParser();
    const out: CaptureRecord[] = [];
    let maxBuffered = 0;
    for (let i = 0; i < file.length; i += 1000) {
      p.push(file.subarray(i, i + 1000), out);
      maxBuffered = Math.max(maxBuffered, p.bufferedBytes);
    }
    p.end(out);
    assert.ok(maxBuffered < 1100, `buffered ${maxBuffered}`);
    const errs = out.filter((r) => r.kind === 'error');
    assert.equal(errs.length, 1);
    assert.ok(errs[0]!.kind === 'error' && errs[0]!.error instanceof DecodeError && !errs[0]!.fatal);
    assert.match(errs[0]!.kind === 'error' ? errs[0]!.error.message : '', /300000 captured bytes/);
    assert.equal(packets(out).length, 2);
  });

  it('reports a file cut inside a record with its offset', () => {
    const w = new PcapWriter();
    const file = encodeCapture(w, sample.slice(0, 2));
    const rs = parseCapture(file.subarray(0, file.length - 3));
    const last = rs.at(-1)!;
    assert.equal(last.kind, 'error');
    if (last.kind === 'error') {
      assert.equal(last.error.code, 'NETKIT_ERR_TRUNCATED');
      assert.equal(last.offset, 24 + 16 + 60);
      assert.equal(last.fatal, true);
    }
  });

  it('rejects bytes that are neither pcap nor pcapng', () => {
    const rs = parseCapture(new TextEncoder().encode('hello world, not a capture'));
    assert.equal(rs.length, 1);
    assert.equal(rs[0]!.kind, 'error');
    assert.match(rs[0]!.kind === 'error' ? rs[0]!.error.message : '', /not a pcap or pcapng file/);
  });
});

describe('pcapng', () => {
  it('reads several interfaces with their own link types, resolutions and offsets', () => {
    const w = new PcapngWriter({
      interfaces: [
        { linktype: 1, name: 'eth0' },
        { linktype: 113, tsresol: { binary: false, exp: 9 }, name: 'any' },
        { linktype: 101, tsresol: { binary: true, exp: 20 }, tsoffset: 1000 },
      ],
    });
    const ps: WritePacket[] = [
      { iface: 0, data: bytes(42), tsSec: 1700000000, tsNsec: 123456000 },
      { iface: 1, data: bytes(43), tsSec: 1700000001, tsNsec: 123456789, flags: 1, comment: 'hi' },
      { iface: 2, data: bytes(44), tsSec: 1700000002, tsNsec: 500_000_000, len: 99 },
    ];
    const rs = parseCapture(encodeCapture(w, ps));
    const ifs = rs.filter((r) => r.kind === 'interface');
    assert.equal(ifs.length, 3);
    assert.equal(ifs[0]!.kind === 'interface' && ifs[0]!.name, 'eth0');
    assert.deepEqual(ifs[2]!.kind === 'interface' && ifs[2]!.tsresol, { binary: true, exp: 20 });
    const got = packets(rs);
    assert.deepEqual(
      got.map((p) => [p.iface, p.linktype, p.tsSec, p.tsNsec, p.caplen, p.len, p.flags]),
      [
        [0, 1, 1700000000, 123456000, 42, 42, 0],
        [1, 113, 1700000001, 123456789, 43, 43, 1],
        [2, 101, 1700000002, 500_000_000, 44, 99, 0],
      ],
    );
  });

  it('reads consecutive sections of different byte order, each with its own interfaces', () => {
    const a = new PcapngWriter({ littleEndian: true, interfaces: [{ linktype: 1 }] });
    const b = new PcapngWriter({ littleEndian: false, interfaces: [{ linktype: 101 }, { linktype: 1 }] });
    const file = concat([
      a.header(),
      a.packet({ data: bytes(20), tsSec: 5 }),
      b.header(),
      b.packet({ data: bytes(21), iface: 1, tsSec: 6, tsNsec: 7000 }),
      b.packet({ data: bytes(22), iface: 0, tsSec: 7 }),
    ]);
    const rs = parseCapture(file);
    const sections = rs.filter((r) => r.kind === 'section');
    assert.deepEqual(
      sections.map((s) => s.kind === 'section' && s.littleEndian),
      [true, false],
    );
    assert.deepEqual(
      packets(rs).map((p) => [p.linktype, p.iface, p.tsSec, p.tsNsec, p.caplen]),
      [
        [1, 0, 5, 0, 20],
        [1, 1, 6, 7000, 21],
        [101, 0, 7, 0, 22],
      ],
    );
  });

  it('reads simple, obsolete, name, statistics and custom blocks and skips unknown ones by length', () => {
    const w = new PcapngWriter({ interfaces: [{ linktype: 1, snaplen: 30 }] });
    const file = concat([
      w.header(),
      w.simplePacket(bytes(40), 40),
      w.obsoletePacket({ data: bytes(10), tsSec: 9, tsNsec: 1000 }),
      w.names([
        { address: Uint8Array.of(10, 0, 0, 1), names: ['gw.example', 'router'] },
        { address: new Uint8Array(16).fill(1), names: ['six'] },
      ]),
      w.rawBlock(0x12345678, bytes(13)),
      w.custom(32473, bytes(5), true),
      w.custom(32473, bytes(6), false),
      w.stats(0, 10, 0, 1234, 5),
      w.packet({ data: bytes(8), tsSec: 11 }),
    ]);
    const rs = parseCapture(file, { keepCustom: true });
    const kinds = rs.map((r) => r.kind);
    assert.deepEqual(kinds, [
      'section',
      'interface',
      'packet',
      'packet',
      'names',
      'skipped',
      'custom',
      'custom',
      'stats',
      'packet',
    ]);
    const [spb, opb, epb] = packets(rs);
    assert.equal(spb!.caplen, 30, 'SPB captured length is capped at the interface snaplen');
    assert.equal(spb!.len, 40);
    assert.equal(spb!.block, 'spb');
    assert.equal(opb!.block, 'opb');
    assert.equal(opb!.tsSec, 9);
    assert.equal(opb!.tsNsec, 1000);
    assert.equal(epb!.tsSec, 11);
    const names = rs[4]!;
    assert.ok(names.kind === 'names');
    assert.deepEqual(names.entries[0]!.names, ['gw.example', 'router']);
    assert.equal(names.entries[1]!.family, 6);
    const skipped = rs[5]!;
    assert.ok(skipped.kind === 'skipped' && skipped.blockType === 0x12345678 && skipped.length === 28);
    const c = rs[6]!;
    assert.ok(c.kind === 'custom' && c.pen === 32473 && c.copyable);
    // Custom data is "padded to a 32 bit boundary" and carries no length of its own.
    assert.deepEqual([...(c.data ?? [])], [...bytes(5), 0, 0, 0]);
    const st = rs[8]!;
    assert.ok(st.kind === 'stats' && st.received === 1234 && st.dropped === 5 && st.tsSec === 10);
  });

  it('reports a block whose trailing length disagrees as a fatal error at its offset', () => {
    const w = new PcapngWriter();
    const h = w.header();
    const p = w.packet({ data: bytes(4) });
    p[p.length - 4] = 0x99;
    const rs = parseCapture(concat([h, p]));
    const e = rs.at(-1)!;
    assert.ok(e.kind === 'error' && e.fatal && e.offset === h.length && e.error instanceof DecodeError);
  });

  it('keeps nanosecond timestamps exact for dates far past 2038', () => {
    const w = new PcapngWriter({ interfaces: [{ tsresol: { binary: false, exp: 9 } }] });
    const when = [
      [4102444800, 999_999_999],
      [1, 1],
      [17179869183, 123],
    ] as const;
    const rs = packets(
      parseCapture(
        encodeCapture(
          w,
          when.map(([s, n]) => ({ data: bytes(1), tsSec: s, tsNsec: n })),
        ),
      ),
    );
    assert.deepEqual(
      rs.map((p) => formatTs(p.tsSec, p.tsNsec)),
      when.map(([s, n]) => `${s}.${String(n).padStart(9, '0')}`),
    );
  });
});

describe('streaming', () => {
  const w = new PcapngWriter({
    interfaces: [{ linktype: 1 }, { linktype: 101, tsresol: { binary: false, exp: 9 } }],
  });
  const file = concat([
    encodeCapture(
      w,
      Array.from({ length: 40 }, (_, i) => ({
        data: bytes((i * 37) % 300, i),
        iface: i % 2,
        tsSec: i,
        tsNsec: i * 1000,
      })),
    ),
    w.stats(1, 50, 0, 40, 0),
  ]);
  const whole = parseCapture(file);
  const shape = (rs: CaptureRecord[]) =>
    rs.map((r) =>
      r.kind === 'packet'
        ? [r.offset, r.iface, r.tsSec, r.tsNsec, Buffer.from(r.data).toString('hex')]
        : [r.kind, r.offset],
    );

  it('reads the same records however the input is chunked', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: file.length }), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const p = new CaptureParser();
        const out: CaptureRecord[] = [];
        let prev = 0;
        for (const c of [...points, file.length]) {
          p.push(file.subarray(prev, c), out);
          prev = c;
        }
        p.end(out);
        assert.deepEqual(shape(out), shape(whole));
      }),
      { numRuns: 200 },
    );
  });

  it('with reuseRecords hands over one refilled object per packet, with the same fields, from every block type', () => {
    const w = new PcapngWriter({ interfaces: [{ linktype: 1, snaplen: 30 }, { linktype: 101 }] });
    const ng = concat([
      w.header(),
      w.simplePacket(bytes(40), 40),
      w.obsoletePacket({ data: bytes(10), tsSec: 9, tsNsec: 1000 }),
      w.packet({ data: bytes(8), tsSec: 11, iface: 1 }),
    ]);
    for (const capture of [file, ng]) {
      const fresh = packets(parseCapture(capture)).map((r) => ({ ...r, data: Array.from(r.data) }));
      const seen: object[] = [];
      const copies: unknown[] = [];
      const p = new CaptureParser({ reuseRecords: true });
      const sink = {
        push(r: CaptureRecord) {
          if (r.kind !== 'packet') return;
          seen.push(r);
          copies.push({ ...r, data: Array.from(r.data) });
        },
      };
      p.push(capture, sink);
      p.end(sink);
      assert.deepEqual(copies, fresh);
      assert.ok(seen.length >= 3);
      assert.ok(
        seen.every((r) => r === seen[0]),
        'one object',
      );
    }
  });

  it('reads one byte at a time the same as all at once', () => {
    const p = new CaptureParser();
    const out: CaptureRecord[] = [];
    for (let i = 0; i < file.length; i++) p.push(file.subarray(i, i + 1), out);
    p.end(out);
    assert.deepEqual(shape(out), shape(whole));
  });

  it('reads from a Node stream as an async iterator', async () => {
    const chunks = [];
    for (let i = 0; i < file.length; i += 777) chunks.push(Buffer.from(file.subarray(i, i + 777)));
    const got: CaptureRecord[] = [];
    for await (const r of readRecords(Readable.from(chunks))) got.push(r);
    assert.deepEqual(shape(got), shape(whole));
    let n = 0;
    for await (const _ of readPackets(Readable.from(chunks))) n++;
    assert.equal(n, 40);
  });

  it('gives only DecodeError records, never throws, on arbitrary bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc
            .tuple(
              fc.constantFrom(file.subarray(0, 64), new PcapWriter().header()),
              fc.uint8Array({ maxLength: 300 }),
            )
            .map(([a, b]) => concat([a, b])),
        ),
        (b) => {
          for (const r of parseCapture(b)) if (r.kind === 'error') assert.ok(r.error instanceof DecodeError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reports every truncation of a real capture as the whole records before it plus one truncation error', () => {
    const starts = whole.map((r) => r.offset);
    const boundaries = new Set([...starts, file.length]);
    for (let cut = 1; cut < file.length; cut += 3) {
      const rs = parseCapture(file.subarray(0, cut));
      const errs = rs.filter((r) => r.kind === 'error');
      const complete = starts.filter((_, i) => (starts[i + 1] ?? file.length) <= cut);
      assert.equal(rs.length - errs.length, complete.length, `cut ${cut}`);
      assert.equal(errs.length, boundaries.has(cut) ? 0 : 1, `cut ${cut}`);
      if (errs[0]?.kind === 'error') assert.equal(errs[0].error.code, 'NETKIT_ERR_TRUNCATED');
    }
  });
});

describe('interop with tcpdump and tshark', () => {
  it('writes pcap files that tcpdump reads packet for packet', (t) => {
    const tcpdump = needPeer(t, 'tcpdump');
    if (!tcpdump) return;
    const full = sample.filter((s) => s.data.length >= 14);
    for (const nano of [false, true]) {
      const f = join(tmp, `w-${nano}.pcap`);
      writeFileSync(f, encodeCapture(new PcapWriter({ nano, littleEndian: !nano }), full));
      const r: { status: number | null; stdout: string; stderr: string } = spawnSync(
        tcpdump,
        ['-n', '-r', f, '--nano', '-tt', '-q'],
        {
          encoding: 'utf8',
          env: { ...process.env, TZ: 'UTC' },
        },
      );
      assert.equal(r.status, 0, r.stderr);
      const stamps = r.stdout
        .trim()
        .split('\n')
        .map((l: string) => l.split(' ')[0]);
      assert.deepEqual(
        stamps,
        full.map((s) => formatTs(s.tsSec!, nano ? s.tsNsec! : Math.floor(s.tsNsec! / 1000) * 1000)),
      );
    }
  });

  it('writes pcapng files whose interfaces and timestamps tshark reads the same', (t) => {
    const tshark = needPeer(t, 'tshark');
    if (!tshark) return;
    const w = new PcapngWriter({
      littleEndian: false,
      interfaces: [
        { linktype: 1, name: 'a' },
        { linktype: 101, name: 'b', tsresol: { binary: false, exp: 9 } },
      ],
    });
    const ps = [
      { iface: 0, data: bytes(60), tsSec: 1600000000, tsNsec: 1000 },
      { iface: 1, data: bytes(40), tsSec: 1600000001, tsNsec: 123456789 },
    ];
    const f = join(tmp, 'w.pcapng');
    writeFileSync(f, encodeCapture(w, ps));
    const r = spawnSync(
      tshark,
      ['-r', f, '-T', 'fields', '-e', 'frame.interface_id', '-e', 'frame.time_epoch', '-e', 'frame.cap_len'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    assert.deepEqual(rows, [
      ['0', '1600000000.000001000', '60'],
      ['1', '1600000001.123456789', '40'],
    ]);
  });

  it('reads a capture that tcpdump wrote', (t) => {
    const tcpdump = needPeer(t, 'tcpdump');
    if (!tcpdump) return;
    const src = join(tmp, 'src.pcap');
    writeFileSync(src, encodeCapture(new PcapWriter(), sample));
    const f = join(tmp, 'tcpdump.pcap');
    const r = spawnSync(tcpdump, ['-r', src, '-w', f, '-c', '2'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const rs = packets(parseCapture(readFileSync(f)));
    assert.equal(rs.length, 2);
    assert.deepEqual([...rs[0]!.data], [...sample[0]!.data]);
  });
});

describe('large files', () => {
  it('reads a 4.4 GB stream with exact offsets past 4 GiB, holding nothing between chunks', () => {
    // One 1 MiB chunk of four 262144-byte records, fed 4200 times: 16,800 records, 4.4 GB.
    const w = new PcapWriter();
    const rec = w.packet({ data: new Uint8Array(262144 - 16), tsSec: 1 });
    const chunk = concat([rec, rec, rec, rec]);
    const p = new CaptureParser({ metadata: false });
    const out: CaptureRecord[] = [];
    p.push(w.header(), out);
    let packets = 0;
    let last: PacketRecord | undefined;
    for (let i = 0; i < 4200; i++) {
      p.push(chunk, out);
      assert.equal(p.bufferedBytes, 0);
      packets += out.length;
      last = out.at(-1) as PacketRecord;
      out.length = 0;
    }
    p.end(out);
    assert.deepEqual(out, []);
    assert.equal(packets, 16800);
    assert.equal(last!.offset, 24 + 16799 * 262144);
    assert.ok(last!.offset > 2 ** 32);
    assert.equal(p.offset, 24 + 16800 * 262144);
  });
});
