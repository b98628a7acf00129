// The `netkit` command: dispatch, generated help, exit statuses (0 ok, 1 run-time failure,
// 2 usage error), and one clear line on stderr for a user's mistake.

import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { NetkitError, UsageError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { Command, CommandContext, OptionSpec } from './command.js';
import { type CommandEntry, commands } from './commands/index.js';
import { makeLogger } from './render-log.js';

export interface MainIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}

const GROUP_ORDER = ['All servers', 'Course programs', 'Classic services', 'Packets', 'RPC', 'Other'];

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The command's entry (name, group, summary); `load()` it to run it or show its help. */
export function findCommand(name: string): CommandEntry | undefined {
  return commands.find((c) => c.name === name);
}

export function globalHelp(): string {
  const lines = ['netkit — client/server networking toolkit', '', 'Usage: netkit <command> [options]', ''];
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  const groups = [...new Set([...GROUP_ORDER, ...commands.map((c) => c.group)])];
  for (const g of groups) {
    const cs = commands.filter((c) => c.group === g);
    if (cs.length === 0) continue;
    lines.push(`${g}:`);
    for (const c of cs) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
    lines.push('');
  }
  lines.push('netkit help CMD or netkit CMD --help shows a command’s options and examples.');
  lines.push('netkit --version prints the version.');
  return `${lines.join('\n')}\n`;
}

function optionLabel(name: string, spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  const value = spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : '';
  return `${short}--${name}${value}`;
}

export function commandHelp(c: Command): string {
  const lines = [`Usage: ${c.usage}`, '', c.summary];
  if (c.description) lines.push('', c.description);
  const opts: [string, OptionSpec][] = [
    ...Object.entries(c.options),
    ['help', { type: 'boolean', short: 'h', description: 'show this help' }],
  ];
  const labels = opts.map(([n, s]) => optionLabel(n, s));
  const width = Math.max(...labels.map((l) => l.length)) + 2;
  lines.push('', 'Options:');
  opts.forEach(([, s], i) => {
    const def = s.default !== undefined && s.type === 'string' ? ` (default ${String(s.default)})` : '';
    lines.push(`  ${labels[i]!.padEnd(width)}${s.description}${def}`);
  });
  if (c.examples.length) {
    lines.push('', 'Examples:');
    for (const e of c.examples) lines.push(`  ${e}`);
  }
  return `${lines.join('\n')}\n`;
}

function parseFor(c: Command, argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(c.options)) {
    options[name] = { type: spec.type };
    if (spec.short) options[name].short = spec.short;
    if (spec.multiple) options[name].multiple = true;
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const m = /Unknown option '([^']+)'/.exec(e.message);
    if (m) throw new UsageError(`unknown option '${m[1]}' (see netkit ${c.name} --help)`);
    const m2 = /Option '([^']+)' argument missing/.exec(e.message);
    if (m2) throw new UsageError(`option '${m2[1]?.replace(/^-\w, /, '')}' needs a value`);
    if (/does not take an argument/.test(e.message)) {
      const m3 = /Option '([^']+)'/.exec(e.message);
      throw new UsageError(`option '${m3?.[1] ?? '?'}' does not take a value`);
    }
    throw new UsageError(e.message.split('\n')[0] ?? 'bad arguments');
  }
}

/** Runs the CLI; returns the exit status. */
export async function main(argv: string[], io: MainIO): Promise<number> {
  const [first, ...rest] = argv;
  const err = (line: string) => io.stderr.write(`netkit: ${line}\n`);
  try {
    if (first === undefined || first === '--help' || first === '-h') {
      io.stdout.write(globalHelp());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-V' || first === 'version') {
      io.stdout.write(`netkit ${version()}\n`);
      return 0;
    }
    if (first === 'help') {
      if (rest[0] === undefined) {
        io.stdout.write(globalHelp());
        return 0;
      }
      const entry = findCommand(rest[0]);
      if (!entry) throw new UsageError(`unknown command '${rest[0]}' (see netkit --help)`);
      io.stdout.write(commandHelp(await entry.load()));
      return 0;
    }
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (see netkit --help)`);
    const entry = findCommand(first);
    if (!entry) throw new UsageError(`unknown command '${first}' (see netkit --help)`);
    const c = await entry.load();
    const parsed = parseFor(c, rest);
    if (parsed.values.help) {
      io.stdout.write(commandHelp(c));
      return 0;
    }
    const values = { ...parsed.values } as CommandContext['values'];
    for (const [name, spec] of Object.entries(c.options)) {
      if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
    }
    const logFormat = values.log === undefined ? 'text' : values.log;
    if (logFormat !== 'text' && logFormat !== 'json' && logFormat !== 'none')
      throw new UsageError(`--log must be text, json or none, got '${String(logFormat)}'`);
    const ctx: CommandContext = {
      values,
      positionals: parsed.positionals,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      stdinIsTTY: io.stdinIsTTY,
      stdoutIsTTY: io.stdoutIsTTY,
      stderrIsTTY: io.stderrIsTTY,
      signal: io.signal,
      env: io.env,
      log:
        logFormat === 'none'
          ? silentLogger
          : makeLogger(io.stderr, logFormat, io.env.NETKIT_DEBUG ? 'debug' : 'info'),
    };
    return (await c.run(ctx)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    if (e instanceof NetkitError) {
      err(e.message);
      if (io.env.NETKIT_DEBUG) io.stderr.write(`${(e as Error).stack}\n`);
      return 1;
    }
    const x = e as Error;
    err(`internal error: ${x?.message ?? String(e)}`);
    if (io.env.NETKIT_DEBUG) io.stderr.write(`${x?.stack}\n`);
    return 1;
  }
}
