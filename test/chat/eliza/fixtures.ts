// Reads the DOCTOR conversation fixtures (test/fixtures/doctor): `> input` lines, each followed by the reply.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export interface Exchange {
  input: string;
  reply: string;
}

export function readConversation(name: string): Exchange[] {
  const lines = readFileSync(new URL(`../../fixtures/doctor/${name}`, import.meta.url), 'utf8').split('\n');
  const out: Exchange[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith('> ')) continue;
    const reply = lines[i + 1];
    assert.ok(reply !== undefined && !reply.startsWith('> '), `${name}: no reply after line ${i + 1}`);
    out.push({ input: l.slice(2), reply });
  }
  return out;
}

export const CACM = 'cacm-1966-conversation.txt';
export const EDGE = 'edge-cases.txt';
export const RANDOM = 'anthay-random-300.txt';
