// ONC RPC v2 server (RFC 5531 §9–§11): a registry of programs, versions and procedures, a
// transport-independent dispatcher that answers every error case as the RFC says, and TCP
// (record marking, via listenTcp) and UDP transports with limits.

import dgram from 'node:dgram';
import net from 'node:net';
import { ErrorCodes, NetkitError, networkError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/log.js';
import type { RunningServer } from '../../core/service.js';
import { listenTcp, type TcpLimits, type TcpServer } from '../../core/tcp-server.js';
import { XdrReader } from '../xdr/reader.js';
import type { XdrType } from '../xdr/types.js';
import { XdrWriter } from '../xdr/writer.js';
import {
  AcceptStat,
  AuthFlavor,
  AuthStat,
  type AuthSysParms,
  authSysParms,
  type CallHeader,
  MAX_AUTH_BYTES,
  MsgType,
  type OpaqueAuth,
  RejectStat,
  RPC_VERSION,
  writeAcceptedReply,
  writeDeniedReply,
} from './message.js';
import { DEFAULT_MAX_RECORD, RecordReader, writeRecordMark } from './record.js';

/** What a handler knows about the call it serves. */
export interface CallInfo {
  xid: number;
  prog: number;
  vers: number;
  proc: number;
  cred: OpaqueAuth;
  verf: OpaqueAuth;
  /** The decoded credential when its flavor is AUTH_SYS. */
  authSys?: AuthSysParms;
  transport: 'tcp' | 'udp';
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

/** One procedure: argument and result codecs and the handler. */
// biome-ignore lint/suspicious/noExplicitAny: one table holds procedures of every argument type
export interface Procedure<A = any, R = any> {
  name?: string;
  arg: XdrType<A>;
  res: XdrType<R>;
  handler(arg: A, call: CallInfo): R | Promise<R> | typeof NO_REPLY | Promise<R | typeof NO_REPLY>;
}

/** One version of a program and its procedures (procedure 0 should be NULL). */
export interface ProgramVersion {
  prog: number;
  vers: number;
  name?: string;
  procs: Record<number, Procedure>;
  /**
   * Credential flavors accepted (default: AUTH_NONE and AUTH_SYS). Others get AUTH_ERROR
   * AUTH_TOOWEAK, except for procedure 0 which by convention needs no authentication.
   */
  authFlavors?: readonly number[];
}

/** Builds a typed procedure (infers A and R from the codecs). */
export function procedure<A, R>(
  arg: XdrType<A>,
  res: XdrType<R>,
  handler: Procedure<A, R>['handler'],
  name?: string,
): Procedure<A, R> {
  return name === undefined ? { arg, res, handler } : { name, arg, res, handler };
}

/** Returned by a handler: send no reply at all (e.g. an indirect call that failed). */
export const NO_REPLY: unique symbol = Symbol('NO_REPLY');

/**
 * Thrown by a handler to answer with an error status instead of results:
 * `RpcFault.accept(AcceptStat.GARBAGE_ARGS)` or `RpcFault.auth(AuthStat.AUTH_TOOWEAK)`.
 */
export class RpcFault extends NetkitError {
  readonly acceptStat: number | undefined;
  readonly authStat: number | undefined;
  constructor(acceptStat: number | undefined, authStat: number | undefined, message: string) {
    super(ErrorCodes.RPC, message);
    this.name = 'RpcFault';
    this.acceptStat = acceptStat;
    this.authStat = authStat;
  }
  static accept(stat: number): RpcFault {
    return new RpcFault(stat, undefined, `rpc: accept_stat ${stat}`);
  }
  static auth(stat: number): RpcFault {
    return new RpcFault(undefined, stat, `rpc: auth_stat ${stat}`);
  }
}

export interface PeerInfo {
  transport: 'tcp' | 'udp';
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
}

export interface DispatcherOptions {
  log?: Logger;
  /** Largest reply encoded (default 1 MiB); a bigger result becomes SYSTEM_ERR. */
  maxReply?: number;
  /** Name used in log events (default 'rpc-server'). */
  name?: string;
}

const DEFAULT_FLAVORS: readonly number[] = [AuthFlavor.AUTH_NONE, AuthFlavor.AUTH_SYS];

/**
 * Programs and their dispatch. `dispatch(message, peer)` returns the reply framed for TCP (4
 * bytes of record mark, then the message; UDP sends `subarray(4)`), `undefined` when no reply
 * is due, or a promise of either when a handler is asynchronous. It never throws.
 */
export class RpcDispatcher {
  private readonly progs = new Map<number, Map<number, ProgramVersion>>();
  private readonly log: Logger;
  private readonly w: XdrWriter;
  readonly name: string;

  constructor(opts: DispatcherOptions = {}) {
    this.log = opts.log ?? silentLogger;
    this.w = new XdrWriter(4096, (opts.maxReply ?? DEFAULT_MAX_RECORD) + 4);
    this.name = opts.name ?? 'rpc-server';
  }

  /** Registers (or replaces) one program version. */
  add(v: ProgramVersion): this {
    let m = this.progs.get(v.prog);
    if (!m) {
      m = new Map();
      this.progs.set(v.prog, m);
    }
    m.set(v.vers, v);
    return this;
  }

  remove(prog: number, vers: number): void {
    const m = this.progs.get(prog);
    m?.delete(vers);
    if (m && m.size === 0) this.progs.delete(prog);
  }

  /** Registered (prog, vers) pairs. */
  list(): { prog: number; vers: number; name?: string }[] {
    const out: { prog: number; vers: number; name?: string }[] = [];
    for (const m of this.progs.values())
      for (const v of m.values()) out.push({ prog: v.prog, vers: v.vers, name: v.name });
    return out;
  }

  dispatch(msg: Uint8Array, peer: PeerInfo): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    // Fewer than 12 bytes cannot say which rpcvers they want: nothing sensible to answer.
    if (msg.length < 12) return this.drop(peer, 'short message');
    const r = new XdrReader(msg);
    const xid = r.uint();
    if (r.uint() !== MsgType.CALL) return this.drop(peer, 'not a call');
    const rpcvers = r.uint();
    // RFC 5531 §9: "the server … must reply with MSG_DENIED/RPC_MISMATCH" for other versions.
    if (rpcvers !== RPC_VERSION) {
      return this.reply((w) =>
        writeDeniedReply(w, xid, { rejectStat: RejectStat.RPC_MISMATCH, mismatch: { low: 2, high: 2 } }),
      );
    }
    let h: CallHeader;
    try {
      const prog = r.uint();
      const vers = r.uint();
      const proc = r.uint();
      const credFlavor = r.uint();
      const credLen = r.uint();
      if (credLen > MAX_AUTH_BYTES) return this.authError(xid, AuthStat.AUTH_BADCRED);
      r.pos -= 4;
      const cred = { flavor: credFlavor, body: r.opaque(MAX_AUTH_BYTES) };
      const verfFlavor = r.uint();
      const verfLen = r.uint();
      if (verfLen > MAX_AUTH_BYTES) return this.authError(xid, AuthStat.AUTH_BADVERF);
      r.pos -= 4;
      const verf = { flavor: verfFlavor, body: r.opaque(MAX_AUTH_BYTES) };
      h = { xid, rpcvers, prog, vers, proc, cred, verf };
    } catch {
      // A call header cut short: the credential cannot be checked, so no reply (as libtirpc).
      return this.drop(peer, 'truncated call header');
    }

    // Authentication (RFC 5531 §8, appendix A).
    let authSys: AuthSysParms | undefined;
    if (h.cred.flavor === AuthFlavor.AUTH_SYS) {
      try {
        authSys = decodeAuthSysStrict(h.cred.body);
      } catch {
        return this.authError(xid, AuthStat.AUTH_BADCRED);
      }
    } else if (h.cred.flavor !== AuthFlavor.AUTH_NONE) {
      return this.authError(xid, AuthStat.AUTH_REJECTEDCRED);
    }

    const versions = this.progs.get(h.prog);
    if (!versions) return this.accepted(xid, AcceptStat.PROG_UNAVAIL);
    const pv = versions.get(h.vers);
    if (!pv) {
      let low = 0xffff_ffff;
      let high = 0;
      for (const v of versions.keys()) {
        if (v < low) low = v;
        if (v > high) high = v;
      }
      return this.reply((w) => writeAcceptedReply(w, xid, AcceptStat.PROG_MISMATCH, { low, high }));
    }
    const procedure = pv.procs[h.proc];
    if (!procedure) return this.accepted(xid, AcceptStat.PROC_UNAVAIL);
    if (h.proc !== 0 && !(pv.authFlavors ?? DEFAULT_FLAVORS).includes(h.cred.flavor)) {
      return this.authError(xid, AuthStat.AUTH_TOOWEAK);
    }

    let arg: unknown;
    try {
      // Trailing bytes after the arguments are ignored, as libtirpc does.
      arg = procedure.arg.decode(r);
    } catch {
      // Any decoder failure (ours throw only DecodeError) means the arguments are garbage.
      this.log({ level: 'debug', event: 'garbage-args', source: this.name, prog: h.prog, proc: h.proc });
      return this.accepted(xid, AcceptStat.GARBAGE_ARGS);
    }
    // Built field by field (an object spread here cost more than the rest of the dispatch).
    const call: CallInfo = {
      xid,
      prog: h.prog,
      vers: h.vers,
      proc: h.proc,
      cred: h.cred,
      verf: h.verf,
      authSys,
      transport: peer.transport,
      remoteAddress: peer.remoteAddress,
      remotePort: peer.remotePort,
      localAddress: peer.localAddress,
      localPort: peer.localPort,
    };

    let result: unknown;
    try {
      result = procedure.handler(arg, call);
    } catch (err) {
      return this.fault(xid, err, h);
    }
    if (result instanceof Promise) {
      return result.then(
        (v) => this.success(xid, procedure, v, h),
        (err) => this.fault(xid, err, h),
      );
    }
    return this.success(xid, procedure, result, h);
  }

  private success(xid: number, p: Procedure, v: unknown, h: CallHeader): Uint8Array | undefined {
    if (v === NO_REPLY) return undefined;
    try {
      const w = this.w.reset();
      w.reserve4();
      writeAcceptedReply(w, xid, AcceptStat.SUCCESS);
      p.res.encode(w, v);
      return this.finish(w);
    } catch (err) {
      this.log({
        level: 'error',
        event: 'result-encode-error',
        source: this.name,
        prog: h.prog,
        vers: h.vers,
        proc: h.proc,
        error: (err as Error).message,
      });
      return this.accepted(xid, AcceptStat.SYSTEM_ERR);
    }
  }

  private fault(xid: number, err: unknown, h: CallHeader): Uint8Array | undefined {
    if (err instanceof RpcFault) {
      if (err.authStat !== undefined) return this.authError(xid, err.authStat);
      return this.accepted(xid, err.acceptStat ?? AcceptStat.SYSTEM_ERR);
    }
    this.log({
      level: 'error',
      event: 'handler-error',
      source: this.name,
      prog: h.prog,
      vers: h.vers,
      proc: h.proc,
      error: (err as Error)?.message ?? String(err),
    });
    return this.accepted(xid, AcceptStat.SYSTEM_ERR);
  }

  private drop(peer: PeerInfo, reason: string): undefined {
    this.log({ level: 'debug', event: 'dropped', source: this.name, reason, remote: peer.remoteAddress });
    return undefined;
  }

  private accepted(xid: number, stat: number): Uint8Array {
    return this.reply((w) => writeAcceptedReply(w, xid, stat));
  }

  private authError(xid: number, authStat: number): Uint8Array {
    return this.reply((w) => writeDeniedReply(w, xid, { rejectStat: RejectStat.AUTH_ERROR, authStat }));
  }

  private reply(write: (w: XdrWriter) => void): Uint8Array {
    const w = this.w.reset();
    w.reserve4();
    write(w);
    return this.finish(w);
  }

  private finish(w: XdrWriter): Uint8Array {
    const out = w.copy();
    writeRecordMark(out, 0, out.length - 4);
    return out;
  }
}

/** Decodes an AUTH_SYS body strictly: every byte must belong to the credential. */
function decodeAuthSysStrict(body: Uint8Array): AuthSysParms {
  const r = new XdrReader(body);
  const v = authSysParms.decode(r);
  r.done();
  return v;
}

// ------------------------------------------------------------------ transports

export interface RpcTcpOptions {
  host?: string;
  port: number;
  log?: Logger;
  signal?: AbortSignal;
  limits?: Partial<TcpLimits>;
  /** Largest call record (default 1 MiB); a bigger one closes the connection. */
  maxRecord?: number;
  /** Asynchronous calls in progress per connection before reading pauses (default 64). */
  maxInFlight?: number;
  name?: string;
}

/** Serves the dispatcher over TCP with record marking (multi-fragment calls accepted). */
export function listenRpcTcp(d: RpcDispatcher, opts: RpcTcpOptions): Promise<TcpServer> {
  const log = opts.log ?? silentLogger;
  const name = opts.name ?? `${d.name}-tcp`;
  const maxInFlight = opts.maxInFlight ?? 64;
  return listenTcp({
    name,
    host: opts.host,
    port: opts.port,
    limits: opts.limits,
    log,
    signal: opts.signal,
    onConnection(stream, info) {
      const records = new RecordReader(opts.maxRecord ?? DEFAULT_MAX_RECORD);
      const peer: PeerInfo = { transport: 'tcp', ...info };
      let inFlight = 0;
      let blocked = false;
      const updateFlow = () => {
        const shouldPause = inFlight >= maxInFlight || blocked;
        if (shouldPause && !stream.isPaused()) stream.pause();
        else if (!shouldPause && stream.isPaused()) stream.resume();
      };
      const send = (frame: Uint8Array | undefined) => {
        if (!frame || stream.destroyed || !stream.writable) return;
        if (!stream.write(frame) && !blocked) {
          blocked = true;
          updateFlow();
          stream.once('drain', () => {
            blocked = false;
            updateFlow();
          });
        }
      };
      stream.on('data', (chunk: Buffer) => {
        let recs: Uint8Array[];
        try {
          recs = records.push(chunk);
        } catch (err) {
          log({
            level: 'warn',
            event: 'bad-record',
            source: name,
            remote: info.remoteAddress,
            error: (err as Error).message,
          });
          stream.destroy();
          return;
        }
        for (const rec of recs) {
          const out = d.dispatch(rec, peer);
          if (out instanceof Promise) {
            inFlight++;
            updateFlow();
            void out.then((frame) => {
              inFlight--;
              send(frame);
              updateFlow();
            });
          } else {
            send(out);
          }
        }
      });
      stream.on('end', () => {
        if (inFlight === 0) stream.end();
      });
      return {
        goodbye() {
          stream.end();
        },
      };
    },
  });
}

export interface RpcUdpOptions {
  host?: string;
  port: number;
  log?: Logger;
  signal?: AbortSignal;
  /** Largest reply datagram (default 8800 bytes, libtirpc's UDPMSGSIZE); bigger → SYSTEM_ERR. */
  maxReply?: number;
  /**
   * UDP must not amplify: to a non-loopback source, a reply may be at most this many times the
   * call's size (default 1); a bigger one is replaced by SYSTEM_ERR. Loopback is exempt.
   */
  amplification?: number;
  name?: string;
}

export interface UdpServer extends RunningServer {
  readonly protocol: 'udp';
}

export function isLoopback(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}

/** The largest UDP reply allowed to `address` for a call of `callSize` bytes (no amplification off loopback). */
export function udpReplyLimit(address: string, callSize: number, maxReply: number, factor: number): number {
  return isLoopback(address) ? maxReply : Math.min(maxReply, callSize * factor);
}

/** Serves the dispatcher over UDP: one datagram, one message. */
export function listenRpcUdp(d: RpcDispatcher, opts: RpcUdpOptions): Promise<UdpServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? silentLogger;
  const name = opts.name ?? `${d.name}-udp`;
  const maxReply = opts.maxReply ?? 8800;
  const factor = opts.amplification ?? 1;
  const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
  let localAddress = host;
  let localPort = opts.port;
  const sendReply = (frame: Uint8Array | undefined, callSize: number, rinfo: dgram.RemoteInfo) => {
    if (!frame) return;
    let msg = frame.subarray(4);
    const limit = udpReplyLimit(rinfo.address, callSize, maxReply, factor);
    if (msg.length > limit) {
      log({
        level: 'warn',
        event: 'reply-too-large',
        source: name,
        size: msg.length,
        limit,
        remote: rinfo.address,
      });
      // Same xid; SYSTEM_ERR is 24 bytes, never more than a 40-byte minimal call.
      const w = new XdrWriter(32);
      writeAcceptedReply(w, new XdrReader(msg).uint(), AcceptStat.SYSTEM_ERR);
      msg = w.copy();
    }
    // No callback: send errors surface as 'error' events (logged), and the hot path stays lean.
    socket.send(msg, rinfo.port, rinfo.address);
  };
  socket.on('message', (msg, rinfo) => {
    const peer: PeerInfo = {
      transport: 'udp',
      remoteAddress: rinfo.address,
      remotePort: rinfo.port,
      localAddress,
      localPort,
    };
    const out = d.dispatch(msg, peer);
    if (out instanceof Promise) void out.then((f) => sendReply(f, msg.length, rinfo));
    else sendReply(out, msg.length, rinfo);
  });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(networkError('listen', `${host}:${opts.port}`, err));
    socket.once('error', onError);
    socket.bind(opts.port, host, () => {
      socket.off('error', onError);
      socket.on('error', (err) =>
        log({ level: 'error', event: 'server-error', source: name, error: err.message }),
      );
      const address = socket.address();
      localAddress = address.address;
      localPort = address.port;
      log({
        level: 'info',
        event: 'listening',
        source: name,
        protocol: 'udp',
        address: address.address,
        port: address.port,
      });
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await new Promise<void>((r) => socket.close(() => r()));
      };
      if (opts.signal) {
        if (opts.signal.aborted) void close();
        else opts.signal.addEventListener('abort', () => void close(), { once: true });
      }
      resolve({
        name,
        protocol: 'udp',
        address,
        close,
        destroy: () => void close(),
      });
    });
  });
}
