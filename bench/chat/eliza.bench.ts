// ELIZA replies per second over one long conversation (the CACM and edge-case inputs, cycled).
// No ELIZA peer runs on this machine, so the figure is compared with the goal instead.

import { readFileSync } from 'node:fs';
import { createEliza } from '../../src/chat/eliza/index.js';
import { fmt, median, printTable } from '../helpers/report.js';

/** The goal: the engine must never be the bottleneck of the therapy server. */
const GOAL = 100_000;
const REPLIES = 200_000;
const RUNS = 3;

function inputs(name: string): string[] {
  const text = readFileSync(new URL(`../../test/fixtures/doctor/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.startsWith('> '))
    .map((l) => l.slice(2));
}

/** `fresh`: a new conversation every 15 replies, as a server with short sessions would make. */
function measure(lines: string[], trace: boolean, fresh = false): number {
  let eliza = createEliza();
  let chars = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < REPLIES; i++) {
    if (fresh && i % 15 === 0) eliza = createEliza();
    const line = lines[i % lines.length]!;
    chars += trace ? eliza.respond(line).reply.length : eliza.reply(line).length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (chars === 0) throw new Error('no replies');
  return REPLIES / s;
}

export default async function (): Promise<void> {
  const lines = [...inputs('cacm-1966-conversation.txt'), ...inputs('edge-cases.txt')];
  measure(lines, false); // warm-up
  const rates = Array.from({ length: RUNS }, () => measure(lines, false));
  const traced = Array.from({ length: RUNS }, () => measure(lines, true));
  const freshRates = Array.from({ length: RUNS }, () => measure(lines, false, true));
  const r = median(rates);
  const t = median(traced);
  const f = median(freshRates);
  console.log(
    `${REPLIES.toLocaleString('en-US')} replies per run (${lines.length} fixture inputs cycled; one conversation unless noted), median of ${RUNS}; no ELIZA peer on this machine, ratio is to the goal of ${fmt(GOAL)}/s`,
  );
  printTable(
    ['engine', 'replies/s', 'runs', 'goal', 'ratio to goal'],
    [
      ['reply()', r, rates.map((x) => fmt(x)).join(' / '), GOAL, `${(r / GOAL).toFixed(2)}×`],
      ['respond() with trace', t, traced.map((x) => fmt(x)).join(' / '), GOAL, `${(t / GOAL).toFixed(2)}×`],
      [
        'reply(), new conversation every 15',
        f,
        freshRates.map((x) => fmt(x)).join(' / '),
        GOAL,
        `${(f / GOAL).toFixed(2)}×`,
      ],
    ],
  );
}
