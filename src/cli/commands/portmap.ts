// `netkit portmap`: the portmapper (PMAP v2, RPCBIND v3/v4; RFC 1833) on TCP and UDP.

import { startPortmapper } from '../../rpc/portmap/server.js';
import {
  type Command,
  flag,
  HOST_OPTION,
  LOG_OPTION,
  maxPositionals,
  portOpt,
  str,
  untilAborted,
} from '../command.js';
import { formatHostPort } from '../render-log.js';

export const portmap: Command = {
  name: 'portmap',
  group: 'RPC',
  summary: 'run a portmapper / rpcbind (program 100000 v2, v3, v4) on TCP and UDP',
  usage: 'netkit portmap [--host H] [--port P] [--allow-callit]',
  description:
    'Answers PMAP v2 (NULL SET UNSET GETPORT DUMP) and RPCBIND v3/v4 (… GETADDR GETTIME UADDR2TADDR\n' +
    'TADDR2UADDR GETVERSADDR GETADDRLIST GETSTAT). SET and UNSET are accepted only from loopback.\n' +
    'CALLIT/INDIRECT are off unless --allow-callit (then forwarded over UDP to loopback services only).\n' +
    'Port 111 needs root; Debian tools (rpcinfo, rpcgen servers) always talk to 111.',
  examples: ['sudo netkit portmap', 'netkit portmap --port 10111', 'rpcinfo -p 127.0.0.1'],
  options: {
    host: HOST_OPTION,
    port: { type: 'string', valueName: 'P', description: 'port for TCP and UDP (default 111)' },
    'allow-callit': { type: 'boolean', description: 'enable CALLIT / INDIRECT forwarding (off by default)' },
    log: LOG_OPTION,
  },
  async run(ctx) {
    maxPositionals(ctx, 0, 'portmap');
    const pm = await startPortmapper({
      host: str(ctx, 'host') ?? '127.0.0.1',
      port: portOpt(ctx, 111),
      log: ctx.log,
      allowCallit: flag(ctx, 'allow-callit'),
    });
    for (const s of pm.servers) {
      ctx.stderr.write(
        `netkit portmap: ${s.protocol} ${formatHostPort(s.address.address, s.address.port)}\n`,
      );
    }
    await untilAborted(ctx.signal);
    await pm.close();
    return 0;
  },
};
