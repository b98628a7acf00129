// CPU time of a server process, for CPU-per-call figures that stay meaningful on a busy machine:
// our own process through process.cpuUsage(), a peer through /proc/PID/stat (utime + stime).

import { readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU milliseconds (user + system) used so far by process `pid`; NaN where /proc is missing. */
export function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

/** CPU milliseconds used so far by this process (all threads). */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Measures `run` and the CPU `cpu()` reports across it: [result, CPU ms]. */
export async function withCpu<T>(cpu: () => number, run: () => Promise<T>): Promise<[T, number]> {
  const before = cpu();
  const r = await run();
  return [r, cpu() - before];
}
