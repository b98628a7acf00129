// `netkit rpcgen FILE.x`: compiles an RPC language file (RFC 4506 §6, RFC 5531 §12) to one
// TypeScript module with types, XDR codecs, a typed client and a server interface per version.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, NetkitError, UsageError } from '../../core/errors.js';
import { compile } from '../../rpc/rpcgen/index.js';
import { type Command, flag, str } from '../command.js';

function list(v: string | boolean | string[] | undefined): string[] {
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export const rpcgen: Command = {
  name: 'rpcgen',
  group: 'RPC',
  summary: 'compile an RPC language .x file to TypeScript (types, XDR codecs, client, server)',
  usage: 'netkit rpcgen FILE.x [-o DIR] [-I DIR]… [-D NAME[=VALUE]]… [--runtime PKG|PATH]',
  description:
    'Writes DIR/<name>.ts: constants, enums as `as const` objects, types, XDR codecs (xdr_NAME), and\n' +
    'for each program version a promise-based client (PROG_V_client) and a handler interface with\n' +
    'PROG_V_program / register_PROG_V for a server. Stricter than rpcgen: duplicate or undefined names\n' +
    'and duplicate numbers are errors with file:line:column. RPC_HDR is defined for #ifdef.\n' +
    "The generated module imports netkit's runtime from `netkit/rpc/xdr` and `netkit/rpc/oncrpc`;\n" +
    '--runtime ../path/to/netkit/src makes those relative imports instead.',
  examples: [
    'netkit rpcgen examples/rpc/demo.x -o out',
    'netkit rpcgen /usr/include/rpcsvc/mount.x -o gen -I /usr/include',
    'netkit rpcgen proto.x -D DEBUG -D MAXLEN=64 --stdout',
  ],
  options: {
    output: {
      type: 'string',
      short: 'o',
      valueName: 'DIR',
      description: 'output folder (default: beside the .x file)',
    },
    include: {
      type: 'string',
      short: 'I',
      multiple: true,
      valueName: 'DIR',
      description: 'add a folder to the #include search path (repeatable)',
    },
    define: {
      type: 'string',
      short: 'D',
      multiple: true,
      valueName: 'NAME[=VALUE]',
      description: 'define a preprocessor name (repeatable)',
    },
    runtime: {
      type: 'string',
      valueName: 'PKG|PATH',
      description: "where generated code imports netkit from (default 'netkit'; a path starting with . or /)",
    },
    stdout: { type: 'boolean', description: 'print the module instead of writing a file' },
  },
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('netkit rpcgen needs exactly one FILE.x');
    const file = ctx.positionals[0]!;
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such file: ${file}`);
    const defines: Record<string, string> = {};
    for (const d of list(ctx.values.define)) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(d);
      if (!m) throw new UsageError(`-D needs NAME or NAME=VALUE, got '${d}'`);
      defines[m[1]!] = m[2] ?? '1';
    }
    const { ts } = compile(file, readFileSync(file, 'utf8'), {
      readFile: (p) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined),
      resolve,
      dirname,
      includeDirs: list(ctx.values.include),
      defines,
      runtime: str(ctx, 'runtime'),
    });
    if (flag(ctx, 'stdout')) {
      ctx.stdout.write(ts);
      return 0;
    }
    const dir = str(ctx, 'output') ?? dirname(file);
    const out = join(dir, `${basename(file).replace(/\.x$/, '')}.ts`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(out, ts);
    } catch (err) {
      throw new NetkitError(ErrorCodes.INVALID, `cannot write ${out}: ${(err as Error).message}`);
    }
    ctx.stderr.write(`netkit rpcgen: wrote ${out}\n`);
    return 0;
  },
};
