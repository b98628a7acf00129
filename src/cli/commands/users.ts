// `netkit users HOST`: prints the Active Users list (RFC 866, "systat", port 11).

import { usersTcp, usersUdp } from '../../services/users.js';
import { hostArg, PORT_OPTION, TIMEOUT_OPTION, timeoutOpt, UDP_OPTION } from '../classic.js';
import { type Command, flag, portOpt } from '../command.js';

export const users: Command = {
  name: 'users',
  group: 'Classic services',
  summary: 'list who is logged in on a host (Active Users, RFC 866, port 11)',
  usage: 'netkit users [HOST] [--port P] [--udp]',
  examples: ['netkit users', 'netkit users 127.0.0.1 --port 10011 --udp'],
  options: { port: PORT_OPTION(11), udp: UDP_OPTION, timeout: TIMEOUT_OPTION },
  async run(ctx) {
    const host = hostArg(ctx, 'users');
    const port = portOpt(ctx, 11);
    const opts = { timeoutMs: timeoutOpt(ctx), signal: ctx.signal };
    const text = flag(ctx, 'udp') ? await usersUdp(host, port, opts) : await usersTcp(host, port, opts);
    ctx.stdout.write(text ? text.replace(/\r\n/g, '\n') : '');
    if (!text) ctx.stderr.write('(no users logged in)\n');
    return 0;
  },
};
