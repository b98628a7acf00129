// The bots a chat server can run: `--bot doctor` (the textbook Doctor), `--bot eliza` (1966 ELIZA).

import { Doctor, type Random } from './doctor.js';
import { createEliza } from './eliza/index.js';
import type { PersonalityFactory } from './personality.js';

export const BOT_NAMES = ['none', 'doctor', 'eliza'] as const;
export type BotName = (typeof BOT_NAMES)[number];

export interface BotOptions {
  random?: Random;
}

/** The factory for a bot, or undefined for 'none' (a human operator answers). */
export function botFactory(name: BotName, opts: BotOptions = {}): PersonalityFactory | undefined {
  switch (name) {
    case 'none':
      return undefined;
    case 'doctor':
      return () => new Doctor(opts.random ? { random: opts.random } : {});
    case 'eliza':
      return () => createEliza(); // Weizenbaum's 1966 DOCTOR script, a fresh state per conversation
  }
}
