// `netkit chargen HOST`: reads a Character Generator stream (RFC 864, port 19) for N bytes or
// seconds, prints it, and reports the throughput and whether it followed the RFC pattern.

import { UsageError } from '../../core/errors.js';
import { chargenRead } from '../../services/chargen.js';
import { udpRequest } from '../../services/client.js';
import { hostArg, PORT_OPTION, rate, TIMEOUT_OPTION, timeoutOpt, UDP_OPTION } from '../classic.js';
import { type Command, flag, intOpt, portOpt, str } from '../command.js';

export const chargen: Command = {
  name: 'chargen',
  group: 'Classic services',
  summary: 'read a Character Generator stream (RFC 864, port 19) and report its throughput',
  usage: 'netkit chargen [HOST] [--port P] [--bytes N | --seconds S] [--quiet] [--udp [--size B]]',
  description:
    'TCP: prints the stream (unless --quiet) until N bytes or S seconds, then the throughput on stderr.\n' +
    'UDP: sends one datagram of --size bytes and prints the reply.',
  examples: ['netkit chargen --bytes 740', 'netkit chargen 127.0.0.1 --port 10019 --seconds 3 --quiet'],
  options: {
    port: PORT_OPTION(19),
    bytes: {
      type: 'string',
      valueName: 'N',
      description: 'stop after N bytes (default 7400 unless --seconds)',
    },
    seconds: { type: 'string', valueName: 'S', description: 'stop after S seconds' },
    quiet: { type: 'boolean', short: 'q', description: 'do not print the stream, only the throughput' },
    udp: UDP_OPTION,
    size: { type: 'string', valueName: 'B', description: 'UDP: request size in bytes (default 0)' },
    timeout: TIMEOUT_OPTION,
  },
  async run(ctx) {
    const host = hostArg(ctx, 'chargen');
    const port = portOpt(ctx, 19);
    if (flag(ctx, 'udp')) {
      const size = intOpt(ctx, 'size', 0, 65_507, 0);
      const [b] = await udpRequest(host, port, new Uint8Array(size), {
        timeoutMs: timeoutOpt(ctx),
        signal: ctx.signal,
      });
      ctx.stdout.write(b ?? '');
      ctx.stderr.write(`${b?.length ?? 0} bytes for a ${size}-byte request\n`);
      return 0;
    }
    if (str(ctx, 'bytes') !== undefined && str(ctx, 'seconds') !== undefined) {
      throw new UsageError('give --bytes or --seconds, not both');
    }
    const seconds = str(ctx, 'seconds') !== undefined ? intOpt(ctx, 'seconds', 1, 86_400, 1) : undefined;
    const bytes = seconds === undefined ? intOpt(ctx, 'bytes', 1, Number.MAX_SAFE_INTEGER, 7400) : undefined;
    const quiet = flag(ctx, 'quiet');
    const r = await chargenRead(host, port, {
      bytes,
      seconds,
      signal: ctx.signal,
      onData: quiet ? undefined : (c) => ctx.stdout.write(c),
    });
    ctx.stderr.write(
      `${rate(r.bytes, r.seconds)}; ${r.matchesRfc864 ? 'matches' : 'does NOT match'} the RFC 864 pattern\n`,
    );
    return 0;
  },
};
