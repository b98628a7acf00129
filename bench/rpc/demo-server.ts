// The netkit demo server (TCP and UDP on one loopback port) in a process of its own, for
// bench/rpc/demo.bench.ts: prints "PORT n" once listening and stops when stdin closes.

import { serveDemoTcp, serveDemoUdp } from '../../src/rpc/demo/server.js';

const tcp = await serveDemoTcp({ port: 0 });
const udp = await serveDemoUdp({ port: tcp.address.port });
console.log(`PORT ${tcp.address.port}`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await Promise.all([tcp.close(), udp.close()]);
  process.exit(0);
});
