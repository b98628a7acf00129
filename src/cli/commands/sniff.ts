// `netkit sniff [-i IFACE] [FILTER]`: live capture through `tcpdump -U -w - -i IFACE FILTER` (a
// child process: capturing needs libpcap and privileges), decoded by netkit as packets arrive.

import { spawn } from 'node:child_process';
import { ErrorCodes, NetkitError } from '../../core/errors.js';
import { type Command, str } from '../command.js';
import { ANALYZER_OPTIONS, analyzerFrom, analyzeStream } from './read.js';

export const sniff: Command = {
  name: 'sniff',
  group: 'Packets',
  summary: 'live capture through tcpdump -w -, decoded by netkit as it arrives',
  usage: 'netkit sniff [-i IFACE] [FILTER…] [-v] [-x] [-c N] [--json] [--stats]',
  description:
    'Runs `tcpdump -U -w - -i IFACE FILTER` as a child process (tcpdump does the capturing and the\n' +
    'kernel-side filtering, so FILTER is full pcap-filter syntax and capturing needs root or\n' +
    'CAP_NET_RAW) and decodes its output with netkit. Ctrl-C stops tcpdump and ends cleanly.',
  examples: [
    'sudo netkit sniff -i lo',
    "sudo netkit sniff -i eth0 'udp port 53' --json",
    'sudo netkit sniff -i any -c 10 -v',
  ],
  options: {
    interface: {
      type: 'string',
      short: 'i',
      valueName: 'IFACE',
      description: "interface to capture on (default 'any')",
    },
    tcpdump: { type: 'string', valueName: 'PATH', description: 'tcpdump program to run (default tcpdump)' },
    ...ANALYZER_OPTIONS,
  },
  async run(ctx) {
    const iface = str(ctx, 'interface') ?? 'any';
    const filterText = ctx.positionals.join(' ');
    // tcpdump filters in the kernel; netkit's own filter language is a subset, so it is not applied twice.
    const an = analyzerFrom(ctx, filterText, false);
    const program = str(ctx, 'tcpdump') ?? 'tcpdump';
    const args = ['-U', '--immediate-mode', '-w', '-', '-i', iface, ...(filterText ? [filterText] : [])];
    const child = spawn(program, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...ctx.env, PATH: `${ctx.env.PATH ?? ''}:/usr/sbin:/sbin` },
    });
    let stderrText = '';
    child.stderr.on('data', (c: Buffer) => {
      const t = c.toString('utf8');
      stderrText = (stderrText + t).slice(-2000);
      // tcpdump's "listening on …" banner goes on to the user's stderr, as tcpdump would print it.
      ctx.stderr.write(t);
    });
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', (e) =>
        reject(new NetkitError(ErrorCodes.UNAVAILABLE, `cannot run ${program}: ${(e as Error).message}`)),
      );
      child.once('close', (code) => resolve(code));
    });
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    };
    ctx.signal.addEventListener('abort', stop, { once: true });
    try {
      // The analysis ends when tcpdump's stdout does (it exits, is stopped by -c, or by Ctrl-C).
      const analysis = analyzeStream(ctx, child.stdout, an, { onDone: stop }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const code = await exited.catch((e: unknown) => e);
      const failure = await analysis;
      if (code instanceof Error) throw code;
      const stopped = ctx.signal.aborted || an.done;
      if (code !== 0 && code !== null && !stopped && an.seen === 0) {
        throw new NetkitError(
          ErrorCodes.UNAVAILABLE,
          `tcpdump exited with status ${String(code)}: ${stderrText.trim().split('\n').pop() ?? ''}`,
        );
      }
      // A record cut short because we stopped tcpdump is expected; anything else is reported.
      if (failure !== undefined && !stopped) throw failure;
    } finally {
      stop();
      ctx.signal.removeEventListener('abort', stop);
    }
    return 0;
  },
};
