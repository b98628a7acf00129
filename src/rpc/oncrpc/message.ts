// ONC RPC v2 messages (RFC 5531 §9): call and reply headers, opaque_auth, AUTH_NONE and AUTH_SYS
// (RFC 5531 appendix A). Procedure arguments and results follow the headers as plain XDR.

import { DecodeError, ErrorCodes } from '../../core/errors.js';
import { XdrReader } from '../xdr/reader.js';
import * as xdr from '../xdr/types.js';
import { XdrEncodeError, type XdrWriter } from '../xdr/writer.js';

export const RPC_VERSION = 2;

export const MsgType = { CALL: 0, REPLY: 1 } as const;
export const ReplyStat = { MSG_ACCEPTED: 0, MSG_DENIED: 1 } as const;
export const AcceptStat = {
  SUCCESS: 0,
  PROG_UNAVAIL: 1,
  PROG_MISMATCH: 2,
  PROC_UNAVAIL: 3,
  GARBAGE_ARGS: 4,
  SYSTEM_ERR: 5,
} as const;
export const RejectStat = { RPC_MISMATCH: 0, AUTH_ERROR: 1 } as const;
export const AuthStat = {
  AUTH_OK: 0,
  AUTH_BADCRED: 1,
  AUTH_REJECTEDCRED: 2,
  AUTH_BADVERF: 3,
  AUTH_REJECTEDVERF: 4,
  AUTH_TOOWEAK: 5,
  AUTH_INVALIDRESP: 6,
  AUTH_FAILED: 7,
  AUTH_KERB_GENERIC: 8,
  AUTH_TIMEEXPIRE: 9,
  AUTH_TKT_FILE: 10,
  AUTH_DECODE: 11,
  AUTH_NET_ADDR: 12,
  RPCSEC_GSS_CREDPROBLEM: 13,
  RPCSEC_GSS_CTXPROBLEM: 14,
} as const;
export const AuthFlavor = { AUTH_NONE: 0, AUTH_SYS: 1, AUTH_SHORT: 2, AUTH_DH: 3, RPCSEC_GSS: 6 } as const;

/** Name of a numeric constant in one of the tables above (for messages), or the number. */
export function statName(table: Readonly<Record<string, number>>, v: number): string {
  for (const [k, n] of Object.entries(table)) if (n === v) return k;
  return String(v);
}

/** `struct opaque_auth { auth_flavor flavor; opaque body<400>; }` */
export interface OpaqueAuth {
  flavor: number;
  body: Uint8Array;
}

export const MAX_AUTH_BYTES = 400;
export const AUTH_NONE: OpaqueAuth = Object.freeze({ flavor: 0, body: new Uint8Array(0) }) as OpaqueAuth;

/** `struct authsys_parms` (RFC 5531 appendix A). */
export interface AuthSysParms {
  stamp: number;
  machinename: string;
  uid: number;
  gid: number;
  gids: number[];
}

export const authSysParms: xdr.XdrType<AuthSysParms> = xdr.struct<AuthSysParms>({
  stamp: xdr.uint,
  machinename: xdr.string(255),
  uid: xdr.uint,
  gid: xdr.uint,
  gids: xdr.array(xdr.uint, 16),
});

/** An AUTH_SYS credential (throws XdrEncodeError if machinename > 255 bytes or > 16 gids). */
export function authSys(p: AuthSysParms): OpaqueAuth {
  return { flavor: AuthFlavor.AUTH_SYS, body: xdr.encode(authSysParms, p) };
}

/** Decodes an AUTH_SYS credential body; throws DecodeError if malformed. */
export function decodeAuthSys(body: Uint8Array): AuthSysParms {
  return xdr.decode(authSysParms, body);
}

export function writeAuth(w: XdrWriter, a: OpaqueAuth): void {
  w.uint(a.flavor);
  w.opaque(a.body, MAX_AUTH_BYTES);
}

function readAuth(r: XdrReader): OpaqueAuth {
  return { flavor: r.uint(), body: r.opaque(MAX_AUTH_BYTES) };
}

/** The fixed part of a call (RFC 5531 `call_body`), without the procedure arguments. */
export interface CallHeader {
  xid: number;
  rpcvers: number;
  prog: number;
  vers: number;
  proc: number;
  cred: OpaqueAuth;
  verf: OpaqueAuth;
}

/** Writes a call header (rpcvers 2 unless given); the arguments are written after it. */
export function writeCallHeader(
  w: XdrWriter,
  h: {
    xid: number;
    prog: number;
    vers: number;
    proc: number;
    cred?: OpaqueAuth;
    verf?: OpaqueAuth;
    rpcvers?: number;
  },
): void {
  w.uint(h.xid);
  w.uint(MsgType.CALL);
  w.uint(h.rpcvers ?? RPC_VERSION);
  w.uint(h.prog);
  w.uint(h.vers);
  w.uint(h.proc);
  writeAuth(w, h.cred ?? AUTH_NONE);
  writeAuth(w, h.verf ?? AUTH_NONE);
}

/**
 * Reads a call header; on return `r.pos` is at the arguments. Throws DecodeError when the bytes
 * are not a complete call header (including a body longer than 400 bytes).
 */
export function readCallHeader(r: XdrReader): CallHeader {
  const xid = r.uint();
  const at = r.pos;
  const mtype = r.uint();
  if (mtype !== MsgType.CALL) throw new DecodeError('rpc', at, `expected a CALL, got msg_type ${mtype}`);
  const rpcvers = r.uint();
  return {
    xid,
    rpcvers,
    prog: r.uint(),
    vers: r.uint(),
    proc: r.uint(),
    cred: readAuth(r),
    verf: readAuth(r),
  };
}

export interface Mismatch {
  low: number;
  high: number;
}

/** A decoded reply header. For SUCCESS the results start at the reader's position. */
export type ReplyHeader =
  | { xid: number; stat: 'accepted'; verf: OpaqueAuth; acceptStat: number; mismatch?: Mismatch }
  | { xid: number; stat: 'denied'; rejectStat: number; mismatch?: Mismatch; authStat?: number };

export function writeAcceptedReply(
  w: XdrWriter,
  xid: number,
  acceptStat: number,
  mismatch?: Mismatch,
  verf: OpaqueAuth = AUTH_NONE,
): void {
  w.uint(xid);
  w.uint(MsgType.REPLY);
  w.uint(ReplyStat.MSG_ACCEPTED);
  writeAuth(w, verf);
  w.uint(acceptStat);
  if (acceptStat === AcceptStat.PROG_MISMATCH) {
    if (!mismatch) throw new XdrEncodeError('PROG_MISMATCH needs low and high');
    w.uint(mismatch.low);
    w.uint(mismatch.high);
  }
}

export function writeDeniedReply(
  w: XdrWriter,
  xid: number,
  d: { rejectStat: 0; mismatch: Mismatch } | { rejectStat: 1; authStat: number },
): void {
  w.uint(xid);
  w.uint(MsgType.REPLY);
  w.uint(ReplyStat.MSG_DENIED);
  w.uint(d.rejectStat);
  if (d.rejectStat === RejectStat.RPC_MISMATCH) {
    w.uint(d.mismatch.low);
    w.uint(d.mismatch.high);
  } else {
    w.uint(d.authStat);
  }
}

/** Reads a reply header (xid, REPLY, then accepted/denied). Throws DecodeError on anything else. */
export function readReplyHeader(r: XdrReader): ReplyHeader {
  const xid = r.uint();
  let at = r.pos;
  const mtype = r.uint();
  if (mtype !== MsgType.REPLY) throw new DecodeError('rpc', at, `expected a REPLY, got msg_type ${mtype}`);
  at = r.pos;
  const stat = r.uint();
  if (stat === ReplyStat.MSG_ACCEPTED) {
    const verf = readAuth(r);
    const acceptStat = r.uint();
    if (acceptStat === AcceptStat.PROG_MISMATCH) {
      return { xid, stat: 'accepted', verf, acceptStat, mismatch: { low: r.uint(), high: r.uint() } };
    }
    return { xid, stat: 'accepted', verf, acceptStat };
  }
  if (stat === ReplyStat.MSG_DENIED) {
    at = r.pos;
    const rejectStat = r.uint();
    if (rejectStat === RejectStat.RPC_MISMATCH) {
      return { xid, stat: 'denied', rejectStat, mismatch: { low: r.uint(), high: r.uint() } };
    }
    if (rejectStat === RejectStat.AUTH_ERROR) return { xid, stat: 'denied', rejectStat, authStat: r.uint() };
    throw new DecodeError('rpc', at, `unknown reject_stat ${rejectStat}`);
  }
  throw new DecodeError('rpc', at, `unknown reply_stat ${stat}`, ErrorCodes.INVALID);
}

/** Reads the xid and msg_type of any message without throwing: undefined if shorter than 8 bytes. */
export function peekXid(bytes: Uint8Array): { xid: number; mtype: number } | undefined {
  if (bytes.length < 8) return undefined;
  const r = new XdrReader(bytes, 0, 8);
  return { xid: r.uint(), mtype: r.uint() };
}
