// `netkit rpc-demo`: the server registers with a portmapper and unregisters on SIGTERM; `call`
// prints the XDR bytes of arguments and results.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { PortmapClient } from '../../../src/rpc/portmap/client.js';
import { startPortmapper } from '../../../src/rpc/portmap/server.js';
import { IPPROTO_TCP, IPPROTO_UDP } from '../../../src/rpc/portmap/types.js';
import { repoRoot } from '../rpcgen/helpers.js';

const NETKIT = join(repoRoot, 'bin/netkit.js');

test('rpc-demo serve --register is listed by the portmapper, answers call, and unregisters on SIGTERM', async () => {
  const pm = await startPortmapper({ host: '127.0.0.1', port: 0 });
  const pmPort = pm.tcp!.address.port;
  const server = spawn(
    process.execPath,
    [NETKIT, 'rpc-demo', 'serve', '--port', '0', '--register', '--portmap-port', String(pmPort)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('rpc-demo serve did not start in 15 s')), 15_000);
      createInterface({ input: server.stderr! }).on('line', (l) => {
        if (l.startsWith('rpc-demo: program')) {
          clearTimeout(t);
          resolve(l);
        }
      });
    });
    assert.match(line, /registered with the portmapper/);
    const port = Number(/:(\d+), registered/.exec(line)![1]);
    const c = await PortmapClient.connect({ port: pmPort, transport: 'tcp', timeoutMs: 5000 });
    try {
      assert.equal(await c.getport({ prog: 0x20001234, vers: 1, prot: IPPROTO_TCP, port: 0 }), port);
      assert.equal(await c.getport({ prog: 0x20001234, vers: 1, prot: IPPROTO_UDP, port: 0 }), port);

      const call = spawnSync(
        process.execPath,
        [NETKIT, 'rpc-demo', 'call', 'DESCRIBE', '7', '--port', String(port)],
        {
          encoding: 'utf8',
        },
      );
      assert.equal(call.status, 0, call.stderr);
      assert.deepEqual(call.stdout.trimEnd().split('\n'), [
        'call   DEMO_DESCRIBE(7)',
        'args   00000007',
        'result 00000002 00000005 6f64643a 37000000',
        'reply  {"tag":2,"value":"odd:7"}',
      ]);

      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      assert.equal(await c.getport({ prog: 0x20001234, vers: 1, prot: IPPROTO_TCP, port: 0 }), 0);
    } finally {
      await c.close();
    }
  } finally {
    server.kill('SIGKILL');
    await pm.close();
  }
});

test('rpc-demo call rejects an unknown procedure with a usage error', () => {
  const r = spawnSync(process.execPath, [NETKIT, 'rpc-demo', 'call', 'FROB'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown procedure 'FROB'/);
});
