import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Analyzer } from '../../src/analyze/analyzer.js';
import { parseCapture } from '../../src/pcap/index.js';
import { needPeer } from '../helpers/peers.js';

const dir = new URL('../fixtures/pcap/', import.meta.url).pathname;
const files = readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f));
/** Fixtures whose every line netkit prints exactly as tcpdump -n does. */
const sameAsTcpdump = [
  'dns_udp.pcap',
  'dns_tcp.pcap',
  'LINKTYPE_IPV6.pcap',
  'icmpv6-ns-nonce.pcap',
  'empty.pcapng',
];

function lines(file: string, mode: 'summary' | 'json' | 'verbose' = 'summary'): string[] {
  const an = new Analyzer({ mode, hex: mode === 'verbose' });
  let out = '';
  for (const r of parseCapture(readFileSync(join(dir, file)))) {
    if (r.kind === 'packet') out += an.packet(r);
    else if (r.kind === 'error') assert.fail(`${file}: ${r.error.message}`);
  }
  return out.split('\n').filter(Boolean);
}

describe("tcpdump's public test captures", () => {
  it('are all present (at least the documented nine)', () => {
    assert.ok(files.length >= 9, files.join(', '));
  });

  for (const f of files) {
    it(`reads ${f} without a capture error and decodes every packet in every mode`, () => {
      const s = lines(f);
      const j = lines(f, 'json').map((l) => JSON.parse(l) as { summary: string });
      assert.equal(j.length, s.length);
      j.forEach((p, i) => {
        assert.ok(s[i]!.endsWith(p.summary), `${f} #${i + 1}`);
      });
      assert.ok(lines(f, 'verbose').length >= s.length);
    });
  }

  for (const f of sameAsTcpdump) {
    it(`prints ${f} line for line as tcpdump -n does`, (t) => {
      const tcpdump = needPeer(t, 'tcpdump');
      if (!tcpdump) return;
      const r = spawnSync(tcpdump, ['-n', '-r', join(dir, f)], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(f), r.stdout.split('\n').filter(Boolean));
    });
  }

  it('reports the zero IPv4 total length of icmp-length-zero.pcapng in its errors', () => {
    const [p] = lines('icmp-length-zero.pcapng', 'json').map((l) => JSON.parse(l) as { errors: string[] });
    assert.match(p!.errors.join(';'), /ipv4: total length 0 < header length 20/);
  });
});
