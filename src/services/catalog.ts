// The classic services (RFC 862–868 over TCP and UDP, RFC 1288 over TCP) as `netkit serve`
// starts them, and `startService()` for tests, benches and embedding.

import type { Duplex } from 'node:stream';
import type { Logger } from '../core/log.js';
import { listenReplyAndClose } from '../core/reply-server.js';
import type { CatalogEntry, RunningServer } from '../core/service.js';
import { listenStream, type StreamMode } from '../core/stream-server.js';
import { type ConnHandle, listenTcp, type TcpLimits } from '../core/tcp-server.js';
import { type DatagramHandler, listenUdp, type UdpLimits } from '../core/udp-server.js';
import { chargenSourceBlock, chargenUdpHandler, serveChargenTcp } from './chargen.js';
import { daytimeBytes, daytimeUdpHandler, serveDaytimeTcp } from './daytime.js';
import { discardUdpHandler, serveDiscardTcp } from './discard.js';
import { echoUdpHandler, MAX_UDP_PAYLOAD, serveEchoTcp } from './echo.js';
import { serveFingerTcp } from './finger.js';
import { loadQuotes, QuoteRing, qotdUdpHandler, serveQotdTcp } from './qotd.js';
import { serveTimeTcp, timeBytes, timeUdpHandler } from './time.js';
import { serveUsersTcp, usersUdpHandler } from './users.js';

export const SERVICE_NAMES = [
  'echo',
  'discard',
  'users',
  'daytime',
  'qotd',
  'chargen',
  'time',
  'finger',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceOptions {
  host?: string;
  port: number;
  log?: Logger;
  signal?: AbortSignal;
  tcpLimits?: Partial<TcpLimits>;
  udpLimits?: Partial<UdpLimits>;
  /** qotd: quotes file (default data/quotes.txt). */
  quotes?: string;
  /** users, finger: utmp file (default /var/run/utmp). */
  utmp?: string;
  /** finger: passwd file for names and homes (default: none). */
  passwd?: string;
  /** finger: answer the empty query with the user list (default true). */
  allowUserList?: boolean;
}

interface Spec {
  port: number;
  description: string;
  tcp?: (o: ServiceOptions) => (s: Duplex) => ConnHandle | undefined;
  udp?: (o: ServiceOptions) => DatagramHandler;
  /** Per-service UDP limits over the shared defaults. */
  udpLimits?: Partial<UdpLimits>;
  /** Per-service TCP limits over the shared defaults. */
  tcpLimits?: Partial<TcpLimits>;
  /** The service writes its answer and closes without reading: skip read setup and Nagle. */
  speakOnly?: boolean;
  /** Answer-and-close services: the reply for each new connection (served by listenReplyAndClose). */
  reply?: () => Uint8Array;
  /** Byte-stream services that never parse input: what the TCP handle fast path does (listenStream). */
  stream?: () => StreamMode;
}

/**
 * TCP limits shared by the classic services, over listenTcp's defaults: one address may hold at
 * most 256 connections, so a single client cannot take all 10,000 (nobody else would be served).
 */
export const CLASSIC_TCP_LIMITS: Partial<TcpLimits> = { perSourceConnections: 256 };

const quoteRing = (o: ServiceOptions) => new QuoteRing(loadQuotes(o.quotes));

export const SPECS: Record<ServiceName, Spec> = {
  echo: {
    port: 7,
    description: 'Echo (RFC 862): sends back what it receives',
    tcp: () => serveEchoTcp,
    stream: () => ({ kind: 'echo' }),
    udp: echoUdpHandler,
    // Echo never amplifies (the reply is the request), so it answers datagrams whole; a client
    // repeating one payload back-to-back is told from an echo↔echo loop after 16 repeats.
    udpLimits: { maxReplyBytes: MAX_UDP_PAYLOAD, maxReflections: 16, peerRatePerSec: 1000, peerBurst: 2000 },
  },
  discard: {
    port: 9,
    description: 'Discard (RFC 863): reads and throws away',
    tcp: () => serveDiscardTcp,
    stream: () => ({ kind: 'discard' }),
    udp: discardUdpHandler,
  },
  users: {
    port: 11,
    description: 'Active Users (RFC 866): who is logged in, from utmp',
    tcp: (o) => (s) => serveUsersTcp(s, { utmp: o.utmp }),
    udp: (o) => usersUdpHandler({ utmp: o.utmp, maxDatagrams: 4 }),
    udpLimits: { maxRepliesPerRequest: 4 },
  },
  daytime: {
    port: 13,
    description: 'Daytime (RFC 867): the date as text (ctime form)',
    tcp: () => serveDaytimeTcp,
    udp: daytimeUdpHandler,
    speakOnly: true,
    reply: () => daytimeBytes(),
  },
  qotd: {
    port: 17,
    description: 'Quote of the Day (RFC 865): a quote under 512 characters',
    tcp: (o) => {
      const ring = quoteRing(o);
      return (s) => serveQotdTcp(s, ring);
    },
    udp: (o) => qotdUdpHandler(quoteRing(o)),
  },
  chargen: {
    port: 19,
    description: 'Character Generator (RFC 864): the 72-column ring, as fast as you read',
    tcp: () => (s) => serveChargenTcp(s),
    stream: () => ({ kind: 'source', block: chargenSourceBlock() }),
    udp: () => chargenUdpHandler(),
  },
  time: {
    port: 37,
    description: 'Time (RFC 868): seconds since 1900, 32-bit big-endian',
    tcp: () => serveTimeTcp,
    udp: timeUdpHandler,
    speakOnly: true,
    reply: () => timeBytes(),
  },
  finger: {
    port: 79,
    description: 'Finger (RFC 1288): user information; forwarding refused',
    tcp: (o) => (s) =>
      serveFingerTcp(s, { utmp: o.utmp, passwd: o.passwd, allowUserList: o.allowUserList, log: o.log }),
    tcpLimits: { idleTimeoutMs: 30_000 },
  },
};

/** Starts one service on one transport. */
export function startService(
  name: ServiceName,
  protocol: 'tcp' | 'udp',
  o: ServiceOptions,
): Promise<RunningServer> {
  const spec = SPECS[name];
  if (protocol === 'tcp') {
    if (!spec.tcp) throw new Error(`${name} has no TCP form`);
    if (spec.reply) {
      return listenReplyAndClose({
        name,
        host: o.host,
        port: o.port,
        log: o.log,
        signal: o.signal,
        limits: { ...CLASSIC_TCP_LIMITS, ...spec.tcpLimits, ...o.tcpLimits },
        reply: spec.reply,
      });
    }
    const handler = spec.tcp(o);
    if (spec.stream) {
      return listenStream({
        name,
        host: o.host,
        port: o.port,
        log: o.log,
        signal: o.signal,
        limits: { ...CLASSIC_TCP_LIMITS, ...spec.tcpLimits, ...o.tcpLimits },
        mode: spec.stream(),
        onConnection: (s) => handler(s),
      });
    }
    return listenTcp({
      name,
      host: o.host,
      port: o.port,
      log: o.log,
      signal: o.signal,
      limits: { ...CLASSIC_TCP_LIMITS, ...spec.tcpLimits, ...o.tcpLimits },
      pauseOnConnect: spec.speakOnly,
      noDelay: !spec.speakOnly,
      onConnection: (s) => handler(s),
    });
  }
  if (!spec.udp) throw new Error(`${name} has no UDP form`);
  return listenUdp({
    name,
    host: o.host,
    port: o.port,
    log: o.log,
    signal: o.signal,
    limits: { ...spec.udpLimits, ...o.udpLimits },
    onDatagram: spec.udp(o),
  });
}

function tryCommand(name: ServiceName, protocol: 'tcp' | 'udp', host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const udp = protocol === 'udp' ? ' --udp' : '';
  switch (name) {
    case 'daytime':
      return `netkit daytime ${h} -p ${port}${udp}`; // the course client: its default port is 21566
    case 'chargen':
      return `netkit chargen ${h} --port ${port}${udp || ' --bytes 740'}`;
    case 'finger':
      return `netkit finger @${h} --port ${port}`;
    default:
      return `netkit ${name} ${h} --port ${port}${udp}`;
  }
}

export const servicesCatalog: CatalogEntry[] = SERVICE_NAMES.flatMap((name) => {
  const spec = SPECS[name];
  const protocols = (['tcp', 'udp'] as const).filter((p) => spec[p] !== undefined);
  return protocols.map(
    (protocol): CatalogEntry => ({
      name,
      protocol,
      defaultPort: spec.port,
      description: spec.description,
      start: (opts) => {
        const set = opts.settings ?? {};
        const text = (k: string) => (typeof set[k] === 'string' ? (set[k] as string) : undefined);
        return startService(name, protocol, {
          ...opts,
          quotes: text('quotes'),
          utmp: text('utmp'),
          passwd: text('passwd'),
          allowUserList: set['finger-user-list'] !== false,
        });
      },
      tryCommand: (host, port) => tryCommand(name, protocol, host, port),
    }),
  );
});
