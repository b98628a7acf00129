import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyIncrement, parseJsonPackets } from '../../src/cli/commands/craft.js';
import { formatIPv4 } from '../../src/core/bytes.js';
import { decodeFrame } from '../../src/wire/frame.js';
import { needPeer } from '../helpers/peers.js';

const bin = new URL('../../bin/netkit.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'netkit-craft-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function craft(args: string[], input?: string) {
  return spawnSync(process.execPath, [bin, 'craft', ...args], { input, timeout: 30_000 });
}

function tsharkFields(
  t: Parameters<typeof needPeer>[0],
  file: string,
  fields: string[],
): string[][] | undefined {
  const tshark = needPeer(t, 'tshark');
  if (!tshark) return undefined;
  const args = ['-r', file, '-n', '-T', 'fields', '-E', 'separator=/t'];
  for (const p of ['tcp.check_checksum', 'udp.check_checksum', 'ip.check_checksum'])
    args.push('-o', `${p}:TRUE`);
  for (const f of fields) args.push('-e', f);
  const r = spawnSync(tshark, args, { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split('\t'));
}

test('craft writes a TCP SYN with the fields given and checksums tshark accepts', (t) => {
  const file = join(dir, 'syn.pcap');
  const r = craft([
    '--eth',
    'src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb',
    '--ip4',
    'src=10.0.0.1,dst=10.0.0.2,ttl=5,id=77',
    '--tcp',
    'sport=4000,dport=80,flags=S,mss=1460,wscale=7,sackok,ts=5:0',
    '--time',
    '1700000000',
    '-w',
    file,
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  const rows = tsharkFields(t, file, [
    'frame.time_epoch',
    'eth.src',
    'eth.dst',
    'ip.src',
    'ip.dst',
    'ip.ttl',
    'ip.id',
    'tcp.srcport',
    'tcp.dstport',
    'tcp.flags',
    'tcp.options.mss_val',
    'tcp.options.wscale.shift',
    'tcp.options.timestamp.tsval',
    'ip.checksum.status',
    'tcp.checksum.status',
  ]);
  if (!rows) return;
  assert.deepEqual(rows, [
    [
      '1700000000.000000000',
      '00:11:22:33:44:55',
      '66:77:88:99:aa:bb',
      '10.0.0.1',
      '10.0.0.2',
      '5',
      '0x004d',
      '4000',
      '80',
      '0x0002',
      '1460',
      '7',
      '5',
      '1',
      '1',
    ],
  ]);
});

test('craft --count with --inc numbers the copies, in pcapng and nanosecond pcap', (t) => {
  for (const format of ['pcapng', 'pcap-ns']) {
    const file = join(dir, `inc.${format}`);
    const r = craft([
      '--ip6',
      'dst=2001:db8::53',
      '--udp',
      'sport=5000,dport=53',
      '--dns',
      'id=7,q=example.com,qtype=AAAA',
      '--count',
      '3',
      '--inc',
      'udp.sport:2',
      '--format',
      format,
      '--time',
      '1700000000.5',
      '--interval',
      '10',
      '-w',
      file,
    ]);
    assert.equal(r.status, 0, r.stderr.toString());
    const rows = tsharkFields(t, file, [
      'frame.time_epoch',
      'udp.srcport',
      'dns.qry.name',
      'dns.qry.type',
      'dns.id',
      'udp.checksum.status',
    ]);
    if (!rows) return;
    assert.deepEqual(rows, [
      ['1700000000.500000000', '5000', 'example.com', '28', '0x0007', '1'],
      ['1700000000.510000000', '5002', 'example.com', '28', '0x0007', '1'],
      ['1700000000.520000000', '5004', 'example.com', '28', '0x0007', '1'],
    ]);
  }
});

test('craft --bad-checksum stores checksums that tshark finds bad', (t) => {
  const file = join(dir, 'bad.pcap');
  const r = craft([
    '--ip4',
    'dst=10.0.0.9',
    '--udp',
    'dport=9',
    '--payload',
    'x',
    '--bad-checksum',
    '-w',
    file,
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  const rows = tsharkFields(t, file, ['ip.checksum.status', 'udp.checksum.status']);
  if (!rows) return;
  assert.deepEqual(rows, [['0', '0']]);
});

test('craft --json reads a list of packets of layers and writes them to stdout', (t) => {
  const json = JSON.stringify([
    [{ layer: 'eth' }, { layer: 'arp', op: 'request', spa: '10.0.0.1', tpa: '10.0.0.2' }],
    [
      { layer: 'ip4', src: '10.0.0.2', dst: '10.0.0.1' },
      { layer: 'icmp', type: 'unreach', code: 3 },
      { layer: 'ip4', src: '10.0.0.1', dst: '10.0.0.2' },
      { layer: 'udp', sport: 33434, dport: 33435 },
    ],
  ]);
  const r = craft(['--json', '-', '--format', 'pcapng', '--time', '0'], json);
  assert.equal(r.status, 0, r.stderr.toString());
  const file = join(dir, 'json.pcapng');
  writeFileSync(file, r.stdout);
  const rows = tsharkFields(t, file, [
    'frame.protocols',
    'arp.dst.proto_ipv4',
    'icmp.type',
    'udp.dstport',
    'icmp.checksum.status',
  ]);
  if (!rows) return;
  assert.deepEqual(rows, [
    ['eth:ethertype:arp', '10.0.0.2', '', '', ''],
    ['raw:ip:icmp:ip:udp', '', '3', '33435', '1'],
  ]);
});

test('craft output decodes with src/wire to the layers described', () => {
  const file = join(dir, 'vlan.pcap');
  const r = craft([
    '--vlan',
    'id=10,tpid=0x88a8',
    '--vlan',
    'id=20',
    '--ip4',
    'src=192.168.0.1',
    '--tcp',
    'flags=PA,seq=1,ack=2',
    '--payload-hex',
    '0d0a',
    '-w',
    file,
  ]);
  assert.equal(r.status, 0, r.stderr.toString());
  const bytes = readFileSync(file);
  const frame = decodeFrame(1, bytes.subarray(24 + 16));
  assert.deepEqual(
    frame.layers.map((l) => l.name),
    ['eth', 'vlan', 'vlan', 'ipv4', 'tcp'],
  );
  const ip = frame.layers[3]!;
  assert.equal(ip.name === 'ipv4' && formatIPv4(ip.header.src), '192.168.0.1');
});

test('craft refuses mistakes with one line and exit status 2', () => {
  for (const [args, msg] of [
    [['--ip4', 'dst=1.2.3'], /not an IPv4 address/],
    [['--tcp', 'dport=80'], /needs --ip4 or --ip6/],
    [['--ip4', 'dst=1.2.3.4', '--tcp', 'flags=Q'], /tcp flags/],
    [['--ip4', 'ttl=300'], /ttl: expected a number 0\.\.255/],
    [['--json', '-'], /not valid JSON/],
    [['--ip4', 'x=1'], /unknown field 'x'/],
    [[], /describe at least one layer/],
  ] as [string[], RegExp][]) {
    const r = craft(args, args.includes('--json') ? '{' : undefined);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.toString(), msg);
    assert.equal(r.stderr.toString().trim().split('\n').length, 1);
  }
});

test('the JSON form and the flag form share field names and checks', () => {
  assert.throws(() => parseJsonPackets('[[{"layer":"tcp","sport":70000}]]'), /0\.\.65535/);
  assert.throws(() => parseJsonPackets('[[{"src":"1.2.3.4"}]]'), /"layer"/);
  const [p] = parseJsonPackets(
    '[[{"layer":"ip6","src":"2001:db8::1"},{"layer":"routing","type":4,"addr":["2001:db8::9","2001:db8::5"],"left":1}]]',
  );
  assert.equal(p![1]!.layer, 'ipv6.routing');
});

test('craft builds neighbour discovery messages with their target and link-layer address options', (t) => {
  const file = join(dir, 'nd.pcap');
  const json = JSON.stringify([
    [
      { layer: 'ip6', src: 'fe80::1', dst: 'ff02::1:ff00:2', hlim: 255 },
      { layer: 'icmp6', type: 'ns', target: '2001:db8::2', sll: '00:11:22:33:44:55' },
    ],
    [
      { layer: 'ip6', src: 'fe80::2', dst: 'fe80::1', hlim: 255 },
      {
        layer: 'icmp6',
        type: 'na',
        target: '2001:db8::2',
        tll: '00:11:22:33:44:66',
        solicited: true,
        override: true,
      },
    ],
  ]);
  const r = craft(['--json', '-', '-w', file], json);
  assert.equal(r.status, 0, r.stderr.toString());
  const rows = tsharkFields(t, file, [
    'icmpv6.type',
    'icmpv6.nd.ns.target_address',
    'icmpv6.nd.na.target_address',
    'icmpv6.nd.na.flag.s',
    'icmpv6.nd.na.flag.o',
    'icmpv6.opt.linkaddr',
    'icmpv6.checksum.status',
  ]);
  if (!rows) return;
  assert.deepEqual(rows, [
    ['135', '2001:db8::2', '', '', '', '00:11:22:33:44:55', '1'],
    ['136', '', '2001:db8::2', '1', '1', '00:11:22:33:44:66', '1'],
  ]);
});

test('--inc counts up from the default when the field is unset, and refuses fields that are not numbers', () => {
  const base = parseJsonPackets('[[{"layer":"ip4"},{"layer":"udp"}]]')[0]!;
  const third = applyIncrement(base, 'ip4.src', 2);
  assert.equal((third[0] as { src: number }).src, 0xc0000203);
  assert.equal((applyIncrement(base, 'udp.sport:10', 3)[1] as { sport: number }).sport, 1054);
  assert.throws(
    () => applyIncrement(parseJsonPackets('[[{"layer":"ip6"}]]')[0]!, 'ip6.src', 1),
    /cannot be incremented/,
  );
  assert.throws(() => applyIncrement(base, 'tcp.sport', 1), /no tcp layer/);
});
