// The slides' chat server, two ways: one-on-one with a human operator (later clients wait in a
// queue and are told their place), or with a bot, where every client gets its own personality and
// conversation, many at once. An empty message ends a conversation.

import type { Duplex } from 'node:stream';
import type { Logger } from '../core/log.js';
import { silentLogger } from '../core/log.js';
import { type ConnInfo, listenTcp, type TcpLimits, type TcpServer } from '../core/tcp-server.js';
import type { Encoding } from '../core/text.js';
import { type ChannelLimits, MessageChannel } from './channel.js';
import type { PersonalityFactory } from './personality.js';

export const CHAT_PORT = 21567;
export const THERAPY_PORT = 21568;
export const WELCOME = 'Welcome to my chat room!';
export const GOODBYE = 'Server shutting down. Goodbye!';

/** The human at the server's console, in operator mode. */
export interface Operator {
  /** Shows a client's message; resolves with the answer. An empty answer ends the conversation. */
  answer(message: string, client: ConnInfo): Promise<string>;
  /** A new conversation started, or one ended (for the console). */
  conversation?(event: 'start' | 'end', client: ConnInfo): void;
}

export interface ChatServerOptions {
  host?: string;
  port?: number;
  /** A bot answers every client (many at once); without one, `operator` answers one client at a time. */
  bot?: PersonalityFactory;
  operator?: Operator;
  greeting?: string;
  encoding?: Encoding;
  /** An unterminated message counts once the sender pauses this long (ms). */
  pauseMs?: number;
  limits?: Partial<TcpLimits & ChannelLimits>;
  log?: Logger;
  signal?: AbortSignal;
  name?: string;
}

export function queueMessage(position: number): string {
  return `Please wait: you are number ${position} in the queue.`;
}

export function serveChat(opts: ChatServerOptions): Promise<TcpServer> {
  if (!opts.bot && !opts.operator) throw new TypeError('serveChat needs a bot or an operator');
  const log = opts.log ?? silentLogger;
  const name = opts.name ?? (opts.bot ? 'therapy-server' : 'chat-server');
  const limits = opts.limits ?? {};
  const channelOpts = {
    ...(opts.encoding ? { encoding: opts.encoding } : {}),
    ...(opts.pauseMs !== undefined ? { pauseMs: opts.pauseMs } : {}),
    limits,
  };

  // ---- bot mode: every connection its own conversation ----
  const botConnection = (stream: Duplex, info: ConnInfo) => {
    const bot = opts.bot!();
    const ch = new MessageChannel(
      stream,
      {
        onMessage(text) {
          if (text === '') {
            ch.end(bot.farewell?.()); // onEnd logs the disconnection once the peer has gone
            return;
          }
          let answer: string;
          try {
            answer = bot.reply(text);
          } catch (err) {
            log({ level: 'error', event: 'bot-error', source: name, error: (err as Error).message });
            answer = 'Sorry, I lost my train of thought. Please go on.';
          }
          ch.send(answer);
        },
        onEnd() {
          log({ level: 'info', event: 'client-disconnected', source: name, remote: info.remoteAddress });
          ch.end();
        },
      },
      channelOpts,
    );
    ch.send(opts.greeting ?? bot.greeting());
    return { goodbye: () => ch.end(GOODBYE) };
  };

  // ---- operator mode: one conversation at a time, the rest queue ----
  type Waiting = { ch: MessageChannel; info: ConnInfo };
  const queue: Waiting[] = [];
  let active: Waiting | undefined;
  let busy = false; // waiting for the operator's answer

  const startNext = () => {
    active = undefined;
    while (queue.length > 0) {
      const next = queue.shift()!;
      if (next.ch.isClosing) continue;
      active = next;
      for (const [i, w] of queue.entries()) w.ch.send(queueMessage(i + 1));
      opts.operator!.conversation?.('start', next.info);
      next.ch.send(opts.greeting ?? WELCOME);
      next.ch.release();
      return;
    }
    log({ level: 'info', event: 'waiting', source: name });
  };

  const endActive = (w: Waiting, last?: string) => {
    if (active !== w) return;
    opts.operator!.conversation?.('end', w.info);
    log({ level: 'info', event: 'client-disconnected', source: name, remote: w.info.remoteAddress });
    if (!w.ch.isClosing) w.ch.end(last);
    startNext();
  };

  const operatorConnection = (stream: Duplex, info: ConnInfo) => {
    const w: Waiting = { info, ch: undefined as unknown as MessageChannel };
    w.ch = new MessageChannel(
      stream,
      {
        onMessage(text) {
          if (active !== w) return;
          if (text === '') return endActive(w);
          busy = true;
          w.ch.hold(); // one question at a time: the rest wait in the kernel and the framer
          opts.operator!.answer(text, info).then(
            (answer) => {
              busy = false;
              if (active !== w || w.ch.isClosing) return;
              if (answer === '') return endActive(w);
              w.ch.send(answer);
              w.ch.release();
            },
            () => {
              busy = false;
              endActive(w);
            },
          );
        },
        onEnd() {
          if (active === w) endActive(w);
          else {
            const i = queue.indexOf(w);
            if (i >= 0) {
              queue.splice(i, 1);
              for (let j = i; j < queue.length; j++) queue[j]!.ch.send(queueMessage(j + 1));
            }
          }
        },
      },
      channelOpts,
    );
    w.ch.hold();
    queue.push(w);
    if (active === undefined) startNext();
    else w.ch.send(queueMessage(queue.length));
    return {
      goodbye: () => w.ch.end(GOODBYE),
      // A client waiting for its turn, or for the operator's answer, is not idle.
      exemptFromIdle: () => active !== w || busy,
    };
  };

  const listening = listenTcp({
    name,
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? (opts.bot ? THERAPY_PORT : CHAT_PORT),
    limits: { idleTimeoutMs: 600_000, ...limits },
    log,
    ...(opts.signal ? { signal: opts.signal } : {}),
    allowHalfOpen: true,
    logWaiting: false,
    busyMessage: () => 'Sorry, the server is full. Please try again later.\n',
    idleMessage: 'Closing: no message for too long. Goodbye!\n',
    onConnection: opts.bot ? botConnection : operatorConnection,
  });
  return listening.then((srv) => {
    if (!opts.bot) log({ level: 'info', event: 'waiting', source: name });
    return srv;
  });
}
