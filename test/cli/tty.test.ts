// Behaviour that only shows on a terminal, driven through a pseudo-terminal made by script(1).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { serveCourseDaytime } from '../../src/chat/daytime.js';
import { NETKIT, startCliServer } from '../helpers/cli.js';
import { needPeer } from '../helpers/peers.js';

/** Runs `netkit ARGS` on a pseudo-terminal, typing `keys` once `prompt` appears; returns the screen text. */
function onTerminal(
  script: string,
  args: string[],
  steps: { after: RegExp; type: string }[],
  timeoutMs = 10_000,
) {
  return new Promise<string>((resolve, reject) => {
    const cmd = [process.execPath, NETKIT, ...args].map((a) => `'${a}'`).join(' ');
    const child = spawn(script, ['-qfec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let step = 0;
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`terminal session timed out; screen: ${JSON.stringify(screen)}`));
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      screen += String(d).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // readline's cursor moves
      while (step < steps.length && steps[step]!.after.test(screen)) child.stdin.write(steps[step++]!.type);
    });
    child.on('close', () => {
      clearTimeout(t);
      resolve(screen);
    });
  });
}

describe('on a terminal', () => {
  it('netkit daytime with no HOST asks "Enter the server name: " (going live)', async (t) => {
    const script = needPeer(t, 'script', 'bsdutils');
    if (!script) return;
    const srv = await serveCourseDaytime({ port: 0 });
    try {
      const screen = await onTerminal(
        script,
        ['daytime', '--port', String(srv.address.port)],
        [{ after: /Enter the server name: $/, type: '127.0.0.1\r' }],
      );
      assert.match(screen, /Enter the server name: 127\.0\.0\.1\r*\n/);
      assert.match(screen, /\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\r*\nHave a nice day!/);
    } finally {
      await srv.close();
    }
  });

  it('netkit chat prompts "> " and prints each reply', async (t) => {
    const script = needPeer(t, 'script', 'bsdutils');
    if (!script) return;
    const srv = await startCliServer(['therapy-server', '--seed', '3']);
    try {
      const screen = await onTerminal(
        script,
        ['chat', '127.0.0.1', '--port', String(srv.port)],
        [
          { after: /help you today\?\r*\n> $/, type: 'I am tired\r' },
          { after: /I am tired\r*\n[^\n]+\r*\n> $/, type: '\r' },
        ],
      );
      const lines = screen.split(/\r*\n/);
      assert.equal(lines[0], 'Hello, how can I help you today?');
      assert.equal(lines[1], '> I am tired');
      assert.ok((lines[2] ?? '').length > 0, 'a reply line');
      assert.equal(lines[3], '> ');
    } finally {
      srv.kill();
    }
  });
});

describe('going live', () => {
  it('--host takes a host name as well as an address', async () => {
    const srv = await startCliServer(['daytime-server', '--host', 'localhost']);
    try {
      assert.match(srv.stderr(), /listening on tcp (127\.0\.0\.1|\[::1\]):\d+/);
    } finally {
      srv.kill();
    }
  });
});
