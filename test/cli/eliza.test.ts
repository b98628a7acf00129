import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { CACM, EDGE, readConversation } from '../chat/eliza/fixtures.js';

const bin = new URL('../../bin/netkit.js', import.meta.url).pathname;

/** Runs `node bin/netkit.js args…` with `input` on a pipe; kills it after 20 s. */
function run(
  args: string[],
  input: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const t = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    p.on('error', reject);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
    p.stdin.on('error', () => {});
    p.stdin.end(input);
  });
}

const tmp = mkdtempSync(join(tmpdir(), 'netkit-eliza-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('netkit eliza', () => {
  it('answers piped input with exactly one reply line per input line, no greeting or prompt', async () => {
    const ex = readConversation(CACM);
    const r = await run(['eliza'], `${ex.map((x) => x.input).join('\n')}\n`);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${ex.map((x) => x.reply).join('\n')}\n`);
  });

  it('handles CRLF, an empty line and a last line without a newline', async () => {
    const ex = readConversation(EDGE).slice(0, 3);
    const input = `${ex[0]!.input}\r\n\r\n${ex[1]!.input}\r\n${ex[2]!.input}`;
    const r = await run(['eliza'], input);
    assert.equal(r.code, 0);
    const lines = r.stdout.split('\n');
    assert.equal(lines.length, 5); // 4 replies and the empty string after the last newline
    assert.equal(lines[0], ex[0]!.reply);
    assert.equal(lines[1], 'I AM NOT SURE I UNDERSTAND YOU FULLY'); // empty line: no keyword, so NONE
    assert.equal(lines[2], 'I SEE'); // "Can the sky fall", now at LIMIT 4: NOMACH 4
    assert.equal(lines[3], 'WHY DO YOU ASK'); // "why not" without a newline, LIMIT 1
    assert.equal(lines[4], '');
  });

  it('writes the trace to stderr and leaves stdout unchanged', async () => {
    const r = await run(['eliza', '--trace'], 'Men are all alike.\nWell, my boyfriend made me come here.\n');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'IN WHAT WAY\nYOUR BOYFRIEND MADE YOU COME HERE\n');
    assert.match(r.stderr, /keystack: ALIKE\(10\) ARE\(0\)/);
    assert.match(r.stderr, /no decomposition matches; rule links to DIT/);
    assert.match(r.stderr, /reassembly 1 of 8 \[line \d+\]: \(IN WHAT WAY\)/);
    assert.match(
      r.stderr,
      /MEMORY: HASH\(HERE\) = 3, form 4: DOES THAT HAVE ANYTHING TO DO WITH THE FACT THAT YOUR BOYFRIEND/,
    );
  });

  it('runs another script given with --script', async () => {
    const f = join(tmp, 'echo.script');
    writeFileSync(f, '(HI)\nSTART\n(SAY ((0 SAY 0) (YOU SAID 3)))\n(NONE ((0) (WHAT)))\n()\n');
    const r = await run(['eliza', '--script', f], 'say hello world\nnothing\n');
    assert.equal(r.stdout, 'YOU SAID HELLO WORLD\nWHAT\n');
    assert.equal(r.code, 0);
  });

  it('reports a missing script in one line and exits 1', async () => {
    const r = await run(['eliza', '--script', join(tmp, 'missing.script')], '');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `netkit: cannot read ELIZA script ${join(tmp, 'missing.script')}: no such file\n`);
  });

  it('reports a malformed script with file:line:column and exits 1', async () => {
    const f = join(tmp, 'bad.script');
    writeFileSync(f, '(HI)\nSTART\n(FOO ((0 FOO) (WHY 2))\n(NONE ((0) (X)))\n()\n');
    const r = await run(['eliza', '--script', f], 'hello\n');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `netkit: ${f}:3:1: '(' is never closed\n`);
  });

  it('refuses an extra argument as a usage error (exit 2)', async () => {
    const r = await run(['eliza', 'extra'], '');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^netkit: unexpected argument 'extra'/);
  });

  it('in a terminal, greets first and prompts with "> " before each line', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const done = main(['eliza'], {
      stdin,
      stdout,
      stderr,
      stdinIsTTY: true,
      stdoutIsTTY: false,
      stderrIsTTY: false,
      env: {},
      signal: new AbortController().signal,
    });
    stdin.end('Men are all alike.\n');
    assert.equal(await done, 0);
    assert.equal(out, 'HOW DO YOU DO. PLEASE TELL ME YOUR PROBLEM\n> IN WHAT WAY\n> \n');
  });
});
