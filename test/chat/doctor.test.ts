import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { changePerson, Doctor, HEDGES, QUALIFIERS, seededRandom } from '../../src/chat/doctor.js';

/** A random source that returns the given values in turn. */
const scripted = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};
// randint(1,10) from r: 1 + floor(r*10). r=0.0 → 1, r=0.25 → 3, r=0.65 → 7.

describe('changePerson', () => {
  it('swaps pronouns word by word, case-insensitively, keeping punctuation attached', () => {
    assert.equal(changePerson('I need my mother'), 'you need your mother');
    assert.equal(changePerson('You hate me'), 'I hate you');
    assert.equal(changePerson('We am Me.'), 'you are Me.');
  });
});

describe('Doctor', () => {
  it('greets and says farewell as the book does', () => {
    const d = new Doctor();
    assert.equal(d.greeting(), 'Hello, how can I help you today?');
    assert.equal(d.farewell(), 'Have a nice day!');
  });

  it('answers 3–6 with a qualifier and the sentence in the other person, ending in "?"', () => {
    const d = new Doctor({ random: scripted(0.25, 0.5) }); // randint → 3; qualifier index 2
    assert.equal(d.reply('I am sad'), `${QUALIFIERS[2]}you are sad?`);
  });

  it('answers 7–10 with a hedge', () => {
    const d = new Doctor({ random: scripted(0.65, 0.3) }); // randint → 7; hedge index 1
    assert.equal(d.reply('whatever'), HEDGES[1]);
  });

  it('answers 1–2 with a hedge until more than 3 sentences are in the history', () => {
    const d = new Doctor({ random: scripted(0.0, 0.0) });
    for (let i = 0; i < 4; i++) assert.equal(d.reply(`I said ${i}`), HEDGES[0]);
    assert.equal(d.history.length, 4);
  });

  it('then recalls "Earlier you said that …" from this conversation’s history', () => {
    const d = new Doctor({ random: scripted(0.0, 0.5) }); // randint → 1; history pick index 2 of 4
    for (const s of ['I like cats', 'my dog bites', 'we fight', 'it rains']) d.reply(s);
    assert.equal(d.reply('now'), 'Earlier you said that you fight');
  });

  it('keeps history per instance: two conversations never share it', () => {
    const a = new Doctor({ random: seededRandom(1) });
    const b = new Doctor({ random: seededRandom(1) });
    for (let i = 0; i < 5; i++) a.reply(`secret ${i}`);
    b.reply('hello');
    assert.deepEqual(b.history, ['hello']);
    assert.equal(a.history.length, 5);
  });

  it('is deterministic for a seed, and never throws on any text (property)', () => {
    const run = (seed: number) => {
      const d = new Doctor({ random: seededRandom(seed) });
      return ['I am sad', 'my mother', 'you are mean', 'we', 'us', 'ok'].map((s) => d.reply(s));
    };
    assert.deepEqual(run(42), run(42));
    fc.assert(
      fc.property(fc.string({ maxLength: 10_000 }), fc.integer(), (text, seed) => {
        const r = new Doctor({ random: seededRandom(seed) }).reply(text);
        assert.equal(typeof r, 'string');
        assert.ok(r.length > 0);
      }),
    );
  });
});
