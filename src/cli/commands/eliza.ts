// `netkit eliza`: a conversation with Weizenbaum's 1966 ELIZA (CACM 9(1) 1966) and the DOCTOR
// script, in the terminal or as a filter (one reply line per input line), with an optional trace.

import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { createEliza, doctorScript, formatTrace, loadScript } from '../../chat/eliza/index.js';
import { type Command, flag, maxPositionals, str } from '../command.js';

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

export const eliza: Command = {
  name: 'eliza',
  group: 'Course programs',
  summary: 'talk to ELIZA (Weizenbaum, 1966) running the original DOCTOR script',
  usage: 'netkit eliza [--script FILE] [--trace]',
  description:
    'In a terminal: the greeting, then a "> " prompt; Ctrl-D or Ctrl-C ends the conversation.\n' +
    'When stdin is not a terminal: no greeting and no prompts, exactly one reply line per input\n' +
    'line (an empty line gets a reply too), so the output lines up with the input (paste in out).\n' +
    '--trace writes to stderr which keyword, decomposition and reassembly made each reply.\n' +
    'The script is the 1966 CACM appendix (data/doctor/doctor-1966.script) unless --script names\n' +
    'another file in the same format.',
  examples: [
    'netkit eliza',
    "echo 'Men are all alike.' | netkit eliza",
    'netkit eliza < questions.txt > replies.txt && paste -d"\\n" questions.txt replies.txt',
    'netkit eliza --trace < questions.txt 2> trace.txt',
    'netkit eliza --script my-script.txt',
  ],
  options: {
    script: {
      type: 'string',
      valueName: 'FILE',
      description: 'ELIZA script in the 1966 format (default DOCTOR)',
    },
    trace: { type: 'boolean', description: 'explain each reply on stderr' },
  },
  async run(ctx) {
    maxPositionals(ctx, 0, 'eliza');
    const file = str(ctx, 'script');
    const script = file === undefined ? doctorScript() : loadScript(file);
    const trace = flag(ctx, 'trace');
    const bot = createEliza({ script });
    const interactive = ctx.stdinIsTTY;
    const rl = createInterface({
      input: ctx.stdin,
      output: interactive ? ctx.stdout : undefined,
      terminal: interactive && ctx.stdoutIsTTY,
      crlfDelay: Number.POSITIVE_INFINITY,
      prompt: '> ',
    });
    // Take the iterator now: lines that arrive before the loop starts (during the greeting) are kept.
    const lines = rl[Symbol.asyncIterator]();
    const stop = () => rl.close();
    ctx.signal.addEventListener('abort', stop, { once: true });
    rl.on('SIGINT', stop);
    try {
      if (interactive) {
        await write(ctx.stdout, `${bot.greeting()}\n`);
        rl.prompt();
      }
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        const line = next.value;
        let reply: string;
        if (trace) {
          const r = bot.respond(line);
          reply = r.reply;
          ctx.stderr.write(`${formatTrace(r.trace).join('\n')}\nreply: ${reply}\n\n`);
        } else {
          reply = bot.reply(line);
        }
        await write(ctx.stdout, `${reply}\n`);
        if (interactive) rl.prompt();
      }
      if (interactive) await write(ctx.stdout, '\n');
    } finally {
      ctx.signal.removeEventListener('abort', stop);
      rl.close();
    }
    return 0;
  },
};
