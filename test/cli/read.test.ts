import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { fstatSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { concat, PcapngWriter } from '../../src/pcap/index.js';
import { sampleCapture, samplePackets } from '../analyze/sample.js';
import { sleep } from '../helpers/net.js';
import { inCI, isRoot, needPeer } from '../helpers/peers.js';

const tmp = mkdtempSync(join(tmpdir(), 'netkit-read-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const file = join(tmp, 'sample.pcap');
writeFileSync(file, sampleCapture());

async function run(
  args: string[],
  stdin: Uint8Array = new Uint8Array(0),
  signal = new AbortController().signal,
) {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await main(args, {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: out,
    stderr: err,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: { PATH: process.env.PATH },
    signal,
  });
  return { code, stdout: Buffer.concat(o).toString('utf8'), stderr: Buffer.concat(e).toString('utf8') };
}

describe('netkit read', () => {
  it('prints one line per packet and the same lines from stdin', async () => {
    const a = await run(['read', file]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout.trimEnd().split('\n').length, samplePackets.length);
    const b = await run(['read', '-'], sampleCapture());
    assert.equal(b.stdout, a.stdout);
  });

  it('applies a filter given as several words and stops after -c matches', async () => {
    const r = await run(['read', file, 'tcp', 'and', 'port', '80', '-c', '3']);
    assert.equal(r.code, 0, r.stderr);
    const ls = r.stdout.trimEnd().split('\n');
    assert.equal(ls.length, 3);
    for (const l of ls) assert.match(l, /\.80[: ]/);
  });

  it('writes one JSON object per packet with the documented keys', async () => {
    const r = await run(['read', file, '--json', 'udp']);
    const objs = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(objs.length >= 5);
    for (const o of objs)
      assert.deepEqual(Object.keys(o), [
        'n',
        'ts',
        'caplen',
        'len',
        'iface',
        'linktype',
        'layers',
        'summary',
        'errors',
      ]);
    assert.equal(objs[0]!.ts, '1591780800.740079000');
    assert.equal(objs[0]!.n, 7, 'packet numbers count every packet, as tshark does');
  });

  it('shows layers with -v and hex with -x', async () => {
    const r = await run(['read', file, '-v', '-x', '-c', '1']);
    assert.match(
      r.stdout,
      /\n {4}ipv4: src 10\.0\.0\.1, dst 10\.0\.0\.2, .*checksum 0x[0-9a-f]{4} \(correct\)/,
    );
    assert.match(r.stdout, /\n\t0x0000: {2}0011 2233 4466 0011 2233 4455 0800 4500/);
  });

  it('prints a protocol hierarchy, conversations and talkers with --stats', async () => {
    const r = await run(['read', file, '--stats']);
    assert.match(r.stdout, new RegExp(`^${samplePackets.length} packets, `));
    assert.match(r.stdout, /Protocol hierarchy:\n {2}eth +\d+ pkts/);
    assert.match(r.stdout, / {4}ipv4 /);
    assert.match(r.stdout, /Conversations \(by bytes\):\n {2}tcp +10\.0\.0\.1:40000 <-> 10\.0\.0\.2:80/);
    assert.match(r.stdout, /Top talkers \(by bytes\):\n {2}10\.0\.0\./);
  });

  it('reads pcapng with several interfaces and prints each packet', async () => {
    const w = new PcapngWriter({ interfaces: [{ linktype: 1 }, { linktype: 101 }] });
    const bytes = concat([
      w.header(),
      w.packet({ data: samplePackets[8]!.data, iface: 0 }),
      w.packet({ data: samplePackets[8]!.data.subarray(14), iface: 1 }),
    ]);
    const r = await run(['read', '-', '--json'], bytes);
    const objs = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { linktype: number; iface: number; summary: string });
    assert.deepEqual(
      objs.map((o) => [o.iface, o.linktype]),
      [
        [0, 1],
        [1, 101],
      ],
    );
    assert.equal(objs[0]!.summary, objs[1]!.summary);
  });

  it('points at the column of a filter mistake and exits 1', async () => {
    const r = await run(['read', file, 'tcp', 'port']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'netkit: <filter>:1:9: expected a port before the end\n');
  });

  it('reports a file that is not a capture, or is cut short, as one line and exit 1', async () => {
    const bad = join(tmp, 'bad.pcap');
    writeFileSync(bad, 'not a capture at all');
    const r = await run(['read', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netkit: capture: not a pcap or pcapng file .*\(at offset 0\)\n$/);
    const cut = join(tmp, 'cut.pcap');
    const whole = sampleCapture();
    writeFileSync(cut, whole.subarray(0, whole.length - 5));
    const c = await run(['read', cut]);
    assert.equal(c.code, 1);
    assert.equal(
      c.stdout.trimEnd().split('\n').length,
      samplePackets.length - 1,
      'packets before the cut are printed',
    );
    assert.match(c.stderr, /truncated|ends inside a record/);
    const missing = await run(['read', join(tmp, 'nope.pcap')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no such file/);
  });

  it('refuses --json with --stats as a usage error', async () => {
    const r = await run(['read', file, '--json', '--stats']);
    assert.equal(r.code, 2);
  });
});

describe('netkit sniff', () => {
  it('says clearly when tcpdump cannot be run', async () => {
    const r = await run(['sniff', '--tcpdump', join(tmp, 'no-such-tcpdump'), '-c', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netkit: cannot run .*no-such-tcpdump.*ENOENT\n$/);
  });

  it('decodes loopback traffic as tcpdump captures it', async (t) => {
    if (!needPeer(t, 'tcpdump')) return;
    if (!isRoot) {
      if (inCI) throw new Error('sniff on lo needs root in CI');
      t.skip('capturing on lo needs root');
      return;
    }
    const rx = dgram.createSocket('udp4');
    await new Promise<void>((r) => rx.bind(0, '127.0.0.1', r));
    const port = rx.address().port;
    const tx = dgram.createSocket('udp4');
    const ac = new AbortController();
    let stop = false;
    // Keep sending until the capture has what it needs (tcpdump takes a moment to start).
    const sender = (async () => {
      for (let i = 0; i < 200 && !stop; i++) {
        tx.send(Buffer.from(`ping ${i}`), port, '127.0.0.1');
        await sleep(50);
      }
    })();
    const timer = setTimeout(() => ac.abort(), 15_000);
    try {
      const r = await run(['sniff', '-i', 'lo', '-c', '3', `udp port ${port}`], new Uint8Array(0), ac.signal);
      assert.equal(r.code, 0, r.stderr);
      const ls = r.stdout.trimEnd().split('\n');
      assert.equal(ls.length, 3);
      for (const l of ls)
        assert.match(
          l,
          new RegExp(
            `^\\d\\d:\\d\\d:\\d\\d\\.\\d{6} IP 127\\.0\\.0\\.1\\.\\d+ > 127\\.0\\.0\\.1\\.${port}: UDP, length \\d+$`,
          ),
        );
    } finally {
      stop = true;
      clearTimeout(timer);
      await sender;
      tx.close();
      rx.close();
    }
  });
});

describe('progress bar', () => {
  async function progressFor(stderrIsTTY: boolean): Promise<{ out: string; err: string }> {
    const { analyzeStream } = await import('../../src/cli/commands/read.js');
    const { Analyzer } = await import('../../src/analyze/analyzer.js');
    const o: Buffer[] = [];
    const e: Buffer[] = [];
    const stdout = new PassThrough().on('data', (c: Buffer) => o.push(c));
    const stderr = new PassThrough().on('data', (c: Buffer) => e.push(c));
    const bytes = sampleCapture();
    await analyzeStream(
      { stdout, stderr, stderrIsTTY, signal: new AbortController().signal } as never,
      Readable.from([Buffer.from(bytes)]),
      new Analyzer(),
      { totalBytes: bytes.length, progressMinBytes: 1 },
    );
    return { out: Buffer.concat(o).toString(), err: Buffer.concat(e).toString() };
  }

  it('is drawn on stderr, and cleared, only when stderr is a terminal', async () => {
    const tty = await progressFor(true);
    assert.match(tty.err, /\r\[#{30}\] 100% \d+ packets/);
    assert.ok(tty.err.endsWith('\r'), 'the bar is cleared at the end');
    const pipe = await progressFor(false);
    assert.equal(pipe.err, '');
    assert.equal(pipe.out, tty.out, 'stdout is the same either way');
  });
});

describe('file chunks', () => {
  async function outputOf(source: AsyncIterable<Uint8Array>, count = 0): Promise<string> {
    const { analyzeStream } = await import('../../src/cli/commands/read.js');
    const { Analyzer } = await import('../../src/analyze/analyzer.js');
    const o: Buffer[] = [];
    const stdout = new PassThrough().on('data', (c: Buffer) => o.push(c));
    await analyzeStream(
      {
        stdout,
        stderr: new PassThrough(),
        stderrIsTTY: false,
        signal: new AbortController().signal,
      } as never,
      source,
      new Analyzer({ count }),
    );
    return Buffer.concat(o).toString();
  }

  it('gives the same output whatever the chunk size, and closes the file at the end', async () => {
    const { fileChunks } = await import('../../src/cli/commands/read.js');
    const whole = await outputOf(Readable.from([Buffer.from(sampleCapture())]));
    assert.ok(whole.split('\n').length > 20);
    for (const size of [1, 7, 16, 100, 1 << 20]) {
      const fd = openSync(file, 'r');
      assert.equal(await outputOf(fileChunks(fd, size)), whole, `chunks of ${size}`);
      assert.throws(() => fstatSync(fd), { code: 'EBADF' });
    }
  });

  it('closes the file when the analysis stops early (-c)', async () => {
    const { fileChunks } = await import('../../src/cli/commands/read.js');
    const fd = openSync(file, 'r');
    const out = await outputOf(fileChunks(fd, 64), 2);
    assert.equal(out.trimEnd().split('\n').length, 2);
    assert.throws(() => fstatSync(fd), { code: 'EBADF' });
  });
});
