// The textbook Doctor (Lambert, Fundamentals of Python, networking chapter): a non-directive
// therapist made of hedges, qualifiers, pronoun swaps and "Earlier you said that …".

import type { Personality } from './personality.js';

export const HEDGES = [
  'Go on.',
  'I would like to hear more about that.',
  'And what do you think about this?',
  'Please continue.',
] as const;

export const QUALIFIERS = [
  'Why do you say that ',
  'You seem to think that ',
  'Did I just hear you say that ',
  'Why do you believe that ',
] as const;

/** Looked up lower-cased. The book's class maps "you" twice; Python keeps the last: you → I. */
export const REPLACEMENTS: Readonly<Record<string, string>> = {
  i: 'you',
  me: 'you',
  my: 'your',
  we: 'you',
  us: 'you',
  am: 'are',
  you: 'I',
};

/** A random source returning [0, 1), like Math.random. Injected so tests are deterministic. */
export type Random = () => number;

/** Python's randint(lo, hi) over an injected [0,1) source. */
function randint(random: Random, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

function choice<T>(random: Random, xs: readonly T[]): T {
  return xs[Math.floor(random() * xs.length)] ?? xs[0]!;
}

/** The book's change_person: split on whitespace, swap each word looked up lower-cased, join with spaces. */
export function changePerson(sentence: string): string {
  return sentence
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .map((w) => REPLACEMENTS[w.toLowerCase()] ?? w)
    .join(' ');
}

export interface DoctorOptions {
  random?: Random;
}

/** The Doctor class of the networking chapter, one per conversation (its history is per client). */
export class Doctor implements Personality {
  private readonly random: Random;
  readonly history: string[] = [];

  constructor(opts: DoctorOptions = {}) {
    this.random = opts.random ?? Math.random;
  }

  greeting(): string {
    return 'Hello, how can I help you today?';
  }

  farewell(): string {
    return 'Have a nice day!';
  }

  /**
   * randint(1,10): 1–2 → "Earlier you said that …" when more than 3 sentences are in the history
   * (else a hedge); 3–6 → qualifier + change_person(sentence) + "?"; 7–10 → a hedge.
   * The sentence joins the history after the choice, as in the book.
   */
  reply(sentence: string): string {
    const r = randint(this.random, 1, 10);
    let answer: string;
    if (r <= 2) {
      answer =
        this.history.length > 3
          ? `Earlier you said that ${changePerson(choice(this.random, this.history))}`
          : choice(this.random, HEDGES);
    } else if (r <= 6) {
      answer = `${choice(this.random, QUALIFIERS)}${changePerson(sentence)}?`;
    } else {
      answer = choice(this.random, HEDGES);
    }
    this.history.push(sentence);
    return answer;
  }
}

/** A small deterministic PRNG (mulberry32) for `--seed` and tests. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
