// `netkit echo HOST`: Echo (RFC 862, port 7) with round-trip times — lines typed (or piped) one
// by one, or --count generated payloads like ping.

import { createInterface } from 'node:readline';
import { echoSession } from '../../services/echo.js';
import { hostArg, PORT_OPTION, TIMEOUT_OPTION, timeoutOpt, UDP_OPTION } from '../classic.js';
import { type Command, flag, intOpt, portOpt, str } from '../command.js';

export const echo: Command = {
  name: 'echo',
  group: 'Classic services',
  summary: 'send lines or payloads to an Echo server (RFC 862, port 7) and time each round trip',
  usage: 'netkit echo [HOST] [--port P] [--udp] [--count N [--size B] [--interval MS]]',
  description:
    'Without --count, every line read from stdin is sent and its echo printed, with the round-trip\n' +
    'time on stderr. With --count, N payloads of --size bytes are sent one at a time, ping style.',
  examples: ['netkit echo 127.0.0.1 --port 10007', 'netkit echo ::1 --udp --count 10 --size 64'],
  options: {
    port: PORT_OPTION(7),
    udp: UDP_OPTION,
    count: { type: 'string', short: 'c', valueName: 'N', description: 'send N generated payloads' },
    size: {
      type: 'string',
      short: 's',
      valueName: 'B',
      description: 'payload size for --count (default 56)',
    },
    interval: {
      type: 'string',
      short: 'i',
      valueName: 'MS',
      description: 'pause between payloads (default 200)',
    },
    timeout: TIMEOUT_OPTION,
  },
  async run(ctx) {
    const host = hostArg(ctx, 'echo');
    const port = portOpt(ctx, 7);
    const udp = flag(ctx, 'udp');
    const session = await echoSession(host, port, { udp, timeoutMs: timeoutOpt(ctx), signal: ctx.signal });
    const where = `${host} port ${port}/${udp ? 'udp' : 'tcp'}`;
    try {
      if (str(ctx, 'count') !== undefined) {
        const count = intOpt(ctx, 'count', 1, 1_000_000, 4);
        const size = intOpt(ctx, 'size', 1, udp ? 65_507 : 1 << 24, 56);
        const interval = intOpt(ctx, 'interval', 0, 60_000, 200);
        const times: number[] = [];
        let lost = 0;
        for (let i = 0; i < count && !ctx.signal.aborted; i++) {
          const payload = Buffer.alloc(size, 0x20 + (i % 95));
          payload.write(`netkit echo seq=${i} `.slice(0, size), 'latin1');
          try {
            const r = await session.roundTrip(payload);
            const same = r.data.equals(payload);
            times.push(r.ms);
            ctx.stdout.write(
              `${r.data.length} bytes from ${where}: seq=${i} time=${r.ms.toFixed(3)} ms${same ? '' : ' (DIFFERENT bytes)'}\n`,
            );
          } catch (e) {
            lost++;
            ctx.stdout.write(`seq=${i}: ${(e as Error).message}\n`);
            if (!udp) break;
          }
          if (interval && i + 1 < count) await new Promise((r) => setTimeout(r, interval));
        }
        const sorted = [...times].sort((a, b) => a - b);
        const avg = times.reduce((a, b) => a + b, 0) / (times.length || 1);
        ctx.stdout.write(
          `--- ${where} echo statistics ---\n${times.length + lost} sent, ${times.length} echoed, ${lost} lost` +
            (times.length
              ? `; rtt min/avg/max = ${sorted[0]!.toFixed(3)}/${avg.toFixed(3)}/${sorted[sorted.length - 1]!.toFixed(3)} ms`
              : '') +
            '\n',
        );
        return lost ? 1 : 0;
      }
      const rl = createInterface({ input: ctx.stdin, terminal: false });
      for await (const line of rl) {
        if (ctx.signal.aborted) break;
        const r = await session.roundTrip(Buffer.from(`${line}\r\n`, 'utf8'));
        ctx.stdout.write(r.data.toString('utf8').replace(/\r\n$/, '\n'));
        ctx.stderr.write(`(${r.ms.toFixed(3)} ms)\n`);
      }
      return 0;
    } finally {
      session.close();
    }
  },
};
