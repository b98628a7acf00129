import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doctorScript, loadScript } from '../../../src/chat/eliza/index.js';
import { isKeyword, parseScript } from '../../../src/chat/eliza/script.js';
import { ErrorCodes, NetkitError, SyntaxError_ } from '../../../src/core/errors.js';

/** Parses `text` as file t.script; asserts a SyntaxError_ at line:col whose message matches `re`. */
function rejects(text: string, line: number, col: number, re: RegExp): void {
  assert.throws(
    () => parseScript(text, 't.script'),
    (e: unknown) => {
      assert.ok(e instanceof SyntaxError_, `expected SyntaxError_, got ${String(e)}`);
      assert.equal(e.code, ErrorCodes.SYNTAX);
      assert.equal(e.file, 't.script');
      assert.deepEqual([e.line, e.column], [line, col], e.message);
      assert.match(e.message, re);
      assert.ok(e.message.startsWith(`t.script:${line}:${col}: `), e.message);
      return true;
    },
  );
}

const NONE = '(NONE ((0) (GO ON)))';

describe('ELIZA script reader: the DOCTOR script', () => {
  const s = doctorScript();

  it('reads the greeting, keeps NONE apart, and finds the MEMORY rule with its 4 forms', () => {
    assert.deepEqual(s.greeting, ['HOW', 'DO', 'YOU', 'DO.', 'PLEASE', 'TELL', 'ME', 'YOUR', 'PROBLEM']);
    assert.equal(s.rules.has('NONE'), false);
    assert.equal(s.none.transformations[0]?.reassemblies.length, 4);
    assert.equal(s.memory?.keyword, 'MY');
    assert.equal(s.memory?.transformations.length, 4);
    assert.deepEqual(s.memory?.transformations[1]?.reassembly, ['EARLIER', 'YOU', 'SAID', 'YOUR', 3]);
  });

  it('reads substitutions, precedences and DLIST tags in any order and spelling', () => {
    const my = s.rules.get('MY')!;
    assert.equal(my.substitution, 'YOUR');
    assert.equal(my.precedence, 2);
    assert.equal(my.transformations.length, 2);
    const dreamed = s.rules.get('DREAMED')!;
    assert.deepEqual([dreamed.substitution, dreamed.precedence, dreamed.link], ['DREAMT', 4, 'DREAMT']);
    assert.deepEqual(s.rules.get('MOM')?.tags, ['FAMILY']); // DLIST(/ FAMILY)
    assert.deepEqual(s.rules.get('MOTHER')?.tags, ['NOUN', 'FAMILY']);
    assert.deepEqual([...(s.tagMap.get('FAMILY') ?? [])].sort(), [
      'BROTHER',
      'CHILDREN',
      'DAD',
      'FATHER',
      'MOM',
      'MOTHER',
      'SISTER',
      'WIFE',
    ]);
    assert.deepEqual([...(s.tagMap.get('BELIEF') ?? [])].sort(), ['BELIEVE', 'FEEL', 'THINK', 'WISH']);
  });

  it('makes only rules with a transformation or a rule-level link keywords', () => {
    for (const k of ['HOW', 'WHY', 'MY', 'I', 'EVERYBODY', 'CERTAINLY'])
      assert.ok(isKeyword(s.rules.get(k)!), k);
    for (const k of ['ME', 'DONT', 'FEEL', 'MOTHER', 'MYSELF']) assert.ok(!isKeyword(s.rules.get(k)!), k);
    assert.equal(s.rules.get('WHY')?.link, 'WHAT'); // after its two decompositions
    assert.equal(s.rules.get('EVERYBODY')?.link, 'EVERYONE'); // (= EVERYONE), space after =
  });

  it('reads (*…) with and without a space, (/TAG), PRE, NEWKEY and =KEY reassemblies', () => {
    const i = s.rules.get('I')!;
    assert.deepEqual(i.transformations[0]?.decomposition[2], { kind: 'choice', words: ['WANT', 'NEED'] });
    assert.deepEqual(i.transformations[1]?.decomposition[4], {
      kind: 'choice',
      words: ['SAD', 'UNHAPPY', 'DEPRESSED', 'SICK'],
    });
    assert.deepEqual(s.rules.get('MY')?.transformations[0]?.decomposition[3], {
      kind: 'tags',
      tags: ['FAMILY'],
    });
    const pre = s.rules.get("I'M")?.transformations[0]?.reassemblies[0];
    assert.deepEqual(pre, { kind: 'pre', parts: ['YOU', 'ARE', 3], key: 'I', line: pre?.line });
    assert.equal(s.rules.get('REMEMBER')?.transformations[2]?.reassemblies[0]?.kind, 'newkey');
    assert.deepEqual(s.rules.get('LIKE')?.transformations[0]?.reassemblies[0], {
      kind: 'link',
      key: 'DIT',
      line: s.rules.get('LIKE')?.transformations[0]?.reassemblies[0]?.line,
    });
  });

  it("keeps quotes and commas inside words, as in (WHY DO YOU SAY 'AM') and (REALLY, 2)", () => {
    assert.deepEqual(s.rules.get('AM')?.transformations[1]?.reassemblies[0], {
      kind: 'text',
      parts: ['WHY', 'DO', 'YOU', 'SAY', "'AM'"],
      line: 171,
    });
    assert.deepEqual(s.rules.get('EVERYONE')?.transformations[0]?.reassemblies[0], {
      kind: 'text',
      parts: ['REALLY,', 2],
      line: 395,
    });
  });

  it('parses once and hands every caller the same script object', () => {
    assert.equal(doctorScript(), s);
  });
});

describe('ELIZA script reader: other scripts in the format', () => {
  it('reads a small script with comments, tabs and a rule-level link', () => {
    const s = parseScript(
      '; a comment with (unbalanced ( parens\n(HELLO THERE)\nSTART\n(A\t3 ((0 A 0) (B 3)))\n(C (=A))\n' +
        `${NONE} ; trailing\n()\n; end\n`,
    );
    assert.deepEqual(s.greeting, ['HELLO', 'THERE']);
    assert.equal(s.rules.get('A')?.precedence, 3);
    assert.equal(s.rules.get('C')?.link, 'A');
    assert.equal(s.memory, undefined);
  });
});

describe('ELIZA script reader: malformed scripts', () => {
  it('names the ( that is never closed', () => {
    rejects(`(HI)\nSTART\n(SORRY\n    ((0) (PLEASE DON'T APOLOGIZE))\n${NONE}\n()\n`, 3, 1, /never closed/);
  });

  it('names a ) without a matching (', () => {
    rejects(`(HI)\nSTART\n(A ((0) (X))))\n${NONE}\n()\n`, 3, 14, /without a matching/);
  });

  it('requires START after the greeting', () => {
    rejects(`(HI)\n${NONE}\n()\n`, 2, 1, /expected START/);
    rejects('START\n()\n', 1, 1, /greeting/);
    rejects('', 1, 1, /greeting/);
  });

  it('checks every reassembly index against its decomposition', () => {
    rejects(
      `(HI)\nSTART\n(FOO\n  ((0 FOO 0)\n    (WHY 3)\n    (WHY  4)))\n${NONE}\n()\n`,
      6,
      11,
      /index 4 is out of range 1\.\.3/,
    );
    rejects(`(HI)\nSTART\n(FOO ((0 FOO) (PRE (X 0) (=FOO))))\n${NONE}\n()\n`, 3, 23, /index 0/);
    rejects(
      `(HI)\nSTART\n(MEMORY FOO (0 = A 1) (0 = A 1) (0 = A 1) (0 = A 2))\n(FOO ((0) (X)))\n${NONE}\n()\n`,
      3,
      50,
      /index 2/,
    );
  });

  it('refuses links to keywords that have no rule or no transformation', () => {
    rejects(
      `(HI)\nSTART\n(FOO ((0) (=BAR)))\n${NONE}\n()\n`,
      3,
      13,
      /=BAR links to a keyword that has no rule/,
    );
    rejects(`(HI)\nSTART\n(BAR = BAZ)\n(FOO (= BAR))\n${NONE}\n()\n`, 4, 9, /no transformation/);
    rejects(`(HI)\nSTART\n(FOO ((0) (PRE (X) (=NONE))))\n${NONE}\n()\n`, 3, 22, /=NONE/);
  });

  it('requires a NONE rule, the closing (), and nothing after it', () => {
    rejects('(HI)\nSTART\n(FOO ((0) (X)))\n  ()\n', 4, 3, /no NONE rule/);
    rejects(`(HI)\nSTART\n${NONE}\n`, 3, 1, /must end with \(\)/);
    rejects(`(HI)\nSTART\n${NONE}\n()\n(FOO ((0) (X)))\n`, 5, 1, /after the closing/);
  });

  it('refuses two rules for one keyword, or two NONE or MEMORY rules', () => {
    rejects(`(HI)\nSTART\n(FOO ((0) (X)))\n (FOO = BAR)\n${NONE}\n()\n`, 4, 3, /two rules for FOO/);
    rejects(`(HI)\nSTART\n${NONE}\n${NONE}\n()\n`, 4, 2, /two NONE/);
  });

  it('checks the MEMORY rule’s shape', () => {
    const mem = (forms: string) => `(HI)\nSTART\n(MY ((0) (X)))\n(MEMORY MY ${forms})\n${NONE}\n()\n`;
    rejects(mem('(0 = A) (0 = B) (0 = C)'), 4, 1, /exactly 4 transformations, found 3/);
    rejects(mem('(0 = A) (0 B) (0 = C) (0 = D)'), 4, 20, /expected '='/);
    rejects(mem('(0 = A) (= B) (0 = C) (0 = D)'), 4, 20, /cannot be empty/);
    rejects(mem('(0 = A) (0 =) (0 = C) (0 = D)'), 4, 23, /reassembly cannot be empty/);
    rejects(
      `(HI)\nSTART\n(MEMORY MY (0 = A) (0 = A) (0 = A) (0 = A))\n${NONE}\n()\n`,
      3,
      9,
      /MY has no rule/,
    );
  });

  it('refuses malformed rules, decompositions and reassemblies', () => {
    const one = (rule: string) => `(HI)\nSTART\n${rule}\n${NONE}\n()\n`;
    rejects(one('(FOO)'), 3, 2, /has no body/);
    rejects(one('(FOO BAR ((0) (X)))'), 3, 6, /unexpected word BAR/);
    rejects(one('(FOO (() (X)))'), 3, 7, /cannot be empty/);
    rejects(one('(FOO ((0)))'), 3, 6, /at least one reassembly/);
    rejects(one('(FOO ((0 (A B) 0) (X)))'), 3, 10, /\(\*WORD …\) or \(\/TAG …\)/);
    rejects(one('(FOO ((0 (*) 0) (X)))'), 3, 10, /at least one word/);
    rejects(one('(FOO DLIST(FAMILY))'), 3, 11, /must start with \//);
    rejects(one('(FOO DLIST)'), 3, 6, /after DLIST/);
    rejects(one('(FOO ((0) (PRE (X) (Y))))'), 3, 20, /expected \(=KEY\)/);
    rejects(one('(FOO ((0) (A (B))))'), 3, 14, /nested list/);
    rejects(one('(FOO 1 2 ((0) (X)))'), 3, 8, /two precedences/);
    rejects(one('(FOO = )'), 3, 6, /a word after =/);
    rejects(one('((FOO) ((0) (X)))'), 3, 2, /expected a keyword/);
    rejects(one('(12 ((0) (X)))'), 3, 2, /cannot be a number/);
    rejects(one('FOO'), 3, 1, /expected a rule list/);
  });
});

describe('loadScript', () => {
  it('reports a missing file as one NetkitError naming it', () => {
    assert.throws(
      () => loadScript('/nonexistent/doctor.script'),
      (e: unknown) =>
        e instanceof NetkitError &&
        e.code === ErrorCodes.FILE &&
        e.message === 'cannot read ELIZA script /nonexistent/doctor.script: no such file',
    );
  });
});
