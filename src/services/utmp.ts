// Linux utmp records (utmp(5), glibc x86_64 layout, 384 bytes each): who is logged in, for the
// Active Users (RFC 866) and Finger (RFC 1288) services.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ErrorCodes, NetkitError } from '../core/errors.js';

export const UTMP_RECORD = 384;
export const USER_PROCESS = 7;
export const DEFAULT_UTMP = '/var/run/utmp';
/** Records read at most (about 3.8 MB): a huge or hostile file cannot grow memory. */
export const MAX_UTMP_RECORDS = 10_000;

// Field offsets in struct utmp (little-endian on x86_64).
const OFF = {
  type: 0,
  pid: 4,
  line: 8,
  id: 40,
  user: 44,
  host: 76,
  session: 336,
  tvSec: 340,
  tvUsec: 344,
  addr: 348,
};

export interface UtmpEntry {
  type: number;
  pid: number;
  line: string;
  id: string;
  user: string;
  host: string;
  /** Login time, Unix seconds. */
  loginSec: number;
}

/** A NUL-terminated fixed-size field, printable ASCII only (anything else becomes '?'). */
function cstr(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) {
    const c = b[i]!;
    if (c === 0) break;
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return s;
}

/** Parses whole records; a trailing partial record is ignored. Returns every record type. */
export function parseUtmp(bytes: Uint8Array): UtmpEntry[] {
  const out: UtmpEntry[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Math.min(MAX_UTMP_RECORDS, Math.floor(bytes.length / UTMP_RECORD));
  for (let r = 0; r < n; r++) {
    const o = r * UTMP_RECORD;
    out.push({
      type: dv.getInt16(o + OFF.type, true),
      pid: dv.getInt32(o + OFF.pid, true),
      line: cstr(bytes, o + OFF.line, 32),
      id: cstr(bytes, o + OFF.id, 4),
      user: cstr(bytes, o + OFF.user, 32),
      host: cstr(bytes, o + OFF.host, 256),
      loginSec: dv.getUint32(o + OFF.tvSec, true),
    });
  }
  return out;
}

/** Builds one record (tests write utmp files with it). */
export function encodeUtmp(e: Partial<UtmpEntry> & { user: string }): Buffer {
  const b = Buffer.alloc(UTMP_RECORD);
  b.writeInt16LE(e.type ?? USER_PROCESS, OFF.type);
  b.writeInt32LE(e.pid ?? 1, OFF.pid);
  b.write((e.line ?? '').slice(0, 32), OFF.line, 'latin1');
  b.write((e.id ?? '').slice(0, 4), OFF.id, 'latin1');
  b.write(e.user.slice(0, 32), OFF.user, 'latin1');
  b.write((e.host ?? '').slice(0, 256), OFF.host, 'latin1');
  b.writeInt32LE(e.pid ?? 1, OFF.session);
  b.writeUInt32LE(e.loginSec ?? 0, OFF.tvSec);
  return b;
}

/** Reads the logged-in users (USER_PROCESS records with a name) from a utmp file. Missing file: none. */
export function readUsers(file: string = DEFAULT_UTMP): UtmpEntry[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new NetkitError(ErrorCodes.FILE, `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const size = Math.min(fstatSync(fd).size, MAX_UTMP_RECORDS * UTMP_RECORD);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, buf, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return parseUtmp(buf.subarray(0, got)).filter((e) => e.type === USER_PROCESS && e.user !== '');
  } finally {
    closeSync(fd);
  }
}

const cache = new Map<string, { at: number; users: UtmpEntry[] }>();

/**
 * `readUsers`, read at most once per `maxAgeMs` per file: a flood of users/finger requests must
 * not turn into a flood of multi-megabyte synchronous reads.
 */
export function readUsersCached(file: string = DEFAULT_UTMP, now = Date.now(), maxAgeMs = 1000): UtmpEntry[] {
  const hit = cache.get(file);
  if (hit && now - hit.at < maxAgeMs && now >= hit.at) return hit.users;
  const users = readUsers(file);
  if (cache.size >= 16) cache.clear();
  cache.set(file, { at: now, users });
  return users;
}
