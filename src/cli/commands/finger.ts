// `netkit finger [USER]@HOST`: sends an RFC 1288 query and prints the answer (printable ASCII only).

import { UsageError } from '../../core/errors.js';
import { fingerQuery } from '../../services/finger.js';
import { PORT_OPTION, TIMEOUT_OPTION, timeoutOpt } from '../classic.js';
import { type Command, flag, maxPositionals, portOpt } from '../command.js';

export const finger: Command = {
  name: 'finger',
  group: 'Classic services',
  summary: 'ask a Finger server about a user or who is on (RFC 1288, port 79)',
  usage: 'netkit finger [USER]@HOST [--port P] [-l]',
  description:
    'USER@HOST sends "USER"; @HOST sends the empty query (the list of users); -l sends "/W USER".\n' +
    'USER@HOST1@HOST2 asks HOST2 to forward to HOST1 (most servers refuse).',
  examples: ['netkit finger @127.0.0.1 --port 10079', 'netkit finger -l root@127.0.0.1'],
  options: {
    port: PORT_OPTION(79),
    long: { type: 'boolean', short: 'l', description: 'verbose query (/W)' },
    timeout: TIMEOUT_OPTION,
  },
  async run(ctx) {
    maxPositionals(ctx, 1, 'finger');
    const target = ctx.positionals[0] ?? '@127.0.0.1';
    const at = target.lastIndexOf('@');
    if (at < 0) throw new UsageError(`give USER@HOST or @HOST, got '${target}'`);
    const host = target.slice(at + 1).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    const user = target.slice(0, at);
    if (/[\r\n]/.test(user)) throw new UsageError('the user name cannot hold a line break');
    const query = flag(ctx, 'long') ? `/W${user ? ` ${user}` : ''}` : user;
    const text = await fingerQuery(host, portOpt(ctx, 79), query, {
      timeoutMs: timeoutOpt(ctx),
      signal: ctx.signal,
    });
    ctx.stdout.write(text.replace(/\r\n/g, '\n'));
    return 0;
  },
};
