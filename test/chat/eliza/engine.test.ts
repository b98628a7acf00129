import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ElizaConversation, MAX_STEPS, splitInput } from '../../../src/chat/eliza/engine.js';
import { createEliza, formatTrace } from '../../../src/chat/eliza/index.js';
import { parseScript } from '../../../src/chat/eliza/script.js';
import { CACM, EDGE, readConversation } from './fixtures.js';

const script = (rules: string) =>
  parseScript(`(HELLO)\nSTART\n${rules}\n(NONE ((0) (N1) (N2)))\n()\n`, 'test');

describe('ELIZA input normalisation', () => {
  it('upper-cases and makes periods and commas words of their own', () => {
    assert.deepEqual(splitInput('Hello, world.  Bye'), ['HELLO', ',', 'WORLD', '.', 'BYE']);
  });

  it('maps ? and ! to periods; colon, semicolon, en and em dash to commas', () => {
    assert.deepEqual(splitInput('a?b!c:d;e–f—g'), [
      'A',
      '.',
      'B',
      '.',
      'C',
      ',',
      'D',
      ',',
      'E',
      ',',
      'F',
      ',',
      'G',
    ]);
  });

  it("keeps apostrophes in words, turns ’ into ' and quotation marks into spaces", () => {
    assert.deepEqual(splitInput('I’m “sad” and "blue" `x` «y» don\'t'), [
      "I'M",
      'SAD',
      'AND',
      'BLUE',
      'X',
      'Y',
      "DON'T",
    ]);
  });

  it('splits on any ASCII white space and gives no words for empty or blank input', () => {
    assert.deepEqual(splitInput('a\tb\r\nc'), ['A', 'B', 'C']);
    assert.deepEqual(splitInput(''), []);
    assert.deepEqual(splitInput('   '), []);
  });
});

describe('ELIZA engine', () => {
  it('runs LIMIT 2, 3, 4, 1, 2 … from the first input, and NOMACH follows it', () => {
    const e = new ElizaConversation(script('(FOO ((0 BAR) (X)))'));
    const got = [1, 2, 3, 4, 5].map(() => [e.reply('foo'), e.limit]);
    assert.deepEqual(got, [
      ['HMMM', 2],
      ['GO ON , PLEASE', 3],
      ['I SEE', 4],
      ['PLEASE CONTINUE', 1],
      ['HMMM', 2],
    ]);
  });

  it('puts a strictly higher precedence on top and an equal one at the bottom', () => {
    const s = script('(A 1 ((0) (FROM A)))\n(B 1 ((0) (FROM B)))\n(C 2 ((0) (FROM C)))');
    assert.equal(new ElizaConversation(s).reply('a b'), 'FROM A');
    assert.equal(new ElizaConversation(s).reply('b a'), 'FROM B');
    assert.equal(new ElizaConversation(s).reply('a b c'), 'FROM C');
    const r = new ElizaConversation(s).respond('b c a');
    assert.deepEqual(
      r.trace.find((t) => t.step === 'scan'),
      {
        step: 'scan',
        text: ['B', 'C', 'A'],
        keystack: ['C(2)', 'B(1)', 'A(1)'],
      },
    );
  });

  it('substitutes each word once, looks keywords up by the original word, and cycles reassemblies', () => {
    const s = script('(I = YOU ((0 YOU 0) (ONE 3) (TWO 3)))\n(YOU = I)');
    const e = new ElizaConversation(s);
    assert.equal(e.reply('I love you'), 'ONE LOVE I');
    assert.equal(e.reply('I miss you'), 'TWO MISS I');
    assert.equal(e.reply('I see you'), 'ONE SEE I');
  });

  it('takes the leftmost occurrence for a 0 and requires the whole text to be consumed', () => {
    const s = script('(X ((0 A 0) (1 / 3)) ((0 X 2) (TWO AFTER X)) ((0) (OTHER)))');
    const e = new ElizaConversation(s);
    assert.equal(e.reply('b a c a x'), 'B / C A X');
    assert.equal(e.reply('q x r s'), 'TWO AFTER X');
    assert.equal(e.reply('q x r'), 'OTHER');
  });

  it('goes to NONE when NEWKEY empties the keystack, and to the next keyword otherwise', () => {
    const s = script('(A 5 ((0) (NEWKEY)))\n(B ((0) (FROM B)))');
    const e = new ElizaConversation(s);
    assert.equal(e.reply('a'), 'N1');
    assert.equal(e.reply('a b'), 'FROM B');
    assert.equal(e.reply('a'), 'N2');
  });

  it('stops a script that links in a circle and answers with NOMACH', () => {
    const e = new ElizaConversation(script('(A (=B))\n(B ((0 NEVER) (X)) (=A))'));
    const r = e.respond('a');
    assert.equal(r.reply, 'HMMM');
    assert.equal(r.trace.filter((t) => t.step === 'keyword').length, MAX_STEPS);
    assert.match(formatTrace(r.trace).at(-1)!, /more than 100 steps/);
  });

  it('bounds a PRE that keeps doubling the text', () => {
    const e = new ElizaConversation(script('(A ((0) (PRE (1 1) (=A))))'));
    assert.equal(e.reply('a a a a a a a a'), 'HMMM');
  });

  it('answers NOMACH instead of throwing for a hand-built script with an empty reassembly list', () => {
    const s = script('(A ((0) (X)))');
    s.rules.get('A')!.transformations[0]!.reassemblies = [];
    s.none.transformations[0]!.reassemblies = [];
    const e = new ElizaConversation(s);
    assert.equal(e.reply('a'), 'HMMM');
    assert.equal(e.reply('b'), 'GO ON , PLEASE');
  });

  it('ignores user words NONE and MEMORY, which name special rules', () => {
    const e = createEliza();
    const r = e.respond('none memory');
    assert.equal(r.reply, 'I AM NOT SURE I UNDERSTAND YOU FULLY');
    assert.deepEqual(
      r.trace.find((t) => t.step === 'scan'),
      { step: 'scan', text: ['NONE', 'MEMORY'], keystack: [] },
    );
  });

  it('keeps at most maxMemories memories and recalls them oldest first at LIMIT 4', () => {
    const e = createEliza({ maxMemories: 2 });
    e.reply('my cat'); // LIMIT 2
    e.reply('my dog'); // LIMIT 3
    e.reply('my fish'); // LIMIT 4: queue full, not kept
    assert.equal(e.pendingMemories.length, 2);
    for (const x of ['xyz', 'xyz', 'xyz']) e.reply(x); // LIMIT 1, 2, 3: no recall
    assert.equal(e.pendingMemories.length, 2);
    assert.match(e.reply('xyz'), /CAT$/); // LIMIT 4
    assert.equal(e.pendingMemories.length, 1);
  });
});

describe('ELIZA trace', () => {
  it('shows the keystack, the link and the reassembly for "Men are all alike."', () => {
    const r = createEliza().respond('Men are all alike.');
    assert.equal(r.reply, 'IN WHAT WAY');
    const kinds = r.trace.map((t) => t.step);
    assert.deepEqual(kinds, [
      'input',
      'cut',
      'scan',
      'keyword',
      'no-decomposition',
      'keyword',
      'decomposition',
      'reassembly',
    ]);
    assert.deepEqual(r.trace[2], {
      step: 'scan',
      text: ['MEN', 'ARE', 'ALL', 'ALIKE'],
      keystack: ['ALIKE(10)', 'ARE(0)'],
    });
    assert.deepEqual(r.trace[4], { step: 'no-decomposition', key: 'ALIKE', link: 'DIT' });
    const ra = r.trace[7];
    assert.ok(ra?.step === 'reassembly');
    assert.deepEqual([ra.key, ra.index, ra.of, ra.form], ['DIT', 1, 8, '(IN WHAT WAY)']);
  });

  it('shows the memory made when MY is popped, the PRE rewrite, and the recall', () => {
    const e = createEliza();
    const ex = readConversation(CACM);
    const traces = ex.map((x) => e.respond(x.input).trace);
    const remember = traces[2]!.find((t) => t.step === 'remember');
    assert.deepEqual(remember, {
      step: 'remember',
      word: 'HERE',
      chunk: 'HERE',
      form: 3,
      memory: 'DOES THAT HAVE ANYTHING TO DO WITH THE FACT THAT YOUR BOYFRIEND MADE YOU COME HERE',
      kept: true,
    });
    assert.deepEqual(
      traces[3]!.find((t) => t.step === 'pre'),
      { step: 'pre', text: ['YOU', 'ARE', 'DEPRESSED', 'MUCH', 'OF', 'THE', 'TIME'] },
    );
    // Exchange 10: LIKE wins and MY is never popped, so no memory is made.
    assert.equal(
      traces[9]!.some((t) => t.step === 'remember'),
      false,
    );
    assert.equal(
      traces[14]!.some((t) => t.step === 'recall'),
      true,
    );
    const lines = formatTrace(traces[2]!);
    assert.ok(lines.includes('  no keyword yet, dropped: WELL ,'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('  MEMORY: HASH(HERE) = 3, form 4: DOES THAT HAVE')));
  });

  it('does not change the replies (trace on and off agree over both fixture conversations)', () => {
    for (const f of [CACM, EDGE]) {
      const a = createEliza();
      const b = createEliza();
      for (const x of readConversation(f)) assert.equal(a.respond(x.input).reply, b.reply(x.input));
    }
  });
});

// ---------------------------------------------------------------- properties

const anyChar = fc.oneof(
  fc.constantFrom(...' ,.?!:;\'"`’–—-\t\r\n()=*/'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const keywordish = fc.constantFrom(
  ..."I YOU ME MY MOTHER ARE AM WAS WERE LIKE ALIKE WHY WHAT CAN REMEMBER DREAMT I'M YOU'RE EVERYBODY BUT NONE MEMORY COMPUTER".split(
    ' ',
  ),
  '.',
  ',',
  'xyz',
);
const inputLine = fc.oneof(
  fc.string({ unit: anyChar, maxLength: 200 }),
  fc.array(keywordish, { maxLength: 40 }).map((ws) => ws.join(' ')),
  fc.string({ unit: fc.constantFrom(...'.,?!;:– '), maxLength: 50 }),
  fc.constant(''),
);

describe('ELIZA properties', () => {
  it('answers any line with a non-empty single-line upper-case string and never throws', () => {
    fc.assert(
      fc.property(fc.array(inputLine, { minLength: 1, maxLength: 12 }), (lines) => {
        const e = createEliza();
        for (const l of lines) {
          const r = e.reply(l);
          assert.equal(typeof r, 'string');
          assert.ok(r.length > 0);
          assert.doesNotMatch(r, /[a-z\r\n]/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answers 10 KB lines without throwing', () => {
    fc.assert(
      fc.property(fc.array(keywordish, { minLength: 1, maxLength: 8 }), fc.boolean(), (ws, punct) => {
        const unit = ws.join(punct ? ' ' : ' , ');
        const line = unit.repeat(Math.ceil(10_240 / (unit.length + 1))).slice(0, 10_240);
        const e = createEliza();
        for (let i = 0; i < 4; i++) assert.ok(e.reply(line).length > 0);
      }),
      { numRuns: 25 },
    );
    const e = createEliza();
    assert.ok(e.reply('x'.repeat(10_240)).length > 0);
    assert.ok(e.reply('my '.repeat(3414)).startsWith('YOUR'));
  });

  it('never lets one conversation’s state leak into another: interleaved equals alone', () => {
    fc.assert(
      fc.property(
        fc.array(inputLine, { maxLength: 15 }),
        fc.array(inputLine, { maxLength: 15 }),
        fc.array(fc.boolean(), { maxLength: 30 }),
        (as, bs, schedule) => {
          const alone = (xs: string[]) => {
            const e = createEliza();
            return xs.map((x) => e.reply(x));
          };
          const wantA = alone(as);
          const wantB = alone(bs);
          const a = createEliza();
          const b = createEliza();
          const gotA: string[] = [];
          const gotB: string[] = [];
          let i = 0;
          let j = 0;
          for (const pickA of schedule) {
            if (pickA && i < as.length) gotA.push(a.reply(as[i++]!));
            else if (j < bs.length) gotB.push(b.reply(bs[j++]!));
          }
          while (i < as.length) gotA.push(a.reply(as[i++]!));
          while (j < bs.length) gotB.push(b.reply(bs[j++]!));
          assert.deepEqual(gotA, wantA);
          assert.deepEqual(gotB, wantB);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('interleaves the two fixture conversations and still reproduces both exactly', () => {
    const cacm = readConversation(CACM);
    const edge = readConversation(EDGE);
    const a = createEliza();
    const b = createEliza();
    for (let k = 0; k < Math.max(cacm.length, edge.length); k++) {
      if (k < cacm.length) assert.equal(a.reply(cacm[k]!.input), cacm[k]!.reply);
      if (k < edge.length) assert.equal(b.reply(edge[k]!.input), edge[k]!.reply);
    }
  });
});
