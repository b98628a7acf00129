// Message framing for the course's chat programs over any Duplex.
//
// The rule (docs/protocols/chat.md): a message is a line ended by LF or CRLF. The slides' Python
// programs send one message per send() with no newline and then wait for an answer, so bytes that
// stay unterminated while the sender pauses for `pauseMs` also form a message. Replies use the
// terminator the peer last used: LF or CRLF for line-based peers (nc, telnet, netkit), none for
// the slides' programs (which read whatever one recv(1024) returns).

import type { Duplex } from 'node:stream';
import { DEFAULT_MAX_LINE, LineFramer, type Terminator } from '../core/lines.js';
import { TokenBucket } from '../core/rate.js';
import { type Encoding, encodeText } from '../core/text.js';

export interface ChannelLimits {
  /** Bytes in one message; a longer one gets one error line and the connection closes. */
  maxLineLength: number;
  /** Messages per second one connection may send; faster senders are slowed (never dropped). */
  messageRate: number;
  /** Messages allowed in a burst above the rate. */
  messageBurst: number;
}

export const DEFAULT_CHANNEL_LIMITS: ChannelLimits = {
  maxLineLength: DEFAULT_MAX_LINE,
  messageRate: 20,
  messageBurst: 40,
};

export interface ChannelOptions {
  encoding?: Encoding;
  /** An unterminated chunk becomes a message after this many ms without more bytes (0: never). */
  pauseMs?: number;
  limits?: Partial<ChannelLimits>;
  /** Clock, for tests. */
  now?: () => number;
}

export interface ChannelHandlers {
  onMessage(text: string, terminator: Terminator): void;
  /** The peer sent a line over the limit; the channel has already sent the error line and is closing. */
  onOverflow?(length: number): void;
  /** The peer closed, or the stream ended. */
  onEnd?(): void;
}

export const DEFAULT_PAUSE_MS = 60;

export class MessageChannel {
  readonly stream: Duplex;
  readonly encoding: Encoding;
  private readonly framer: LineFramer;
  private readonly pauseMs: number;
  private readonly bucket: TokenBucket;
  private readonly now: () => number;
  private readonly handlers: ChannelHandlers;
  private readonly queue: { text: string; terminator: Terminator }[] = [];
  private pauseTimer: NodeJS.Timeout | undefined;
  private rateTimer: NodeJS.Timeout | undefined;
  private held = false; // paused by the owner (queued chat clients)
  private inputEnded = false; // the peer sent FIN: answer what is queued, then report the end
  private endReported = false;
  private closing = false;
  /** The terminator for our replies: the one the peer used last (LF before the peer has spoken). */
  replyTerminator: Terminator = '\n';

  constructor(stream: Duplex, handlers: ChannelHandlers, opts: ChannelOptions = {}) {
    const limits = { ...DEFAULT_CHANNEL_LIMITS, ...opts.limits };
    this.stream = stream;
    this.handlers = handlers;
    this.encoding = opts.encoding ?? 'utf-8';
    this.framer = new LineFramer({ encoding: this.encoding, maxLineLength: limits.maxLineLength });
    this.pauseMs = opts.pauseMs ?? DEFAULT_PAUSE_MS;
    this.now = opts.now ?? Date.now;
    this.bucket = new TokenBucket(limits.messageRate, limits.messageBurst, this.now());
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onInputEnd());
    stream.on('close', () => this.onClose());
    stream.on('error', () => {}); // reported by the server wrapper; a reset is a normal end here
  }

  /** Sends one message with the reply terminator. Returns false when the peer is not reading. */
  send(text: string): boolean {
    if (this.closing || this.stream.destroyed || !this.stream.writable) return false;
    const ok = this.stream.write(encodeText(text + this.replyTerminator, this.encoding));
    if (!ok) {
      // The peer is not reading its answers: stop reading its questions until it does.
      this.stream.pause();
      this.stream.once('drain', () => this.resumeIfAllowed());
    }
    return ok;
  }

  /** Sends a last message (if any) and half-closes; the socket closes when the peer does. */
  end(last?: string): void {
    if (this.closing) return;
    if (last !== undefined) this.send(last);
    this.closing = true;
    this.clearTimers();
    this.queue.length = 0;
    this.stream.end();
    // A peer that never closes its side must not hold the connection forever.
    setTimeout(() => this.stream.destroy(), 2000).unref();
  }

  /** Stops delivering messages (bytes wait in the kernel) until release(). */
  hold(): void {
    this.held = true;
    this.stream.pause();
  }

  release(): void {
    this.held = false;
    this.drainQueue();
    this.resumeIfAllowed();
  }

  get isClosing(): boolean {
    return this.closing || this.endReported;
  }

  private resumeIfAllowed(): void {
    if (!this.held && !this.closing && this.queue.length === 0 && !this.stream.writableNeedDrain) {
      this.stream.resume();
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    for (const ev of this.framer.push(chunk)) {
      if (ev.kind === 'overflow') {
        const max = this.framer.maxLineLength;
        this.send(`ERROR: line too long (over ${max} bytes); closing`);
        this.handlers.onOverflow?.(ev.length);
        this.end();
        return;
      }
      this.queue.push({ text: ev.text, terminator: ev.terminator });
    }
    if (this.framer.bufferedBytes > 0 && this.pauseMs > 0) {
      this.pauseTimer = setTimeout(() => {
        this.pauseTimer = undefined;
        const ev = this.framer.flush();
        if (ev?.kind === 'line') {
          this.queue.push({ text: ev.text, terminator: '' });
          this.drainQueue();
        }
      }, this.pauseMs);
    }
    this.drainQueue();
  }

  private drainQueue(): void {
    if (this.closing) return;
    while (this.queue.length > 0 && !this.held) {
      const wait = this.bucket.waitMs(this.now());
      if (wait > 0) {
        this.stream.pause();
        if (!this.rateTimer) {
          this.rateTimer = setTimeout(() => {
            this.rateTimer = undefined;
            this.drainQueue();
          }, wait);
        }
        return;
      }
      this.bucket.take(this.now());
      const m = this.queue.shift()!;
      this.replyTerminator = m.terminator;
      this.handlers.onMessage(m.text, m.terminator);
    }
    if (this.queue.length > 0) this.stream.pause();
    else if (this.inputEnded) this.reportEnd();
    else this.resumeIfAllowed();
  }

  private onInputEnd(): void {
    // Deliver what the peer sent before its FIN (the slides' clients close right after sending).
    this.inputEnded = true;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = undefined;
    if (!this.closing) {
      const ev = this.framer.flush();
      if (ev?.kind === 'line') this.queue.push({ text: ev.text, terminator: '' });
    }
    this.drainQueue();
  }

  private onClose(): void {
    this.queue.length = 0;
    this.clearTimers();
    this.reportEnd();
  }

  private reportEnd(): void {
    if (this.endReported) return;
    this.endReported = true;
    this.handlers.onEnd?.();
  }

  private clearTimers(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    if (this.rateTimer) clearTimeout(this.rateTimer);
    this.pauseTimer = undefined;
    this.rateTimer = undefined;
  }
}
