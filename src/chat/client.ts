// Clients for the course's servers. The chat client treats everything the server sends until it
// pauses (or closes) as one reply, so it works with netkit's servers, the slides' Python servers
// (no newline, one send() per message) and any line-based server.

import net from 'node:net';
import { ErrorCodes, NetkitError, networkError } from '../core/errors.js';
import { decodeText, type Encoding, encodeText } from '../core/text.js';

export interface ConnectOptions {
  host: string;
  port: number;
  timeoutMs?: number;
}

export function connectTcp(opts: ConnectOptions): Promise<net.Socket> {
  const addr = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: opts.host, port: opts.port });
    const t = setTimeout(() => {
      s.destroy();
      reject(
        new NetkitError(
          ErrorCodes.TIMEOUT,
          `connect ${addr}: timed out after ${opts.timeoutMs ?? 10_000} ms`,
        ),
      );
    }, opts.timeoutMs ?? 10_000);
    s.once('connect', () => {
      clearTimeout(t);
      s.off('error', onError);
      s.setNoDelay(true);
      resolve(s);
    });
    const onError = (err: Error) => {
      clearTimeout(t);
      reject(networkError('connect', addr, err));
    };
    s.once('error', onError);
  });
}

/** Reads until the server closes, as the slides' day/time client does (bounded: 64 KiB). */
export async function fetchDaytime(
  opts: ConnectOptions & { encoding?: Encoding; maxBytes?: number },
): Promise<string> {
  const s = await connectTcp(opts);
  const max = opts.maxBytes ?? 65_536;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const t = setTimeout(() => {
      s.destroy();
      reject(
        new NetkitError(
          ErrorCodes.TIMEOUT,
          `no reply from ${opts.host}:${opts.port} within ${opts.timeoutMs ?? 10_000} ms`,
        ),
      );
    }, opts.timeoutMs ?? 10_000);
    s.on('data', (c: Buffer) => {
      if (n + c.length > max) {
        chunks.push(c.subarray(0, max - n));
        n = max;
        s.destroy();
        return;
      }
      chunks.push(c);
      n += c.length;
    });
    s.on('error', (err) => {
      clearTimeout(t);
      reject(networkError('read', `${opts.host}:${opts.port}`, err));
    });
    s.on('close', () => {
      clearTimeout(t);
      resolve(decodeText(Buffer.concat(chunks), opts.encoding ?? 'utf-8'));
    });
  });
}

export interface ChatClientOptions extends ConnectOptions {
  encoding?: Encoding;
  /** A reply is complete when the server has sent nothing for this long (ms). */
  pauseMs?: number;
  /** Bytes kept for one reply; the rest of an oversized reply is dropped. */
  maxReplyBytes?: number;
}

/** One conversation with a line-based server. */
export class ChatClient {
  private readonly socket: net.Socket;
  private readonly encoding: Encoding;
  private readonly pauseMs: number;
  private readonly maxReply: number;
  private buf: Buffer[] = [];
  private bufBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly replies: string[] = [];
  private waiters: ((r: string | undefined) => void)[] = [];
  private closed = false;

  private constructor(socket: net.Socket, opts: ChatClientOptions) {
    this.socket = socket;
    this.encoding = opts.encoding ?? 'utf-8';
    this.pauseMs = opts.pauseMs ?? 80;
    this.maxReply = opts.maxReplyBytes ?? 1 << 20;
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.complete();
      this.closed = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    });
  }

  static async connect(opts: ChatClientOptions): Promise<ChatClient> {
    return new ChatClient(await connectTcp(opts), opts);
  }

  /** Sends one message, ended by LF. */
  send(text: string): void {
    if (!this.closed) this.socket.write(encodeText(`${text}\n`, this.encoding));
  }

  /** The next reply, or undefined when the server has closed (or `timeoutMs` passed). */
  next(timeoutMs = 10_000): Promise<string | undefined> {
    const r = this.replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(undefined);
      }, timeoutMs);
      const done = (v: string | undefined) => {
        clearTimeout(t);
        resolve(v);
      };
      this.waiters.push(done);
    });
  }

  /** Replies that arrived without being asked for (queue positions, goodbyes). */
  takePending(): string[] {
    return this.replies.splice(0);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onData(c: Buffer): void {
    if (this.bufBytes < this.maxReply) {
      const keep = c.subarray(0, this.maxReply - this.bufBytes);
      this.buf.push(keep);
      this.bufBytes += keep.length;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.complete(), this.pauseMs);
  }

  private complete(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.bufBytes === 0) return;
    let text = decodeText(Buffer.concat(this.buf), this.encoding);
    this.buf = [];
    this.bufBytes = 0;
    text = text.replace(/\r?\n$/, '').replace(/\r\n/g, '\n');
    const w = this.waiters.shift();
    if (w) w(text);
    else this.replies.push(text);
  }
}
