// `netkit serve` entries for the RPC demo program (examples/rpc/demo.x), TCP and UDP.

import type { CatalogEntry } from '../../core/service.js';
import { serveDemoTcp, serveDemoUdp } from './server.js';

/** No port is assigned to a user program (0x20001234); this one is easy to remember. */
export const DEMO_PORT = 20_001;

export const rpcDemoCatalog: CatalogEntry[] = [
  {
    name: 'rpc-demo',
    protocol: 'tcp',
    defaultPort: DEMO_PORT,
    description: 'ONC RPC demo program 0x20001234 v1 (examples/rpc/demo.x)',
    start: (o) => serveDemoTcp(o),
    tryCommand: (host, port) => `netkit rpc-demo call ADD 2 3 --host ${host} --port ${port}`,
  },
  {
    name: 'rpc-demo',
    protocol: 'udp',
    defaultPort: DEMO_PORT,
    description: 'ONC RPC demo program 0x20001234 v1 over UDP',
    start: (o) => serveDemoUdp(o),
    tryCommand: (host, port) => `netkit rpc-demo call ECHO hello --udp --host ${host} --port ${port}`,
  },
];
