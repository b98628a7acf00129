// The slides' day/time server (port 21566): ctime() + "\nHave a nice day!", then close.
// Sent in one write, so the slides' client reads it all with one recv(1024).

import type { Logger } from '../core/log.js';
import { listenReplyAndClose } from '../core/reply-server.js';
import type { TcpLimits, TcpServer } from '../core/tcp-server.js';
import { type Encoding, encodeText } from '../core/text.js';
import { CtimeCache } from '../core/time.js';

export const COURSE_DAYTIME_PORT = 21566;

export interface CourseDaytimeOptions {
  host?: string;
  port?: number;
  encoding?: Encoding;
  limits?: Partial<TcpLimits>;
  log?: Logger;
  signal?: AbortSignal;
  /** Clock, for tests. */
  now?: () => number;
}

export function daytimeMessage(ctimeText: string): string {
  return `${ctimeText}\nHave a nice day!`;
}

export function serveCourseDaytime(opts: CourseDaytimeOptions = {}): Promise<TcpServer> {
  const cache = new CtimeCache();
  const now = opts.now ?? Date.now;
  const encoding = opts.encoding ?? 'ascii';
  let lastText = '';
  let lastBytes: Uint8Array = new Uint8Array(0);
  const reply = () => {
    const text = cache.get(now());
    if (text !== lastText) {
      lastText = text;
      lastBytes = encodeText(daytimeMessage(text), encoding);
    }
    return lastBytes;
  };
  // With the slides' log lines the server needs sockets; without a log it answers on the TCP
  // handle directly (src/core/reply-server.ts). The bytes on the wire are the same.
  return listenReplyAndClose({
    name: 'daytime-server',
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? COURSE_DAYTIME_PORT,
    limits: { idleTimeoutMs: 10_000, ...opts.limits },
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    logWaiting: true,
    reply,
  });
}
