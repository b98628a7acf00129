// The portmapper: PMAP v2 and RPCBIND v3/v4 (RFC 1833) over UDP and TCP, one registry shared by
// all versions. SET/UNSET only from loopback; CALLIT/INDIRECT off unless asked for.

import type { Logger } from '../../core/log.js';
import { silentLogger } from '../../core/log.js';
import type { RunningServer } from '../../core/service.js';
import type { TcpLimits, TcpServer } from '../../core/tcp-server.js';
import { udpClient } from '../oncrpc/client.js';
import { AcceptStat } from '../oncrpc/message.js';
import {
  type CallInfo,
  isLoopback,
  listenRpcTcp,
  listenRpcUdp,
  NO_REPLY,
  type Procedure,
  procedure,
  RpcDispatcher,
  RpcFault,
  type UdpServer,
} from '../oncrpc/server.js';
import * as xdr from '../xdr/index.js';
import {
  type AddrStat,
  callArgs,
  callResult,
  fromUaddr,
  IPPROTO_TCP,
  IPPROTO_UDP,
  type Mapping,
  mapping,
  NC_TPI_CLTS,
  NC_TPI_COTS_ORD,
  netbuf,
  PMAP_PORT,
  PMAP_PROG,
  PmapProc,
  pmaplist,
  RPCBSTAT_HIGHPROC,
  type Rpcb,
  type RpcbEntry,
  RpcbProc,
  type RpcbStat,
  rmtCallArgs,
  rmtCallRes,
  rpcb,
  rpcbEntryList,
  rpcblist,
  rpcbStatByVers,
  taddrToUaddr,
  toUaddr,
  uaddrToTaddr,
} from './types.js';

/** One registration, as rpcbind keeps it. */
export interface Registration {
  prog: number;
  vers: number;
  netid: string;
  addr: string;
  owner: string;
}

const PROT_NETID: Record<number, string> = { [IPPROTO_TCP]: 'tcp', [IPPROTO_UDP]: 'udp' };

/** The table of registrations (bounded), with rpcbind's lookup rules. */
export class PortmapRegistry {
  readonly entries: Registration[] = [];
  readonly maxEntries: number;

  constructor(maxEntries = 1024) {
    this.maxEntries = maxEntries;
  }

  /** Adds a registration; false if (prog, vers, netid) is already taken or the table is full. */
  set(r: Registration): boolean {
    if (this.entries.some((e) => e.prog === r.prog && e.vers === r.vers && e.netid === r.netid)) return false;
    if (this.entries.length >= this.maxEntries) return false;
    this.entries.push({ ...r });
    return true;
  }

  /** Removes registrations of (prog, vers) on `netids` (all netids when omitted); true if any. */
  unset(prog: number, vers: number, netids?: readonly string[]): boolean {
    let removed = false;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.prog === prog && e.vers === vers && (!netids || netids.includes(e.netid))) {
        this.entries.splice(i, 1);
        removed = true;
      }
    }
    return removed;
  }

  /**
   * rpcbind's find_service: the entry for (prog, netid) with version `vers` if there is one,
   * otherwise any version of the program (so the caller then learns PROG_MISMATCH from the
   * service itself) — unless `exact`.
   */
  find(prog: number, vers: number, netid: string, exact = false): Registration | undefined {
    let hit: Registration | undefined;
    for (const e of this.entries) {
      if (e.prog !== prog || e.netid !== netid) continue;
      if (e.vers === vers) return e;
      if (!exact && !hit) hit = e;
    }
    return hit;
  }
}

export interface PortmapOptions {
  host?: string;
  /** Default 111. */
  port?: number;
  log?: Logger;
  signal?: AbortSignal;
  /** Start TCP / UDP listeners (default both). */
  tcp?: boolean;
  udp?: boolean;
  /** Enable PMAPPROC_CALLIT and RPCBPROC_CALLIT/INDIRECT (forwarded over UDP to loopback services only). Default off. */
  allowCallit?: boolean;
  /** Most registrations kept (default 1024). */
  maxEntries?: number;
  limits?: Partial<TcpLimits>;
  /** Shared registry (e.g. when TCP and UDP are started separately). */
  registry?: PortmapRegistry;
  /** Clock in seconds for GETTIME (tests). */
  now?: () => number;
  /**
   * When `host` is 127.0.0.1, also listen on ::1 (default true): libtirpc's `pmap_set`/`rpcb_set`
   * (rpcgen servers, `rpcinfo -d`) reach a portmapper without /run/rpcbind.sock over TCP to ::1.
   */
  ipv6Loopback?: boolean;
}

export interface Portmapper {
  readonly registry: PortmapRegistry;
  readonly dispatcher: RpcDispatcher;
  readonly tcp: TcpServer | undefined;
  readonly udp: UdpServer | undefined;
  readonly servers: RunningServer[];
  close(): Promise<void>;
}

const raw: xdr.XdrType<Uint8Array> = {
  min: 0,
  encode: (w, v) => w.padded(v),
  decode: (r) => r.fixedOpaque(r.remaining),
};

/** Builds the dispatcher (programs 100000 v2, v3, v4) over a registry. */
export function portmapDispatcher(
  registry: PortmapRegistry,
  opts: { log?: Logger; allowCallit?: boolean; now?: () => number } = {},
): RpcDispatcher {
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  const d = new RpcDispatcher({ log, name: 'portmap' });
  // Statistics for GETSTAT (rpcb_stat_byvers: index 0 = v2, 1 = v3, 2 = v4).
  const stats: RpcbStat[] = [0, 1, 2].map(() => ({
    info: new Array<number>(RPCBSTAT_HIGHPROC).fill(0),
    setinfo: 0,
    unsetinfo: 0,
    addrinfo: [] as AddrStat[],
    rmtinfo: [],
  }));
  const statIdx = (vers: number) => (vers === 2 ? 0 : vers === 3 ? 1 : 2);
  const addrStat = (vers: number, prog: number, pvers: number, netid: string, ok: boolean) => {
    const list = stats[statIdx(vers)]!.addrinfo;
    let s: AddrStat | undefined;
    for (const x of list) {
      if (x.prog === prog && x.vers === pvers && x.netid === netid) {
        s = x;
        break;
      }
    }
    if (!s) {
      if (list.length >= 256) return;
      s = { prog, vers: pvers, success: 0, failure: 0, netid };
      list.push(s);
    }
    if (ok) s.success++;
    else s.failure++;
  };
  const counted = <A, R>(vers: number, proc: number, p: Procedure<A, R>): Procedure<A, R> => ({
    ...p,
    handler(a, call) {
      stats[statIdx(vers)]!.info[proc]!++;
      return p.handler(a, call);
    },
  });
  const transportNetid = (call: CallInfo) =>
    call.remoteAddress.includes(':') && !call.remoteAddress.startsWith('::ffff:')
      ? `${call.transport}6`
      : call.transport;
  /** rpcbind's mergeaddr: a wildcard registration is answered with the address the call came in on. */
  const merged = (addr: string, call: CallInfo) => {
    const a = fromUaddr(addr);
    if (!a) return addr;
    if (a.host === '0.0.0.0' || a.host === '::') {
      let local = call.localAddress.replace(/^::ffff:/, '');
      if (local === '0.0.0.0' || local === '::' || local === '')
        local = a.host === '::' ? '::1' : '127.0.0.1';
      return toUaddr(local, a.port);
    }
    return addr;
  };
  const mayChange = (call: CallInfo, what: string) => {
    if (isLoopback(call.remoteAddress)) return true;
    log({ level: 'warn', event: 'refused', source: 'portmap', what, remote: call.remoteAddress });
    return false;
  };

  // --------------------------------------------------------------- PMAP v2
  const pmapSet = (m: Mapping, call: CallInfo): boolean => {
    if (!mayChange(call, 'SET')) return false;
    const netid = PROT_NETID[m.prot];
    if (!netid || m.port > 65535) return false;
    const ok = registry.set({
      prog: m.prog,
      vers: m.vers,
      netid,
      addr: toUaddr('0.0.0.0', m.port),
      owner: 'unknown',
    });
    if (ok) stats[0]!.setinfo++;
    log({
      level: 'info',
      event: ok ? 'set' : 'set-refused',
      source: 'portmap',
      prog: m.prog,
      vers: m.vers,
      netid,
      port: m.port,
    });
    return ok;
  };
  const pmapUnset = (m: Mapping, call: CallInfo): boolean => {
    if (!mayChange(call, 'UNSET')) return false;
    // "The protocol and port number fields of the argument are ignored" (RFC 1833 §3.1).
    const ok = registry.unset(m.prog, m.vers, ['tcp', 'udp']);
    if (ok) stats[0]!.unsetinfo++;
    log({ level: 'info', event: 'unset', source: 'portmap', prog: m.prog, vers: m.vers, removed: ok });
    return ok;
  };
  // GETPORT answers with the port of a registered universal address: parsed once per address
  // (registrations are bounded, and so is this cache).
  const ports = new Map<string, number>();
  const portOf = (addr: string): number => {
    let p = ports.get(addr);
    if (p === undefined) {
      p = fromUaddr(addr)?.port ?? 0;
      if (ports.size >= 4096) ports.clear();
      ports.set(addr, p);
    }
    return p;
  };
  const pmapGetport = (m: Mapping): number => {
    const netid = PROT_NETID[m.prot];
    const e = netid ? registry.find(m.prog, m.vers, netid) : undefined;
    const port = e ? portOf(e.addr) : 0;
    addrStat(2, m.prog, m.vers, netid ?? String(m.prot), port !== 0);
    return port;
  };
  const pmapDump = (): Mapping[] => {
    const out: Mapping[] = [];
    for (const e of registry.entries) {
      const prot = e.netid === 'tcp' ? IPPROTO_TCP : e.netid === 'udp' ? IPPROTO_UDP : 0;
      const a = fromUaddr(e.addr);
      if (prot && a) out.push({ prog: e.prog, vers: e.vers, prot, port: a.port });
    }
    return out;
  };

  // Forwarding for CALLIT / INDIRECT: UDP only, loopback services only, short timeout.
  const forward = async (
    vers: number,
    a: { prog: number; vers: number; proc: number; args: Uint8Array },
    call: CallInfo,
  ): Promise<{ port: number; addr: string; res: Uint8Array } | undefined> => {
    if (a.prog === PMAP_PROG) return undefined; // never forward to ourselves
    const e = registry.find(a.prog, a.vers, 'udp', true);
    const target = e ? fromUaddr(e.addr) : undefined;
    if (!e || !target) return undefined;
    const host = target.host === '0.0.0.0' ? '127.0.0.1' : target.host;
    if (!isLoopback(host)) return undefined;
    const c = await udpClient({ host, port: target.port, timeoutMs: 2000, retryMs: 500 });
    try {
      const res = await c.call(a.prog, a.vers, a.proc, raw, a.args, raw);
      stats[statIdx(vers)]!.rmtinfo.length < 256 &&
        stats[statIdx(vers)]!.rmtinfo.push({
          prog: a.prog,
          vers: a.vers,
          proc: a.proc,
          success: 1,
          failure: 0,
          indirect: 1,
          netid: 'udp',
        });
      return { port: target.port, addr: merged(e.addr, call), res };
    } catch {
      return undefined;
    } finally {
      c.destroy();
    }
  };

  const v2: Record<number, Procedure> = {
    [PmapProc.NULL]: procedure(xdr.voidType, xdr.voidType, () => undefined, 'NULL'),
    [PmapProc.SET]: procedure(mapping, xdr.bool, pmapSet, 'SET'),
    [PmapProc.UNSET]: procedure(mapping, xdr.bool, pmapUnset, 'UNSET'),
    [PmapProc.GETPORT]: procedure(mapping, xdr.uint, pmapGetport, 'GETPORT'),
    [PmapProc.DUMP]: procedure(xdr.voidType, pmaplist, pmapDump, 'DUMP'),
  };
  if (opts.allowCallit) {
    // CALLIT is silent on every error (RFC 1833 §3.1: "no reply").
    v2[PmapProc.CALLIT] = procedure(
      callArgs,
      callResult,
      async (a, call) => {
        const r = await forward(2, a, call);
        return r ? { port: r.port, res: r.res } : NO_REPLY;
      },
      'CALLIT',
    );
  } else {
    // Like rpcbind without -r: no reply at all.
    v2[PmapProc.CALLIT] = procedure(callArgs, callResult, () => NO_REPLY, 'CALLIT');
  }

  // --------------------------------------------------------------- RPCBIND v3/v4
  const rpcbSet =
    (vers: number) =>
    (r: Rpcb, call: CallInfo): boolean => {
      if (!mayChange(call, 'SET')) return false;
      if (r.r_netid === '' || r.r_addr === '') return false;
      const ok = registry.set({
        prog: r.r_prog,
        vers: r.r_vers,
        netid: r.r_netid,
        addr: r.r_addr,
        owner: r.r_owner || 'unknown',
      });
      if (ok) stats[statIdx(vers)]!.setinfo++;
      log({
        level: 'info',
        event: ok ? 'set' : 'set-refused',
        source: 'portmap',
        prog: r.r_prog,
        vers: r.r_vers,
        netid: r.r_netid,
        addr: r.r_addr,
      });
      return ok;
    };
  const rpcbUnset =
    (vers: number) =>
    (r: Rpcb, call: CallInfo): boolean => {
      if (!mayChange(call, 'UNSET')) return false;
      // An empty netid removes the program version on every transport (RFC 1833 §2.2.1).
      const ok = registry.unset(r.r_prog, r.r_vers, r.r_netid ? [r.r_netid] : undefined);
      if (ok) stats[statIdx(vers)]!.unsetinfo++;
      return ok;
    };
  const getaddr =
    (vers: number, exact: boolean) =>
    (r: Rpcb, call: CallInfo): string => {
      // "the netid field of the argument is ignored and the netid is inferred from the netid of
      // the transport on which the request came in" (RFC 1833 §2.2.1) — rpcbind does the same.
      const netid = transportNetid(call);
      const e = registry.find(r.r_prog, r.r_vers, netid, exact);
      addrStat(vers, r.r_prog, r.r_vers, netid, e !== undefined);
      return e ? merged(e.addr, call) : '';
    };
  const dump = (): Rpcb[] =>
    registry.entries.map((e) => ({
      r_prog: e.prog,
      r_vers: e.vers,
      r_netid: e.netid,
      r_addr: e.addr,
      r_owner: e.owner,
    }));
  const gettime = () => now() >>> 0;
  const u2t = (s: string) => {
    const b = uaddrToTaddr(s);
    return b ? { maxlen: b.length, buf: b } : { maxlen: 0, buf: new Uint8Array(0) };
  };
  const t2u = (n: { maxlen: number; buf: Uint8Array }) => taddrToUaddr(n.buf) ?? '';
  const getaddrlist = (r: Rpcb, call: CallInfo): RpcbEntry[] => {
    const v6 = call.remoteAddress.includes(':') && !call.remoteAddress.startsWith('::ffff:');
    const out: RpcbEntry[] = [];
    for (const e of registry.entries) {
      if (e.prog !== r.r_prog || e.vers !== r.r_vers) continue;
      const base = e.netid.replace(/6$/, '');
      if (base !== 'tcp' && base !== 'udp') continue;
      if (e.netid.endsWith('6') !== v6) continue;
      out.push({
        r_maddr: merged(e.addr, call),
        r_nc_netid: e.netid,
        r_nc_semantics: base === 'tcp' ? NC_TPI_COTS_ORD : NC_TPI_CLTS,
        r_nc_protofmly: v6 ? 'inet6' : 'inet',
        r_nc_proto: base,
      });
    }
    return out;
  };
  const rmtcall = (vers: number, silent: boolean) =>
    procedure(
      rmtCallArgs,
      rmtCallRes,
      async (a, call) => {
        if (!opts.allowCallit) return NO_REPLY;
        const r = await forward(vers, a, call);
        if (r) return { addr: r.addr, results: r.res };
        if (silent) return NO_REPLY;
        throw RpcFault.accept(AcceptStat.SYSTEM_ERR);
      },
      silent ? 'CALLIT' : 'INDIRECT',
    );

  const rpcbProcs = (vers: number): Record<number, Procedure> => {
    const p: Record<number, Procedure> = {
      [RpcbProc.NULL]: procedure(xdr.voidType, xdr.voidType, () => undefined, 'NULL'),
      [RpcbProc.SET]: procedure(rpcb, xdr.bool, rpcbSet(vers), 'SET'),
      [RpcbProc.UNSET]: procedure(rpcb, xdr.bool, rpcbUnset(vers), 'UNSET'),
      [RpcbProc.GETADDR]: procedure(rpcb, xdr.string(255), getaddr(vers, false), 'GETADDR'),
      [RpcbProc.DUMP]: procedure(xdr.voidType, rpcblist, dump, 'DUMP'),
      [RpcbProc.CALLIT]: rmtcall(vers, true),
      [RpcbProc.GETTIME]: procedure(xdr.voidType, xdr.uint, gettime, 'GETTIME'),
      [RpcbProc.UADDR2TADDR]: procedure(xdr.string(255), netbuf, u2t, 'UADDR2TADDR'),
      [RpcbProc.TADDR2UADDR]: procedure(netbuf, xdr.string(255), t2u, 'TADDR2UADDR'),
    };
    if (vers === 4) {
      p[RpcbProc.GETVERSADDR] = procedure(rpcb, xdr.string(255), getaddr(4, true), 'GETVERSADDR');
      p[RpcbProc.INDIRECT] = rmtcall(4, false);
      p[RpcbProc.GETADDRLIST] = procedure(rpcb, rpcbEntryList, getaddrlist, 'GETADDRLIST');
      p[RpcbProc.GETSTAT] = procedure(xdr.voidType, rpcbStatByVers, () => stats, 'GETSTAT');
    }
    return p;
  };

  const wrap = (vers: number, procs: Record<number, Procedure>) => {
    const out: Record<number, Procedure> = {};
    for (const [k, p] of Object.entries(procs)) out[Number(k)] = counted(vers, Number(k), p);
    return out;
  };
  d.add({ prog: PMAP_PROG, vers: 2, name: 'PMAPVERS', procs: wrap(2, v2) });
  d.add({ prog: PMAP_PROG, vers: 3, name: 'RPCBVERS', procs: wrap(3, rpcbProcs(3)) });
  d.add({ prog: PMAP_PROG, vers: 4, name: 'RPCBVERS4', procs: wrap(4, rpcbProcs(4)) });
  return d;
}

/** Registers the portmapper itself, as rpcbind does (versions 2–4 on each transport it serves). */
export function registerSelf(
  registry: PortmapRegistry,
  transport: 'tcp' | 'udp',
  host: string,
  port: number,
): void {
  const v6 = host.includes(':');
  const netid = v6 ? `${transport}6` : transport;
  for (const vers of v6 ? [4, 3] : [4, 3, 2]) {
    registry.set({ prog: PMAP_PROG, vers, netid, addr: toUaddr(host, port), owner: 'superuser' });
  }
}

/** Starts the portmapper on TCP and UDP (port 111 by default; host 127.0.0.1). */
export async function startPortmapper(opts: PortmapOptions = {}): Promise<Portmapper> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? PMAP_PORT;
  const registry = opts.registry ?? new PortmapRegistry(opts.maxEntries);
  const dispatcher = portmapDispatcher(registry, opts);
  let tcp: TcpServer | undefined;
  let udp: UdpServer | undefined;
  const extra: RunningServer[] = [];
  try {
    if (opts.tcp !== false) {
      tcp = await listenRpcTcp(dispatcher, {
        host,
        port,
        log: opts.log,
        signal: opts.signal,
        limits: opts.limits,
        name: 'portmap-tcp',
        maxRecord: 64 * 1024,
      });
      registerSelf(registry, 'tcp', tcp.address.address, tcp.address.port);
    }
    if (opts.udp !== false) {
      // With port 0, UDP takes the same number as TCP when it can.
      const udpPort = port === 0 && tcp ? tcp.address.port : port;
      udp = await listenRpcUdp(dispatcher, {
        host,
        port: udpPort,
        log: opts.log,
        signal: opts.signal,
        name: 'portmap-udp',
      });
      registerSelf(registry, 'udp', udp.address.address, udp.address.port);
    }
    if (host === '127.0.0.1' && opts.ipv6Loopback !== false) {
      // Best effort: a host without IPv6 simply has no ::1 listener.
      for (const [proto, s] of [
        ['tcp', tcp],
        ['udp', udp],
      ] as const) {
        if (!s) continue;
        try {
          const six =
            proto === 'tcp'
              ? await listenRpcTcp(dispatcher, {
                  host: '::1',
                  port: s.address.port,
                  log: opts.log,
                  signal: opts.signal,
                  limits: opts.limits,
                  name: 'portmap-tcp6',
                  maxRecord: 64 * 1024,
                })
              : await listenRpcUdp(dispatcher, {
                  host: '::1',
                  port: s.address.port,
                  log: opts.log,
                  signal: opts.signal,
                  name: 'portmap-udp6',
                });
          extra.push(six);
          registerSelf(registry, proto, '::1', six.address.port);
        } catch {
          opts.log?.({ level: 'debug', event: 'no-ipv6-loopback', source: 'portmap', protocol: proto });
        }
      }
    }
  } catch (err) {
    await Promise.all([tcp?.close(), udp?.close(), ...extra.map((x) => x.close())]);
    throw err;
  }
  const servers: RunningServer[] = [tcp, udp, ...extra].filter(
    (s): s is NonNullable<typeof s> => s !== undefined,
  );
  return {
    registry,
    dispatcher,
    tcp,
    udp,
    servers,
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
