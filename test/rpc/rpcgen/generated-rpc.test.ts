// Generated clients and servers beyond the demo: rpcgen -N style multi-argument procedures,
// bare `string` arguments, and the `netkit rpcgen` command itself.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { listenRpcTcp, RpcDispatcher, rpcClient } from '../../../src/rpc/oncrpc/index.js';
import * as xdr from '../../../src/rpc/xdr/index.js';
import { generatedDir, repoRoot, typeCheck } from './helpers.js';

const CALC_X = `/* a calculator with rpcgen -N style procedures */
typedef string word<16>;
program CALC {
  version CALC_V {
    int MADD(int, int) = 1;
    string JOIN(word, string, unsigned hyper) = 2;
    void RESET(void) = 3;
  } = 2;
} = 0x20005555;
`;

test('multi-argument procedures are packed one after another and reach the handler as separate arguments', async () => {
  const dir = join(generatedDir, 'cli');
  mkdirSync(dir, { recursive: true });
  const x = join(dir, 'calc.x');
  writeFileSync(x, CALC_X);
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/netkit.js'), 'rpcgen', x, '-o', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /wrote .*calc\.ts/);
  const path = join(dir, 'calc.ts');
  assert.deepEqual(typeCheck([path]), []);
  const mod = await import(pathToFileURL(path).href);
  let resets = 0;
  const d = new RpcDispatcher().add(
    mod.CALC_2_program({
      MADD: (a: number, b: number) => a * 10 + b,
      JOIN: (w: string, s: string, n: bigint) => `${w}|${s}|${n}`,
      RESET: () => {
        resets++;
      },
    }),
  );
  const server = await listenRpcTcp(d, { port: 0 });
  const client = await rpcClient('tcp', { port: server.address.port, timeoutMs: 5000 });
  try {
    const calc = mod.CALC_2_client(client);
    assert.equal(await calc.MADD(4, 2), 42);
    assert.equal(await calc.JOIN('a', 'bc', 2n ** 40n), `a|bc|${2n ** 40n}`);
    assert.equal(await calc.RESET(), undefined);
    assert.equal(resets, 1);
    // On the wire MADD(4, 2) is exactly two ints, as `rpcgen -N` packs them: a hand-built pair works too.
    const pair = xdr.struct<{ a: number; b: number }>({ a: xdr.int, b: xdr.int });
    assert.equal(await client.call(0x20005555, 2, 1, pair, { a: 7, b: 3 }, xdr.int), 73);
  } finally {
    client.destroy();
    await server.close();
  }
});

test('netkit rpcgen exits 1 with file:line:column for an invalid file and 2 for a usage mistake', () => {
  const dir = join(generatedDir, 'cli');
  mkdirSync(dir, { recursive: true });
  const bad = join(dir, 'bad.x');
  writeFileSync(bad, 'const A = 1;\nstruct s {\n  undefined_t x;\n};\n');
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/netkit.js'), 'rpcgen', bad, '-o', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim(), `netkit: ${bad}:3:3: undefined type 'undefined_t'`);
  assert.equal(existsSync(join(dir, 'bad.ts')), false);
  const u = spawnSync(process.execPath, [join(repoRoot, 'bin/netkit.js'), 'rpcgen'], { encoding: 'utf8' });
  assert.equal(u.status, 2);
});

test('-D and -I reach the preprocessor from the command line', () => {
  const dir = join(generatedDir, 'cli2');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'inc'), { recursive: true });
  writeFileSync(join(dir, 'inc', 'sizes.x'), 'const MAXLEN = 32;\n');
  writeFileSync(
    join(dir, 'main.x'),
    '#include <sizes.x>\n#ifdef WIDE\ntypedef string name<MAXLEN>;\n#endif\n',
  );
  const r = spawnSync(
    process.execPath,
    [
      join(repoRoot, 'bin/netkit.js'),
      'rpcgen',
      join(dir, 'main.x'),
      '-I',
      join(dir, 'inc'),
      '-D',
      'WIDE',
      '--stdout',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /export const MAXLEN = 32;/);
  assert.match(r.stdout, /export const xdr_name: xdr\.XdrType<name> = xdr\.string\(MAXLEN\);/);
  assert.equal(readFileSync(join(dir, 'main.x'), 'utf8').includes('WIDE'), true);
});

test('names that are TypeScript words or netkit names are renamed and still type-check and round-trip', async () => {
  const dir = join(generatedDir, 'names');
  mkdirSync(dir, { recursive: true });
  const x = join(dir, 'names.x');
  writeFileSync(
    x,
    'typedef int delete;\nstruct class { delete new; string function<>; };\nenum Object { export = 1 };\n' +
      'typedef class xdr<2>;\nunion number switch (Object in) { case export: xdr rpc; };\n' +
      'program P { version V { number typeof(class, string) = 1; } = 1; } = 0x20009999;\n',
  );
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/netkit.js'), 'rpcgen', x, '-o', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const path = join(dir, 'names.ts');
  assert.deepEqual(typeCheck([path]), []);
  const mod = await import(pathToFileURL(path).href);
  const v = { tag: 1, value: [{ new: -1, function: 'f' }] };
  assert.deepEqual(xdr.decode(mod.xdr_number, xdr.encode(mod.xdr_number, v)), v);
  assert.deepEqual(mod.Object_, { export: 1 });
});

test('linked lists of thousands of elements round-trip (iterative, not limited by the nesting depth)', async () => {
  const { xdr_demo_list } = await import('../../../src/rpc/demo/demo.js');
  type Node = { value: number; next: Node | null };
  let list: Node | null = null;
  for (let i = 0; i < 5000; i++) list = { value: i, next: list };
  const bytes = xdr.encode(xdr_demo_list, list);
  assert.equal(bytes.length, 5000 * 8 + 4);
  const values: number[] = [];
  for (let n = xdr.decode(xdr_demo_list, bytes) as Node | null; n; n = n.next) values.push(n.value);
  assert.deepEqual(
    values,
    Array.from({ length: 5000 }, (_, i) => 4999 - i),
  );
  // A cyclic list is refused, not encoded forever.
  const a: Node = { value: 1, next: null };
  a.next = { value: 2, next: { value: 3, next: a } };
  assert.throws(() => xdr.encode(xdr_demo_list, a), /cycle/);
  const self: Node = { value: 1, next: null };
  self.next = self;
  assert.throws(() => xdr.encode(xdr_demo_list, self), /cycle/);
  // A list cut short is a typed error, not a crash.
  assert.throws(() => xdr.decode(xdr_demo_list, bytes.subarray(0, 4000)), /xdr/);
});

test("RFC 5531's own rpc_msg (inline struct and union members) compiles and encodes the bytes of a NULL call and a PROG_MISMATCH reply", async () => {
  const dir = join(generatedDir, 'rfc');
  mkdirSync(dir, { recursive: true });
  const x = join(repoRoot, 'test/fixtures/rpc/rpc_msg.x');
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/netkit.js'), 'rpcgen', x, '-o', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const path = join(dir, 'rpc_msg.ts');
  assert.deepEqual(typeCheck([path]), []);
  const m = await import(pathToFileURL(path).href);
  const none = { flavor: 0, body: new Uint8Array(0) };
  const call = {
    xid: 0x01020304,
    body: { tag: 0, value: { rpcvers: 2, prog: 100000, vers: 2, proc: 0, cred: none, verf: none } },
  };
  // RFC 5531 §9 layout: xid, CALL, rpcvers 2, prog, vers, proc, cred (flavor, len), verf (flavor, len).
  assert.equal(
    Buffer.from(xdr.encode(m.xdr_rpc_msg, call)).toString('hex'),
    '01020304' +
      '00000000' +
      '00000002' +
      '000186a0' +
      '00000002' +
      '00000000' +
      '0000000000000000' +
      '0000000000000000',
  );
  const mismatch = {
    xid: 7,
    body: {
      tag: 1,
      value: { tag: 0, value: { verf: none, reply_data: { tag: 2, value: { low: 2, high: 4 } } } },
    },
  };
  const bytes = xdr.encode(m.xdr_rpc_msg, mismatch);
  assert.equal(bytes.length, 32); // rpc-notes: a PROG_MISMATCH reply is 32 bytes
  assert.deepStrictEqual(xdr.decode(m.xdr_rpc_msg, bytes), mismatch);
});
