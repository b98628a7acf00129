// Portmapper v2 and rpcbind v3/v4 data types and constants (RFC 1833), as XDR codecs, plus
// universal addresses (RFC 1833 §2.2 / RFC 5665 §5.2.3.3).

import * as xdr from '../xdr/index.js';

export const PMAP_PROG = 100000;
export const PMAP_PORT = 111;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const PmapProc = { NULL: 0, SET: 1, UNSET: 2, GETPORT: 3, DUMP: 4, CALLIT: 5 } as const;
export const RpcbProc = {
  NULL: 0,
  SET: 1,
  UNSET: 2,
  GETADDR: 3,
  DUMP: 4,
  CALLIT: 5,
  GETTIME: 6,
  UADDR2TADDR: 7,
  TADDR2UADDR: 8,
  GETVERSADDR: 9,
  INDIRECT: 10,
  GETADDRLIST: 11,
  GETSTAT: 12,
} as const;

/** `struct mapping { prog; vers; prot; port; }` (PMAP v2). */
export interface Mapping {
  prog: number;
  vers: number;
  prot: number;
  port: number;
}
export const mapping: xdr.XdrType<Mapping> = xdr.struct<Mapping>({
  prog: xdr.uint,
  vers: xdr.uint,
  prot: xdr.uint,
  port: xdr.uint,
});
/** `pmaplist` as an array. */
export const pmaplist = xdr.linkedList(mapping, 100_000);

export interface CallArgs {
  prog: number;
  vers: number;
  proc: number;
  args: Uint8Array;
}
export const callArgs: xdr.XdrType<CallArgs> = xdr.struct<CallArgs>({
  prog: xdr.uint,
  vers: xdr.uint,
  proc: xdr.uint,
  args: xdr.opaque(),
});
export interface CallResult {
  port: number;
  res: Uint8Array;
}
export const callResult: xdr.XdrType<CallResult> = xdr.struct<CallResult>({
  port: xdr.uint,
  res: xdr.opaque(),
});

/** `struct rpcb` (v3/v4). */
export interface Rpcb {
  r_prog: number;
  r_vers: number;
  r_netid: string;
  r_addr: string;
  r_owner: string;
}
export const rpcb: xdr.XdrType<Rpcb> = xdr.struct<Rpcb>({
  r_prog: xdr.uint,
  r_vers: xdr.uint,
  r_netid: xdr.string(255),
  r_addr: xdr.string(255),
  r_owner: xdr.string(255),
});
/** `rpcblist_ptr` as an array. */
export const rpcblist = xdr.linkedList(rpcb, 100_000);

export interface RmtCallArgs {
  prog: number;
  vers: number;
  proc: number;
  args: Uint8Array;
}
export const rmtCallArgs: xdr.XdrType<RmtCallArgs> = callArgs;
export interface RmtCallRes {
  addr: string;
  results: Uint8Array;
}
export const rmtCallRes: xdr.XdrType<RmtCallRes> = xdr.struct<RmtCallRes>({
  addr: xdr.string(255),
  results: xdr.opaque(),
});

/** `struct netbuf { maxlen; opaque buf<>; }` */
export interface Netbuf {
  maxlen: number;
  buf: Uint8Array;
}
export const netbuf: xdr.XdrType<Netbuf> = xdr.struct<Netbuf>({ maxlen: xdr.uint, buf: xdr.opaque(128) });

export interface RpcbEntry {
  r_maddr: string;
  r_nc_netid: string;
  r_nc_semantics: number;
  r_nc_protofmly: string;
  r_nc_proto: string;
}
export const rpcbEntry: xdr.XdrType<RpcbEntry> = xdr.struct<RpcbEntry>({
  r_maddr: xdr.string(255),
  r_nc_netid: xdr.string(255),
  r_nc_semantics: xdr.uint,
  r_nc_protofmly: xdr.string(255),
  r_nc_proto: xdr.string(255),
});
export const rpcbEntryList = xdr.linkedList(rpcbEntry, 10_000);

/** Transport semantics (netconfig nc_semantics). */
export const NC_TPI_CLTS = 1;
export const NC_TPI_COTS_ORD = 3;

/** `rpcbs_addrlist` / `rpcbs_rmtcalllist` / `rpcb_stat` / `rpcb_stat_byvers` (rpcb_prot.x). */
export interface AddrStat {
  prog: number;
  vers: number;
  success: number;
  failure: number;
  netid: string;
}
export const addrStat: xdr.XdrType<AddrStat> = xdr.struct<AddrStat>({
  prog: xdr.uint,
  vers: xdr.uint,
  success: xdr.int,
  failure: xdr.int,
  netid: xdr.string(255),
});
export interface RmtCallStat {
  prog: number;
  vers: number;
  proc: number;
  success: number;
  failure: number;
  indirect: number;
  netid: string;
}
export const rmtCallStat: xdr.XdrType<RmtCallStat> = xdr.struct<RmtCallStat>({
  prog: xdr.uint,
  vers: xdr.uint,
  proc: xdr.uint,
  success: xdr.int,
  failure: xdr.int,
  indirect: xdr.int,
  netid: xdr.string(255),
});
export const RPCBSTAT_HIGHPROC = 13;
export interface RpcbStat {
  info: number[];
  setinfo: number;
  unsetinfo: number;
  addrinfo: AddrStat[];
  rmtinfo: RmtCallStat[];
}
export const rpcbStat: xdr.XdrType<RpcbStat> = xdr.struct<RpcbStat>({
  info: xdr.fixedArray(xdr.int, RPCBSTAT_HIGHPROC),
  setinfo: xdr.int,
  unsetinfo: xdr.int,
  addrinfo: xdr.linkedList(addrStat, 10_000),
  rmtinfo: xdr.linkedList(rmtCallStat, 10_000),
});
/** Statistics for versions 2, 3 and 4, in that order. */
export const rpcbStatByVers = xdr.fixedArray(rpcbStat, 3);

// ------------------------------------------------------------------ universal addresses

/**
 * `h1.h2.h3.h4.p1.p2` for IPv4, `x:…:x.p1.p2` for IPv6 (port = p1·256 + p2). For the `local`
 * netid the address is a path and passes through unchanged.
 */
export function toUaddr(host: string, port: number): string {
  return `${host}.${port >> 8}.${port & 255}`;
}

/** Splits a universal address into host and port; undefined when it is not one. */
export function fromUaddr(uaddr: string): { host: string; port: number } | undefined {
  const m = /^(.*)\.(\d{1,3})\.(\d{1,3})$/.exec(uaddr);
  if (!m) return undefined;
  const p1 = Number(m[2]);
  const p2 = Number(m[3]);
  if (p1 > 255 || p2 > 255) return undefined;
  const host = m[1]!;
  if (!isIPv4(host) && !isIPv6(host)) return undefined;
  return { host, port: p1 * 256 + p2 };
}

function isIPv4(h: string): boolean {
  const parts = h.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(h: string): boolean {
  return h.includes(':') && /^[0-9a-fA-F:.]+$/.test(h) && h.length <= 45;
}

/** netid for a transport and address family. */
export function netidFor(transport: 'tcp' | 'udp', host: string): string {
  return host.includes(':') ? `${transport}6` : transport;
}

/**
 * Transport address (netbuf) ↔ universal address, as the host's `struct sockaddr_in{,6}` the
 * way libtirpc puts it in a netbuf: family in host (little-endian on Linux x86/ARM) order,
 * port and address in network order, zero padding.
 */
export function uaddrToTaddr(uaddr: string): Uint8Array | undefined {
  const a = fromUaddr(uaddr);
  if (!a) return undefined;
  if (isIPv4(a.host)) {
    const b = new Uint8Array(16);
    b[0] = 2; // AF_INET
    b[2] = a.port >> 8;
    b[3] = a.port & 255;
    a.host.split('.').forEach((x, i) => {
      b[4 + i] = Number(x);
    });
    return b;
  }
  const words = expandIPv6(a.host);
  if (!words) return undefined;
  const b = new Uint8Array(28);
  b[0] = 10; // AF_INET6
  b[2] = a.port >> 8;
  b[3] = a.port & 255;
  words.forEach((w, i) => {
    b[8 + 2 * i] = w >> 8;
    b[9 + 2 * i] = w & 255;
  });
  return b;
}

export function taddrToUaddr(buf: Uint8Array): string | undefined {
  if (buf.length >= 8 && buf[0] === 2 && buf[1] === 0) {
    const port = (buf[2]! << 8) | buf[3]!;
    return toUaddr(`${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}`, port);
  }
  if (buf.length >= 24 && buf[0] === 10 && buf[1] === 0) {
    const port = (buf[2]! << 8) | buf[3]!;
    const words: string[] = [];
    for (let i = 0; i < 8; i++) words.push(((buf[8 + 2 * i]! << 8) | buf[9 + 2 * i]!).toString(16));
    return toUaddr(compressIPv6(words), port);
  }
  return undefined;
}

function expandIPv6(h: string): number[] | undefined {
  let s = h;
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    if (!isIPv4(v4[1]!)) return undefined;
    const q = v4[1]!.split('.').map(Number);
    tail = [(q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!];
    s = s.slice(0, -v4[1]!.length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (x: string) =>
    x === '' ? [] : x.split(':').map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? parseInt(w, 16) : Number.NaN));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - head.length - rest.length - tail.length;
  if (halves.length === 1 && fill !== 0) return undefined;
  if (fill < 0) return undefined;
  const out = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...rest, ...tail];
  return out.length === 8 && out.every((w) => Number.isInteger(w)) ? out : undefined;
}

function compressIPv6(words: string[]): string {
  // Longest run of zeros (≥ 2) becomes '::' (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}
