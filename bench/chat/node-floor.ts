// Two bare answer-and-close servers on libuv's TCP handle, for the daytime bench: the fewest
// calls Node 20 allows per connection, with nothing of netkit's (no limits, no idle sweep, no
// FIN check, no logging) — the floor any Node daytime server stands on, on this machine.
//
//   abrupt:   write, close at once (inetd's way; a client that sent input first gets a reset)
//   shutdown: write, shutdown (FIN), close 4–8 ms later from one batch timer (netkit's order,
//             without reading for the client's FIN first)

import net from 'node:net';
import { noop, type TcpHandle, tcpBindings } from '../../src/core/handles.js';

export interface FloorServer {
  port: number;
  close(): Promise<void>;
}

export async function startNodeFloor(mode: 'abrupt' | 'shutdown', reply: Uint8Array): Promise<FloorServer> {
  const b = tcpBindings();
  if (!b) throw new Error('the TCP handle bindings are missing');
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle = (server as unknown as { _handle: { onconnection: unknown } })._handle;
  let w = new b.WriteWrap();
  w.oncomplete = noop;
  let due: TcpHandle[] = [];
  let young: TcpHandle[] = [];
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    for (const h of due) h.close();
    due = young;
    young = [];
    timer = due.length ? setTimeout(sweep, 4) : undefined;
  };
  handle.onconnection = (err: number, h: TcpHandle | undefined) => {
    if (err || !h) return;
    if (h.writeBuffer(w, reply) < 0) return h.close();
    if (b.state[b.kLastWriteWasAsync]) {
      w = new b.WriteWrap();
      w.oncomplete = noop;
    }
    if (mode === 'abrupt') return h.close();
    const sd = new b.ShutdownWrap();
    if (h.shutdown(sd) < 0) return h.close();
    young.push(h);
    timer ??= setTimeout(sweep, 4);
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      if (timer) clearTimeout(timer);
      for (const h of [...due, ...young]) h.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
