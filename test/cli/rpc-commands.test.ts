// `netkit rpcinfo` and `netkit portmap` through main(): tables, JSON, pings, usage errors, and the
// portmapper in `netkit serve`'s catalog (TCP and UDP sharing one table).

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { catalog } from '../../src/cli/catalog.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/core/log.js';
import { listenRpcTcp, listenRpcUdp, procedure, RpcDispatcher } from '../../src/rpc/oncrpc/index.js';
import {
  IPPROTO_TCP,
  PortmapClient,
  type Portmapper,
  registerRpc,
  startPortmapper,
} from '../../src/rpc/portmap/index.js';
import { parseRpcNames } from '../../src/rpc/portmap/rpcnames.js';
import * as xdr from '../../src/rpc/xdr/index.js';

async function netkit(args: string[], signal = new AbortController().signal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(args, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    signal,
  });
  return { code, stdout: out, stderr: err };
}

const PROG = 0x20000777;

describe('netkit rpcinfo', () => {
  let pm: Portmapper;
  let port: string;
  let close: () => Promise<unknown>;
  before(async () => {
    pm = await startPortmapper({ port: 0 });
    port = String(pm.tcp!.address.port);
    const d = new RpcDispatcher().add({
      prog: PROG,
      vers: 3,
      procs: { 0: procedure(xdr.voidType, xdr.voidType, () => undefined) },
    });
    const tcp = await listenRpcTcp(d, { port: 0 });
    const udp = await listenRpcUdp(d, { port: 0 });
    close = () => Promise.all([tcp.close(), udp.close()]);
    await registerRpc({
      prog: PROG,
      vers: 3,
      tcpPort: tcp.address.port,
      udpPort: udp.address.port,
      port: pm.udp!.address.port,
    });
  });
  after(async () => {
    await close();
    await pm.close();
  });

  test('-p prints the PMAP table with service names from /etc/rpc', async () => {
    const r = await netkit(['rpcinfo', '-p', '--port', port]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], '   program vers proto   port  service');
    assert.ok(lines.includes(`    100000    2   tcp${port.padStart(7)}  portmapper`), r.stdout);
    assert.ok(
      lines.some((l) => l.startsWith(` ${PROG}    3   udp`)),
      r.stdout,
    );
  });

  test('--json gives the dump as objects', async () => {
    const r = await netkit(['rpcinfo', '--json', '--port', port]);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as { program: number; version: number; netid: string; owner: string }[];
    assert.ok(
      rows.some((x) => x.program === PROG && x.version === 3 && x.netid === 'tcp' && x.owner === 'unknown'),
    );
  });

  test('-T udp pings every version when none is given; JSON reports each', async () => {
    const r = await netkit(['rpcinfo', '-T', 'udp', '127.0.0.1', String(PROG), '--port', port]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `program ${PROG} version 3 ready and waiting\n`);
    const j = await netkit(['rpcinfo', '-t', '127.0.0.1', String(PROG), '4', '--json', '--port', port]);
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout), [
      {
        program: PROG,
        version: 4,
        transport: 'tcp',
        ok: false,
        error: 'RPC: Program/version mismatch; low version = 3, high version = 3',
      },
    ]);
  });

  test('usage mistakes exit 2 with one line', async () => {
    for (const args of [
      ['rpcinfo', '-T', 'sctp', '127.0.0.1', '1'],
      ['rpcinfo', '-u', '127.0.0.1'],
      ['rpcinfo', '-u', '127.0.0.1', 'no-such-program'],
      ['rpcinfo', '-p', '-t', '127.0.0.1', '1'],
      ['rpcinfo', '-t', '127.0.0.1', '1', 'x'],
    ]) {
      const r = await netkit(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  test('a portmapper that is not there is a one-line runtime error', async () => {
    const r = await netkit(['rpcinfo', '-p', '--port', '1', '--timeout', '500']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^netkit: connect 127\.0\.0\.1:1: connection refused\n$/);
  });
});

describe('netkit portmap and serve', () => {
  test('netkit portmap serves until aborted', async () => {
    const ac = new AbortController();
    const running = netkit(['portmap', '--port', '0'], ac.signal);
    await new Promise((r) => setTimeout(r, 300));
    ac.abort();
    const r = await running;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /netkit portmap: tcp 127\.0\.0\.1:\d+/);
  });

  test('the serve catalog starts portmap on TCP and UDP over one shared table', async () => {
    const entries = catalog.filter((e) => e.name === 'portmap');
    assert.deepEqual(
      entries.map((e) => [e.protocol, e.defaultPort]),
      [
        ['tcp', 111],
        ['udp', 111],
      ],
    );
    const tcp = await entries[0]!.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    const udp = await entries[1]!.start({ host: '127.0.0.1', port: 0, log: silentLogger });
    try {
      // Both started for the same host and port (0 here): a SET over UDP shows in the TCP dump.
      const viaUdp = await PortmapClient.connect({ port: udp.address.port, transport: 'udp' });
      assert.equal(await viaUdp.set({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 999 }), true);
      await viaUdp.close();
      const viaTcp = await PortmapClient.connect({ port: tcp.address.port, transport: 'tcp' });
      const dump = await viaTcp.dump();
      assert.ok(dump.some((m) => m.prog === PROG && m.port === 999));
      assert.ok(dump.some((m) => m.prog === 100000 && m.prot === 17 && m.port === udp.address.port));
      await viaTcp.close();
    } finally {
      await Promise.all([tcp.close(), udp.close()]);
    }
  });

  test('/etc/rpc parsing keeps names and aliases and skips junk', () => {
    const names = parseRpcNames(
      '# c\nportmapper\t100000\tportmap sunrpc rpcbind\nbad line\nnfs 100003 nfsprog # x\n\nx 99999999999\n',
    );
    assert.equal(names.byNumber.get(100000), 'portmapper');
    assert.equal(names.byName.get('rpcbind'), 100000);
    assert.equal(names.byName.get('nfsprog'), 100003);
    assert.equal(names.byNumber.size, 2);
  });
});
