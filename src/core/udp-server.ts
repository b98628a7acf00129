// A UDP listener with the safety rules every datagram service shares (RFC 862–868 UDP forms;
// CERT CA-1996-01 "UDP port denial-of-service", US-CERT TA14-017A amplification): source filters,
// per-source token buckets, a reply-size cap, and a loop breaker that cannot switch a service off.

import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { networkError } from './errors.js';
import { fastPathDefault, type UdpBindings, udpBindings } from './handles.js';
import { type Logger, silentLogger } from './log.js';
import { KeyedRateLimiter } from './rate.js';
import type { RunningServer } from './service.js';
import { openUdpHandle } from './udp-handle.js';

export interface RemoteInfo {
  address: string;
  family: string;
  port: number;
  size: number;
}

/** Answers one datagram: one reply, several (never more than `maxRepliesPerRequest`), or none. */
export type DatagramHandler = (data: Uint8Array, rinfo: RemoteInfo) => Uint8Array | Uint8Array[] | undefined;

export interface UdpLimits {
  /** Datagrams from a source port below this are dropped (they come from services, not clients). */
  minSourcePort: number;
  /** Further source ports never answered (2049: NFS, as OpenBSD inetd's dg_badinput()). */
  blockedSourcePorts: readonly number[];
  /** Per source address: sustained datagrams answered per second. */
  ratePerSec: number;
  /** Per source address: burst of datagrams answered at once. */
  burst: number;
  /** Sources remembered by the rate limiter and the loop breaker (LRU beyond this). */
  maxSources: number;
  /** No reply datagram is larger than this; a handler's larger reply is dropped (and logged). */
  maxReplyBytes: number;
  /** Datagrams sent for one request, at most. */
  maxRepliesPerRequest: number;
  /**
   * Loop breaker: a datagram from source S whose bytes equal the last reply we sent to S (within
   * `reflectWindowMs`) is a reflection. After `maxReflections` reflections in a row from S, the
   * next one is not answered (and the streak resets): a loop between two services dies at once,
   * since its partner only ever speaks when spoken to; a client costs one lost datagram.
   */
  maxReflections: number;
  reflectWindowMs: number;
  /**
   * Loop breaker, second half: per source address AND port, a small token bucket. Two services
   * that answer each other (chargen ↔ daytime) exchange replies as fast as they can from one
   * address:port; the bucket runs dry after `peerBurst` exchanges and the one unanswered
   * datagram ends the loop. A client polling from one socket is slowed, never cut off.
   */
  peerRatePerSec: number;
  peerBurst: number;
  /** Drop datagrams whose source is another netkit UDP service in this process. */
  dropOwnServices: boolean;
}

export const DEFAULT_UDP_LIMITS: UdpLimits = {
  minSourcePort: 1024,
  blockedSourcePorts: [2049],
  ratePerSec: 1000,
  burst: 2000,
  maxSources: 10_000,
  maxReplyBytes: 512,
  maxRepliesPerRequest: 1,
  maxReflections: 0,
  reflectWindowMs: 1000,
  peerRatePerSec: 5,
  peerBurst: 20,
  dropOwnServices: true,
};

export interface UdpServerOptions {
  name: string;
  host?: string;
  port: number;
  limits?: Partial<UdpLimits>;
  log?: Logger;
  signal?: AbortSignal;
  onDatagram: DatagramHandler;
  /**
   * true (the default where Node's udp_wrap binding is as we know it, and the host is an IP
   * literal): receive and send on libuv's UDP handle directly, skipping dgram's per-send
   * lookup, nextTick and request objects. false: node:dgram. Same rules either way.
   */
  fastPath?: boolean;
}

export type DropReason =
  | 'privileged-port'
  | 'blocked-port'
  | 'bad-source'
  | 'own-service'
  | 'rate-limit'
  | 'loop'
  | 'reply-too-large'
  | 'too-many-replies';

export interface UdpStats {
  received: number;
  answered: number;
  sent: number;
  dropped: Record<DropReason, number>;
}

export interface UdpServer extends RunningServer {
  readonly protocol: 'udp';
  readonly stats: UdpStats;
  /** Sends a datagram from this server's own socket (tests use it to craft loop starters). */
  sendFrom(data: Uint8Array, port: number, address: string): Promise<void>;
  /** True when datagrams are handled on the UDP handle directly. */
  readonly fastPath: boolean;
}

/** Endpoints of every netkit UDP service in this process, `address|port`, for `dropOwnServices`. */
const ownEndpoints = new Set<string>();
const ownPorts = new Map<number, number>();

function normalize(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function localAddresses(): Set<string> {
  const s = new Set<string>(['127.0.0.1', '::1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) s.add(normalize(a.address.split('%')[0]!));
  }
  return s;
}

function broadcastAddresses(): Set<string> {
  const s = new Set<string>(['255.255.255.255']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4') continue;
      const ip = ipv4ToInt(a.address);
      const mask = ipv4ToInt(a.netmask);
      if (ip === undefined || mask === undefined || mask === 0xffffffff) continue;
      s.add(intToIpv4((ip | ~mask) >>> 0));
    }
  }
  return s;
}

function ipv4ToInt(a: string): number | undefined {
  const p = a.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * True for sources no service should answer: unspecified (0.0.0.0/8, ::), multicast
 * (224.0.0.0/4, ff00::/8), limited or interface broadcast. Exported for tests.
 */
export function isBadSource(
  address: string,
  broadcasts: ReadonlySet<string> = broadcastAddresses(),
): boolean {
  const a = normalize(address);
  if (net.isIPv4(a)) {
    const first = Number(a.slice(0, a.indexOf('.')));
    if (first === 0 || first >= 224) return true; // 0/8, multicast 224/4, reserved 240/4, 255.255.255.255
    return broadcasts.has(a);
  }
  const l = a.toLowerCase();
  return l === '::' || l.startsWith('ff');
}

/**
 * FNV-1a over the first and last 64 bytes (with the length kept beside it): the loop breaker
 * keeps this, not the reply itself, and its cost does not grow with the datagram.
 */
function fingerprint(b: Uint8Array): number {
  let h = 0x811c9dc5;
  const n = b.length;
  const head = Math.min(n, 64);
  for (let i = 0; i < head; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  for (let i = Math.max(n - 64, head); i < n; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

interface PeerState {
  /** Fingerprint, length and time of the last reply sent to this peer. */
  hash: number;
  length: number;
  at: number;
  /** Reflections in a row. */
  streak: number;
  /** The peer's token bucket. */
  tokens: number;
  refilled: number;
}

/** Where listenUdp's datagrams come from and go to: node:dgram, or the UDP handle itself. */
interface Transport {
  readonly fastPath: boolean;
  /** Binds and starts receiving; resolves with the bound address. */
  bind(): Promise<net.AddressInfo>;
  /** Sends without a callback (errors are reported through onSendError). */
  send(data: Uint8Array, port: number, address: string): void;
  sendAndWait(data: Uint8Array, port: number, address: string): Promise<void>;
  close(): void;
}

type Receive = (msg: Uint8Array, rinfo: RemoteInfo) => void;

function dgramTransport(
  type: 'udp4' | 'udp6',
  host: string,
  port: number,
  receive: Receive,
  onSendError: (err: Error) => void,
): Transport {
  const socket = dgram.createSocket({ type, reuseAddr: false });
  socket.on('message', receive);
  return {
    fastPath: false,
    bind: () =>
      new Promise((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address: host, port, exclusive: true }, () => {
          socket.off('error', reject);
          socket.on('error', onSendError);
          resolve(socket.address());
        });
      }),
    // No per-send callback: it costs a request object per datagram; send errors arrive as
    // 'error' events and are logged there.
    send: (d, p, a) => socket.send(d, p, a),
    sendAndWait: (d, p, a) => new Promise((res, rej) => socket.send(d, p, a, (e) => (e ? rej(e) : res()))),
    close: () => {
      try {
        socket.close();
      } catch {
        // already closed
      }
    },
  };
}

/** listenUdp's fast path: the UDP handle itself (core/udp-handle). */
function handleTransport(
  b: UdpBindings,
  v6: boolean,
  host: string,
  port: number,
  receive: Receive,
  onSendError: (err: Error) => void,
): Transport {
  const h = openUdpHandle(
    b,
    v6,
    host,
    port,
    (buf, peer) => {
      const r = peer as RemoteInfo;
      r.size = buf.length;
      receive(buf, r);
    },
    onSendError,
  );
  return {
    fastPath: true,
    bind: () => h.bind(),
    send: (d, p, a) => void h.send(d, p, a),
    sendAndWait: (d, p, a) => h.sendAndWait(d, p, a),
    close: () => void h.close(),
  };
}

export function listenUdp(opts: UdpServerOptions): Promise<UdpServer> {
  const limits: UdpLimits = { ...DEFAULT_UDP_LIMITS, ...opts.limits };
  const log = opts.log ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const name = opts.name;
  const type = net.isIPv6(host) ? 'udp6' : 'udp4';
  const limiter = new KeyedRateLimiter(limits.ratePerSec, limits.burst, limits.maxSources);
  const peers = new Map<string, PeerState>();
  const blocked = new Set(limits.blockedSourcePorts);
  const broadcasts = broadcastAddresses();
  const locals = localAddresses();
  const stats: UdpStats = {
    received: 0,
    answered: 0,
    sent: 0,
    dropped: {
      'privileged-port': 0,
      'blocked-port': 0,
      'bad-source': 0,
      'own-service': 0,
      'rate-limit': 0,
      loop: 0,
      'reply-too-large': 0,
      'too-many-replies': 0,
    },
  };
  // Drops are logged at most once per reason per second: a flood must not become a log flood.
  const lastDropLog = new Map<DropReason, number>();
  const drop = (reason: DropReason, rinfo: RemoteInfo, now: number) => {
    stats.dropped[reason]++;
    const last = lastDropLog.get(reason) ?? -Infinity;
    if (now - last >= 1000) {
      lastDropLog.set(reason, now);
      log({
        level: 'warn',
        event: 'dropped',
        source: name,
        reason,
        remote: rinfo.address,
        port: rinfo.port,
        count: stats.dropped[reason],
      });
    }
  };
  // Source addresses already classified (bad or not): isBadSource parses the text each time.
  const badSource = new Map<string, boolean>();
  const isBad = (address: string): boolean => {
    let v = badSource.get(address);
    if (v === undefined) {
      if (badSource.size >= limits.maxSources) badSource.clear();
      v = isBadSource(address, broadcasts);
      badSource.set(address, v);
    }
    return v;
  };
  let endpoint = '';
  let closed = false;
  let closing: Promise<void> | undefined;

  const isOwnService = (address: string, port: number): boolean => {
    if (!ownPorts.has(port)) return false;
    const a = normalize(address);
    if (ownEndpoints.has(`${a}|${port}`)) return true;
    // Services bound to a wildcard address send from any local address.
    return locals.has(a) && (ownEndpoints.has(`0.0.0.0|${port}`) || ownEndpoints.has(`::|${port}`));
  };

  const receive = (msg: Uint8Array, rinfo: RemoteInfo) => {
    if (closed) return;
    stats.received++;
    const now = Date.now();
    if (rinfo.port < limits.minSourcePort) return drop('privileged-port', rinfo, now);
    if (blocked.has(rinfo.port)) return drop('blocked-port', rinfo, now);
    if (isBad(rinfo.address)) return drop('bad-source', rinfo, now);
    if (limits.dropOwnServices && isOwnService(rinfo.address, rinfo.port)) {
      return drop('own-service', rinfo, now);
    }
    if (!limiter.take(rinfo.address, now)) return drop('rate-limit', rinfo, now);
    const key = `${rinfo.address}|${rinfo.port}`;
    let peer = peers.get(key);
    if (!peer) {
      // Bounded: the oldest peer (by first sight) goes. No reordering on each hit — it costs two
      // Map operations per datagram, and a peer evicted early only gets a fresh, full budget.
      if (peers.size >= limits.maxSources) {
        const oldest = peers.keys().next().value;
        if (oldest !== undefined) peers.delete(oldest);
      }
      peer = { hash: 0, length: -1, at: -Infinity, streak: 0, tokens: limits.peerBurst, refilled: now };
      peers.set(key, peer);
    }
    if (now > peer.refilled) {
      peer.tokens = Math.min(
        limits.peerBurst,
        peer.tokens + ((now - peer.refilled) / 1000) * limits.peerRatePerSec,
      );
      peer.refilled = now;
    }
    if (peer.tokens < 1) return drop('loop', rinfo, now);
    peer.tokens -= 1;
    // The request's fingerprint, when computed: echo's reply is the request, so it is reused.
    let msgHash = -1;
    if (peer.length === msg.length && now - peer.at <= limits.reflectWindowMs) msgHash = fingerprint(msg);
    if (msgHash >= 0 && msgHash === peer.hash) {
      if (peer.streak >= limits.maxReflections) {
        peer.streak = 0;
        peer.at = -Infinity; // the next datagram starts afresh
        return drop('loop', rinfo, now);
      }
      peer.streak++;
    } else peer.streak = 0;

    let out: Uint8Array | Uint8Array[] | undefined;
    try {
      out = opts.onDatagram(msg, rinfo);
    } catch (err) {
      log({ level: 'error', event: 'handler-error', source: name, error: (err as Error).message });
      return;
    }
    if (out === undefined) return;
    if (!Array.isArray(out)) {
      // One reply (every service but users): no list to build.
      if (out.length > limits.maxReplyBytes) return drop('reply-too-large', rinfo, now);
      stats.answered++;
      remember(peer, out, now, out === msg ? msgHash : -1);
      stats.sent++;
      transport.send(out, rinfo.port, rinfo.address);
      return;
    }
    const list = out;
    if (list.length === 0) return;
    if (list.length > limits.maxRepliesPerRequest) return drop('too-many-replies', rinfo, now);
    for (const d of list) if (d.length > limits.maxReplyBytes) return drop('reply-too-large', rinfo, now);
    stats.answered++;
    remember(peer, list[list.length - 1]!, now);
    for (const d of list) {
      stats.sent++;
      transport.send(d, rinfo.port, rinfo.address);
    }
  };

  const onSendError = (err: Error) =>
    log({ level: 'warn', event: 'send-error', source: name, error: err.message });
  const b = (opts.fastPath ?? fastPathDefault()) && net.isIP(host) ? udpBindings() : null;
  const transport = b
    ? handleTransport(b, type === 'udp6', host, opts.port, receive, onSendError)
    : dgramTransport(type, host, opts.port, receive, onSendError);

  const unregister = () => {
    if (!endpoint) return;
    ownEndpoints.delete(endpoint);
    const port = Number(endpoint.slice(endpoint.lastIndexOf('|') + 1));
    const n = (ownPorts.get(port) ?? 1) - 1;
    if (n <= 0) ownPorts.delete(port);
    else ownPorts.set(port, n);
    endpoint = '';
  };

  let destroyed = false;
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    closed = true;
    unregister();
    transport.close();
  };

  const close = (): Promise<void> => {
    if (closing) return closing;
    log({ level: 'info', event: 'closing', source: name });
    closing = new Promise<void>((resolve) => {
      // Stop answering; replies already handed to the kernel still go out after close().
      closed = true;
      setImmediate(() => {
        destroy();
        resolve();
      });
    });
    return closing;
  };

  return transport.bind().then(
    (address) => {
      endpoint = `${normalize(address.address)}|${address.port}`;
      ownEndpoints.add(endpoint);
      ownPorts.set(address.port, (ownPorts.get(address.port) ?? 0) + 1);
      log({
        level: 'info',
        event: 'listening',
        source: name,
        protocol: 'udp',
        address: address.address,
        port: address.port,
      });
      if (opts.signal) {
        if (opts.signal.aborted) void close();
        else opts.signal.addEventListener('abort', () => void close(), { once: true });
      }
      return {
        name,
        protocol: 'udp' as const,
        address,
        stats,
        close,
        destroy,
        fastPath: transport.fastPath,
        sendFrom: (data: Uint8Array, port: number, addr: string) => transport.sendAndWait(data, port, addr),
      };
    },
    (err: Error) => {
      throw networkError('listen', `${host}:${opts.port}`, err);
    },
  );
}

/** Remembers what we said to a peer (the last datagram), to recognise it coming back. */
function remember(peer: PeerState, last: Uint8Array, now: number, hash = -1): void {
  peer.hash = hash >= 0 ? hash : fingerprint(last);
  peer.length = last.length;
  peer.at = now;
}
