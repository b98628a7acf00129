// Interop with Debian's ONC RPC peers on loopback, port 111 (Debian's rpcinfo only talks to 111):
// Debian rpcinfo against netkit's portmapper, then rpcbind against netkit's rpcinfo, client and
// servers. Every test here needs port 111, so they live in this one file and run one by one.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, type TestContext, test } from 'node:test';
import { main } from '../../../src/cli/main.js';
import {
  listenRpcTcp,
  listenRpcUdp,
  procedure,
  RpcDispatcher,
  rpcClient,
  writeCallHeader,
  writeRecordMark,
} from '../../../src/rpc/oncrpc/index.js';
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  PortmapClient,
  type Portmapper,
  registerRpc,
  startPortmapper,
} from '../../../src/rpc/portmap/index.js';
import * as xdr from '../../../src/rpc/xdr/index.js';
import { connect, sleep } from '../../helpers/net.js';
import { inCI, isRoot, needPeer } from '../../helpers/peers.js';
import { lockPort111 } from '../../helpers/port111.js';

const PROG = 0x20001234; // 536875572
const PROG2 = 0x20004321;

function run(
  cmd: string,
  args: string[],
  timeoutMs = 15_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Asynchronous on purpose: netkit's servers run in this process and must keep answering.
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err
        ? typeof (err as { code?: unknown }).code === 'number'
          ? (err as { code: number }).code
          : 1
        : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function netkit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
    signal: new AbortController().signal,
  });
  return { code, stdout: out, stderr: err };
}

/** A small netkit RPC service: v1 and v2, NULL and ADD. */
async function startDemo() {
  const add = procedure(xdr.struct({ a: xdr.int, b: xdr.int }), xdr.int, ({ a, b }) => (a + b) | 0);
  const nul = procedure(xdr.voidType, xdr.voidType, () => undefined);
  const d = new RpcDispatcher();
  d.add({ prog: PROG, vers: 1, procs: { 0: nul, 1: add } });
  d.add({ prog: PROG, vers: 2, procs: { 0: nul, 1: add } });
  const tcp = await listenRpcTcp(d, { port: 0 });
  const udp = await listenRpcUdp(d, { port: 0 });
  return { tcp, udp, close: () => Promise.all([tcp.close(), udp.close()]) };
}

/** Skips (or fails in CI) unless we may bind port 111. */
function need111(t: TestContext): boolean {
  if (!isRoot) {
    const msg = 'needs root to bind port 111 (Debian rpcinfo only talks to 111)';
    if (inCI) throw new Error(`${msg}; CI=true requires it`);
    t.skip(msg);
    return false;
  }
  return true;
}

async function port111Free(): Promise<boolean> {
  try {
    const c = await PortmapClient.connect({ transport: 'tcp', timeoutMs: 500 });
    await c.close();
    return false; // something answers on 111
  } catch {
    return true;
  }
}

// Other test files that need port 111 take the same lock (see test/helpers/port111.ts).
let release: (() => void) | undefined;
before(async () => {
  if (isRoot) release = await lockPort111();
});
after(() => release?.());

describe('Debian rpcinfo against netkit portmap on 127.0.0.1:111', { concurrency: false }, () => {
  let pm: Portmapper | undefined;
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let ready = false;
  before(async () => {
    if (!isRoot) return;
    if (!(await port111Free()))
      throw new Error('a portmapper (rpcbind?) already runs on port 111: stop it for these tests');
    pm = await startPortmapper({ host: '127.0.0.1', port: 111 });
    demo = await startDemo();
    for (const vers of [1, 2]) {
      await registerRpc({ prog: PROG, vers, tcpPort: demo.tcp.address.port, udpPort: demo.udp.address.port });
    }
    ready = true;
  });
  after(async () => {
    await demo?.close();
    await pm?.close();
  });

  test('rpcinfo -p lists the portmapper and a registered netkit service', async (t) => {
    const rpcinfo = needPeer(t, 'rpcinfo', 'rpcbind');
    if (!rpcinfo || !need111(t)) return;
    assert.ok(ready);
    const r = await run(rpcinfo, ['-p', '127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /program vers proto\s+port/);
    assert.ok(
      lines.some((l) => /^\s+100000\s+2\s+tcp\s+111\s+portmapper/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => new RegExp(`^\\s+${PROG}\\s+1\\s+tcp\\s+${demo!.tcp.address.port}\\b`).test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => new RegExp(`^\\s+${PROG}\\s+2\\s+udp\\s+${demo!.udp.address.port}\\b`).test(l)),
      r.stdout,
    );
    // netkit's rpcinfo prints the same table.
    const ours = await netkit(['rpcinfo', '-p', '127.0.0.1']);
    assert.equal(ours.stdout, r.stdout);
  });

  test('plain rpcinfo shows the RPCBIND dump with netids, universal addresses and owners', async (t) => {
    const rpcinfo = needPeer(t, 'rpcinfo', 'rpcbind');
    if (!rpcinfo || !need111(t)) return;
    const r = await run(rpcinfo, ['127.0.0.1']);
    assert.equal(r.code, 0, r.stderr);
    const p = demo!.tcp.address.port;
    assert.ok(r.stdout.includes(`0.0.0.0.${p >> 8}.${p & 255}`), r.stdout);
    assert.match(r.stdout, /100000\s+4\s+tcp\s+127\.0\.0\.1\.0\.111\s+portmapper\s+superuser/);
    const ours = await netkit(['rpcinfo', '127.0.0.1']);
    assert.equal(ours.stdout, r.stdout);
  });

  test('rpcinfo -T tcp/udp and -t/-u ping a registered netkit service through netkit portmap', async (t) => {
    const rpcinfo = needPeer(t, 'rpcinfo', 'rpcbind');
    if (!rpcinfo || !need111(t)) return;
    for (const args of [
      ['-T', 'tcp', '127.0.0.1', String(PROG), '1'],
      ['-T', 'udp', '127.0.0.1', String(PROG), '2'],
      ['-t', '127.0.0.1', String(PROG), '1'],
    ]) {
      const r = await run(rpcinfo, args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`program ${PROG} version ${args.at(-1)} ready and waiting`));
    }
    // Without a version: the version-0 probe learns 1–2 from PROG_MISMATCH, then pings both.
    const all = await run(rpcinfo, ['-u', '127.0.0.1', String(PROG)]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      new RegExp(`program ${PROG} version 1 ready and waiting\\s+program ${PROG} version 2 ready`),
    );
    const none = await run(rpcinfo, ['-T', 'tcp', '127.0.0.1', String(PROG), '7']);
    assert.notEqual(none.code, 0);
    assert.match(none.stdout + none.stderr, /low version = 1, high version = 2/);
  });

  test('rpcinfo -l, -m and -s read GETADDRLIST, GETSTAT and the dump', async (t) => {
    const rpcinfo = needPeer(t, 'rpcinfo', 'rpcbind');
    if (!rpcinfo || !need111(t)) return;
    const l = await run(rpcinfo, ['-l', '127.0.0.1', String(PROG), '1']);
    assert.equal(l.code, 0, l.stderr);
    const tp = demo!.tcp.address.port;
    assert.match(l.stdout, new RegExp(`inet/tcp/cots_ord\\s+127\\.0\\.0\\.1\\.${tp >> 8}\\.${tp & 255}`));
    assert.match(l.stdout, /inet\/udp\/clts/);
    const m = await run(rpcinfo, ['-m', '127.0.0.1']);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /PORTMAP \(version 2\) statistics/);
    assert.match(m.stdout, /RPCBIND \(version 4\) statistics/);
    const s = await run(rpcinfo, ['-s', '127.0.0.1']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, new RegExp(`${PROG}\\s+2,1\\s+udp,tcp|${PROG}\\s+1,2\\s+`));
    assert.match(s.stdout, /100000\s+2,3,4\s+/);
  });

  test('rpcinfo -d unregisters through netkit portmap (libtirpc reaches it over TCP on ::1)', async (t) => {
    const rpcinfo = needPeer(t, 'rpcinfo', 'rpcbind');
    if (!rpcinfo || !need111(t)) return;
    const d = await run(rpcinfo, ['-d', String(PROG), '2']);
    assert.equal(d.code, 0, d.stderr);
    const c = await PortmapClient.connect();
    try {
      const dump = await c.rpcbDump();
      assert.ok(!dump.some((r) => r.r_prog === PROG && r.r_vers === 2), JSON.stringify(dump));
      assert.ok(dump.some((r) => r.r_prog === PROG && r.r_vers === 1));
    } finally {
      await c.close();
    }
  });

  test('a C program using libtirpc pmap_set / pmap_unset registers with netkit portmap', async (t) => {
    const gcc = needPeer(t, 'gcc');
    if (!gcc || !need111(t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'netkit-pmapset-'));
    try {
      writeFileSync(
        join(dir, 'set.c'),
        `#include <rpc/rpc.h>
#include <rpc/pmap_clnt.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "unset") == 0) { printf("%d\\n", pmap_unset(${PROG2}, 1)); return 0; }
  printf("%d\\n", pmap_set(${PROG2}, 1, IPPROTO_TCP, 4242));
  return 0;
}
`,
      );
      const cc = await run(gcc, [
        '-I/usr/include/tirpc',
        join(dir, 'set.c'),
        '-o',
        join(dir, 'set'),
        '-ltirpc',
      ]);
      assert.equal(cc.code, 0, cc.stderr);
      const set = await run(join(dir, 'set'), []);
      assert.equal(set.stdout.trim(), '1', set.stderr);
      const c = await PortmapClient.connect();
      try {
        assert.equal(await c.getport({ prog: PROG2, vers: 1, prot: IPPROTO_TCP, port: 0 }), 4242);
        const unset = await run(join(dir, 'set'), ['unset']);
        assert.equal(unset.stdout.trim(), '1', unset.stderr);
        assert.equal(await c.getport({ prog: PROG2, vers: 1, prot: IPPROTO_TCP, port: 0 }), 0);
      } finally {
        await c.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('netkit rpcinfo, client and servers against Debian rpcbind on 127.0.0.1:111', {
  concurrency: false,
}, () => {
  let rpcbind: ChildProcess | undefined;
  let demo: Awaited<ReturnType<typeof startDemo>> | undefined;
  let startError: string | undefined;
  before(async () => {
    if (!isRoot) return;
    const path = '/usr/sbin/rpcbind';
    if (!(await port111Free())) {
      startError = 'port 111 is taken (another rpcbind?): not starting rpcbind';
      return;
    }
    // -f: foreground; no -w (no warm start from saved state). `-h 127.0.0.1` crashes Debian 12's
    // rpcbind (double free), so it binds the wildcard; we only ever talk to 127.0.0.1.
    try {
      rpcbind = spawn(path, ['-f'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      startError = String(err);
      return;
    }
    rpcbind.on('error', (e) => (startError = String(e)));
    for (let i = 0; i < 50; i++) {
      if (!(await port111Free())) break;
      await sleep(100);
    }
    demo = await startDemo();
  });
  after(async () => {
    await demo?.close();
    if (rpcbind && rpcbind.exitCode === null) {
      rpcbind.kill('SIGTERM');
      await new Promise((r) => {
        rpcbind!.once('exit', r);
        setTimeout(r, 3000);
      });
      if (rpcbind.exitCode === null && rpcbind.signalCode === null) rpcbind.kill('SIGKILL');
    }
  });

  function ok(t: TestContext): string | undefined {
    const rpcinfo = needPeer(t, 'rpcinfo', 'rpcbind');
    const rb = needPeer(t, 'rpcbind');
    if (!rpcinfo || !rb || !need111(t)) return undefined;
    if (startError) throw new Error(startError);
    assert.ok(rpcbind && demo, 'rpcbind did not start');
    return rpcinfo;
  }

  test('a netkit server registers with rpcbind; Debian rpcinfo lists it and pings it over TCP and UDP', async (t) => {
    const rpcinfo = ok(t);
    if (!rpcinfo) return;
    await registerRpc({
      prog: PROG,
      vers: 1,
      tcpPort: demo!.tcp.address.port,
      udpPort: demo!.udp.address.port,
    });
    await registerRpc({
      prog: PROG,
      vers: 2,
      tcpPort: demo!.tcp.address.port,
      udpPort: demo!.udp.address.port,
    });
    const p = await run(rpcinfo, ['-p', '127.0.0.1']);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, new RegExp(`${PROG}\\s+1\\s+tcp\\s+${demo!.tcp.address.port}`));
    for (const flag of ['-t', '-u']) {
      const r = await run(rpcinfo, [flag, '127.0.0.1', String(PROG), '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`program ${PROG} version 1 ready and waiting`));
    }
    const all = await run(rpcinfo, ['-T', 'tcp', '127.0.0.1', String(PROG)]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /version 1 ready and waiting\s+program \d+ version 2 ready and waiting/);
  });

  test('netkit rpcinfo -p and the plain dump print exactly what Debian rpcinfo prints', async (t) => {
    const rpcinfo = ok(t);
    if (!rpcinfo) return;
    for (const args of [['-p', '127.0.0.1'], ['127.0.0.1']]) {
      const theirs = await run(rpcinfo, args);
      const ours = await netkit(['rpcinfo', ...args]);
      assert.equal(ours.code, 0, ours.stderr);
      assert.equal(ours.stdout, theirs.stdout, `rpcinfo ${args.join(' ')}`);
    }
  });

  test('netkit rpcinfo -T/-u/-t ping through rpcbind, and report unknown versions and programs', async (t) => {
    if (!ok(t)) return;
    for (const args of [
      ['-T', 'tcp', '127.0.0.1', String(PROG), '1'],
      ['-T', 'udp', '127.0.0.1', String(PROG)],
      ['-u', '127.0.0.1', 'portmapper', '2'],
      ['-t', '127.0.0.1', '100000'],
    ]) {
      const r = await netkit(['rpcinfo', ...args]);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /ready and waiting/);
    }
    const t100000 = await netkit(['rpcinfo', '-t', '127.0.0.1', '100000']);
    assert.equal((t100000.stdout.match(/ready and waiting/g) ?? []).length, 3);
    const bad = await netkit(['rpcinfo', '-T', 'udp', '127.0.0.1', String(PROG), '9']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /low version = 1, high version = 2/);
    const missing = await netkit(['rpcinfo', '-t', '127.0.0.1', String(PROG2), '1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Program not registered/);
  });

  test('netkit PortmapClient speaks every RPCBIND v4 procedure rpcbind answers', async (t) => {
    if (!ok(t)) return;
    for (const transport of ['tcp', 'udp'] as const) {
      const c = await PortmapClient.connect({ transport });
      try {
        await c.null(4);
        assert.equal(
          await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_UDP, port: 0 }),
          demo!.udp.address.port,
        );
        const tp = demo!.tcp.address.port;
        const ga = await c.getaddr({ r_prog: PROG, r_vers: 1, r_netid: transport, r_addr: '', r_owner: '' });
        const expectPort = transport === 'tcp' ? tp : demo!.udp.address.port;
        assert.equal(ga, `127.0.0.1.${expectPort >> 8}.${expectPort & 255}`);
        assert.equal(
          await c.getversaddr({ r_prog: PROG, r_vers: 9, r_netid: transport, r_addr: '', r_owner: '' }),
          '',
        );
        const dump = await c.rpcbDump(3);
        assert.ok(dump.some((r) => r.r_prog === 100000 && r.r_netid === 'local'));
        const now = Math.floor(Date.now() / 1000);
        assert.ok(Math.abs((await c.gettime()) - now) < 60);
        const nb = await c.uaddr2taddr('127.0.0.1.0.111');
        assert.equal(await c.taddr2uaddr(nb), '127.0.0.1.0.111');
        const list = await c.getaddrlist({ r_prog: 100000, r_vers: 4, r_netid: '', r_addr: '', r_owner: '' });
        assert.ok(list.some((e) => e.r_nc_netid === 'tcp' && e.r_nc_protofmly === 'inet'));
        const stat = await c.getstat();
        assert.equal(stat.length, 3);
        assert.ok(stat[0]!.setinfo >= 1, 'our PMAP SETs are counted');
      } finally {
        await c.close();
      }
    }
  });

  test('a DUMP over 64 KiB comes from rpcbind in several fragments and the netkit client joins them', async (t) => {
    if (!ok(t)) return;
    const N = 3500; // 3500 mappings × 24 bytes ≈ 84 KB: libtirpc splits replies at 64 KiB
    const base = 0x20100000;
    const c = await PortmapClient.connect({ transport: 'udp' });
    const big = await PortmapClient.connect({ transport: 'tcp' });
    try {
      for (let i = 0; i < N; i += 50) {
        const batch = Array.from({ length: Math.min(50, N - i) }, (_, k) =>
          c.set({ prog: base + i + k, vers: 1, prot: IPPROTO_TCP, port: 1000 + ((i + k) % 60000) }),
        );
        assert.ok((await Promise.all(batch)).every(Boolean));
      }
      const dump = await big.dump();
      const ours = dump.filter((m) => m.prog >= base && m.prog < base + N);
      assert.equal(ours.length, N);
      assert.equal(ours.at(-1)!.port, 1000 + ((N - 1) % 60000));
      // The same call by hand: the first fragment header has the last-fragment bit clear.
      const w = new xdr.XdrWriter();
      w.reserve4();
      writeCallHeader(w, { xid: 1, prog: 100000, vers: 2, proc: 4 });
      const frame = w.copy();
      writeRecordMark(frame, 0, frame.length - 4);
      const s = await connect(111);
      s.write(frame);
      const first = await new Promise<Buffer>((resolve) => s.once('data', resolve));
      s.destroy();
      assert.equal(first.readUInt32BE(0) & 0x80000000, 0, 'first fragment is not the last');
    } finally {
      for (let i = 0; i < N; i += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, N - i) }, (_, k) =>
            c.unset({ prog: base + i + k, vers: 1, prot: 0, port: 0 }),
          ),
        );
      }
      await c.close();
      await big.close();
    }
  });

  test('a netkit client reaches a netkit server found through rpcbind, and UNSET removes it', async (t) => {
    if (!ok(t)) return;
    const pm = await PortmapClient.connect();
    try {
      const port = await pm.getport({ prog: PROG, vers: 2, prot: IPPROTO_TCP, port: 0 });
      const c = await rpcClient('tcp', { port });
      assert.equal(
        await c.call(PROG, 2, 1, xdr.struct({ a: xdr.int, b: xdr.int }), { a: 20, b: 22 }, xdr.int),
        42,
      );
      await c.close();
      assert.equal(await pm.unset({ prog: PROG, vers: 1, prot: 0, port: 0 }), true);
      assert.equal(await pm.unset({ prog: PROG, vers: 2, prot: 0, port: 0 }), true);
      assert.equal(await pm.getport({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 0 }), 0);
    } finally {
      await pm.close();
    }
  });
});
