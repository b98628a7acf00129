// `netkit rpc-demo`: serve the course's RPC demo program (examples/rpc/demo.x) or call it, showing
// the XDR bytes of the arguments and the results (RFC 4506, RFC 5531).

import { UsageError } from '../../core/errors.js';
import { DEMO_PORT } from '../../rpc/demo/catalog.js';
import * as demo from '../../rpc/demo/demo.js';
import { serveDemoTcp, serveDemoUdp } from '../../rpc/demo/server.js';
import { rpcClient } from '../../rpc/oncrpc/index.js';
import { registerRpc } from '../../rpc/portmap/client.js';
import * as xdr from '../../rpc/xdr/index.js';
import {
  type Command,
  flag,
  HOST_OPTION,
  intOpt,
  LOG_OPTION,
  portOpt,
  str,
  untilAborted,
} from '../command.js';

const int = (s: string | undefined, what: string): number => {
  if (s === undefined || !/^-?\d+$/.test(s))
    throw new UsageError(`${what} must be a whole number, got '${s ?? ''}'`);
  const n = Number(s);
  if (n < -0x80000000 || n > 0x7fffffff) throw new UsageError(`${what} must fit in 32 bits, got ${s}`);
  return n;
};

/** Procedure name (with or without DEMO_) → how to build its argument from the command line. */
const PROCS: Record<string, { arg: (a: string[]) => unknown; usage: string }> = {
  NULL: { arg: () => undefined, usage: 'NULL' },
  ADD: { arg: (a) => ({ a: int(a[0], 'a'), b: int(a[1], 'b') }), usage: 'ADD A B' },
  ECHO: { arg: (a) => a.join(' '), usage: 'ECHO TEXT…' },
  DESCRIBE: { arg: (a) => int(a[0], 'n'), usage: 'DESCRIBE N' },
  SUM: {
    arg: (a) => {
      let list: demo.demo_list = null;
      for (let i = a.length - 1; i >= 0; i--) list = { value: int(a[i], 'each number'), next: list };
      return list;
    },
    usage: 'SUM N…',
  },
  SQUARE: {
    arg: (a) => {
      if (!a[0] || !/^\d+$/.test(a[0]))
        throw new UsageError(`SQUARE needs an unsigned number, got '${a[0] ?? ''}'`);
      const n = BigInt(a[0]);
      if (n >= 1n << 64n) throw new UsageError('SQUARE takes an unsigned 64-bit number');
      return n;
    },
    usage: 'SQUARE N',
  },
  REVERSE: { arg: (a) => new TextEncoder().encode(a.join(' ')), usage: 'REVERSE TEXT…' },
  GRADE: {
    arg: (a) => ({
      name: a[0] ?? '',
      id: Math.abs(int(a[1] ?? '0', 'id')),
      scores: a.slice(2).map((x) => int(x, 'score')),
      result: 0,
    }),
    usage: 'GRADE NAME ID SCORE…',
  },
};

const hex = (b: Uint8Array) =>
  Buffer.from(b)
    .toString('hex')
    .replace(/(.{8})/g, '$1 ')
    .trim();

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => {
    if (typeof x === 'bigint') return x.toString();
    // Buffer.toJSON runs before the replacer: turn both forms of bytes into <hex>.
    if (x instanceof Uint8Array) return `<${Buffer.from(x).toString('hex')}>`;
    if (x && x.type === 'Buffer' && Array.isArray(x.data)) return `<${Buffer.from(x.data).toString('hex')}>`;
    return x;
  });

export const rpcDemo: Command = {
  name: 'rpc-demo',
  group: 'RPC',
  summary: 'serve or call the RPC demo program (examples/rpc/demo.x), showing the XDR bytes',
  usage:
    'netkit rpc-demo serve [--host H] [--port P] | netkit rpc-demo call PROC ARGS… [--udp] [--host H] [--port P]',
  description:
    `Procedures: ${Object.values(PROCS)
      .map((p) => p.usage)
      .join(', ')}.\n` +
    `The server listens on TCP and UDP port ${DEMO_PORT} by default. \`call\` prints the argument bytes,\n` +
    'the result bytes and the decoded result.',
  examples: [
    'netkit rpc-demo serve',
    'netkit rpc-demo serve --register   # then: rpcinfo -p 127.0.0.1',
    'netkit rpc-demo call ADD 2 3',
    'netkit rpc-demo call DESCRIBE 7 --udp',
    'netkit rpc-demo call GRADE ada 1 95 88 91',
  ],
  options: {
    host: HOST_OPTION,
    port: { type: 'string', short: 'p', valueName: 'P', description: `port (default ${DEMO_PORT})` },
    udp: { type: 'boolean', short: 'u', description: 'call over UDP (default TCP)' },
    timeout: { type: 'string', valueName: 'MS', description: 'call timeout in milliseconds (default 5000)' },
    register: {
      type: 'boolean',
      description: 'serve: register with the portmapper (netkit portmap or rpcbind) so rpcinfo -p lists it',
    },
    'portmap-port': {
      type: 'string',
      valueName: 'P',
      description: 'serve --register: port of the portmapper on 127.0.0.1 (default 111)',
    },
    log: LOG_OPTION,
  },
  async run(ctx) {
    const [sub, procArg, ...rest] = ctx.positionals;
    const host = str(ctx, 'host') ?? '127.0.0.1';
    const port = portOpt(ctx, DEMO_PORT);
    if (sub === 'serve') {
      if (procArg !== undefined) throw new UsageError(`unexpected argument '${procArg}'`);
      const tcp = await serveDemoTcp({ host, port, log: ctx.log, signal: ctx.signal });
      const udp = await serveDemoUdp({ host, port: tcp.address.port, log: ctx.log, signal: ctx.signal });
      let unregister: (() => Promise<void>) | undefined;
      try {
        if (flag(ctx, 'register')) {
          unregister = await registerRpc({
            prog: demo.DEMO_PROG,
            vers: demo.DEMO_VERS,
            tcpPort: tcp.address.port,
            udpPort: udp.address.port,
            port: portOpt(ctx, 111, 'portmap-port'),
          });
        }
        ctx.stderr.write(
          `rpc-demo: program ${demo.DEMO_PROG} (0x${demo.DEMO_PROG.toString(16)}) v${demo.DEMO_VERS} on tcp and udp ${host}:${tcp.address.port}${unregister ? ', registered with the portmapper' : ''}\n`,
        );
        await untilAborted(ctx.signal);
      } finally {
        await unregister?.().catch(() => {});
        await Promise.all([tcp.close(), udp.close()]);
      }
      return 0;
    }
    if (sub !== 'call') throw new UsageError("netkit rpc-demo needs 'serve' or 'call PROC ARGS…'");
    const name = (procArg ?? '').toUpperCase().replace(/^DEMO_/, '');
    const spec = PROCS[name];
    if (!spec)
      throw new UsageError(`unknown procedure '${procArg ?? ''}' (known: ${Object.keys(PROCS).join(', ')})`);
    const proc = `DEMO_${name}` as keyof demo.DEMO_PROG_1_Client;
    const arg = spec.arg(rest);
    const program = demo.DEMO_PROG_1_program({} as demo.DEMO_PROG_1_Handlers);
    const codecs = program.procs[demo.DEMO_PROG_1_procedures[proc]]!;
    const timeoutMs = intOpt(ctx, 'timeout', 1, 600_000, 5000);
    const client = await rpcClient(flag(ctx, 'udp') ? 'udp' : 'tcp', { host, port, timeoutMs });
    try {
      ctx.stdout.write(`call   ${proc}(${show(arg)})\n`);
      ctx.stdout.write(`args   ${hex(xdr.encode(codecs.arg, arg)) || '(none)'}\n`);
      const res = await (demo.DEMO_PROG_1_client(client)[proc] as (...a: unknown[]) => Promise<unknown>)(
        ...(name === 'NULL' ? [] : [arg]),
      );
      ctx.stdout.write(`result ${hex(xdr.encode(codecs.res, res)) || '(none)'}\n`);
      ctx.stdout.write(`reply  ${show(res) ?? 'void'}\n`);
    } finally {
      await client.close();
    }
    return 0;
  },
};
