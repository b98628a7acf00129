// Interop with programs nobody here wrote: the slides' Python programs (test/fixtures/slides),
// nc and telnet, against netkit's servers and clients, in both directions.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serveCourseDaytime } from '../../src/chat/daytime.js';
import type { Personality } from '../../src/chat/personality.js';
import { serveChat } from '../../src/chat/server.js';
import type { TcpServer } from '../../src/core/tcp-server.js';
import { ctime } from '../../src/core/time.js';
import { runCli, startCliServer, startProcess } from '../helpers/cli.js';
import { needPeer } from '../helpers/peers.js';

const SLIDES = fileURLToPath(new URL('../fixtures/slides/', import.meta.url));
const CTIME = /^(\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4})\nHave a nice day!\n$/;

class Counter implements Personality {
  n = 0;
  greeting() {
    return 'hello';
  }
  reply(text: string) {
    return `${++this.n}:${text}`;
  }
}

const servers: TcpServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a program to completion with `input` on stdin. */
function run(cmd: string, args: string[], input: string, timeoutMs = 15_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    c.stdin.on('error', () => {});
    c.stdin.end(input);
  });
}

describe("the slides' Python programs", () => {
  it("the slides' day/time client prints netkit's ctime and greeting", async (t) => {
    const py = needPeer(t, 'python3');
    if (!py) return;
    const srv = await serveCourseDaytime({ port: 0 });
    servers.push(srv);
    const before = Date.now();
    const r = await run(py, [`${SLIDES}daytime_client.py`, String(srv.address.port), '127.0.0.1'], '');
    assert.equal(r.code, 0, r.stderr);
    const m = CTIME.exec(r.stdout);
    assert.ok(m, `unexpected output ${JSON.stringify(r.stdout)}`);
    const candidates = [before - 1000, before, Date.now()].map((ms) => ctime(new Date(ms)));
    assert.ok(candidates.includes(m[1]!), `${m[1]} is not now (${candidates.join(' / ')})`);
  });

  it("netkit daytime reads the slides' Python day/time server", async (t) => {
    const py = needPeer(t, 'python3');
    if (!py) return;
    const port = await freePort();
    const server = startProcess(py, ['-u', `${SLIDES}daytime_server.py`, String(port)]);
    try {
      await server.waitFor(/Waiting for connection/);
      const r = await runCli(['daytime', '127.0.0.1', '--port', String(port)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, CTIME);
      await server.waitFor(/\.\.\. connected from: \('127\.0\.0\.1', \d+\)/);
    } finally {
      server.kill();
    }
  });

  it("the slides' chat client talks to netkit's bot server (unterminated messages, one recv each)", async (t) => {
    const py = needPeer(t, 'python3');
    if (!py) return;
    const srv = await serveChat({ port: 0, bot: () => new Counter() });
    servers.push(srv);
    const r = await run(
      py,
      [`${SLIDES}chat_client.py`, String(srv.address.port), '127.0.0.1'],
      'I am sad\nhello there\n\n',
    );
    assert.equal(r.code, 0, r.stderr);
    // print() adds a newline to our greeting line; replies mirror the client's (absent) terminator.
    assert.equal(r.stdout, 'hello\n\n> 1:I am sad\n> 2:hello there\n> ');
  });

  it("the slides' chat client talks to netkit chat-server's console operator", async (t) => {
    const py = needPeer(t, 'python3');
    if (!py) return;
    const server = await startCliServer(['chat-server']);
    try {
      server.child.stdin!.write('nice to meet you\n');
      const r = await run(
        py,
        [`${SLIDES}chat_client.py`, String(server.port), '127.0.0.1'],
        'hi operator\n\n',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Welcome to my chat room!\n\n> nice to meet you\n> ');
      await server.waitFor(/hi operator/);
      await server.waitFor(/Client disconnected/);
    } finally {
      server.kill();
    }
  });

  it("netkit chat talks to the slides' Python chat server", async (t) => {
    const py = needPeer(t, 'python3');
    if (!py) return;
    const port = await freePort();
    const server = startProcess(py, ['-u', `${SLIDES}chat_server.py`, String(port)]);
    try {
      server.child.stdin!.write('hello back\nsecond answer\n');
      await server.waitFor(/Waiting for connection/);
      const r = await runCli(['chat', '127.0.0.1', '--port', String(port)], { input: 'hi\nagain\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'Welcome to my chat room!\nhello back\nsecond answer\n');
      await server.waitFor(/Client disconnected/);
      assert.match(server.stdout(), /hi\n[\s\S]*again\n/);
    } finally {
      server.kill();
    }
  });
});

describe('nc and telnet against netkit servers', () => {
  it('nc reads the day/time and sees the connection closed by the server', async (t) => {
    const nc = needPeer(t, 'nc', 'netcat-openbsd');
    if (!nc) return;
    const srv = await serveCourseDaytime({ port: 0 });
    servers.push(srv);
    const r = await run(nc, ['-N', '127.0.0.1', String(srv.address.port)], '', 5000);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\nHave a nice day!$/);
  });

  it('nc holds a conversation with the therapy server (CRLF in, CRLF out)', async (t) => {
    const nc = needPeer(t, 'nc', 'netcat-openbsd');
    if (!nc) return;
    const server = await startCliServer(['therapy-server', '--seed', '7']);
    try {
      const r = await run(
        nc,
        ['-N', '127.0.0.1', String(server.port)],
        'I am sad\r\nmy mother hates me\r\n\r\n',
        8000,
      );
      const lines = r.stdout.split('\r\n');
      assert.equal(r.stdout.split('\n')[0], 'Hello, how can I help you today?');
      assert.equal(lines.length, 4, JSON.stringify(r.stdout)); // two replies, the farewell, then ''
      assert.equal(lines[2], 'Have a nice day!');
      assert.equal(lines[3], '');
    } finally {
      server.kill();
    }
  });

  it('telnet shows the day/time and "Connection closed by foreign host."', async (t) => {
    const telnet = needPeer(t, 'telnet');
    if (!telnet) return;
    const srv = await serveCourseDaytime({ port: 0 });
    servers.push(srv);
    const r = await run('sh', ['-c', `sleep 1 | ${telnet} 127.0.0.1 ${srv.address.port}`], '', 8000);
    const all = r.stdout + r.stderr;
    assert.match(all, /Connected to 127\.0\.0\.1/);
    assert.match(all, /\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r?\nHave a nice day!/);
    assert.match(all, /Connection closed by foreign host/);
  });

  it('telnet chats with a bot server in line mode', async (t) => {
    const telnet = needPeer(t, 'telnet');
    if (!telnet) return;
    const srv = await serveChat({ port: 0, bot: () => new Counter() });
    servers.push(srv);
    const r = await run(
      'sh',
      ['-c', `(sleep 0.5; printf 'over telnet\\r\\n'; sleep 0.7) | ${telnet} 127.0.0.1 ${srv.address.port}`],
      '',
      8000,
    );
    assert.match(r.stdout, /hello\r?\n/);
    assert.match(r.stdout, /1:over telnet\r\n/);
  });
});
