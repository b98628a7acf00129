// The course's programs: daytime-server, daytime, chat-server, therapy-server, chat.

import { createInterface } from 'node:readline';
import { BOT_NAMES, type BotName, botFactory } from '../../chat/bots.js';
import { ChatClient, fetchDaytime } from '../../chat/client.js';
import { COURSE_DAYTIME_PORT, serveCourseDaytime } from '../../chat/daytime.js';
import { seededRandom } from '../../chat/doctor.js';
import { CHAT_PORT, type Operator, serveChat, THERAPY_PORT } from '../../chat/server.js';
import { UsageError } from '../../core/errors.js';
import { daytimeUdp } from '../../services/daytime.js';
import {
  type Command,
  type CommandContext,
  choiceOpt,
  ENCODING_OPTION,
  encodingOpt,
  flag,
  HOST_OPTION,
  intOpt,
  LOG_OPTION,
  maxPositionals,
  portOpt,
  str,
  untilAborted,
} from '../command.js';

const GROUP = 'Course programs';

const LIMIT_OPTIONS = {
  'max-connections': {
    type: 'string',
    valueName: 'N',
    description: 'connections open at once (default 10000)',
  },
  'max-line': { type: 'string', valueName: 'BYTES', description: 'longest message accepted (default 8192)' },
  'idle-timeout': {
    type: 'string',
    valueName: 'SEC',
    description: 'close a silent client after SEC seconds (default 600)',
  },
  'message-rate': {
    type: 'string',
    valueName: 'N',
    description: 'messages per second per client before it is slowed (default 20)',
  },
} as const;

function limitsFrom(ctx: CommandContext) {
  return {
    maxConnections: intOpt(ctx, 'max-connections', 1, 1_000_000, 10_000),
    maxLineLength: intOpt(ctx, 'max-line', 16, 16 << 20, 8192),
    idleTimeoutMs: intOpt(ctx, 'idle-timeout', 0, 86_400, 600) * 1000,
    messageRate: intOpt(ctx, 'message-rate', 1, 1_000_000, 20),
    messageBurst: 2 * intOpt(ctx, 'message-rate', 1, 1_000_000, 20),
  };
}

async function runUntilSignal(ctx: CommandContext, close: () => Promise<void>): Promise<number> {
  await untilAborted(ctx.signal);
  await close();
  return 0;
}

export const daytimeServer: Command = {
  name: 'daytime-server',
  group: GROUP,
  summary: 'the slides\' day/time server: ctime + "Have a nice day!", then close',
  usage: 'netkit daytime-server [--host H] [--port P]',
  description:
    `Each client receives the local date and time as ctime() prints it, then "\\nHave a nice day!",\n` +
    "and the server closes the connection. Logs the slides' lines on stderr. --host takes a name or an\n" +
    "address: use this machine's name or address (netkit hostinfo) to go live.",
  examples: [
    'netkit daytime-server',
    'netkit daytime-server --host "$(hostname)" --port 21566',
    'netkit daytime-server --log json',
  ],
  options: {
    host: HOST_OPTION,
    port: {
      type: 'string',
      short: 'p',
      valueName: 'P',
      description: `TCP port (default ${COURSE_DAYTIME_PORT})`,
    },
    encoding: { ...ENCODING_OPTION, description: 'text encoding on the wire (default ascii, as the slides)' },
    'max-connections': LIMIT_OPTIONS['max-connections'],
    log: LOG_OPTION,
  },
  async run(ctx) {
    maxPositionals(ctx, 0, 'daytime-server');
    const srv = await serveCourseDaytime({
      host: str(ctx, 'host') ?? '127.0.0.1',
      port: portOpt(ctx, COURSE_DAYTIME_PORT),
      encoding: str(ctx, 'encoding') === undefined ? 'ascii' : encodingOpt(ctx),
      limits: { maxConnections: intOpt(ctx, 'max-connections', 1, 1_000_000, 10_000) },
      log: ctx.log,
      signal: ctx.signal,
    });
    return runUntilSignal(ctx, () => srv.close());
  },
};

async function askLine(ctx: CommandContext, question: string): Promise<string> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout, terminal: ctx.stdinIsTTY });
  try {
    return await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.once('close', () => resolve(''));
    });
  } finally {
    rl.close();
  }
}

export const daytime: Command = {
  name: 'daytime',
  group: GROUP,
  summary: 'ask a day/time server for the time and print what it sent',
  usage: 'netkit daytime [HOST] [--port P] [--udp]',
  description:
    'Connects, prints everything the server sends until it closes. With no HOST and a terminal it asks\n' +
    '"Enter the server name: " (the slides\' going-live client); with no HOST otherwise it uses localhost.\n' +
    `The default port is the course server's ${COURSE_DAYTIME_PORT}; --udp asks an RFC 867 server over UDP\n` +
    '(default port 13). For RFC 867 over TCP use -p 13.',
  examples: [
    'netkit daytime',
    'netkit daytime localhost',
    'netkit daytime 127.0.0.1 -p 13',
    'netkit daytime ::1 --udp',
  ],
  options: {
    port: {
      type: 'string',
      short: 'p',
      valueName: 'P',
      description: `TCP port (default ${COURSE_DAYTIME_PORT})`,
    },
    encoding: ENCODING_OPTION,
    timeout: { type: 'string', valueName: 'SEC', description: 'give up after SEC seconds (default 10)' },
    udp: { type: 'boolean', description: 'ask over UDP (RFC 867; default port 13)' },
  },
  async run(ctx) {
    maxPositionals(ctx, 1, 'daytime');
    const udp = flag(ctx, 'udp');
    const port = portOpt(ctx, udp ? 13 : COURSE_DAYTIME_PORT);
    const timeoutMs = intOpt(ctx, 'timeout', 1, 3600, 10) * 1000;
    let host = ctx.positionals[0];
    if (host === undefined) {
      host = ctx.stdinIsTTY ? (await askLine(ctx, 'Enter the server name: ')).trim() : 'localhost';
      if (host === '') throw new UsageError('no server name given');
    }
    const text = udp
      ? await daytimeUdp(host, port, { timeoutMs, signal: ctx.signal })
      : await fetchDaytime({ host, port, timeoutMs, encoding: encodingOpt(ctx) });
    const shown = text.replace(/\r\n/g, '\n'); // RFC 867 servers end their line with CRLF
    ctx.stdout.write(shown.endsWith('\n') ? shown : `${shown}\n`);
    return 0;
  },
};

/** The console operator: prints each client message, reads the answer after a `> ` prompt. */
function consoleOperator(ctx: CommandContext, onEof: () => void): Operator {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stdout, terminal: ctx.stdinIsTTY });
  const lines: string[] = [];
  const waiters: ((l: string | undefined) => void)[] = [];
  let eof = false;
  rl.on('line', (l) => {
    const w = waiters.shift();
    if (w) w(l);
    else lines.push(l);
  });
  rl.on('close', () => {
    eof = true;
    for (const w of waiters.splice(0)) w(undefined);
    onEof();
  });
  ctx.signal.addEventListener('abort', () => rl.close(), { once: true });
  return {
    async answer(message) {
      ctx.stdout.write(`${message}\n`);
      if (ctx.stdinIsTTY) ctx.stdout.write('> ');
      const l =
        lines.shift() ?? (eof ? undefined : await new Promise<string | undefined>((r) => waiters.push(r)));
      return l ?? '';
    },
    conversation(event) {
      if (event === 'start' && ctx.stdinIsTTY)
        ctx.stderr.write('(a client is here; answer each message, an empty line ends the chat)\n');
    },
  };
}

function chatServerCommand(name: string, defaultPort: number, defaultBot: BotName, summary: string): Command {
  return {
    name,
    group: GROUP,
    summary,
    usage: `netkit ${name} [--host H] [--port P] [--bot none|doctor|eliza]`,
    description:
      'With --bot none it is the slides\' one-on-one chat: it greets "Welcome to my chat room!", prints each\n' +
      'client message here and sends back what you type; an empty message ends the conversation and the\n' +
      'server waits for the next client; clients who arrive meanwhile are told their place in the queue.\n' +
      'With a bot every client gets its own bot and conversation, many at once.\n' +
      'Messages are lines (LF or CRLF); an unterminated message also counts once the sender pauses, so\n' +
      "the slides' Python clients work too.",
    examples: [
      `netkit ${name}`,
      `netkit ${name} --bot ${defaultBot === 'none' ? 'doctor' : 'none'} --port ${defaultPort + 10}`,
      `netkit chat 127.0.0.1 --port ${defaultPort}`,
    ],
    options: {
      host: HOST_OPTION,
      port: { type: 'string', short: 'p', valueName: 'P', description: `TCP port (default ${defaultPort})` },
      bot: { type: 'string', valueName: 'BOT', description: `none, doctor or eliza (default ${defaultBot})` },
      seed: {
        type: 'string',
        valueName: 'N',
        description: "seed the doctor's random choices (repeatable sessions)",
      },
      encoding: ENCODING_OPTION,
      ...LIMIT_OPTIONS,
      log: LOG_OPTION,
    },
    async run(ctx) {
      maxPositionals(ctx, 0, name);
      const botName = choiceOpt(ctx, 'bot', BOT_NAMES, defaultBot);
      const seed = str(ctx, 'seed');
      const bot = botFactory(
        botName,
        seed !== undefined ? { random: seededRandom(intOpt(ctx, 'seed', 0, 2 ** 32 - 1, 0)) } : {},
      );
      const stop = new AbortController();
      ctx.signal.addEventListener('abort', () => stop.abort(), { once: true });
      const srv = await serveChat({
        host: str(ctx, 'host') ?? '127.0.0.1',
        port: portOpt(ctx, defaultPort),
        encoding: encodingOpt(ctx),
        limits: limitsFrom(ctx),
        log: ctx.log,
        name,
        ...(bot ? { bot } : { operator: consoleOperator(ctx, () => stop.abort()) }),
      });
      await untilAborted(stop.signal);
      await srv.close();
      return 0;
    },
  };
}

export const chatServer = chatServerCommand(
  'chat-server',
  CHAT_PORT,
  'none',
  "the slides' one-on-one chat server (you answer), or a bot server",
);
export const therapyServer = chatServerCommand(
  'therapy-server',
  THERAPY_PORT,
  'doctor',
  'the therapy server: chat-server --bot doctor on port 21568, many clients at once',
);

export const chat: Command = {
  name: 'chat',
  group: GROUP,
  summary: 'talk to a chat, therapy or any line-based server',
  usage: 'netkit chat [HOST] [--port P]',
  description:
    'Prints the greeting, then prompts "> ", sends each line you type and prints the reply (everything\n' +
    'the server sends until it pauses). An empty line or end of input ends the conversation.\n' +
    'When stdin is not a terminal there are no prompts: one reply per input line.',
  examples: [
    'netkit chat',
    'netkit chat localhost --port 21568',
    "printf 'I feel sad\\n' | netkit chat --port 21568",
  ],
  options: {
    port: { type: 'string', short: 'p', valueName: 'P', description: `TCP port (default ${CHAT_PORT})` },
    encoding: ENCODING_OPTION,
    timeout: {
      type: 'string',
      valueName: 'SEC',
      description: 'wait at most SEC seconds for each reply (default 30)',
    },
  },
  async run(ctx) {
    maxPositionals(ctx, 1, 'chat');
    const host = ctx.positionals[0] ?? 'localhost';
    const port = portOpt(ctx, CHAT_PORT);
    const timeoutMs = intOpt(ctx, 'timeout', 1, 86_400, 30) * 1000;
    const client = await ChatClient.connect({ host, port, encoding: encodingOpt(ctx), timeoutMs });
    const out = (t: string) => ctx.stdout.write(`${t}\n`);
    // The greeting (or the queue position, on a busy one-on-one server).
    const greeting = await client.next(timeoutMs);
    if (greeting === undefined) {
      ctx.stderr.write('netkit: the server closed the connection without a greeting\n');
      return 1;
    }
    out(greeting);
    const rl = createInterface({ input: ctx.stdin, output: ctx.stdout, terminal: ctx.stdinIsTTY });
    ctx.signal.addEventListener('abort', () => rl.close(), { once: true });
    if (ctx.stdinIsTTY) {
      rl.setPrompt('> ');
      rl.prompt();
    }
    try {
      for await (const line of rl) {
        for (const p of client.takePending()) out(p);
        if (line === '' || client.isClosed) break;
        client.send(line);
        const reply = await client.next(timeoutMs);
        if (reply === undefined) {
          ctx.stderr.write(
            client.isClosed ? 'Connection closed by the server.\n' : 'No reply (timed out).\n',
          );
          if (client.isClosed) break;
        } else {
          out(reply);
        }
        if (ctx.stdinIsTTY) rl.prompt();
      }
    } finally {
      rl.close();
      client.close();
    }
    return 0;
  },
};
