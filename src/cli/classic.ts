// Shared pieces of the classic-service clients (`netkit echo|discard|chargen|qotd|users|time|finger`).

import { UsageError } from '../core/errors.js';
import { type CommandContext, intOpt, maxPositionals, type OptionSpec } from './command.js';

export const PORT_OPTION = (port: number): OptionSpec => ({
  type: 'string',
  short: 'p',
  valueName: 'P',
  description: `server port (default ${port})`,
});
export const UDP_OPTION: OptionSpec = { type: 'boolean', short: 'u', description: 'use UDP instead of TCP' };
export const TIMEOUT_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'MS',
  description: 'give up after this many milliseconds (default 5000)',
};

/** The one HOST argument (default 127.0.0.1). */
export function hostArg(ctx: CommandContext, cmd: string): string {
  maxPositionals(ctx, 1, cmd);
  const h = ctx.positionals[0] ?? '127.0.0.1';
  if (h.startsWith('-')) throw new UsageError(`bad host '${h}'`);
  return h.replace(/^\[(.*)\]$/, '$1');
}

export function timeoutOpt(ctx: CommandContext): number {
  return intOpt(ctx, 'timeout', 1, 3_600_000, 5000);
}

export function rate(bytes: number, seconds: number): string {
  const mb = seconds > 0 ? bytes / seconds / 1e6 : 0;
  return `${bytes} bytes in ${seconds.toFixed(3)} s (${mb.toFixed(mb >= 100 ? 0 : 2)} MB/s)`;
}
