// `netkit rpcinfo`: rpcinfo's essentials (RFC 1833) — PMAP dump (-p), RPCBIND dump, and NULL pings
// over a chosen transport (-T tcp|udp, -u, -t), with program names from /etc/rpc.

import { readFileSync, statSync } from 'node:fs';
import { NetkitError, UsageError } from '../../core/errors.js';
import { RpcError, rpcClient } from '../../rpc/oncrpc/client.js';
import { AcceptStat } from '../../rpc/oncrpc/message.js';
import {
  EMPTY_RPC_NAMES,
  fromUaddr,
  IPPROTO_TCP,
  IPPROTO_UDP,
  PMAP_PORT,
  PortmapClient,
  parseRpcNames,
  type RpcNames,
} from '../../rpc/portmap/index.js';
import * as xdr from '../../rpc/xdr/index.js';
import { type Command, type CommandContext, choiceOpt, flag, portOpt, str } from '../command.js';

const RPC_FILE = '/etc/rpc';

/** Program names from /etc/rpc when present (files over 1 MiB are ignored). */
export function loadRpcNames(path = RPC_FILE): RpcNames {
  try {
    if (statSync(path).size > 1 << 20) return EMPTY_RPC_NAMES;
    return parseRpcNames(readFileSync(path, 'utf8'));
  } catch {
    return EMPTY_RPC_NAMES;
  }
}

function parseProg(s: string, names: RpcNames): number {
  if (/^\d{1,10}$/.test(s) && Number(s) <= 0xffff_ffff) return Number(s);
  if (/^0x[0-9a-f]{1,8}$/i.test(s)) return Number(s);
  const n = names.byName.get(s);
  if (n === undefined) throw new UsageError(`${s} is unknown service (not a number nor in ${RPC_FILE})`);
  return n;
}

function parseVers(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d{1,10}$/.test(s) || Number(s) > 0xffff_ffff) throw new UsageError(`illegal version number '${s}'`);
  return Number(s);
}

export const rpcinfo: Command = {
  name: 'rpcinfo',
  group: 'RPC',
  summary: 'ask a portmapper what RPC programs run, or ping one with a NULL call',
  usage: 'netkit rpcinfo [-p] [HOST] | rpcinfo -T tcp|udp HOST PROG [VERS] | rpcinfo -u|-t HOST PROG [VERS]',
  description:
    'Without flags: the RPCBIND v4 (then v3) DUMP table — program, version, netid, universal address,\n' +
    'service, owner. -p: the PMAP v2 DUMP table (over TCP). -T: find the program through RPCBIND GETADDR\n' +
    'over that transport and call its procedure 0; -u / -t: the same through PMAP GETPORT over UDP / TCP.\n' +
    'Without VERS every version is pinged (learned from a version-0 call). HOST defaults to 127.0.0.1.',
  examples: [
    'netkit rpcinfo -p',
    'netkit rpcinfo 127.0.0.1',
    'netkit rpcinfo -T udp 127.0.0.1 portmapper 2',
    'netkit rpcinfo -t 127.0.0.1 100000',
    'netkit rpcinfo -p --port 10111 --json',
  ],
  options: {
    pmap: { type: 'boolean', short: 'p', description: 'PMAP v2 DUMP (like rpcinfo -p)' },
    transport: {
      type: 'string',
      short: 'T',
      valueName: 'tcp|udp',
      description: 'ping PROG over this transport (RPCBIND lookup)',
    },
    udp: { type: 'boolean', short: 'u', description: 'ping PROG over UDP (PMAP lookup)' },
    tcp: { type: 'boolean', short: 't', description: 'ping PROG over TCP (PMAP lookup)' },
    port: { type: 'string', valueName: 'P', description: 'port of the portmapper (default 111)' },
    timeout: { type: 'string', valueName: 'MS', description: 'time per call in milliseconds (default 5000)' },
    json: { type: 'boolean', description: 'print JSON instead of a table' },
  },
  async run(ctx) {
    const pmPort = portOpt(ctx, PMAP_PORT);
    const timeoutMs = Number(str(ctx, 'timeout') ?? 5000);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600_000) {
      throw new UsageError('--timeout must be a whole number of milliseconds (1–600000)');
    }
    const names = loadRpcNames();
    const modes = [
      flag(ctx, 'pmap'),
      str(ctx, 'transport') !== undefined,
      flag(ctx, 'udp'),
      flag(ctx, 'tcp'),
    ];
    if (modes.filter(Boolean).length > 1) throw new UsageError('use only one of -p, -T, -u, -t');
    const pos = ctx.positionals;
    if (flag(ctx, 'pmap')) {
      if (pos.length > 1) throw new UsageError(`unexpected argument '${pos[1]}'`);
      return pmapDump(ctx, pos[0] ?? '127.0.0.1', pmPort, timeoutMs, names);
    }
    const T = str(ctx, 'transport');
    const transport =
      T !== undefined
        ? choiceOpt(ctx, 'transport', ['tcp', 'udp'] as const, 'udp')
        : flag(ctx, 'udp')
          ? 'udp'
          : flag(ctx, 'tcp')
            ? 'tcp'
            : undefined;
    if (transport) {
      if (pos.length < 2) throw new UsageError('needs HOST PROG [VERS]');
      if (pos.length > 3) throw new UsageError(`unexpected argument '${pos[3]}'`);
      const prog = parseProg(pos[1]!, names);
      const vers = parseVers(pos[2]);
      return ping(ctx, {
        host: pos[0]!,
        pmPort,
        transport,
        prog,
        vers,
        lookup: T !== undefined ? 'rpcb' : 'pmap',
        timeoutMs,
      });
    }
    if (pos.length > 1)
      throw new UsageError(`unexpected argument '${pos[1]}' (use -T, -u or -t to ping a program)`);
    return rpcbDump(ctx, pos[0] ?? '127.0.0.1', pmPort, timeoutMs, names);
  },
};

async function pmapDump(ctx: CommandContext, host: string, port: number, timeoutMs: number, names: RpcNames) {
  const c = await PortmapClient.connect({ host, port, transport: 'tcp', timeoutMs });
  let list: Awaited<ReturnType<PortmapClient['dump']>>;
  try {
    list = await c.dump();
  } finally {
    await c.close();
  }
  const rows = list.map((m) => ({
    program: m.prog,
    version: m.vers,
    protocol: m.prot === IPPROTO_TCP ? 'tcp' : m.prot === IPPROTO_UDP ? 'udp' : String(m.prot),
    port: m.port,
    service: names.byNumber.get(m.prog) ?? '',
  }));
  if (flag(ctx, 'json')) {
    ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  // The layout of rpcinfo -p (printf "%10ld%5ld%6s%7ld  %s").
  let out = '   program vers proto   port  service\n';
  for (const r of rows) {
    const svc = r.service ? `  ${r.service}` : '';
    out += `${String(r.program).padStart(10)}${String(r.version).padStart(5)}${r.protocol.padStart(6)}${String(r.port).padStart(7)}${svc}\n`;
  }
  ctx.stdout.write(out);
  return 0;
}

async function rpcbDump(ctx: CommandContext, host: string, port: number, timeoutMs: number, names: RpcNames) {
  const c = await PortmapClient.connect({ host, port, transport: 'tcp', timeoutMs });
  let list: Awaited<ReturnType<PortmapClient['rpcbDump']>>;
  try {
    try {
      list = await c.rpcbDump(4);
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      list = await c.rpcbDump(3);
    }
  } finally {
    await c.close();
  }
  const rows = list.map((r) => ({
    program: r.r_prog,
    version: r.r_vers,
    netid: r.r_netid,
    address: r.r_addr,
    service: names.byNumber.get(r.r_prog) ?? '-',
    owner: r.r_owner,
  }));
  if (flag(ctx, 'json')) {
    ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  // The layout of rpcinfo's RPCBIND dump.
  let out = '   program version netid     address                service    owner\n';
  for (const r of rows) {
    out += `${String(r.program).padStart(10)}${String(r.version).padStart(5)}    ${r.netid.padEnd(10)}${r.address.padEnd(23)}${r.service.padEnd(11)}${r.owner}\n`;
  }
  ctx.stdout.write(out);
  return 0;
}

interface PingSpec {
  host: string;
  pmPort: number;
  transport: 'tcp' | 'udp';
  prog: number;
  vers: number | undefined;
  lookup: 'rpcb' | 'pmap';
  timeoutMs: number;
}

/** Finds the program's port through the portmapper (RPCBIND GETADDR, else PMAP GETPORT). */
async function lookupPort(s: PingSpec): Promise<{ host: string; port: number } | undefined> {
  const c = await PortmapClient.connect({
    host: s.host,
    port: s.pmPort,
    transport: s.transport,
    timeoutMs: s.timeoutMs,
  });
  try {
    if (s.lookup === 'rpcb') {
      for (const v of [4, 3] as const) {
        try {
          const uaddr = await c.getaddr(
            { r_prog: s.prog, r_vers: s.vers ?? 0, r_netid: s.transport, r_addr: '', r_owner: '' },
            v,
          );
          if (uaddr === '') return undefined;
          const a = fromUaddr(uaddr);
          if (!a) return undefined;
          const host = a.host === '0.0.0.0' || a.host === '::' ? s.host : a.host;
          return { host, port: a.port };
        } catch (err) {
          if (!(err instanceof RpcError)) throw err;
        }
      }
    }
    const port = await c.getport({
      prog: s.prog,
      vers: s.vers ?? 0,
      prot: s.transport === 'tcp' ? IPPROTO_TCP : IPPROTO_UDP,
      port: 0,
    });
    return port === 0 ? undefined : { host: s.host, port };
  } finally {
    await c.close();
  }
}

async function ping(ctx: CommandContext, s: PingSpec): Promise<number> {
  const results: { program: number; version: number; transport: string; ok: boolean; error?: string }[] = [];
  const json = flag(ctx, 'json');
  const say = (line: string) => {
    if (!json) ctx.stdout.write(`${line}\n`);
  };
  const target = await lookupPort(s);
  if (!target) {
    const msg = 'RPC: Program not registered';
    if (json)
      ctx.stdout.write(
        `${JSON.stringify([{ program: s.prog, version: s.vers ?? null, transport: s.transport, ok: false, error: msg }])}\n`,
      );
    else
      ctx.stderr.write(
        `netkit rpcinfo: ${msg}\nprogram ${s.prog}${s.vers !== undefined ? ` version ${s.vers}` : ''} is not available\n`,
      );
    return 1;
  }
  const client = await rpcClient(s.transport, {
    host: target.host,
    port: target.port,
    timeoutMs: s.timeoutMs,
  });
  const nullCall = (v: number) => client.call(s.prog, v, 0, xdr.voidType, undefined, xdr.voidType);
  let failed = false;
  const one = async (v: number) => {
    try {
      await nullCall(v);
      results.push({ program: s.prog, version: v, transport: s.transport, ok: true });
      say(`program ${s.prog} version ${v} ready and waiting`);
    } catch (err) {
      failed = true;
      const msg = describe(err);
      results.push({ program: s.prog, version: v, transport: s.transport, ok: false, error: msg });
      if (!json) ctx.stderr.write(`netkit rpcinfo: ${msg}\n`);
      say(`program ${s.prog} version ${v} is not available`);
    }
  };
  try {
    if (s.vers !== undefined) {
      await one(s.vers);
    } else {
      // Like rpcinfo: a version-0 call makes the server say which versions it has.
      let low = 0;
      let high = 0;
      try {
        await nullCall(0);
      } catch (err) {
        if (err instanceof RpcError && err.acceptStat === AcceptStat.PROG_MISMATCH && err.mismatch) {
          low = err.mismatch.low;
          high = err.mismatch.high;
        } else {
          throw err;
        }
      }
      if (high - low > 64) high = low + 64; // bounded
      for (let v = low; v <= high; v++) await one(v);
    }
  } catch (err) {
    failed = true;
    results.push({
      program: s.prog,
      version: s.vers ?? 0,
      transport: s.transport,
      ok: false,
      error: describe(err),
    });
    if (!json) ctx.stderr.write(`netkit rpcinfo: ${describe(err)}\nprogram ${s.prog} is not available\n`);
  } finally {
    await client.close();
  }
  if (json) ctx.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  return failed ? 1 : 0;
}

function describe(err: unknown): string {
  if (err instanceof RpcError && err.acceptStat === AcceptStat.PROG_MISMATCH && err.mismatch) {
    return `RPC: Program/version mismatch; low version = ${err.mismatch.low}, high version = ${err.mismatch.high}`;
  }
  if (err instanceof RpcError && err.acceptStat === AcceptStat.PROG_UNAVAIL)
    return 'RPC: Program unavailable';
  if (err instanceof RpcError && err.acceptStat === AcceptStat.PROC_UNAVAIL)
    return 'RPC: Procedure unavailable';
  if (err instanceof NetkitError && err.code === 'NETKIT_ERR_TIMEOUT') return 'RPC: Timed out';
  return err instanceof Error ? err.message : String(err);
}
