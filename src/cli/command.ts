// The shape of one `netkit` command: its flags (with descriptions, from which help is generated)
// and its run function. Only src/cli touches `process`; commands get everything through the context.

import type { Readable, Writable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { ENCODINGS, type Encoding, parseEncoding } from '../core/text.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** Shown in help as `--name VALUE`. */
  valueName?: string;
  description: string;
}

export interface CommandContext {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Aborted on SIGINT/SIGTERM: servers stop accepting, say goodbye, drain. */
  signal: AbortSignal;
  env: Record<string, string | undefined>;
  /** Renders library events on stderr, as text or JSON lines (`--log`). */
  log: Logger;
}

export interface Command {
  name: string;
  /** One line for `netkit --help`. */
  summary: string;
  /** e.g. `netkit daytime [HOST] [--port P]` */
  usage: string;
  description?: string;
  examples: string[];
  options: Record<string, OptionSpec>;
  /** Which group the command is listed under in `netkit --help`. */
  group: string;
  run(ctx: CommandContext): Promise<number | undefined>;
}

// ---- option helpers: each turns a bad value into one clear UsageError ----

export function str(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}

export function intOpt(
  ctx: CommandContext,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const v = str(ctx, name);
  if (v === undefined) return fallback;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`--${name} must be a whole number, got '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function portOpt(ctx: CommandContext, fallback: number, name = 'port'): number {
  return intOpt(ctx, name, 0, 65535, fallback);
}

export function encodingOpt(ctx: CommandContext): Encoding {
  const v = str(ctx, 'encoding');
  if (v === undefined) return 'utf-8';
  const e = parseEncoding(v);
  if (!e) throw new UsageError(`--encoding must be one of ${ENCODINGS.join(', ')}, got '${v}'`);
  return e;
}

export function choiceOpt<T extends string>(
  ctx: CommandContext,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = str(ctx, name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
  }
  return v as T;
}

export function maxPositionals(ctx: CommandContext, n: number, cmd: string): void {
  if (ctx.positionals.length > n) {
    throw new UsageError(`unexpected argument '${ctx.positionals[n]}' (see netkit ${cmd} --help)`);
  }
}

/** Resolves when the context's signal is aborted (Ctrl-C). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export const HOST_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'H',
  description: 'address or host name to bind (default 127.0.0.1)',
};
export const ENCODING_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'ENC',
  description: 'text encoding on the wire: utf-8 (default), ascii, latin1, utf-16le',
};
export const LOG_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'FORMAT',
  description: 'server log on stderr: text (default), json, or none',
};
