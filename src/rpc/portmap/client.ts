// Portmapper clients (RFC 1833): PMAP v2 and RPCBIND v3/v4 calls, and `registerRpc` so that any
// netkit RPC server can register with whichever portmapper runs (netkit's or rpcbind).

import { ErrorCodes, NetkitError } from '../../core/errors.js';
import { type RpcClient, type RpcClientOptions, rpcClient } from '../oncrpc/client.js';
import * as xdr from '../xdr/index.js';
import {
  type CallResult,
  callArgs,
  callResult,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type Mapping,
  mapping,
  type Netbuf,
  netbuf,
  PMAP_PORT,
  PMAP_PROG,
  PmapProc,
  pmaplist,
  type Rpcb,
  type RpcbEntry,
  RpcbProc,
  type RpcbStat,
  rpcb,
  rpcbEntryList,
  rpcblist,
  rpcbStatByVers,
} from './types.js';

export interface PortmapClientOptions extends Partial<RpcClientOptions> {
  host?: string;
  /** Default 111. */
  port?: number;
  transport?: 'tcp' | 'udp';
}

/** Calls a portmapper. One connection (TCP) or socket (UDP); `close()` when done. */
export class PortmapClient {
  readonly rpc: RpcClient;

  private constructor(rpc: RpcClient) {
    this.rpc = rpc;
  }

  static async connect(opts: PortmapClientOptions = {}): Promise<PortmapClient> {
    const rpc = await rpcClient(opts.transport ?? 'udp', {
      ...opts,
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? PMAP_PORT,
      timeoutMs: opts.timeoutMs ?? 5000,
    });
    return new PortmapClient(rpc);
  }

  close(): Promise<void> {
    return this.rpc.close();
  }

  /** NULL on any version (2, 3, 4). */
  null(vers = 2): Promise<void> {
    return this.rpc.call(PMAP_PROG, vers, 0, xdr.voidType, undefined, xdr.voidType);
  }

  // ---- PMAP v2
  set(m: Mapping): Promise<boolean> {
    return this.rpc.call(PMAP_PROG, 2, PmapProc.SET, mapping, m, xdr.bool);
  }
  unset(m: Mapping): Promise<boolean> {
    return this.rpc.call(PMAP_PROG, 2, PmapProc.UNSET, mapping, m, xdr.bool);
  }
  getport(m: Mapping): Promise<number> {
    return this.rpc.call(PMAP_PROG, 2, PmapProc.GETPORT, mapping, m, xdr.uint);
  }
  dump(): Promise<Mapping[]> {
    return this.rpc.call(PMAP_PROG, 2, PmapProc.DUMP, xdr.voidType, undefined, pmaplist);
  }
  callit(
    a: { prog: number; vers: number; proc: number; args: Uint8Array },
    timeoutMs?: number,
  ): Promise<CallResult> {
    return this.rpc.call(PMAP_PROG, 2, PmapProc.CALLIT, callArgs, a, callResult, { timeoutMs });
  }

  // ---- RPCBIND v3 / v4
  rpcbSet(r: Rpcb, vers: 3 | 4 = 4): Promise<boolean> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.SET, rpcb, r, xdr.bool);
  }
  rpcbUnset(r: Rpcb, vers: 3 | 4 = 4): Promise<boolean> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.UNSET, rpcb, r, xdr.bool);
  }
  getaddr(r: Rpcb, vers: 3 | 4 = 4): Promise<string> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.GETADDR, rpcb, r, xdr.string(255));
  }
  rpcbDump(vers: 3 | 4 = 4): Promise<Rpcb[]> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.DUMP, xdr.voidType, undefined, rpcblist);
  }
  gettime(vers: 3 | 4 = 4): Promise<number> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.GETTIME, xdr.voidType, undefined, xdr.uint);
  }
  uaddr2taddr(uaddr: string, vers: 3 | 4 = 4): Promise<Netbuf> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.UADDR2TADDR, xdr.string(255), uaddr, netbuf);
  }
  taddr2uaddr(n: Netbuf, vers: 3 | 4 = 4): Promise<string> {
    return this.rpc.call(PMAP_PROG, vers, RpcbProc.TADDR2UADDR, netbuf, n, xdr.string(255));
  }
  getversaddr(r: Rpcb): Promise<string> {
    return this.rpc.call(PMAP_PROG, 4, RpcbProc.GETVERSADDR, rpcb, r, xdr.string(255));
  }
  getaddrlist(r: Rpcb): Promise<RpcbEntry[]> {
    return this.rpc.call(PMAP_PROG, 4, RpcbProc.GETADDRLIST, rpcb, r, rpcbEntryList);
  }
  getstat(): Promise<RpcbStat[]> {
    return this.rpc.call(PMAP_PROG, 4, RpcbProc.GETSTAT, xdr.voidType, undefined, rpcbStatByVers);
  }
}

export interface RegisterOptions {
  prog: number;
  vers: number;
  /** Ports the server listens on (omit a transport it does not serve). */
  tcpPort?: number;
  udpPort?: number;
  /** Where the portmapper runs (default 127.0.0.1:111). */
  host?: string;
  port?: number;
  timeoutMs?: number;
}

/**
 * Registers a server with the portmapper using PMAP v2 SET (understood by netkit's portmapper,
 * rpcbind and every older portmap), after a PMAP UNSET of stale entries as rpcgen servers do.
 * Resolves to a function that unregisters. Throws NetkitError if the portmapper refuses.
 */
export async function registerRpc(opts: RegisterOptions): Promise<() => Promise<void>> {
  const pm = await PortmapClient.connect({
    host: opts.host,
    port: opts.port,
    transport: 'udp',
    timeoutMs: opts.timeoutMs,
  });
  try {
    await pm.unset({ prog: opts.prog, vers: opts.vers, prot: 0, port: 0 });
    for (const [prot, port] of [
      [IPPROTO_TCP, opts.tcpPort],
      [IPPROTO_UDP, opts.udpPort],
    ] as const) {
      if (port === undefined) continue;
      const ok = await pm.set({ prog: opts.prog, vers: opts.vers, prot, port });
      if (!ok) {
        throw new NetkitError(
          ErrorCodes.RPC,
          `portmap: SET ${opts.prog} v${opts.vers} ${prot === IPPROTO_TCP ? 'tcp' : 'udp'} port ${port} refused`,
        );
      }
    }
  } finally {
    await pm.close();
  }
  return async () => {
    const c = await PortmapClient.connect({
      host: opts.host,
      port: opts.port,
      transport: 'udp',
      timeoutMs: opts.timeoutMs,
    });
    try {
      await c.unset({ prog: opts.prog, vers: opts.vers, prot: 0, port: 0 });
    } finally {
      await c.close();
    }
  };
}
