// Finger (RFC 1288), TCP: one query line, an ASCII answer with CR LF line ends, then close.
// Forwarding (`user@host`) is refused; the user list (empty query) can be refused; queries are
// bounded in length and time; nothing but printable ASCII leaves the server (RFC 1288 §3.3).

import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import type { Logger } from '../core/log.js';
import type { ConnHandle } from '../core/tcp-server.js';
import { ctime } from '../core/time.js';
import { type ClientOptions, printableAscii, tcpRequest } from './client.js';
import { DEFAULT_UTMP, readUsersCached, type UtmpEntry } from './utmp.js';

export const MAX_QUERY_BYTES = 512;

export interface FingerQuery {
  /** `/W` was given (verbose). */
  verbose: boolean;
  /** User name; '' asks for the list of users. */
  user: string;
  /** `@host` parts: a forwarding request ({Q2}). */
  hosts: string[];
}

/** Parses one query line (without its CR LF) by RFC 1288 §2.3: `[/W] [user][@host…]`. */
export function parseFingerQuery(line: string): FingerQuery {
  let s = line.trim();
  let verbose = false;
  if (/^\/W(\s|$)/i.test(s)) {
    verbose = true;
    s = s.slice(2).trim();
  }
  // bsd finger -l sends "/W user". "/Wuser" (no space) is not {W}{S}{U}: it stays a user name,
  // and fails the user-name check below.
  const parts = s.split('@');
  const user = parts[0]!.trim();
  const hosts = parts.slice(1).map((h) => h.trim());
  return { verbose, user, hosts };
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gecos: string;
  home: string;
  shell: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !f[0]) continue;
    out.push({
      name: f[0],
      uid: Number(f[2]),
      gecos: f[4]!.split(',')[0]!,
      home: f[5]!,
      shell: f[6]!.trim(),
    });
  }
  return out;
}

export interface FingerOptions {
  utmp?: string;
  /** A passwd file for names, homes and shells; undefined: utmp only. */
  passwd?: string;
  /** Answer the empty query with the list of users (default true). */
  allowUserList?: boolean;
  /** Longest query line in bytes (default 512). */
  maxQueryBytes?: number;
  /** Time a client has to send its query line (default 10 s). */
  queryTimeoutMs?: number;
  log?: Logger;
}

/**
 * Lines to bytes: inside a line only printable ASCII and TAB survive (a stray CR or LF from a
 * passwd field cannot break the CR LF structure), each line ended by CR LF.
 */
const crlf = (lines: string[]) =>
  Buffer.from(lines.map((l) => `${l.replace(/[^\t\x20-\x7e]/g, '?')}\r\n`).join(''), 'latin1');

let passwdCache: { file: string; at: number; entries: PasswdEntry[] } | undefined;

/** The passwd file, read at most once a second (at most 4 MB); unreadable means none. */
function readPasswd(file: string | undefined): PasswdEntry[] {
  if (!file) return [];
  const now = Date.now();
  if (passwdCache && passwdCache.file === file && now - passwdCache.at < 1000 && now >= passwdCache.at) {
    return passwdCache.entries;
  }
  let entries: PasswdEntry[];
  try {
    const b = readFileSync(file);
    entries = b.length > 4 << 20 ? [] : parsePasswd(b.toString('latin1'));
  } catch {
    entries = [];
  }
  passwdCache = { file, at: now, entries };
  return entries;
}

function since(e: UtmpEntry): string {
  return ctime(new Date(e.loginSec * 1000)).slice(0, 16);
}

/** The answer to one query, as bytes ready to send. */
export function answerFinger(q: FingerQuery, opts: FingerOptions = {}): Buffer {
  if (q.hosts.length > 0) return crlf(['Finger forwarding service denied']);
  let sessions: UtmpEntry[];
  try {
    sessions = readUsersCached(opts.utmp ?? DEFAULT_UTMP);
  } catch {
    sessions = [];
  }
  const passwd = readPasswd(opts.passwd);
  const realName = (user: string) => passwd.find((p) => p.name === user)?.gecos ?? '';
  if (q.user === '') {
    if (opts.allowUserList === false) return crlf(['Finger online user list denied']);
    if (sessions.length === 0) return crlf(['No one logged on.']);
    const lines = [
      `${'Login'.padEnd(9)}${'Name'.padEnd(18)}${'Tty'.padEnd(9)}${'Login Time'.padEnd(17)}Where`,
    ];
    for (const s of sessions) {
      lines.push(
        `${s.user.padEnd(8).slice(0, 8)} ${realName(s.user).padEnd(17).slice(0, 17)} ${s.line.padEnd(8).slice(0, 8)} ${since(s).slice(4)} ${s.host}`.trimEnd(),
      );
    }
    return crlf(lines);
  }
  if (!/^[A-Za-z0-9._-]{1,32}$/.test(q.user)) {
    // Echo at most 32 characters of what was asked, control characters (TAB, a bare CR…) as '?'.
    return crlf([`finger: ${q.user.slice(0, 32).replace(/[^\x20-\x7e]/g, '?')}: no such user.`]);
  }
  const pw = passwd.find((p) => p.name === q.user);
  const mine = sessions.filter((s) => s.user === q.user);
  if (!pw && mine.length === 0) return crlf([`finger: ${q.user}: no such user.`]);
  const lines = [`Login: ${q.user.padEnd(32)}Name: ${pw?.gecos ?? ''}`.trimEnd()];
  if (pw) lines.push(`Directory: ${pw.home.padEnd(28)}Shell: ${pw.shell}`.trimEnd());
  if (mine.length === 0) lines.push('Never logged in (or not now).');
  for (const s of mine) lines.push(`On since ${since(s)} on ${s.line}${s.host ? ` from ${s.host}` : ''}`);
  if (q.verbose) lines.push('No Plan.');
  return crlf(lines);
}

/** Serves one finger connection: reads one query line (bounded), answers, closes. */
export function serveFingerTcp(stream: Duplex, opts: FingerOptions = {}): ConnHandle {
  const max = opts.maxQueryBytes ?? MAX_QUERY_BYTES;
  const chunks: Buffer[] = [];
  let got = 0;
  let done = false;
  const finish = (answer: Buffer) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    stream.removeListener('data', onData);
    stream.resume(); // drain whatever else the client sends until it sees our close
    stream.end(answer);
  };
  const timer = setTimeout(() => finish(crlf(['finger: query timed out'])), opts.queryTimeoutMs ?? 10_000);
  const onData = (c: Buffer) => {
    const lf = c.indexOf(10);
    const part = lf >= 0 ? c.subarray(0, lf) : c;
    if (got + part.length > max) return finish(crlf(['finger: query too long']));
    chunks.push(part);
    got += part.length;
    if (lf >= 0) {
      const line = Buffer.concat(chunks, got).toString('latin1').replace(/\r$/, '');
      const q = parseFingerQuery(line);
      opts.log?.({
        level: 'info',
        event: 'query',
        source: 'finger',
        verbose: q.verbose,
        user: q.user,
        forwarding: q.hosts.length > 0,
      });
      finish(answerFinger(q, opts));
    }
  };
  stream.on('data', onData);
  stream.on('error', () => clearTimeout(timer));
  stream.on('close', () => clearTimeout(timer));
  stream.on('end', () => {
    // A client that closes without a line ending: answer what it sent.
    if (!done) finish(answerFinger(parseFingerQuery(Buffer.concat(chunks, got).toString('latin1')), opts));
  });
  return { goodbye: () => finish(crlf(['finger: server shutting down'])) };
}

/** Sends an RFC 1288 query (`/W user`, `user`, or '' for the list) and returns the answer text. */
export async function fingerQuery(
  host: string,
  port: number,
  query: string,
  opts: ClientOptions = {},
): Promise<string> {
  const b = await tcpRequest(host, port, `${query}\r\n`, { maxBytes: 1 << 20, ...opts });
  return printableAscii(b.toString('latin1'));
}
