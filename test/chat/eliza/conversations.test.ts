import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEliza } from '../../../src/chat/eliza/index.js';
import { CACM, EDGE, RANDOM, readConversation } from './fixtures.js';

function replay(name: string, expectedCount: number): void {
  const exchanges = readConversation(name);
  assert.equal(exchanges.length, expectedCount);
  const eliza = createEliza();
  const got = exchanges.map((x) => eliza.reply(x.input));
  exchanges.forEach((x, i) => {
    assert.equal(got[i], x.reply, `exchange ${i + 1}: > ${x.input}`);
  });
}

describe('ELIZA with the 1966 DOCTOR script', () => {
  it('greets as anthay/ELIZA prints the script’s greeting', () => {
    assert.equal(createEliza().greeting(), 'HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM');
  });

  it('reproduces the 15 exchanges published in CACM, January 1966, reply for reply', () => {
    replay(CACM, 15);
  });

  it('reproduces the 89 edge-case exchanges of anthay/ELIZA as one conversation', () => {
    replay(EDGE, 89);
  });

  it('agrees with anthay/ELIZA on 300 random exchanges in one conversation', () => {
    replay(RANDOM, 300);
  });

  it('gives a different reply when a conversation is not started fresh (state matters)', () => {
    // The CACM inputs replayed in a conversation that already answered them once: the cycling
    // counters and LIMIT have moved, so the replies differ. This shows the fixtures test state.
    const exchanges = readConversation(CACM);
    const eliza = createEliza();
    for (const x of exchanges) eliza.reply(x.input);
    const second = exchanges.map((x) => eliza.reply(x.input));
    assert.notDeepEqual(
      second,
      exchanges.map((x) => x.reply),
    );
  });
});
