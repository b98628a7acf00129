// `netkit serve`: every server netkit has, on one host, with a table of what runs where.

import { UsageError } from '../../core/errors.js';
import type { CatalogEntry, RunningServer } from '../../core/service.js';
import { catalog } from '../catalog.js';
import { type Command, flag, HOST_OPTION, intOpt, LOG_OPTION, str, untilAborted } from '../command.js';
import { formatHostPort } from '../render-log.js';

/** Ports below 1024 need privileges; when one cannot be bound, the service moves up by this much. */
export const UNPRIVILEGED_OFFSET = 10_000;

interface Row {
  entry: CatalogEntry;
  server: RunningServer;
  note: string;
}

export function selectEntries(only: string | undefined, udp: boolean): CatalogEntry[] {
  let entries = catalog.filter((e) => udp || e.protocol === 'tcp');
  if (only !== undefined) {
    const names = only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const known = new Set(catalog.map((e) => e.name));
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length) {
      throw new UsageError(`unknown service '${unknown[0]}' for --only (known: ${[...known].join(', ')})`);
    }
    entries = entries.filter((e) => names.includes(e.name));
  }
  return entries;
}

export const serve: Command = {
  name: 'serve',
  group: 'All servers',
  summary: 'start every netkit server on localhost and print a table of what runs where',
  usage: 'netkit serve [--host H] [--only a,b] [--port-offset N] [--no-udp]',
  description:
    'Starts the course programs and every other netkit service, like inetd. Ports below 1024 are used\n' +
    `when allowed; otherwise (or when taken) the service moves up by ${UNPRIVILEGED_OFFSET} and the table says so.\n` +
    'Ctrl-C stops accepting, says goodbye to connected clients, and exits 0.',
  examples: ['netkit serve', 'netkit serve --only daytime,chat', 'netkit serve --port-offset 20000 --no-udp'],
  options: {
    host: HOST_OPTION,
    only: { type: 'string', valueName: 'LIST', description: 'comma-separated service names to start' },
    'port-offset': { type: 'string', valueName: 'N', description: 'add N to every port (default 0)' },
    'no-udp': { type: 'boolean', description: 'start TCP services only' },
    quotes: {
      type: 'string',
      valueName: 'FILE',
      description: 'qotd: quotes file, fortune format (default data/quotes.txt)',
    },
    utmp: {
      type: 'string',
      valueName: 'FILE',
      description: 'users, finger: utmp file (default /var/run/utmp)',
    },
    passwd: {
      type: 'string',
      valueName: 'FILE',
      description: 'finger: passwd file for names, homes and shells (default: none, utmp only)',
    },
    'no-user-list': { type: 'boolean', description: 'finger: refuse the empty query (the list of users)' },
    json: { type: 'boolean', description: 'print the table as JSON' },
    log: LOG_OPTION,
  },
  async run(ctx) {
    const host = str(ctx, 'host') ?? '127.0.0.1';
    const offset = intOpt(ctx, 'port-offset', 0, 65535, 0);
    const entries = selectEntries(str(ctx, 'only'), !flag(ctx, 'no-udp'));
    const settings = {
      quotes: str(ctx, 'quotes'),
      utmp: str(ctx, 'utmp'),
      passwd: str(ctx, 'passwd'),
      'finger-user-list': !flag(ctx, 'no-user-list'),
    };
    // The table says where each server listens: leave those lines out of the log.
    const log: typeof ctx.log = (e) => {
      if (e.event !== 'listening' && e.event !== 'waiting') ctx.log(e);
    };
    const rows: Row[] = [];
    try {
      for (const entry of entries) {
        const port = entry.defaultPort + offset;
        if (port > 65535) throw new UsageError(`--port-offset ${offset} puts ${entry.name} past port 65535`);
        try {
          rows.push({ entry, server: await entry.start({ host, port, log, settings }), note: '' });
        } catch (err) {
          const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
          const code = cause?.code;
          const moved = port + UNPRIVILEGED_OFFSET;
          if ((code === 'EACCES' || code === 'EADDRINUSE') && moved <= 65535) {
            const why = code === 'EACCES' ? 'needs root' : 'in use';
            const server = await entry.start({ host, port: moved, log, settings });
            rows.push({ entry, server, note: `${port} ${why}` });
          } else {
            throw err;
          }
        }
      }
    } catch (err) {
      await Promise.all(rows.map((r) => r.server.close()));
      throw err;
    }
    printTable(ctx.stdout, rows, flag(ctx, 'json'));
    await untilAborted(ctx.signal);
    ctx.stderr.write('netkit serve: stopping…\n');
    await Promise.all(rows.map((r) => r.server.close()));
    ctx.stderr.write('netkit serve: stopped\n');
    return 0;
  },
};

function printTable(out: NodeJS.WritableStream, rows: Row[], json: boolean): void {
  const data = rows.map((r) => ({
    service: r.entry.name,
    protocol: r.server.protocol,
    address: formatHostPort(r.server.address.address, r.server.address.port),
    try: r.entry.tryCommand(r.server.address.address, r.server.address.port),
    note: r.note,
    description: r.entry.description,
  }));
  if (json) {
    out.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const head = ['SERVICE', 'PROTO', 'ADDRESS', 'TRY', 'NOTE'];
  const cells = data.map((d) => [d.service, d.protocol, d.address, d.try, d.note]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  out.write(`${line(head)}\n${cells.map(line).join('\n')}\n`);
  out.write(`\n${rows.length} servers running. Press Ctrl-C to stop.\n`);
}
