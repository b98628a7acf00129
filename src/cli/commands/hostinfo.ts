// `netkit hostinfo [NAME]`: gethostname() and gethostbyname(), as in the slides' "going live".

import { localHostInfo, resolveHost } from '../../chat/hostinfo.js';
import { type Command, flag, maxPositionals } from '../command.js';

export const hostinfo: Command = {
  name: 'hostinfo',
  group: 'Course programs',
  summary: "print this host's name and addresses, or resolve a NAME (A and AAAA)",
  usage: 'netkit hostinfo [NAME] [--json]',
  description:
    'With no NAME: the host name (gethostname), what it resolves to (gethostbyname), and every interface\n' +
    'address — the addresses a server can bind to "go live". With NAME: its IPv4 and IPv6 addresses.',
  examples: ['netkit hostinfo', 'netkit hostinfo localhost', 'netkit hostinfo --json'],
  options: { json: { type: 'boolean', description: 'print JSON' } },
  async run(ctx) {
    maxPositionals(ctx, 1, 'hostinfo');
    const name = ctx.positionals[0];
    const info = name === undefined ? await localHostInfo() : { name, addresses: await resolveHost(name) };
    if (flag(ctx, 'json')) {
      ctx.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
      return 0;
    }
    const out: string[] = [`name: ${info.name}`];
    for (const a of info.addresses) out.push(`${a.family === 4 ? 'A   ' : 'AAAA'}  ${a.address}`);
    if (info.addresses.length === 0) out.push('(the name does not resolve)');
    if ('interfaces' in info && info.interfaces) {
      out.push('interfaces:');
      for (const i of info.interfaces) {
        out.push(
          `  ${i.name.padEnd(10)} ${`IPv${i.family}`.padEnd(5)} ${i.address}${i.internal ? '  (loopback)' : ''}`,
        );
      }
    }
    ctx.stdout.write(`${out.join('\n')}\n`);
    return 0;
  },
};
