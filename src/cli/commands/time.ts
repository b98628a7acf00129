// `netkit time HOST`: asks an RFC 868 time server and prints the date it gives.

import { timeTcp, timeUdp } from '../../services/time.js';
import { hostArg, PORT_OPTION, TIMEOUT_OPTION, timeoutOpt, UDP_OPTION } from '../classic.js';
import { type Command, flag, portOpt } from '../command.js';

export const time: Command = {
  name: 'time',
  group: 'Classic services',
  summary: 'ask a Time server (RFC 868, port 37) and print the date it sends',
  usage: 'netkit time [HOST] [--port P] [--udp] [--json]',
  description: 'Prints the server time in UTC and local time and its offset from this machine.',
  examples: ['netkit time 127.0.0.1 --port 10037', 'netkit time ::1 --udp --json'],
  options: {
    port: PORT_OPTION(37),
    udp: UDP_OPTION,
    json: { type: 'boolean', description: 'print {raw, unixMs, iso, offsetMs} as JSON' },
    timeout: TIMEOUT_OPTION,
  },
  async run(ctx) {
    const host = hostArg(ctx, 'time');
    const port = portOpt(ctx, 37);
    const opts = { timeoutMs: timeoutOpt(ctx), signal: ctx.signal };
    const a = flag(ctx, 'udp') ? await timeUdp(host, port, opts) : await timeTcp(host, port, opts);
    const offsetMs = a.unixMs - Date.now();
    const d = new Date(a.unixMs);
    if (flag(ctx, 'json')) {
      ctx.stdout.write(
        `${JSON.stringify({ raw: a.raw, unixMs: a.unixMs, iso: d.toISOString(), offsetMs })}\n`,
      );
    } else {
      ctx.stdout.write(`${d.toISOString().replace('.000', '')}  (${d.toString()})\n`);
      ctx.stderr.write(
        `raw ${a.raw} s since 1900; offset from this machine ${(offsetMs / 1000).toFixed(1)} s\n`,
      );
    }
    return 0;
  },
};
