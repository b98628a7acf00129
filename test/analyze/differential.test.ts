import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { Analyzer } from '../../src/analyze/analyzer.js';
import { main } from '../../src/cli/main.js';
import { type PacketRecord, parseCapture } from '../../src/pcap/index.js';
import { sleep } from '../helpers/net.js';
import { inCI, isRoot, needPeer } from '../helpers/peers.js';
import { sampleCapture } from './sample.js';
import { compare, tsharkFields } from './tshark.js';

const tmp = mkdtempSync(join(tmpdir(), 'netkit-diff-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function netkitJson(bytes: Uint8Array) {
  const an = new Analyzer({ mode: 'json' });
  return parseCapture(bytes)
    .filter((r): r is PacketRecord => r.kind === 'packet')
    .map(
      (r) =>
        JSON.parse(an.packet(r)) as {
          n: number;
          layers: { layer: string; embedded?: boolean; [k: string]: unknown }[];
        },
    );
}

describe('netkit read --json against tshark -T fields', () => {
  it('agrees on every field of hand-built frames (Ethernet, VLAN, ARP, IPv4/6, fragments, TCP, UDP, ICMP, DNS)', (t) => {
    const tshark = needPeer(t, 'tshark');
    if (!tshark) return;
    const file = join(tmp, 'sample.pcap');
    const bytes = sampleCapture();
    writeFileSync(file, bytes);
    const { mismatches, compared } = compare(tsharkFields(tshark, file), netkitJson(bytes), (field) =>
      // tshark decodes what follows the IPv6 fragment header's first fragment and quotes TCP lengths
      // of truncated ICMP payloads; netkit stops at the fragment header's declared payload.
      field.startsWith('tcp.len'),
    );
    assert.deepEqual(mismatches, []);
    assert.ok(compared > 300, `compared ${compared} fields`);
  });

  it('agrees on every field of packets written by netkit craft (extension headers, Q-in-Q, options, bad checksums)', async (t) => {
    const tshark = needPeer(t, 'tshark');
    if (!tshark) return;
    const specs: string[][] = [
      [
        '--ip6',
        'src=2001:db8::1,dst=2001:db8::2',
        '--routing',
        'type=0,addr=2001:db8::99,left=1',
        '--tcp',
        'dport=80,flags=S,mss=1460,wscale=7,sackok,ts=1:0',
      ],
      [
        '--ip6',
        'src=2001:db8::1,dst=2001:db8::3',
        '--hopopts',
        'ra',
        '--dstopts',
        'opt=30:0102',
        '--udp',
        'dport=53',
        '--dns',
        'q=example.org,qtype=AAAA',
      ],
      [
        '--vlan',
        'id=5',
        '--vlan',
        'id=7,tpid=0x88a8',
        '--ip4',
        'src=10.1.1.1,dst=10.2.2.2',
        '--udp',
        'dport=53',
        '--dns',
        'q=example.com,a=192.0.2.7',
        '--bad-checksum',
      ],
      [
        '--ip4',
        'src=10.0.0.1,dst=10.0.0.2,ttl=5,df',
        '--tcp',
        'sport=4000,dport=22,flags=PA,seq=100,ack=200,sack=1-2',
        '--payload',
        'hello world',
        '--count',
        '3',
        '--inc',
        'tcp.seq:11',
      ],
      [
        '--ip4',
        'dst=10.0.0.2',
        '--icmp',
        'type=echo,id=7,seq=1',
        '--payload',
        'ping',
        '--count',
        '2',
        '--inc',
        'icmp.seq',
      ],
      ['--ip6', 'src=fe80::1,dst=ff02::1:ff00:2', '--icmp6', 'type=ns,target=fe80::2,sll=00:11:22:33:44:55'],
      ['--arp', 'op=1,spa=192.0.2.1,tpa=192.0.2.2'],
      [
        '--no-eth',
        '--ip4',
        'src=192.0.2.1,dst=192.0.2.2,id=9,mf',
        '--udp',
        'sport=1,dport=2',
        '--payload',
        'fragment',
      ],
      [
        '--ip6',
        'src=2001:db8::1,dst=2001:db8::2',
        '--frag6',
        'offset=0,more,id=5',
        '--udp',
        'dport=9',
        '--payload',
        'first',
      ],
    ];
    let compared = 0;
    for (const [i, spec] of specs.entries()) {
      const file = join(tmp, `craft-${i}.pcap`);
      const out = new PassThrough();
      out.resume();
      const code = await main(['craft', ...spec, '-w', file, '--time', '1600000000'], {
        stdin: Readable.from([]),
        stdout: out,
        stderr: new PassThrough().resume(),
        stdinIsTTY: false,
        stdoutIsTTY: false,
        stderrIsTTY: false,
        env: {},
        signal: new AbortController().signal,
      });
      assert.equal(code, 0, spec.join(' '));
      const r = compare(tsharkFields(tshark, file), netkitJson(readFileSync(file)));
      assert.deepEqual(r.mismatches, [], spec.join(' '));
      compared += r.compared;
    }
    assert.ok(compared > 150, `compared ${compared} fields`);
  });

  it('agrees on every field of a loopback capture of real TCP and UDP traffic', async (t) => {
    const tshark = needPeer(t, 'tshark');
    const tcpdump = needPeer(t, 'tcpdump');
    if (!tshark || !tcpdump) return;
    if (!isRoot) {
      if (inCI) throw new Error('capturing on lo needs root in CI');
      t.skip('capturing on lo needs root');
      return;
    }
    const file = join(tmp, 'lo.pcap');
    const server = net.createServer((s) => {
      s.on('data', (d) => s.write(d));
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const tport = (server.address() as net.AddressInfo).port;
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const uport = udp.address().port;
    udp.on('message', (m, rinfo) => udp.send(m, rinfo.port, rinfo.address));
    let cap: ChildProcess | undefined;
    let capErr = '';
    try {
      cap = spawn(
        tcpdump,
        [
          '-Z',
          'root',
          '--immediate-mode',
          '-i',
          'lo',
          '-U',
          '-n',
          '-w',
          file,
          `tcp port ${tport} or udp port ${uport}`,
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('tcpdump did not start listening')), 10_000);
        cap!.stderr!.on('data', (c: Buffer) => {
          capErr += c.toString();
          if (c.toString().includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
        cap!.once('exit', () => reject(new Error('tcpdump exited early')));
      });
      const c = net.connect(tport, '127.0.0.1');
      await new Promise<void>((r) => c.once('connect', () => r()));
      c.resume(); // read the echoes, so that the stream can end
      for (let i = 0; i < 5; i++) {
        c.write(`hello ${i} `.repeat(i * 50 + 1));
        await sleep(20);
      }
      c.end();
      await new Promise<void>((r) => c.once('close', () => r()));
      const client = dgram.createSocket('udp4');
      for (let i = 0; i < 5; i++) client.send(Buffer.alloc(10 + i * 100, i), uport, '127.0.0.1');
      await sleep(300);
      client.close();
    } finally {
      if (cap && cap.exitCode === null) {
        const exited = new Promise((r) => cap!.once('exit', r));
        cap.kill('SIGINT');
        await Promise.race([exited, sleep(5000)]);
        if (cap.exitCode === null) cap.kill('SIGKILL');
      }
      server.close();
      udp.close();
    }
    const bytes = readFileSync(file);
    const ours = netkitJson(bytes);
    assert.ok(ours.length >= 15, `captured ${ours.length} packets; tcpdump said: ${capErr}`);
    const { mismatches, compared } = compare(tsharkFields(tshark, file), ours);
    assert.deepEqual(mismatches, []);
    assert.ok(compared > 15 * 20, `compared ${compared} fields`);
  });
});
