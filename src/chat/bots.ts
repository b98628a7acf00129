// The bots a chat server can run: `--bot doctor` (the textbook Doctor), `--bot eliza` (1966 ELIZA).

import { ErrorCodes, NetkitError } from '../core/errors.js';
import { Doctor, type Random } from './doctor.js';
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
      throw new NetkitError(
        ErrorCodes.UNAVAILABLE,
        '--bot eliza is not available yet (it arrives with the ELIZA 1966 engine); use --bot doctor',
      );
  }
}
