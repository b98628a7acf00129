// Interop with Debian's rpcgen and libtirpc: a C client built from demo.x calls netkit's demo
// server, and netkit's generated client calls the C server — every procedure, TCP and UDP.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/core/service.js';
import { DEMO_PROG_1_client } from '../../../src/rpc/demo/demo.js';
import { serveDemoTcp, serveDemoUdp } from '../../../src/rpc/demo/server.js';
import { rpcClient } from '../../../src/rpc/oncrpc/index.js';
import { needPeer } from '../../helpers/peers.js';
import { buildCDemo, type CDemo, runCClient, startCServer } from './c-peer.js';
import { exerciseDemo } from './exercise.js';

/** What demo_client.c prints when every call gets the documented result (demo.x comments). */
const EXPECTED = [
  'NULL ok',
  'ADD 42',
  'ADD -2147483648',
  'ECHO héllo, wörld',
  'ECHO []',
  'DESCRIBE -5 kind=0',
  'DESCRIBE 21 kind=2 text=odd:21',
  'DESCRIBE 8 kind=1 number=16',
  'SUM 0',
  'SUM 29',
  'SQUARE 9000000000000000000',
  'SQUARE 0',
  'REVERSE 5 4 3 2 1',
  'GRADE ada 7 95,88,91 result=1',
  'GRADE bob 8 result=0',
];

describe('the demo program against C built by Debian rpcgen + libtirpc', () => {
  let c: CDemo | undefined;
  const procs: ChildProcess[] = [];
  const servers: RunningServer[] = [];
  const build = (t: Parameters<typeof needPeer>[0]): CDemo | undefined => {
    const rpcgen = needPeer(t, 'rpcgen', 'rpcsvc-proto');
    const gcc = needPeer(t, 'gcc');
    if (!rpcgen || !gcc) return undefined;
    c ??= buildCDemo(rpcgen, gcc);
    return c;
  };
  after(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.close()));
    c?.cleanup();
  });

  for (const transport of ['tcp', 'udp'] as const) {
    test(`the C client calls every procedure of netkit's server over ${transport}`, async (t) => {
      const cd = build(t);
      if (!cd) return;
      const server = await (transport === 'tcp' ? serveDemoTcp : serveDemoUdp)({ port: 0 });
      servers.push(server);
      const out = await runCClient(cd, [String(server.address.port), transport]);
      assert.deepEqual(out.trimEnd().split('\n'), EXPECTED);
    });
  }

  test("netkit's generated client calls every procedure of the C server over tcp and udp", async (t) => {
    const cd = build(t);
    if (!cd) return;
    const { port, proc } = await startCServer(cd);
    procs.push(proc);
    for (const transport of ['tcp', 'udp'] as const) {
      const client = await rpcClient(transport, { port, timeoutMs: 5000 });
      try {
        await exerciseDemo(DEMO_PROG_1_client(client));
      } finally {
        await client.close();
      }
    }
    // The C client agrees with the C server too, so EXPECTED is the C toolchain's own answer.
    assert.deepEqual((await runCClient(cd, [String(port), 'tcp'])).trimEnd().split('\n'), EXPECTED);
  });
});
