// The RPC servers `netkit serve` starts: the portmapper on TCP and UDP port 111 (RFC 1833).

import type { CatalogEntry, RunningServer, StartOptions } from '../core/service.js';
import { PortmapRegistry, startPortmapper } from './portmap/server.js';

// TCP and UDP entries start separately but must share one table of registrations.
const registries = new Map<string, PortmapRegistry>();
function registryFor(host: string, port: number): PortmapRegistry {
  const key = `${host}|${port}`;
  let r = registries.get(key);
  if (!r) {
    r = new PortmapRegistry();
    registries.set(key, r);
  }
  return r;
}

function entry(protocol: 'tcp' | 'udp'): CatalogEntry {
  return {
    name: 'portmap',
    protocol,
    defaultPort: 111,
    description: 'portmapper / rpcbind: PMAP v2, RPCBIND v3/v4 (RFC 1833)',
    async start(opts: StartOptions): Promise<RunningServer> {
      const pm = await startPortmapper({
        host: opts.host,
        port: opts.port,
        log: opts.log,
        tcp: protocol === 'tcp',
        udp: protocol === 'udp',
        registry: registryFor(opts.host, opts.port),
      });
      // The entry's server, closing with it the ::1 twin the portmapper may have added.
      const main = pm.servers[0]!;
      return {
        name: main.name,
        protocol: main.protocol,
        address: main.address,
        close: () => pm.close(),
        destroy: () => {
          for (const s of pm.servers) s.destroy();
        },
      };
    },
    tryCommand: (host, port) =>
      port === 111 ? `netkit rpcinfo -p ${host}` : `netkit rpcinfo -p ${host} --port ${port}`,
  };
}

export const rpcCatalog: CatalogEntry[] = [entry('tcp'), entry('udp')];
