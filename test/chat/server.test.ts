import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, describe, it } from 'node:test';
import { ChatClient } from '../../src/chat/client.js';
import { Doctor, seededRandom } from '../../src/chat/doctor.js';
import type { Personality } from '../../src/chat/personality.js';
import { GOODBYE, type Operator, queueMessage, serveChat, WELCOME } from '../../src/chat/server.js';
import type { TcpServer } from '../../src/core/tcp-server.js';
import { connect, readAll, readUntil, sleep } from '../helpers/net.js';

/** A bot that numbers its replies: shows which instance (conversation) answered. */
class Counter implements Personality {
  n = 0;
  greeting() {
    return 'hello';
  }
  reply(text: string) {
    return `${++this.n}:${text}`;
  }
  farewell() {
    return 'bye';
  }
}

const servers: TcpServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function bot(opts: Parameters<typeof serveChat>[0] = {}) {
  const s = await serveChat({ port: 0, bot: () => new Counter(), ...opts });
  servers.push(s);
  return s.address.port;
}

describe('chat server with a bot', () => {
  it('greets, answers each line with the terminator the client used, and ends on an empty line', async () => {
    const port = await bot();
    const s = await connect(port);
    const all = readAll(s);
    s.write('a\r\nb\n\n');
    assert.equal((await all).toString(), 'hello\n1:a\r\n2:b\nbye\n');
  });

  it("answers the slides' unterminated messages once the sender pauses, without a terminator", async () => {
    const port = await bot({ pauseMs: 30 });
    const s = await connect(port);
    await readUntil(s, (t) => t === 'hello\n');
    s.write('no newline here');
    assert.equal(await readUntil(s, (t) => t.length >= 17), '1:no newline here');
    s.destroy();
  });

  it('answers every line a client sent before its FIN (nc -N)', async () => {
    const port = await bot();
    const s = await connect(port);
    s.end('x\ny\nz');
    assert.equal((await readAll(s)).toString(), 'hello\n1:x\n2:y\n3:z');
  });

  it('gives each connection its own bot and conversation', async () => {
    const port = await bot();
    const a = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 20 });
    const b = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 20 });
    assert.equal(await a.next(), 'hello');
    assert.equal(await b.next(), 'hello');
    a.send('one');
    assert.equal(await a.next(), '1:one');
    a.send('two');
    assert.equal(await a.next(), '2:two');
    b.send('first');
    assert.equal(await b.next(), '1:first');
    a.close();
    b.close();
  });

  it('sends one error line for a line over the limit, closes, and keeps serving (10 MB line)', async () => {
    const port = await bot({ limits: { maxLineLength: 8192 } });
    const s = await connect(port);
    const got = readAll(s, 10_000);
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    s.write(big, () => {});
    s.on('error', () => {});
    const text = (await got).toString();
    assert.match(text, /^hello\nERROR: line too long \(over 8192 bytes\); closing\n$/);
    const c = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 20 });
    assert.equal(await c.next(), 'hello');
    c.send('still here?');
    assert.equal(await c.next(), '1:still here?');
    c.close();
  });

  it('replaces invalid UTF-8 with U+FFFD and answers', async () => {
    const port = await bot();
    const s = await connect(port);
    s.end(Buffer.from([0xc3, 0x28, 0xff, 0x0a]));
    assert.equal((await readAll(s)).toString(), 'hello\n1:\ufffd(\ufffd\n');
  });

  it('survives clients that disconnect mid-conversation and serves the next one', async () => {
    const port = await bot();
    for (let i = 0; i < 50; i++) {
      const s = await connect(port);
      s.write('question\n'.repeat(20));
      s.destroy(); // reset before the answers are read
    }
    const c = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 20 });
    assert.equal(await c.next(), 'hello');
    c.close();
  });

  it('slows a client that sends faster than the message rate, and loses nothing', async () => {
    const port = await bot({ limits: { messageRate: 10, messageBurst: 2 } });
    const s = await connect(port);
    const lines = Array.from({ length: 8 }, (_, i) => `m${i}`);
    let got = '';
    s.on('data', (d) => (got += d));
    s.write(`${lines.join('\n')}\n`);
    await sleep(120);
    // burst 2, then one per 100 ms: far fewer than 8 answers so soon
    assert.ok((got.match(/:m/g) ?? []).length < 6, `too many answers early: ${got}`);
    for (let i = 0; i < 100 && !got.includes('8:m7'); i++) await sleep(50);
    assert.deepEqual(
      got.match(/\d:m\d/g),
      lines.map((l, i) => `${i + 1}:${l}`),
    );
    s.destroy();
  });

  it('closes an idle client with a message', async () => {
    const port = await bot({ limits: { idleTimeoutMs: 150 } });
    const s = await connect(port);
    assert.equal((await readAll(s, 3000)).toString(), 'hello\nClosing: no message for too long. Goodbye!\n');
  });

  it('keeps serving the next client while 2,000 connections are open', async () => {
    const port = await bot();
    const held: net.Socket[] = [];
    try {
      for (let i = 0; i < 2000; i += 200) {
        held.push(...(await Promise.all(Array.from({ length: 200 }, () => connect(port)))));
      }
      const c = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 20 });
      assert.equal(await c.next(), 'hello');
      c.send('and me?');
      assert.equal(await c.next(), '1:and me?');
      c.close();
    } finally {
      for (const h of held) h.destroy();
    }
  });

  it('says goodbye to connected clients on close()', async () => {
    const srv = await serveChat({ port: 0, bot: () => new Counter() });
    const s = await connect(srv.address.port);
    await readUntil(s, (t) => t === 'hello\n');
    const rest = readAll(s);
    await srv.close();
    assert.equal((await rest).toString(), `${GOODBYE}\n`);
  });
});

describe('therapy server with 1,000 clients at once', () => {
  it('gives each client its own Doctor: no reply mentions another client’s words', async () => {
    let seed = 1;
    const port = await bot({ bot: () => new Doctor({ random: seededRandom(seed++) }), pauseMs: 20 });
    const N = 1000;
    const clients = await Promise.all(
      Array.from({ length: N }, () => ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 30 })),
    );
    try {
      const greetings = await Promise.all(clients.map((c) => c.next(20_000)));
      assert.ok(greetings.every((g) => g === 'Hello, how can I help you today?'));
      let recalled = 0;
      for (let round = 0; round < 6; round++) {
        const replies = await Promise.all(
          clients.map((c, i) => {
            c.send(`I saw token${i}x${round}`);
            return c.next(20_000);
          }),
        );
        replies.forEach((r, i) => {
          assert.ok(r !== undefined, `client ${i} got no reply in round ${round}`);
          for (const m of r.matchAll(/token(\d+)x/g)) assert.equal(Number(m[1]), i, `client ${i} got ${r}`);
          if (r.startsWith('Earlier you said that')) recalled++;
        });
      }
      assert.ok(recalled > 0, 'some Doctor recalled its own history');
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('chat server with an operator (one-on-one)', () => {
  it('greets the first client, queues the next with its place, and moves on when a chat ends', async () => {
    const seen: string[] = [];
    const operator: Operator = {
      async answer(message) {
        seen.push(message);
        return message === 'bye now' ? '' : `op:${message}`;
      },
    };
    const srv = await serveChat({ port: 0, operator, pauseMs: 20 });
    servers.push(srv);
    const port = srv.address.port;
    const a = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 30 });
    assert.equal(await a.next(), WELCOME);
    const b = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 30 });
    assert.equal(await b.next(), queueMessage(1));
    const c = await ChatClient.connect({ host: '127.0.0.1', port, pauseMs: 30 });
    assert.equal(await c.next(), queueMessage(2));
    a.send('hi');
    assert.equal(await a.next(), 'op:hi');
    a.send(''); // an empty message ends a's conversation
    assert.equal(await a.next(2000), undefined);
    assert.equal(await b.next(), WELCOME);
    assert.equal(await c.next(), queueMessage(1));
    b.send('bye now'); // an empty answer from the operator ends it too
    assert.equal(await b.next(2000), undefined);
    assert.equal(await c.next(), WELCOME);
    c.send('third');
    assert.equal(await c.next(), 'op:third');
    assert.deepEqual(seen, ['hi', 'bye now', 'third']);
    c.close();
  });
});

describe('encodings on the wire', () => {
  for (const encoding of ['utf-16le', 'latin1', 'ascii'] as const) {
    it(`holds a conversation in ${encoding}`, async () => {
      const port = await bot({ encoding });
      const c = await ChatClient.connect({ host: '127.0.0.1', port, encoding, pauseMs: 20 });
      assert.equal(await c.next(), 'hello');
      const text = encoding === 'ascii' ? 'plain text' : 'café crème';
      c.send(text);
      assert.equal(await c.next(), `1:${text}`);
      c.close();
    });
  }

  it('never crashes on bytes that are invalid in the chosen encoding', async () => {
    const port = await bot({ encoding: 'utf-16le' });
    const s = await connect(port);
    s.end(Buffer.from([0x00, 0xd8, 0x41, 0x00, 0x0a, 0x00])); // lone surrogate, 'A', LF
    const got = (await readAll(s)).toString('utf16le');
    assert.equal(got, 'hello\n1:\ufffdA\n');
  });
});
