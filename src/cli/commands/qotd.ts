// `netkit qotd HOST`: prints the Quote of the Day (RFC 865, port 17).

import { qotdTcp, qotdUdp } from '../../services/qotd.js';
import { hostArg, PORT_OPTION, TIMEOUT_OPTION, timeoutOpt, UDP_OPTION } from '../classic.js';
import { type Command, flag, portOpt } from '../command.js';

export const qotd: Command = {
  name: 'qotd',
  group: 'Classic services',
  summary: 'print the Quote of the Day (RFC 865, port 17)',
  usage: 'netkit qotd [HOST] [--port P] [--udp]',
  examples: ['netkit qotd', 'netkit qotd 127.0.0.1 --port 10017 --udp'],
  options: { port: PORT_OPTION(17), udp: UDP_OPTION, timeout: TIMEOUT_OPTION },
  async run(ctx) {
    const host = hostArg(ctx, 'qotd');
    const port = portOpt(ctx, 17);
    const opts = { timeoutMs: timeoutOpt(ctx), signal: ctx.signal };
    const text = flag(ctx, 'udp') ? await qotdUdp(host, port, opts) : await qotdTcp(host, port, opts);
    ctx.stdout.write(text.replace(/\r\n/g, '\n'));
    return 0;
  },
};
