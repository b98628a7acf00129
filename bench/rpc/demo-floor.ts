// Node's floor for the DEMO_ADD UDP rows, in a process of its own like bench/rpc/demo-server.ts:
// a bare responder on the same UDP handle netkit's server uses, with no RPC at all — it copies the
// call's xid into a fixed accepted reply whose result is 3 (what the bench's client asks, 1 + 2).
// Prints "PORT n" once listening and stops when stdin closes.

import { udpBindings } from '../../src/core/handles.js';
import { openUdpHandle, type UdpHandleSocket } from '../../src/core/udp-handle.js';

const b = udpBindings();
if (!b) {
  console.log('NO-BINDINGS');
  process.exit(0);
}
// xid, REPLY (1), MSG_ACCEPTED (0), AUTH_NONE verifier (0, 0), SUCCESS (0), result 3.
const reply = new Uint8Array(28);
new DataView(reply.buffer).setUint32(4, 1);
new DataView(reply.buffer).setUint32(24, 3);
const sock: UdpHandleSocket = openUdpHandle(
  b,
  false,
  '127.0.0.1',
  0,
  (msg, peer) => {
    if (msg.length < 4) return;
    reply.set(msg.subarray(0, 4));
    sock.send(reply, peer.port, peer.address);
  },
  () => {},
);
const address = await sock.bind();
console.log(`PORT ${address.port}`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await sock.close();
  process.exit(0);
});
