// ONC RPC v2 clients (RFC 5531): UDP with xid matching and retransmission with back-off, TCP with
// record marking (one fragment per call, as rpcbind requires) and many calls in flight.

import dgram from 'node:dgram';
import net from 'node:net';
import { ErrorCodes, NetkitError, NetworkError, networkError } from '../../core/errors.js';
import { XdrReader } from '../xdr/reader.js';
import type { XdrType } from '../xdr/types.js';
import { XdrWriter } from '../xdr/writer.js';
import {
  AcceptStat,
  AUTH_NONE,
  AuthStat,
  type Mismatch,
  type OpaqueAuth,
  RejectStat,
  type ReplyHeader,
  readReplyHeader,
  statName,
  writeCallHeader,
} from './message.js';
import { DEFAULT_MAX_RECORD, RecordReader, writeRecordMark } from './record.js';

/**
 * The server answered, but not with SUCCESS. `acceptStat` (MSG_ACCEPTED) or `rejectStat`
 * (MSG_DENIED) says why; `mismatch` carries low/high for PROG_MISMATCH and RPC_MISMATCH,
 * `authStat` the reason for AUTH_ERROR.
 */
export class RpcError extends NetkitError {
  readonly reply: ReplyHeader;
  readonly acceptStat: number | undefined;
  readonly rejectStat: number | undefined;
  readonly authStat: number | undefined;
  readonly mismatch: Mismatch | undefined;
  constructor(reply: ReplyHeader) {
    super(ErrorCodes.RPC, `rpc: ${describeReply(reply)}`);
    this.name = 'RpcError';
    this.reply = reply;
    this.acceptStat = reply.stat === 'accepted' ? reply.acceptStat : undefined;
    this.rejectStat = reply.stat === 'denied' ? reply.rejectStat : undefined;
    this.authStat = reply.stat === 'denied' ? reply.authStat : undefined;
    this.mismatch = reply.mismatch;
  }
}

export function describeReply(r: ReplyHeader): string {
  if (r.stat === 'accepted') {
    const s = statName(AcceptStat, r.acceptStat);
    return r.mismatch ? `${s} (versions ${r.mismatch.low}–${r.mismatch.high})` : s;
  }
  if (r.rejectStat === RejectStat.RPC_MISMATCH) {
    return `RPC_MISMATCH (rpc versions ${r.mismatch?.low}–${r.mismatch?.high})`;
  }
  return `AUTH_ERROR ${statName(AuthStat, r.authStat ?? -1)}`;
}

export interface CallOptions {
  /** Overall time for this call (default: the client's `timeoutMs`). */
  timeoutMs?: number;
  /** Credential for this call (default: the client's `cred`). */
  cred?: OpaqueAuth;
}

export interface RpcClientOptions {
  host?: string;
  port: number;
  /** Credential sent with every call (default AUTH_NONE); verifier is AUTH_NONE. */
  cred?: OpaqueAuth;
  /** Time for a call before it fails with NETKIT_ERR_TIMEOUT (default 10 s). */
  timeoutMs?: number;
  /** UDP: first retransmission after this long, doubling each time (default 500 ms). */
  retryMs?: number;
  /** UDP: longest gap between retransmissions (default 4 s). */
  maxRetryMs?: number;
  /** Largest reply accepted (TCP record limit; default 1 MiB). */
  maxReply?: number;
  /** TCP: connection timeout (default: `timeoutMs`). */
  connectTimeoutMs?: number;
}

/** A connected ONC RPC client. `call` resolves with the decoded results or rejects with RpcError, a timeout or a NetworkError. */
export interface RpcClient {
  readonly transport: 'tcp' | 'udp';
  call<A, R>(
    prog: number,
    vers: number,
    proc: number,
    argType: XdrType<A>,
    arg: A,
    resType: XdrType<R>,
    opts?: CallOptions,
  ): Promise<R>;
  /** Calls in flight. */
  readonly pending: number;
  /** Graceful: waits for calls in flight (up to their timeouts), then closes. */
  close(): Promise<void>;
  /** Abrupt: fails calls in flight and closes now. */
  destroy(): void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  resType: XdrType<unknown>;
  timer: NodeJS.Timeout;
  retry?: NodeJS.Timeout;
}

let xidSeed = (Math.random() * 0x1_0000_0000) >>> 0;
function nextXid(): number {
  xidSeed = (xidSeed + 1) >>> 0;
  return xidSeed;
}

/** Decodes a whole reply for a pending call: results on SUCCESS, RpcError otherwise. */
function settle(p: Pending, reply: Uint8Array, start: number): void {
  try {
    const r = new XdrReader(reply, start);
    const h = readReplyHeader(r);
    if (h.stat === 'accepted' && h.acceptStat === AcceptStat.SUCCESS) {
      p.resolve(p.resType.decode(r));
    } else {
      p.reject(new RpcError(h));
    }
  } catch (err) {
    p.reject(err);
  }
}

function encodeCall<A>(
  w: XdrWriter,
  xid: number,
  prog: number,
  vers: number,
  proc: number,
  cred: OpaqueAuth,
  argType: XdrType<A>,
  arg: A,
): void {
  writeCallHeader(w, { xid, prog, vers, proc, cred });
  argType.encode(w, arg);
}

abstract class BaseClient {
  protected readonly pendingCalls = new Map<number, Pending>();
  protected readonly w = new XdrWriter(1024);
  protected readonly cred: OpaqueAuth;
  protected readonly timeoutMs: number;
  protected closed = false;
  protected readonly address: string;

  constructor(opts: RpcClientOptions) {
    this.cred = opts.cred ?? AUTH_NONE;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.address = `${opts.host ?? '127.0.0.1'}:${opts.port}`;
  }

  get pending(): number {
    return this.pendingCalls.size;
  }

  protected failAll(err: unknown): void {
    for (const [xid, p] of this.pendingCalls) {
      clearTimeout(p.timer);
      if (p.retry) clearTimeout(p.retry);
      this.pendingCalls.delete(xid);
      p.reject(err);
    }
  }

  /** Matches a reply to its call; replies with an unknown xid are dropped (RFC 5531 §9). */
  protected onReply(msg: Uint8Array): void {
    if (msg.length < 8) return;
    const xid = ((msg[0]! << 24) | (msg[1]! << 16) | (msg[2]! << 8) | msg[3]!) >>> 0;
    const p = this.pendingCalls.get(xid);
    if (!p) return;
    this.pendingCalls.delete(xid);
    clearTimeout(p.timer);
    if (p.retry) clearTimeout(p.retry);
    settle(p, msg, 0);
  }

  protected async drain(): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (this.pendingCalls.size > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

class UdpClient extends BaseClient implements RpcClient {
  readonly transport = 'udp' as const;
  private readonly socket: dgram.Socket;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(opts: RpcClientOptions, socket: dgram.Socket) {
    super(opts);
    this.socket = socket;
    this.retryMs = opts.retryMs ?? 500;
    this.maxRetryMs = opts.maxRetryMs ?? 4000;
    socket.on('message', (msg) => this.onReply(msg));
    socket.on('error', (err) => this.failAll(networkError('call', this.address, err)));
  }

  call<A, R>(
    prog: number,
    vers: number,
    proc: number,
    argType: XdrType<A>,
    arg: A,
    resType: XdrType<R>,
    opts: CallOptions = {},
  ): Promise<R> {
    if (this.closed) return Promise.reject(new NetworkError('call', this.address, 'client is closed'));
    const xid = nextXid();
    const w = this.w.reset();
    try {
      encodeCall(w, xid, prog, vers, proc, opts.cred ?? this.cred, argType, arg);
    } catch (err) {
      return Promise.reject(err);
    }
    const msg = w.copy();
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<R>((resolve, reject) => {
      const p: Pending = {
        resolve: resolve as (v: unknown) => void,
        reject,
        resType: resType as XdrType<unknown>,
        timer: setTimeout(() => {
          if (p.retry) clearTimeout(p.retry);
          this.pendingCalls.delete(xid);
          reject(
            new NetkitError(ErrorCodes.TIMEOUT, `rpc: no reply from ${this.address} within ${timeoutMs} ms`),
          );
        }, timeoutMs),
      };
      this.pendingCalls.set(xid, p);
      let gap = this.retryMs;
      const send = () => {
        this.socket.send(msg, (err) => {
          if (err && this.pendingCalls.get(xid) === p) {
            this.pendingCalls.delete(xid);
            clearTimeout(p.timer);
            if (p.retry) clearTimeout(p.retry);
            reject(networkError('send', this.address, err));
          }
        });
      };
      // Retransmit with the same xid, doubling the gap (RFC 5531 §9: the xid identifies retries).
      const schedule = () => {
        p.retry = setTimeout(() => {
          if (this.pendingCalls.get(xid) !== p) return;
          send();
          gap = Math.min(gap * 2, this.maxRetryMs);
          schedule();
        }, gap);
      };
      send();
      schedule();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.drain();
    this.destroy();
  }

  destroy(): void {
    this.closed = true;
    this.failAll(new NetworkError('call', this.address, 'client closed'));
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}

class TcpClient extends BaseClient implements RpcClient {
  readonly transport = 'tcp' as const;
  private readonly socket: net.Socket;
  private readonly records: RecordReader;

  constructor(opts: RpcClientOptions, socket: net.Socket) {
    super(opts);
    this.socket = socket;
    this.records = new RecordReader(opts.maxReply ?? DEFAULT_MAX_RECORD);
    socket.on('data', (chunk: Buffer) => {
      let recs: Uint8Array[];
      try {
        recs = this.records.push(chunk);
      } catch (err) {
        this.failAll(err);
        socket.destroy();
        return;
      }
      for (const rec of recs) this.onReply(rec);
    });
    socket.on('error', (err) => this.failAll(networkError('call', this.address, err)));
    socket.on('close', () => {
      this.closed = true;
      this.failAll(new NetworkError('call', this.address, 'connection closed by the server'));
    });
  }

  call<A, R>(
    prog: number,
    vers: number,
    proc: number,
    argType: XdrType<A>,
    arg: A,
    resType: XdrType<R>,
    opts: CallOptions = {},
  ): Promise<R> {
    if (this.closed) return Promise.reject(new NetworkError('call', this.address, 'connection is closed'));
    const xid = nextXid();
    const w = this.w.reset();
    try {
      w.reserve4();
      encodeCall(w, xid, prog, vers, proc, opts.cred ?? this.cred, argType, arg);
    } catch (err) {
      return Promise.reject(err);
    }
    // One fragment per call: rpcbind resets the connection on multi-fragment calls.
    const frame = w.copy();
    writeRecordMark(frame, 0, frame.length - 4);
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    return new Promise<R>((resolve, reject) => {
      const p: Pending = {
        resolve: resolve as (v: unknown) => void,
        reject,
        resType: resType as XdrType<unknown>,
        timer: setTimeout(() => {
          this.pendingCalls.delete(xid);
          reject(
            new NetkitError(ErrorCodes.TIMEOUT, `rpc: no reply from ${this.address} within ${timeoutMs} ms`),
          );
        }, timeoutMs),
      };
      this.pendingCalls.set(xid, p);
      this.socket.write(frame);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Drain first: closing with calls in flight kills stock rpcgen servers (SIGPIPE).
    await this.drain();
    this.closed = true;
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    });
  }

  destroy(): void {
    this.closed = true;
    this.failAll(new NetworkError('call', this.address, 'client destroyed'));
    this.socket.destroy();
  }
}

/** Opens a UDP client (a connected datagram socket: replies from other addresses are not seen). */
export function udpClient(opts: RpcClientOptions): Promise<RpcClient> {
  const host = opts.host ?? '127.0.0.1';
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => reject(networkError('connect', `${host}:${opts.port}`, err)));
    socket.connect(opts.port, host, () => {
      socket.removeAllListeners('error');
      resolve(new UdpClient(opts, socket));
    });
  });
}

/** Opens a TCP client. */
export function tcpClient(opts: RpcClientOptions): Promise<RpcClient> {
  const host = opts.host ?? '127.0.0.1';
  const address = `${host}:${opts.port}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: opts.port, noDelay: true });
    const t = setTimeout(
      () => {
        socket.destroy();
        reject(new NetkitError(ErrorCodes.TIMEOUT, `rpc: connect to ${address} timed out`));
      },
      opts.connectTimeoutMs ?? opts.timeoutMs ?? 10_000,
    );
    socket.once('error', (err) => {
      clearTimeout(t);
      reject(networkError('connect', address, err));
    });
    socket.once('connect', () => {
      clearTimeout(t);
      socket.removeAllListeners('error');
      resolve(new TcpClient(opts, socket));
    });
  });
}

/** Opens a client over `transport`. */
export function rpcClient(transport: 'tcp' | 'udp', opts: RpcClientOptions): Promise<RpcClient> {
  return transport === 'tcp' ? tcpClient(opts) : udpClient(opts);
}
