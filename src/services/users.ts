// Active Users (RFC 866, "systat"), TCP and UDP: one logged-in user per line, from utmp. Over UDP
// the list goes in datagrams of at most 512 bytes, never splitting one user across two.

import type { Duplex } from 'node:stream';
import { type ConnHandle, sendAndClose } from '../core/tcp-server.js';
import { ctime } from '../core/time.js';
import { type ClientOptions, printableAscii, tcpRequest, udpRequest } from './client.js';
import { DEFAULT_UTMP, readUsersCached, type UtmpEntry } from './utmp.js';

export const MAX_USERS_DATAGRAM = 512;

/** One line per user: `name tty login-time (host)`, CR LF. */
export function userLine(e: UtmpEntry): string {
  const when = ctime(new Date(e.loginSec * 1000)).slice(4, 16);
  return `${e.user.padEnd(8)} ${e.line.padEnd(8)} ${when}${e.host ? ` (${e.host})` : ''}\r\n`;
}

export function usersText(entries: UtmpEntry[]): Buffer {
  return Buffer.from(entries.map(userLine).join(''), 'latin1');
}

/** Packs lines into datagrams of at most `max` bytes, whole lines only, at most `maxDatagrams`. */
export function packLines(lines: string[], max = MAX_USERS_DATAGRAM, maxDatagrams = 4): Buffer[] {
  const out: Buffer[] = [];
  let cur = '';
  for (const l of lines) {
    if (l.length > max) continue; // cannot happen with utmp's field sizes; never split a user
    if (cur.length + l.length > max) {
      out.push(Buffer.from(cur, 'latin1'));
      cur = '';
      if (out.length >= maxDatagrams) return out;
    }
    cur += l;
  }
  if (cur || out.length === 0) out.push(Buffer.from(cur, 'latin1'));
  return out.slice(0, maxDatagrams);
}

export interface UsersOptions {
  utmp?: string;
  /** Datagrams one UDP request may get (an amplification bound). Default 4. */
  maxDatagrams?: number;
}

export function serveUsersTcp(stream: Duplex, opts: UsersOptions = {}): ConnHandle | undefined {
  let text: Buffer;
  try {
    text = usersText(readUsersCached(opts.utmp ?? DEFAULT_UTMP));
  } catch {
    text = Buffer.alloc(0);
  }
  sendAndClose(stream, text);
  return undefined;
}

export function usersUdpHandler(opts: UsersOptions = {}): () => Uint8Array[] {
  return () =>
    packLines(
      readUsersCached(opts.utmp ?? DEFAULT_UTMP).map(userLine),
      MAX_USERS_DATAGRAM,
      opts.maxDatagrams ?? 4,
    );
}

export async function usersTcp(host: string, port = 11, opts: ClientOptions = {}): Promise<string> {
  return printableAscii(
    (await tcpRequest(host, port, undefined, { maxBytes: 1 << 20, ...opts })).toString('latin1'),
  );
}

export async function usersUdp(host: string, port = 11, opts: ClientOptions = {}): Promise<string> {
  const got = await udpRequest(host, port, new Uint8Array(0), { expect: 64, settleMs: 200, ...opts });
  return printableAscii(Buffer.concat(got).toString('latin1'));
}
