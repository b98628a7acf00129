// An exclusive lock for tests that need port 111 (Debian's rpcinfo and rpcgen servers only talk to
// the portmapper there). node:test runs test files in parallel: every file that binds or starts
// something on 111 takes this lock first, so they run one after another.

import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const LOCK = join(tmpdir(), 'netkit-port111.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (up to `timeoutMs`) for the port-111 lock; resolves with a release function. */
export async function lockPort111(timeoutMs = 170_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(LOCK);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a process that died is stale.
      try {
        const pid = Number(readFileSync(LOCK, 'utf8'));
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) unlinkSync(LOCK);
      } catch {
        // raced with its owner: try again
      }
      if (Date.now() > deadline) throw new Error(`port 111 lock ${LOCK} still held after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
