import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Analyzer } from '../../src/analyze/analyzer.js';
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
