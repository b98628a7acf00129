// RPC v2 message layouts (RFC 5531 §9, appendix A) against the byte layouts captured from libtirpc.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DecodeError } from '../../../src/core/errors.js';
import {
  AcceptStat,
  AuthFlavor,
  AuthStat,
  authSys,
  decodeAuthSys,
  readCallHeader,
  readReplyHeader,
  writeAcceptedReply,
  writeCallHeader,
  writeDeniedReply,
} from '../../../src/rpc/oncrpc/message.js';
import { XdrReader, XdrWriter } from '../../../src/rpc/xdr/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

describe('RPC messages', () => {
  test('a NULL call with AUTH_NONE is 40 bytes laid out as RFC 5531 §9 says', () => {
    const w = new XdrWriter();
    writeCallHeader(w, { xid: 0x01020304, prog: 100000, vers: 2, proc: 0 });
    assert.equal(
      hex(w.bytes()),
      '01020304 00000000 00000002 000186a0 00000002 00000000 00000000 00000000 00000000 00000000'.replace(
        / /g,
        '',
      ),
    );
    const h = readCallHeader(new XdrReader(w.bytes()));
    assert.deepEqual(
      [h.xid, h.rpcvers, h.prog, h.vers, h.proc, h.cred.flavor],
      [0x01020304, 2, 100000, 2, 0, 0],
    );
  });

  test('an AUTH_SYS credential matches the captured libtirpc bytes', () => {
    // From a capture (rpc-notes §3.2): stamp 0x5eed, "golden", uid 1000, gid 1000, gids [1000, 27].
    const cred = authSys({ stamp: 0x5eed, machinename: 'golden', uid: 1000, gid: 1000, gids: [1000, 27] });
    assert.equal(cred.flavor, AuthFlavor.AUTH_SYS);
    assert.equal(hex(cred.body), '00005eed00000006676f6c64656e0000000003e8000003e800000002000003e80000001b');
    assert.deepEqual(decodeAuthSys(cred.body), {
      stamp: 0x5eed,
      machinename: 'golden',
      uid: 1000,
      gid: 1000,
      gids: [1000, 27],
    });
  });

  test('AUTH_SYS refuses machine names over 255 bytes and more than 16 gids', () => {
    assert.throws(
      () => authSys({ stamp: 0, machinename: 'm'.repeat(256), uid: 0, gid: 0, gids: [] }),
      /maximum 255/,
    );
    assert.throws(
      () => authSys({ stamp: 0, machinename: 'm', uid: 0, gid: 0, gids: new Array(17).fill(0) }),
      /maximum 16/,
    );
    const body = bytes('00000000 00000100'); // machinename length 256
    assert.throws(() => decodeAuthSys(body), DecodeError);
  });

  test('accepted replies: SUCCESS is 24 bytes, PROG_MISMATCH carries low and high', () => {
    const w = new XdrWriter();
    writeAcceptedReply(w, 7, AcceptStat.SUCCESS);
    assert.equal(hex(w.bytes()), '000000070000000100000000000000000000000000000000');
    w.reset();
    writeAcceptedReply(w, 7, AcceptStat.PROG_MISMATCH, { low: 2, high: 4 });
    assert.equal(w.pos, 32);
    assert.deepEqual(readReplyHeader(new XdrReader(w.bytes())), {
      xid: 7,
      stat: 'accepted',
      verf: { flavor: 0, body: new Uint8Array(0) },
      acceptStat: 2,
      mismatch: { low: 2, high: 4 },
    });
  });

  test('denied replies: RPC_MISMATCH is 24 bytes, AUTH_ERROR 20', () => {
    const w = new XdrWriter();
    writeDeniedReply(w, 9, { rejectStat: 0, mismatch: { low: 2, high: 2 } });
    assert.equal(hex(w.bytes()), '000000090000000100000001000000000000000200000002');
    w.reset();
    writeDeniedReply(w, 9, { rejectStat: 1, authStat: AuthStat.AUTH_TOOWEAK });
    assert.equal(hex(w.bytes()), '0000000900000001000000010000000100000005');
    assert.deepEqual(readReplyHeader(new XdrReader(w.bytes())), {
      xid: 9,
      stat: 'denied',
      rejectStat: 1,
      authStat: 5,
    });
  });

  test('reply headers with unknown stats or a CALL type are refused with DecodeError', () => {
    assert.throws(() => readReplyHeader(new XdrReader(bytes('00000001 00000000'))), /expected a REPLY/);
    assert.throws(
      () => readReplyHeader(new XdrReader(bytes('00000001 00000001 00000002'))),
      /unknown reply_stat 2/,
    );
    assert.throws(
      () => readReplyHeader(new XdrReader(bytes('00000001 00000001 00000001 00000009'))),
      /unknown reject_stat/,
    );
  });
});
