// Node's floor for the DEMO_ADD rows, in a process of its own like bench/rpc/demo-server.ts: bare
// responders on the same UDP and TCP handles netkit's server uses, with no RPC at all — each copies
// the call's xid into a fixed accepted reply whose result is 3 (what the bench's client asks,
// 1 + 2). TCP assumes one whole record per read, as the bench's one-call-at-a-time clients send.
// Prints "PORT n" (TCP and UDP on one port) once listening and stops when stdin closes.

import net from 'node:net';
import { noop, type TcpHandle, tcpBindings, udpBindings } from '../../src/core/handles.js';
import { openUdpHandle, type UdpHandleSocket } from '../../src/core/udp-handle.js';

const u = udpBindings();
const t = tcpBindings();
if (!u || !t) {
  console.log('NO-BINDINGS');
  process.exit(0);
}

// xid, REPLY (1), MSG_ACCEPTED (0), AUTH_NONE verifier (0, 0), SUCCESS (0), result 3; over TCP
// behind its record mark.
const framed = new Uint8Array(32);
const dv = new DataView(framed.buffer);
dv.setUint32(0, 0x80000000 | 28);
dv.setUint32(8, 1);
dv.setUint32(28, 3);
const reply = framed.subarray(4);

const readBuf = new Uint8Array(65536);
let w = new t.WriteWrap();
w.oncomplete = noop;
const server = net.createServer({ pauseOnConnect: true });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as net.AddressInfo).port;
(server as unknown as { _handle: { onconnection: unknown } })._handle.onconnection = (
  err: number,
  h: TcpHandle | undefined,
) => {
  if (err || !h) return;
  h.setNoDelay(true);
  h.useUserBuffer(readBuf);
  h.onread = () => {
    const n = t.state[t.kReadBytesOrError]!;
    if (n < 0) return h.close();
    if (n < 8) return;
    framed.set(readBuf.subarray(4, 8), 4); // the xid, after the call's record mark
    h.writeBuffer(w, framed);
    if (t.state[t.kLastWriteWasAsync]) {
      w.buffer = framed.slice(); // the pending write keeps its own bytes
      w = new t.WriteWrap();
      w.oncomplete = noop;
    }
  };
  h.readStart();
};

const sock: UdpHandleSocket = openUdpHandle(
  u,
  false,
  '127.0.0.1',
  port,
  (msg, peer) => {
    if (msg.length < 4) return;
    reply.set(msg.subarray(0, 4));
    sock.send(reply, peer.port, peer.address);
  },
  () => {},
);
await sock.bind();
console.log(`PORT ${port}`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await sock.close();
  server.close();
  process.exit(0);
});
