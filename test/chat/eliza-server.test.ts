// ELIZA behind the chat server: every connection a fresh engine state, replies exact over TCP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { botFactory } from '../../src/chat/bots.js';
import { ChatClient } from '../../src/chat/client.js';
import { serveChat } from '../../src/chat/server.js';
import { runCli, startCliServer } from '../helpers/cli.js';

function exchanges(file: string): { input: string; reply: string }[] {
  const lines = readFileSync(new URL(`../fixtures/doctor/${file}`, import.meta.url), 'utf8').split('\n');
  const out: { input: string; reply: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.startsWith('> ')) out.push({ input: lines[i]!.slice(2), reply: lines[i + 1]! });
  }
  return out;
}

describe('chat server --bot eliza', () => {
  it('reproduces the CACM conversation for two clients at once, interleaved, each from a fresh state', async () => {
    const srv = await serveChat({ port: 0, bot: botFactory('eliza')! });
    const cacm = exchanges('cacm-1966-conversation.txt');
    assert.equal(cacm.length, 15);
    const a = await ChatClient.connect({ host: '127.0.0.1', port: srv.address.port, pauseMs: 20 });
    const b = await ChatClient.connect({ host: '127.0.0.1', port: srv.address.port, pauseMs: 20 });
    try {
      assert.equal(await a.next(), 'HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM');
      assert.equal(await b.next(), 'HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM');
      for (const [i, x] of cacm.entries()) {
        // b runs two exchanges behind a, so the two states interleave.
        a.send(x.input);
        assert.equal(await a.next(), x.reply, `a, exchange ${i + 1}`);
        if (i >= 2) {
          const y = cacm[i - 2]!;
          b.send(y.input);
          assert.equal(await b.next(), y.reply, `b, exchange ${i - 1}`);
        }
      }
    } finally {
      a.close();
      b.close();
      await srv.close();
    }
  });

  it('netkit chat-server --bot eliza answers netkit chat', async () => {
    const srv = await startCliServer(['chat-server', '--bot', 'eliza']);
    try {
      const r = await runCli(['chat', '127.0.0.1', '-p', String(srv.port)], {
        input: 'Men are all alike.\n',
      });
      assert.equal(r.stdout, 'HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM\nIN WHAT WAY\n');
    } finally {
      srv.kill();
    }
  });
});
