// The /etc/rpc program-name database (rpc(5)): `name number alias…`, `#` comments. Bounded parse.

export interface RpcNames {
  byNumber: Map<number, string>;
  byName: Map<string, number>;
}

/** Parses rpc(5) text; at most `maxEntries` entries, lines of at most 1024 characters. */
export function parseRpcNames(text: string, maxEntries = 10_000): RpcNames {
  const byNumber = new Map<number, string>();
  const byName = new Map<string, number>();
  let count = 0;
  for (const line of text.split('\n')) {
    if (count >= maxEntries) break;
    if (line.length > 1024) continue;
    const body = line.replace(/#.*/, '').trim();
    if (!body) continue;
    const [name, num, ...aliases] = body.split(/\s+/);
    if (!name || !num || !/^\d{1,10}$/.test(num)) continue;
    const n = Number(num);
    if (n > 0xffff_ffff) continue;
    count++;
    if (!byNumber.has(n)) byNumber.set(n, name);
    for (const a of [name, ...aliases]) if (!byName.has(a)) byName.set(a, n);
  }
  return { byNumber, byName };
}

export const EMPTY_RPC_NAMES: RpcNames = { byNumber: new Map(), byName: new Map() };
