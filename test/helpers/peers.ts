// Real peers from Debian for interop tests. Outside CI a missing peer skips the test with a
// message; with CI=true a missing peer is a failure (.ci/run installs them).

import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const cache = new Map<string, string | undefined>();

/** Absolute path of a program on PATH (or in /usr/sbin, /sbin), or undefined. */
export function which(program: string): string | undefined {
  if (cache.has(program)) return cache.get(program);
  const r = spawnSync(
    'sh',
    ['-c', `command -v ${program} || ls /usr/sbin/${program} /sbin/${program} 2>/dev/null`],
    {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
    },
  );
  const path = r.stdout.split('\n')[0]?.trim() || undefined;
  cache.set(program, path);
  return path;
}

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Returns the peer's path, or skips the test (outside CI) / throws (in CI) when it is missing.
 * Use: `const nc = needPeer(t, 'nc'); if (!nc) return;`
 */
export function needPeer(t: TestContext, program: string, debianPackage = program): string | undefined {
  const p = which(program);
  if (p) return p;
  const msg = `peer '${program}' not installed (apt-get install ${debianPackage})`;
  if (inCI) throw new Error(`${msg}; CI=true requires every peer`);
  t.skip(msg);
  return undefined;
}

/** True when running as root (binding ports below 1024, network namespaces). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
