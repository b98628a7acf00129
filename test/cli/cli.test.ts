import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { commands } from '../../src/cli/commands/index.js';
import { runCli, startCli, startCliServer } from '../helpers/cli.js';
import { connect, readAll, readUntil } from '../helpers/net.js';

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** A user's mistake: exactly one line on stderr, starting "netkit: ", no stack trace. */
function assertOneLine(stderr: string, re: RegExp) {
  const lines = stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line, got ${JSON.stringify(stderr)}`);
  assert.match(lines[0]!, /^netkit: /);
  assert.match(lines[0]!, re);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('netkit --help, help, --version', () => {
  it('--help lists every command with its one-line summary and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of commands)
      assert.match(
        r.stdout,
        new RegExp(`^  ${c.name} +${c.summary.slice(0, 20).replace(/[()"+.*]/g, '.')}`, 'm'),
      );
  });

  it('the command list names, groups and summarizes each command as its module does', async () => {
    const names = new Set<string>();
    for (const entry of commands) {
      const c = await entry.load();
      assert.equal(c.name, entry.name);
      assert.equal(c.group, entry.group, c.name);
      assert.equal(c.summary, entry.summary, c.name);
      assert.ok(!names.has(c.name), `${c.name} listed twice`);
      names.add(c.name);
    }
    assert.ok(names.has('read') && names.has('serve'));
  });

  it('help CMD and CMD --help print the same usage, options and examples', async () => {
    const a = await runCli(['help', 'chat-server']);
    const b = await runCli(['chat-server', '--help']);
    assert.equal(a.code, 0);
    assert.equal(a.stdout, b.stdout);
    assert.match(a.stdout, /^Usage: netkit chat-server/);
    assert.match(a.stdout, /--max-line BYTES/);
    assert.match(a.stdout, /Examples:\n {2}netkit chat-server/);
  });

  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.stdout, `netkit ${version}\n`);
    assert.equal(r.code, 0);
  });
});

describe('exit statuses and errors', () => {
  it('an unknown command is a usage error: one line, exit 2', async () => {
    const r = await runCli(['frobnicate']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /unknown command 'frobnicate'/);
  });

  it('an unknown option names the command to get help on, exit 2', async () => {
    const r = await runCli(['daytime', '--colour']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /unknown option '--colour' \(see netkit daytime --help\)/);
  });

  it('a bad port value is one clear line, exit 2', async () => {
    const r = await runCli(['daytime-server', '--port', '70000']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /--port must be between 0 and 65535, got 70000/);
    const r2 = await runCli(['daytime', 'localhost', '-p', 'abc']);
    assert.equal(r2.code, 2);
    assertOneLine(r2.stderr, /--port must be a whole number, got 'abc'/);
  });

  it('a bad encoding and a bad bot are usage errors', async () => {
    const r = await runCli(['chat', '--encoding', 'ebcdic']);
    assert.equal(r.code, 2);
    assertOneLine(r.stderr, /--encoding must be one of utf-8, ascii, latin1, utf-16le/);
    const r2 = await runCli(['chat-server', '--bot', 'hal9000']);
    assert.equal(r2.code, 2);
    assertOneLine(r2.stderr, /--bot must be one of none, doctor, eliza/);
  });

  it('a refused connection is a run-time failure: one line, exit 1', async () => {
    const srv = await startCliServer(['daytime-server']);
    srv.kill();
    await srv.exited;
    const r = await runCli(['daytime', '127.0.0.1', '--port', String(srv.port)]);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, new RegExp(`connect 127\\.0\\.0\\.1:${srv.port}: connection refused`));
  });

  it('a port in use is a run-time failure naming the address', async () => {
    const a = await startCliServer(['daytime-server']);
    try {
      const r = await runCli(['daytime-server', '--port', String(a.port)]);
      assert.equal(r.code, 1);
      assertOneLine(r.stderr, new RegExp(`listen 127\\.0\\.0\\.1:${a.port}: address already in use`));
    } finally {
      a.kill();
    }
  });

  it('an unresolvable host is one line, exit 1', async () => {
    const r = await runCli(['hostinfo', 'no-such-host.invalid']);
    assert.equal(r.code, 1);
    assertOneLine(r.stderr, /resolve no-such-host\.invalid: /);
  });
});

describe('daytime-server and daytime', () => {
  it('logs the slides’ lines, as text or as JSON', async () => {
    const s = await startCliServer(['daytime-server']);
    try {
      await s.waitFor(/Waiting for connection \. \. \. /);
      const r = await runCli(['daytime', '127.0.0.1', '-p', String(s.port)]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nHave a nice day!\n$/);
      await s.waitFor(/\.\.\. connected from: \('127\.0\.0\.1', \d+\)/);
    } finally {
      s.kill();
    }
    const j = await startCliServer(['daytime-server', '--log', 'json']);
    try {
      await runCli(['daytime', '127.0.0.1', '-p', String(j.port)]);
      const m = await j.waitFor(/\{[^\n]*"event":"connected"[^\n]*\}/);
      const ev = JSON.parse(m[0]) as Record<string, unknown>;
      assert.equal(ev.remote, '127.0.0.1');
      assert.equal(typeof ev.time, 'string');
    } finally {
      j.kill();
    }
  });

  it('with no HOST and no terminal, the client uses localhost', async () => {
    const s = await startCliServer(['daytime-server']);
    try {
      const r = await runCli(['daytime', '--port', String(s.port)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Have a nice day!/);
    } finally {
      s.kill();
    }
  });
});

describe('hostinfo', () => {
  it('prints this host’s name and its loopback interface', async () => {
    const r = await runCli(['hostinfo', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout) as {
      name: string;
      interfaces: { address: string; internal: boolean }[];
    };
    assert.ok(info.name.length > 0);
    assert.ok(info.interfaces.some((i) => i.address === '127.0.0.1' && i.internal));
  });

  it('resolves a NAME to its addresses', async () => {
    const r = await runCli(['hostinfo', 'localhost']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^name: localhost\n/);
    assert.match(r.stdout, /^A {4}\s+127\.0\.0\.1$/m);
  });
});

describe('signals', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig}: stops accepting, tells connected clients goodbye, exits 0`, async () => {
      const s = await startCliServer(['therapy-server']);
      try {
        const c = await connect(s.port);
        await readUntil(c, (t) => t.includes('help you today?'));
        const rest = readAll(c, 5000);
        s.child.kill(sig);
        const { code } = await s.exited;
        assert.equal(code, 0);
        assert.equal((await rest).toString(), 'Server shutting down. Goodbye!\n');
        await assert.rejects(connect(s.port));
      } finally {
        s.kill();
      }
    });
  }
});

/**
 * An offset that keeps every serve port (7 … 21568, rpc-demo 20001) below Linux's ephemeral range
 * (32768–60999), where a client socket could already hold the port.
 */
function servePortOffset(): number {
  return 1000 + (process.pid % 9000);
}

describe('serve', () => {
  it('starts the servers, prints a table of what runs where, and exits 0 on SIGTERM', async () => {
    const s = startCli(['serve', '--port-offset', String(servePortOffset()), '--no-udp']);
    try {
      const m = await s.waitFor(/(\d+) servers running/, 15_000);
      const table = s.stdout();
      assert.match(table, /^SERVICE +PROTO +ADDRESS +TRY/m);
      const row = /^course-daytime +tcp +127\.0\.0\.1:(\d+) +netkit daytime 127\.0\.0\.1 -p (\d+)/m.exec(
        table,
      );
      assert.ok(row, table);
      assert.equal(row[1], row[2]);
      assert.ok(Number(m[1]) >= 2);
      // The table's own try-command works.
      const r = await runCli(['daytime', '127.0.0.1', '-p', row[1]!]);
      assert.match(r.stdout, /Have a nice day!/);
      s.child.kill('SIGTERM');
      assert.equal((await s.exited).code, 0);
    } finally {
      s.kill();
    }
  });

  it('every command in the TRY column works against the server in its row', async () => {
    const s = startCli(['serve', '--port-offset', String(servePortOffset() + 2), '--json']);
    try {
      await s.waitFor(/\]\n/, 15_000);
      const rows = JSON.parse(s.stdout()) as { service: string; protocol: string; try: string }[];
      assert.ok(rows.length >= 20, `only ${rows.length} rows`);
      const results = await Promise.all(
        rows.map(async (row) => {
          const [cmd, ...args] = row.try.split(' ');
          assert.equal(cmd, 'netkit', `${row.service}/${row.protocol} suggests ${row.try}`);
          return { row, r: await runCli(args, { input: 'hello\n', timeoutMs: 20_000 }) };
        }),
      );
      for (const { row, r } of results) {
        assert.equal(r.code, 0, `${row.try}: ${r.stderr}`);
        assert.ok((r.stdout + r.stderr).trim().length > 0, `${row.try} printed nothing`);
      }
      s.child.kill('SIGINT');
      assert.equal((await s.exited).code, 0);
    } finally {
      s.kill();
    }
  });

  it('--only picks services; an unknown name is a usage error', async () => {
    const s = startCli(['serve', '--only', 'therapy', '--port-offset', String(servePortOffset() + 1)]);
    try {
      await s.waitFor(/1 servers running/, 15_000);
      assert.match(s.stdout(), /^therapy /m);
      assert.doesNotMatch(s.stdout(), /^course-daytime /m);
    } finally {
      s.kill();
    }
    const r = await runCli(['serve', '--only', 'gopher']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^netkit: unknown service 'gopher' for --only/);
  });
});

describe('daytime --udp', () => {
  it('asks an RFC 867 server over UDP', async () => {
    const { listenUdp } = await import('../../src/core/udp-server.js');
    const { daytimeUdpHandler } = await import('../../src/services/daytime.js');
    const srv = await listenUdp({
      name: 'daytime',
      host: '127.0.0.1',
      port: 0,
      onDatagram: daytimeUdpHandler(),
    });
    try {
      const r = await runCli(['daytime', '127.0.0.1', '--udp', '-p', String(srv.address.port)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n$/);
    } finally {
      await srv.close();
    }
  });
});
