// Shared bench output: medians of repeated runs, and a table with ratios to the peers.

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n >= 10 ? 1 : 2);
}

/** Prints a Markdown table. `rows` are arrays of cells; numbers are formatted. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const r of cells) console.log(line(r));
}

/** "1.23×" — netkit's figure over the peer's (higher is better for rates). */
export function ratio(ours: number, theirs: number): string {
  return theirs > 0 ? `${(ours / theirs).toFixed(2)}×` : 'n/a';
}

/**
 * Column headers of a CPU budget table (netkit and openbsd-inetd, each with the load client
 * driving it, and the cores each pair needs at inetd's rate), after the row's own columns.
 */
export function budgetHeaders(...first: string[]): string[] {
  return [
    ...first,
    'netkit server',
    'client (on netkit)',
    'openbsd-inetd server',
    'client (on inetd)',
    'cores at inetd rate: inetd',
    'netkit',
  ];
}
