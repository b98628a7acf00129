// ONC RPC v2 server (RFC 5531 §9–§11): a registry of programs, versions and procedures, a
// transport-independent dispatcher that answers every error case as the RFC says, and TCP
// (record marking, via listenTcp) and UDP transports with limits.

import dgram from 'node:dgram';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCodes, NetkitError, networkError } from '../../core/errors.js';
import { type FastConn, type FastConnHandler, listenTcpFast } from '../../core/fast-tcp.js';
import { bindUdpFast } from '../../core/fast-udp.js';
import { type Logger, silentLogger } from '../../core/log.js';
import type { RunningServer } from '../../core/service.js';
import {
  type ConnHandle,
  type ConnInfo,
  listenTcp,
  type TcpLimits,
  type TcpServer,
} from '../../core/tcp-server.js';
import { XdrReader } from '../xdr/reader.js';
import type { XdrType } from '../xdr/types.js';
import { XdrWriter } from '../xdr/writer.js';
import {
  AcceptStat,
  AUTH_NONE,
  AuthFlavor,
  AuthStat,
  type AuthSysParms,
  authSysParms,
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
    const n = this.dispatchRaw(msg, peer);
    if (typeof n !== 'number') return n;
    return n === 0 ? undefined : this.w.buf.slice(0, n);
  }

  /**
   * The transports' entry point: like `dispatch`, but a synchronous reply stays in the
   * dispatcher's buffer — the result is its length (record mark included; 0 = no reply), and
   * the bytes are `replyBuffer()[0 … n)` until the next call. Asynchronous handlers still give a
   * promise of a copied frame. The call is `msg[from … to)` (default: all of it).
   */
  dispatchRaw(
    msg: Uint8Array,
    peer: PeerInfo,
    from = 0,
    to = msg.length,
  ): number | Promise<Uint8Array | undefined> {
    // Fewer than 12 bytes cannot say which rpcvers they want: nothing sensible to answer.
    if (to - from < 12) return this.drop(peer, 'short message');
    const r = new XdrReader(msg, from, to);
    const xid = r.uint();
    if (r.uint() !== MsgType.CALL) return this.drop(peer, 'not a call');
    const rpcvers = r.uint();
    // RFC 5531 §9: "the server … must reply with MSG_DENIED/RPC_MISMATCH" for other versions.
    if (rpcvers !== RPC_VERSION) {
      return this.reply((w) =>
        writeDeniedReply(w, xid, { rejectStat: RejectStat.RPC_MISMATCH, mismatch: { low: 2, high: 2 } }),
      );
    }
    let prog: number;
    let vers: number;
    let proc: number;
    let cred: OpaqueAuth;
    let verf: OpaqueAuth;
    try {
      prog = r.uint();
      vers = r.uint();
      proc = r.uint();
      const credFlavor = r.uint();
      const credLen = r.uint();
      if (credLen > MAX_AUTH_BYTES) return this.authError(xid, AuthStat.AUTH_BADCRED);
      // AUTH_NONE with an empty body (nearly every call) is the shared frozen AUTH_NONE.
      cred = credLen === 0 ? emptyAuth(credFlavor) : { flavor: credFlavor, body: r.fixedOpaque(credLen) };
      const verfFlavor = r.uint();
      const verfLen = r.uint();
      if (verfLen > MAX_AUTH_BYTES) return this.authError(xid, AuthStat.AUTH_BADVERF);
      verf = verfLen === 0 ? emptyAuth(verfFlavor) : { flavor: verfFlavor, body: r.fixedOpaque(verfLen) };
    } catch {
      // A call header cut short: the credential cannot be checked, so no reply (as libtirpc).
      return this.drop(peer, 'truncated call header');
    }

    // Authentication (RFC 5531 §8, appendix A).
    let authSys: AuthSysParms | undefined;
    if (cred.flavor === AuthFlavor.AUTH_SYS) {
      try {
        authSys = decodeAuthSysStrict(cred.body);
      } catch {
        return this.authError(xid, AuthStat.AUTH_BADCRED);
      }
    } else if (cred.flavor !== AuthFlavor.AUTH_NONE) {
      return this.authError(xid, AuthStat.AUTH_REJECTEDCRED);
    }

    const versions = this.progs.get(prog);
    if (!versions) return this.accepted(xid, AcceptStat.PROG_UNAVAIL);
    const pv = versions.get(vers);
    if (!pv) {
      let low = 0xffff_ffff;
      let high = 0;
      for (const v of versions.keys()) {
        if (v < low) low = v;
        if (v > high) high = v;
      }
      return this.reply((w) => writeAcceptedReply(w, xid, AcceptStat.PROG_MISMATCH, { low, high }));
    }
    const procedure = pv.procs[proc];
    if (!procedure) return this.accepted(xid, AcceptStat.PROC_UNAVAIL);
    if (proc !== 0 && !(pv.authFlavors ?? DEFAULT_FLAVORS).includes(cred.flavor)) {
      return this.authError(xid, AuthStat.AUTH_TOOWEAK);
    }

    let arg: unknown;
    try {
      // Trailing bytes after the arguments are ignored, as libtirpc does.
      arg = procedure.arg.decode(r);
    } catch {
      // Any decoder failure (ours throw only DecodeError) means the arguments are garbage.
      this.log({ level: 'debug', event: 'garbage-args', source: this.name, prog, proc });
      return this.accepted(xid, AcceptStat.GARBAGE_ARGS);
    }
    // Built field by field (an object spread here cost more than the rest of the dispatch).
    const call: CallInfo = {
      xid,
      prog,
      vers,
      proc,
      cred,
      verf,
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
      return this.fault(xid, err, call);
    }
    if (result instanceof Promise) {
      return result.then(
        (v) => this.copied(this.success(xid, procedure, v, call)),
        (err) => this.copied(this.fault(xid, err, call)),
      );
    }
    return this.success(xid, procedure, result, call);
  }

  /** The buffer holding the last synchronous reply of `dispatchRaw` (replaced when it grows). */
  replyBuffer(): Uint8Array {
    return this.w.buf;
  }

  private copied(n: number): Uint8Array | undefined {
    return n === 0 ? undefined : this.w.buf.slice(0, n);
  }

  private success(xid: number, p: Procedure, v: unknown, h: CallInfo): number {
    if (v === NO_REPLY) return 0;
    const w = this.w;
    try {
      w.reset();
      w.reserve4();
      writeSuccessHeader(w, xid);
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

  private fault(xid: number, err: unknown, h: CallInfo): number {
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

  private drop(peer: PeerInfo, reason: string): 0 {
    this.log({ level: 'debug', event: 'dropped', source: this.name, reason, remote: peer.remoteAddress });
    return 0;
  }

  private accepted(xid: number, stat: number): number {
    return this.reply((w) => writeAcceptedReply(w, xid, stat));
  }

  private authError(xid: number, authStat: number): number {
    return this.reply((w) => writeDeniedReply(w, xid, { rejectStat: RejectStat.AUTH_ERROR, authStat }));
  }

  private reply(write: (w: XdrWriter) => void): number {
    const w = this.w.reset();
    w.reserve4();
    write(w);
    return this.finish(w);
  }

  /** Writes the record mark over the 4 reserved bytes; returns the frame's length. */
  private finish(w: XdrWriter): number {
    writeRecordMark(w.buf, 0, w.pos - 4);
    return w.pos;
  }
}

const EMPTY: Uint8Array = new Uint8Array(0);

function emptyAuth(flavor: number): OpaqueAuth {
  return flavor === AuthFlavor.AUTH_NONE ? AUTH_NONE : { flavor, body: EMPTY };
}

/** xid · REPLY · MSG_ACCEPTED · AUTH_NONE verifier (flavor, empty body) · SUCCESS: 24 bytes. */
function writeSuccessHeader(w: XdrWriter, xid: number): void {
  w.ensure(24);
  const b = w.buf;
  const p = w.pos;
  b[p] = xid >>> 24;
  b[p + 1] = xid >>> 16;
  b[p + 2] = xid >>> 8;
  b[p + 3] = xid;
  for (let i = p + 4; i < p + 24; i++) b[i] = 0;
  b[p + 7] = MsgType.REPLY;
  w.pos = p + 24;
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
  /**
   * false: serve connections as Node sockets (`listenTcp`). Default: on libuv's TCP handle where
   * Node has the bindings (`src/core/fast-tcp.ts`), the same behaviour at half the CPU per call.
   */
  fastPath?: boolean;
}

export interface RpcTcpServer extends TcpServer {
  /** True when connections are served on the TCP handle directly. */
  readonly fastPath: boolean;
}

/** Serves the dispatcher over TCP with record marking (multi-fragment calls accepted). */
export async function listenRpcTcp(d: RpcDispatcher, opts: RpcTcpOptions): Promise<RpcTcpServer> {
  const log = opts.log ?? silentLogger;
  const name = opts.name ?? `${d.name}-tcp`;
  const conf: ConnConfig = {
    d,
    log,
    name,
    maxRecord: opts.maxRecord ?? DEFAULT_MAX_RECORD,
    maxInFlight: opts.maxInFlight ?? 64,
  };
  const common = {
    name,
    host: opts.host,
    port: opts.port,
    limits: opts.limits,
    log,
    signal: opts.signal,
  };
  if (opts.fastPath !== false) {
    const out = new ReplyBatch();
    const fast = await listenTcpFast({ ...common, onConnection: (conn) => serveFastConn(conf, conn, out) });
    if (fast) return Object.assign(fast, { fastPath: true });
  }
  const s = await listenTcp({
    ...common,
    allowHalfOpen: true,
    onConnection: (stream, info) => serveStream(conf, stream, info),
  });
  return Object.assign(s, { fastPath: false });
}

interface ConnConfig {
  d: RpcDispatcher;
  log: Logger;
  name: string;
  maxRecord: number;
  maxInFlight: number;
}

/** One RPC connection on a Node stream (the portable path, and what a `Duplex` gets). */
function serveStream(conf: ConnConfig, stream: Duplex, info: ConnInfo): ConnHandle {
  const { d, log, name, maxInFlight } = conf;
  const records = new RecordReader(conf.maxRecord);
  const peer: PeerInfo = { transport: 'tcp', ...info };
  let inFlight = 0;
  let blocked = false;
  let peerEnded = false;
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
    // Several calls in one chunk (a pipelining client): their replies leave in one write.
    const batch = recs.length > 1;
    if (batch) stream.cork();
    for (const rec of recs) {
      const out = d.dispatch(rec, peer);
      if (out instanceof Promise) {
        inFlight++;
        updateFlow();
        void out.then((frame) => {
          inFlight--;
          send(frame);
          updateFlow();
          if (peerEnded && inFlight === 0) stream.end();
        });
      } else {
        send(out);
      }
    }
    if (batch) stream.uncork();
  });
  // The stream stays half-open after the client's FIN (allowHalfOpen) until the calls it sent
  // before it have their replies.
  stream.on('end', () => {
    peerEnded = true;
    if (inFlight === 0) stream.end();
  });
  return {
    goodbye() {
      stream.end();
    },
  };
}

/**
 * The replies to the calls of one read, gathered so that they leave in one write. Shared by every
 * connection of a server (reads are handled one at a time); a buffer that a write still holds is
 * left to it and replaced.
 */
class ReplyBatch {
  private buf = new Uint8Array(BATCH_BYTES);
  private n = 0;

  add(conn: FastConn, src: Uint8Array, len: number): void {
    if (len > BATCH_BYTES - this.n) {
      this.flush(conn);
      if (len > BATCH_BYTES) {
        conn.write(src.slice(0, len));
        return;
      }
    }
    const b = this.buf;
    const at = this.n;
    if (len <= 64) for (let i = 0; i < len; i++) b[at + i] = src[i]!;
    else b.set(src.subarray(0, len), at);
    this.n = at + len;
  }

  flush(conn: FastConn): void {
    if (this.n === 0) return;
    const view = this.buf.subarray(0, this.n);
    this.n = 0;
    if (!conn.write(view)) this.buf = new Uint8Array(BATCH_BYTES);
  }
}

const BATCH_BYTES = 64 * 1024;

/** One RPC connection on libuv's TCP handle (see `src/core/fast-tcp.ts`). */
function serveFastConn(conf: ConnConfig, conn: FastConn, out: ReplyBatch): FastConnHandler {
  const { d, log, name, maxInFlight } = conf;
  const records = new RecordReader(conf.maxRecord);
  let peer: PeerInfo | undefined;
  let inFlight = 0;
  let peerEnded = false;
  const settled = (frame: Uint8Array | undefined) => {
    inFlight--;
    // The frame is a copy of its own: the connection may keep it while a write is queued.
    if (frame) conn.write(frame);
    if (inFlight < maxInFlight) conn.resume();
    if (peerEnded && inFlight === 0) conn.end();
  };
  const onRecord = (bytes: Uint8Array, from: number, to: number) => {
    peer ??= {
      transport: 'tcp',
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      localAddress: conn.localAddress,
      localPort: conn.localPort,
    };
    const r = d.dispatchRaw(bytes, peer, from, to);
    if (typeof r === 'number') {
      if (r > 0) out.add(conn, d.replyBuffer(), r);
    } else {
      if (++inFlight >= maxInFlight) conn.pause();
      void r.then(settled);
    }
  };
  return {
    onData(chunk, length) {
      try {
        records.feed(chunk, length, onRecord);
      } catch (err) {
        out.flush(conn); // the calls before the bad record have their answers
        log({
          level: 'warn',
          event: 'bad-record',
          source: name,
          remote: conn.remoteAddress,
          error: (err as Error).message,
        });
        conn.destroy();
        return;
      }
      out.flush(conn);
    },
    onEnd() {
      peerEnded = true;
      if (inFlight === 0) conn.end();
    },
    goodbye() {
      conn.end();
    },
  };
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
  /** false: use `node:dgram`. Default: libuv's UDP handle where Node has the bindings. */
  fastPath?: boolean;
}

export interface UdpServer extends RunningServer {
  readonly protocol: 'udp';
  /** True when datagrams are served on the UDP handle directly. */
  readonly fastPath: boolean;
}

export function isLoopback(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1' || addr.startsWith('::ffff:127.');
}

/** The largest UDP reply allowed to `address` for a call of `callSize` bytes (no amplification off loopback). */
export function udpReplyLimit(address: string, callSize: number, maxReply: number, factor: number): number {
  return isLoopback(address) ? maxReply : Math.min(maxReply, callSize * factor);
}

/** Serves the dispatcher over UDP: one datagram, one message. */
export async function listenRpcUdp(d: RpcDispatcher, opts: RpcUdpOptions): Promise<UdpServer> {
  const host = opts.host ?? '127.0.0.1';
  const log = opts.log ?? silentLogger;
  const name = opts.name ?? `${d.name}-udp`;
  const maxReply = opts.maxReply ?? 8800;
  const factor = opts.amplification ?? 1;
  const tooLarge = (size: number, limit: number, remote: string, xid: Uint8Array): Uint8Array => {
    log({ level: 'warn', event: 'reply-too-large', source: name, size, limit, remote });
    // Same xid; SYSTEM_ERR is 24 bytes, never more than a 40-byte minimal call.
    const w = new XdrWriter(32);
    writeAcceptedReply(w, new XdrReader(xid).uint(), AcceptStat.SYSTEM_ERR);
    return w.copy();
  };
  const onError = (err: Error) =>
    log({ level: 'error', event: 'server-error', source: name, error: err.message });

  let server: UdpServer | undefined;
  if (opts.fastPath !== false) {
    // One PeerInfo for the server, refilled per datagram: the dispatcher copies what it keeps.
    const peer: PeerInfo = {
      transport: 'udp',
      remoteAddress: '',
      remotePort: 0,
      localAddress: host,
      localPort: 0,
    };
    let scratch = new Uint8Array(Math.max(maxReply, 8800));
    const fast = await bindUdpFast({
      host,
      port: opts.port,
      onError,
      onMessage(msg, rinfo) {
        peer.remoteAddress = rinfo.address;
        peer.remotePort = rinfo.port;
        const r = d.dispatchRaw(msg, peer);
        if (typeof r === 'number') {
          if (r === 0) return;
          const len = r - 4; // without the record mark
          const limit = udpReplyLimit(rinfo.address, msg.length, maxReply, factor);
          let out: Uint8Array;
          if (len > limit) out = tooLarge(len, limit, rinfo.address, d.replyBuffer().subarray(4, 8));
          else {
            const src = d.replyBuffer();
            if (len > scratch.length) out = src.slice(4, r);
            else {
              if (len <= 64) for (let i = 0; i < len; i++) scratch[i] = src[i + 4]!;
              else scratch.set(src.subarray(4, r));
              out = scratch.subarray(0, len);
            }
          }
          if (!sock.send(out, rinfo.port, rinfo.address) && out.buffer === scratch.buffer)
            scratch = new Uint8Array(scratch.length);
        } else {
          const size = msg.length;
          void r.then((frame) => {
            if (!frame) return;
            const m = frame.subarray(4);
            const limit = udpReplyLimit(rinfo.address, size, maxReply, factor);
            sock.send(
              m.length > limit ? tooLarge(m.length, limit, rinfo.address, m) : m,
              rinfo.port,
              rinfo.address,
            );
          });
        }
      },
    });
    const sock = fast!;
    if (fast) {
      peer.localAddress = fast.address.address;
      peer.localPort = fast.address.port;
      server = {
        name,
        protocol: 'udp',
        address: fast.address,
        close: () => fast.close(),
        destroy: () => void fast.close(),
        fastPath: true,
      };
    }
  }
  server ??= await listenDgram(d, opts, host, name, maxReply, factor, tooLarge, onError);
  log({
    level: 'info',
    event: 'listening',
    source: name,
    protocol: 'udp',
    address: server.address.address,
    port: server.address.port,
  });
  const s = server;
  if (opts.signal) {
    if (opts.signal.aborted) void s.close();
    else opts.signal.addEventListener('abort', () => void s.close(), { once: true });
  }
  return s;
}

/** The portable UDP path on `node:dgram`. */
function listenDgram(
  d: RpcDispatcher,
  opts: RpcUdpOptions,
  host: string,
  name: string,
  maxReply: number,
  factor: number,
  tooLarge: (size: number, limit: number, remote: string, xid: Uint8Array) => Uint8Array,
  onError: (err: Error) => void,
): Promise<UdpServer> {
  const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
  let localAddress = host;
  let localPort = opts.port;
  const sendReply = (frame: Uint8Array | undefined, callSize: number, rinfo: dgram.RemoteInfo) => {
    if (!frame) return;
    let msg = frame.subarray(4);
    const limit = udpReplyLimit(rinfo.address, callSize, maxReply, factor);
    if (msg.length > limit) msg = tooLarge(msg.length, limit, rinfo.address, msg);
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
    const onBindError = (err: Error) => reject(networkError('listen', `${host}:${opts.port}`, err));
    socket.once('error', onBindError);
    socket.bind(opts.port, host, () => {
      socket.off('error', onBindError);
      socket.on('error', onError);
      const address = socket.address();
      localAddress = address.address;
      localPort = address.port;
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await new Promise<void>((r) => socket.close(() => r()));
      };
      resolve({ name, protocol: 'udp', address, close, destroy: () => void close(), fastPath: false });
    });
  });
}
