// `netkit discard HOST`: sends bytes to a Discard server (RFC 863, port 9) and reports the throughput.

import { udpRequest } from '../../services/client.js';
import { discardSend } from '../../services/discard.js';
import { hostArg, PORT_OPTION, rate, UDP_OPTION } from '../classic.js';
import { type Command, flag, intOpt, portOpt } from '../command.js';

export const discard: Command = {
  name: 'discard',
  group: 'Classic services',
  summary: 'send bytes to a Discard server (RFC 863, port 9) and report the throughput',
  usage: 'netkit discard [HOST] [--port P] [--bytes N] [--udp]',
  examples: ['netkit discard --bytes 100000000', 'netkit discard 127.0.0.1 --port 10009 --udp'],
  options: {
    port: PORT_OPTION(9),
    bytes: {
      type: 'string',
      valueName: 'N',
      description: 'bytes to send (default 10,000,000; UDP: datagram size, default 64)',
    },
    udp: UDP_OPTION,
  },
  async run(ctx) {
    const host = hostArg(ctx, 'discard');
    const port = portOpt(ctx, 9);
    if (flag(ctx, 'udp')) {
      const n = intOpt(ctx, 'bytes', 0, 65_507, 64);
      const got = await udpRequest(host, port, new Uint8Array(n), { timeoutMs: 500 }).catch(() => []);
      ctx.stderr.write(
        `sent one ${n}-byte datagram; ${got.length ? 'got an answer (not a discard server?)' : 'no answer, as RFC 863 says'}\n`,
      );
      return 0;
    }
    const r = await discardSend(host, port, intOpt(ctx, 'bytes', 0, Number.MAX_SAFE_INTEGER, 10_000_000));
    ctx.stderr.write(`${rate(r.bytes, r.seconds)}\n`);
    return 0;
  },
};
