// netkit's portmapper (RFC 1833) through netkit's client, on an ephemeral port: every procedure
// of PMAP v2 and RPCBIND v3/v4, the loopback-only SET rule, universal addresses, registration.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import {
  AcceptStat,
  listenRpcTcp,
  listenRpcUdp,
  procedure,
  RpcDispatcher,
  RpcError,
  readReplyHeader,
  tcpClient,
  writeCallHeader,
} from '../../../src/rpc/oncrpc/index.js';
import {
  fromUaddr,
  IPPROTO_TCP,
  IPPROTO_UDP,
  PortmapClient,
  type Portmapper,
  PortmapRegistry,
  portmapDispatcher,
  registerRpc,
  rmtCallArgs,
  rmtCallRes,
  startPortmapper,
  taddrToUaddr,
  toUaddr,
  uaddrToTaddr,
} from '../../../src/rpc/portmap/index.js';
import * as xdr from '../../../src/rpc/xdr/index.js';

const PROG = 0x20001234;

describe('universal addresses', () => {
  test('IPv4 and IPv6 universal addresses carry the port as p1.p2', () => {
    assert.equal(toUaddr('127.0.0.1', 111), '127.0.0.1.0.111');
    assert.equal(toUaddr('::', 2049), '::.8.1');
    assert.deepEqual(fromUaddr('127.0.0.1.0.111'), { host: '127.0.0.1', port: 111 });
    assert.deepEqual(fromUaddr('fe80::1.4.1'), { host: 'fe80::1', port: 1025 });
    assert.equal(fromUaddr('127.0.0.1.0.256'), undefined);
    assert.equal(fromUaddr('/run/rpcbind.sock'), undefined);
  });

  test('universal ↔ transport addresses round-trip through sockaddr layouts', () => {
    const v4 = uaddrToTaddr('10.1.2.3.8.1')!;
    assert.deepEqual([...v4.subarray(0, 8)], [2, 0, 8, 1, 10, 1, 2, 3]);
    assert.equal(taddrToUaddr(v4), '10.1.2.3.8.1');
    const v6 = uaddrToTaddr('2001:db8::1.0.111')!;
    assert.equal(v6.length, 28);
    assert.equal(taddrToUaddr(v6), '2001:db8::1.0.111');
    assert.equal(uaddrToTaddr('nonsense'), undefined);
  });
});

describe('portmapper procedures', () => {
  let pm: Portmapper;
  let port: number;
  before(async () => {
    pm = await startPortmapper({ port: 0, now: () => 1_700_000_000 });
    port = pm.tcp!.address.port;
  });
  after(() => pm.close());

  for (const transport of ['udp', 'tcp'] as const) {
    test(`PMAP v2 SET, GETPORT, DUMP, UNSET over ${transport}`, async () => {
      const c = await PortmapClient.connect({
        port: transport === 'udp' ? pm.udp!.address.port : port,
        transport,
      });
      try {
        await c.null(2);
        assert.equal(await c.set({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 4000 }), true);
        assert.equal(await c.set({ prog: PROG, vers: 1, prot: IPPROTO_UDP, port: 4001 }), true);
        // A second SET of the same (prog, vers, transport) is refused, as rpcbind does.
        assert.equal(await c.set({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 4002 }), false);
        assert.equal(await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 0 }), 4000);
        assert.equal(await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_UDP, port: 0 }), 4001);
        // Another version of a registered program still gets its port (rpcbind's find_service).
        assert.equal(await c.getport({ prog: PROG, vers: 7, prot: IPPROTO_UDP, port: 0 }), 4001);
        assert.equal(await c.getport({ prog: PROG + 1, vers: 1, prot: IPPROTO_UDP, port: 0 }), 0);
        const dump = await c.dump();
        assert.ok(
          dump.some((m) => m.prog === 100000 && m.vers === 2 && m.prot === IPPROTO_TCP && m.port === port),
        );
        assert.ok(dump.some((m) => m.prog === PROG && m.prot === IPPROTO_UDP && m.port === 4001));
        assert.equal(await c.unset({ prog: PROG, vers: 1, prot: 0, port: 0 }), true);
        assert.equal(await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 0 }), 0);
        assert.equal(await c.unset({ prog: PROG, vers: 1, prot: 0, port: 0 }), false);
      } finally {
        await c.close();
      }
    });
  }

  test('RPCBIND v3/v4 SET, GETADDR, GETVERSADDR, DUMP, UNSET, GETTIME, address conversions', async () => {
    const c = await PortmapClient.connect({ port, transport: 'tcp' });
    try {
      const reg = { r_prog: PROG, r_vers: 2, r_netid: 'tcp', r_addr: '0.0.0.0.15.160', r_owner: 'alice' };
      assert.equal(await c.rpcbSet(reg, 3), true);
      // GETADDR answers for the transport the call came on, merging the wildcard with our address.
      assert.equal(
        await c.getaddr({ ...reg, r_netid: 'udp', r_addr: '', r_owner: '' }, 4),
        '127.0.0.1.15.160',
      );
      assert.equal(await c.getaddr({ ...reg, r_vers: 3 }, 3), '127.0.0.1.15.160');
      assert.equal(await c.getversaddr({ ...reg, r_vers: 3 }), '');
      assert.equal(await c.getversaddr(reg), '127.0.0.1.15.160');
      const dump = await c.rpcbDump(3);
      assert.deepEqual(
        dump.find((r) => r.r_prog === PROG),
        reg,
      );
      const list = await c.getaddrlist(reg);
      assert.deepEqual(list, [
        {
          r_maddr: '127.0.0.1.15.160',
          r_nc_netid: 'tcp',
          r_nc_semantics: 3,
          r_nc_protofmly: 'inet',
          r_nc_proto: 'tcp',
        },
      ]);
      assert.equal(await c.gettime(3), 1_700_000_000);
      const nb = await c.uaddr2taddr('127.0.0.1.0.111');
      assert.equal(nb.buf.length, 16);
      assert.equal(await c.taddr2uaddr(nb), '127.0.0.1.0.111');
      assert.equal(await c.rpcbUnset({ ...reg, r_netid: '' }, 4), true);
      assert.equal(await c.getaddr(reg), '');
      const stat = await c.getstat();
      assert.equal(stat.length, 3);
      assert.ok(stat[2]!.info[3]! >= 2, 'v4 GETADDR calls counted');
      assert.equal(stat[1]!.setinfo, 1);
      assert.ok(stat[2]!.addrinfo.some((a) => a.prog === PROG && a.success >= 1));
    } finally {
      await c.close();
    }
  });

  test('CALLIT is off by default: no reply, as rpcbind without -r', async () => {
    const c = await PortmapClient.connect({ port: pm.udp!.address.port, transport: 'udp', retryMs: 100 });
    try {
      await assert.rejects(c.callit({ prog: PROG, vers: 1, proc: 0, args: new Uint8Array(0) }, 400), {
        code: 'NETKIT_ERR_TIMEOUT',
      });
    } finally {
      await c.close();
    }
  });

  test('an unsupported portmapper version gets PROG_MISMATCH 2–4', async () => {
    const c = await tcpClient({ port });
    try {
      await assert.rejects(c.call(100000, 5, 0, xdr.voidType, undefined, xdr.voidType), (e: unknown) => {
        return e instanceof RpcError && e.mismatch?.low === 2 && e.mismatch?.high === 4;
      });
    } finally {
      await c.close();
    }
  });
});

describe('portmapper rules', () => {
  test('SET and UNSET from a non-loopback source are refused', async () => {
    const registry = new PortmapRegistry();
    const d = portmapDispatcher(registry);
    const w = new xdr.XdrWriter();
    for (const v of [1, 0, 2, 100000, 2, 1, 0, 0, 0, 0, PROG, 1, 6, 999]) w.uint(v);
    const call = w.copy();
    const peer = { transport: 'udp' as const, remotePort: 5, localAddress: '0.0.0.0', localPort: 111 };
    const remote = d.dispatch(call, { ...peer, remoteAddress: '192.0.2.7' });
    assert.ok(remote instanceof Uint8Array);
    assert.equal(new DataView(remote.buffer).getUint32(remote.length - 4), 0); // FALSE
    assert.equal(registry.entries.length, 0);
    const local = d.dispatch(call, { ...peer, remoteAddress: '127.0.0.1' });
    assert.ok(local instanceof Uint8Array);
    assert.equal(new DataView(local.buffer).getUint32(local.length - 4), 1); // TRUE
    assert.equal(registry.entries.length, 1);
  });

  test('the registry is bounded', () => {
    const r = new PortmapRegistry(2);
    assert.equal(r.set({ prog: 1, vers: 1, netid: 'tcp', addr: 'a', owner: '' }), true);
    assert.equal(r.set({ prog: 2, vers: 1, netid: 'tcp', addr: 'a', owner: '' }), true);
    assert.equal(r.set({ prog: 3, vers: 1, netid: 'tcp', addr: 'a', owner: '' }), false);
  });

  test('CALLIT, when enabled, forwards to a loopback UDP service and returns its port and result', async () => {
    const svc = new RpcDispatcher().add({
      prog: PROG,
      vers: 1,
      procs: { 1: procedure(xdr.int, xdr.int, (n) => n * 2) },
    });
    const udp = await listenRpcUdp(svc, { port: 0 });
    const pm = await startPortmapper({ port: 0, allowCallit: true });
    try {
      const c = await PortmapClient.connect({ port: pm.udp!.address.port });
      assert.equal(await c.set({ prog: PROG, vers: 1, prot: IPPROTO_UDP, port: udp.address.port }), true);
      const r = await c.callit({ prog: PROG, vers: 1, proc: 1, args: xdr.encode(xdr.int, 21) });
      assert.equal(r.port, udp.address.port);
      assert.equal(xdr.decode(xdr.int, r.res), 42);
      await c.close();
    } finally {
      await pm.close();
      await udp.close();
    }
  });

  test('INDIRECT (v4), when enabled, returns results or SYSTEM_ERR instead of staying silent', async () => {
    const svc = new RpcDispatcher().add({
      prog: PROG,
      vers: 1,
      procs: { 1: procedure(xdr.int, xdr.int, (n) => n + 1) },
    });
    const udp = await listenRpcUdp(svc, { port: 0 });
    const pm = await startPortmapper({ port: 0, allowCallit: true });
    try {
      const c = await PortmapClient.connect({ port: pm.udp!.address.port });
      try {
        await c.set({ prog: PROG, vers: 1, prot: IPPROTO_UDP, port: udp.address.port });
        const args = { prog: PROG, vers: 1, proc: 1, args: xdr.encode(xdr.int, 41) };
        const res = await c.rpc.call(100000, 4, 10, rmtCallArgs, args, rmtCallRes);
        assert.equal(xdr.decode(xdr.int, res.results), 42);
        assert.equal(fromUaddr(res.addr)?.port, udp.address.port);
        await assert.rejects(
          c.rpc.call(100000, 4, 10, rmtCallArgs, { ...args, prog: PROG + 9 }, rmtCallRes),
          (e: unknown) => e instanceof RpcError && e.acceptStat === AcceptStat.SYSTEM_ERR,
        );
      } finally {
        await c.close();
      }
    } finally {
      await pm.close();
      await udp.close();
    }
  });

  test('random arguments to every portmapper procedure give replies, never a crash, and a bounded table', () => {
    const registry = new PortmapRegistry(50);
    const d = portmapDispatcher(registry);
    const peer = {
      transport: 'tcp' as const,
      remoteAddress: '127.0.0.1',
      remotePort: 5,
      localAddress: '127.0.0.1',
      localPort: 111,
    };
    fc.assert(
      fc.property(
        fc.constantFrom(2, 3, 4),
        fc.integer({ min: 0, max: 13 }),
        fc.uint8Array({ maxLength: 120 }),
        (vers, proc, args) => {
          const w = new xdr.XdrWriter();
          writeCallHeader(w, { xid: 9, prog: 100000, vers, proc });
          w.padded(args);
          const out = d.dispatch(w.copy(), peer);
          if (out instanceof Uint8Array) {
            const h = readReplyHeader(new xdr.XdrReader(out, 4));
            assert.equal(h.xid, 9);
          }
          assert.ok(registry.entries.length <= 50);
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('registerRpc registers a server on both transports and its return value unregisters it', async () => {
    const pm = await startPortmapper({ port: 0 });
    const svc = new RpcDispatcher().add({
      prog: PROG,
      vers: 1,
      procs: { 0: procedure(xdr.voidType, xdr.voidType, () => undefined) },
    });
    const tcp = await listenRpcTcp(svc, { port: 0 });
    const udp = await listenRpcUdp(svc, { port: 0 });
    try {
      const unregister = await registerRpc({
        prog: PROG,
        vers: 1,
        tcpPort: tcp.address.port,
        udpPort: udp.address.port,
        port: pm.udp!.address.port,
      });
      const c = await PortmapClient.connect({ port: pm.udp!.address.port });
      assert.equal(await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 0 }), tcp.address.port);
      assert.equal(await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_UDP, port: 0 }), udp.address.port);
      await unregister();
      assert.equal(await c.getport({ prog: PROG, vers: 1, prot: IPPROTO_TCP, port: 0 }), 0);
      await c.close();
    } finally {
      await Promise.all([pm.close(), tcp.close(), udp.close()]);
    }
  });
});
