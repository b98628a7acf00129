// The demo program end to end in TypeScript: the checked-in generated module matches demo.x, and
// the generated client calls netkit's demo server on every procedure over TCP and UDP.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../../src/core/service.js';
import { DEMO_PROG_1_client } from '../../../src/rpc/demo/demo.js';
import { serveDemoTcp, serveDemoUdp } from '../../../src/rpc/demo/server.js';
import { AcceptStat, type RpcClient, RpcError, rpcClient } from '../../../src/rpc/oncrpc/index.js';
import { compile } from '../../../src/rpc/rpcgen/index.js';
import * as xdr from '../../../src/rpc/xdr/index.js';
import { fsOptions, repoRoot } from '../rpcgen/helpers.js';
import { exerciseDemo } from './exercise.js';

const DEMO_X = join(repoRoot, 'examples/rpc/demo.x');

test('src/rpc/demo/demo.ts is what netkit rpcgen makes from examples/rpc/demo.x today', () => {
  const { ts } = compile(DEMO_X, readFileSync(DEMO_X, 'utf8'), { ...fsOptions(), runtime: '../..' });
  const checkedIn = readFileSync(join(repoRoot, 'src/rpc/demo/demo.ts'), 'utf8');
  assert.equal(
    checkedIn,
    ts,
    'regenerate: node bin/netkit.js rpcgen examples/rpc/demo.x -o src/rpc/demo --runtime ../..',
  );
});

describe('the demo server answers the generated client', () => {
  let tcp: RunningServer;
  let udp: RunningServer;
  const clients: RpcClient[] = [];
  before(async () => {
    tcp = await serveDemoTcp({ port: 0 });
    udp = await serveDemoUdp({ port: 0 });
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([tcp.close(), udp.close()]);
  });

  for (const transport of ['tcp', 'udp'] as const) {
    test(`every procedure over ${transport} gives the documented result`, async () => {
      const port = (transport === 'tcp' ? tcp : udp).address.port;
      const client = await rpcClient(transport, { port, timeoutMs: 5000 });
      clients.push(client);
      await exerciseDemo(DEMO_PROG_1_client(client));
    });
  }

  test('a string longer than demo_str allows is refused before it is sent', async () => {
    const client = await rpcClient('tcp', { port: tcp.address.port, timeoutMs: 5000 });
    clients.push(client);
    await assert.rejects(DEMO_PROG_1_client(client).DEMO_ECHO('x'.repeat(256)), /255|max|long/i);
  });

  test('a procedure the server does not have gets PROC_UNAVAIL', async () => {
    const client = await rpcClient('udp', { port: udp.address.port, timeoutMs: 5000 });
    clients.push(client);
    const err = await client
      .call(0x20001234, 1, 99, xdr.voidType, undefined, xdr.voidType)
      .catch((e: unknown) => e);
    assert.ok(err instanceof RpcError, String(err));
    assert.equal((err as RpcError).acceptStat, AcceptStat.PROC_UNAVAIL);
  });
});
