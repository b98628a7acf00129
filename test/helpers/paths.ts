// Runs a block of tests twice: on the handle fast paths (libuv's TCP/UDP handles driven directly)
// and on the portable paths (net.Socket streams, node:dgram), so both stay correct.

import { after, before, describe } from 'node:test';
import { setFastPathDefault, tcpBindings, udpBindings } from '../../src/core/handles.js';

/** True when this Node has the bindings the fast paths need (so `fast` really means fast). */
export const fastPathsAvailable = tcpBindings() !== null && udpBindings() !== null;

export function onBothPaths(body: (fast: boolean) => void): void {
  for (const fast of [true, false]) {
    describe(fast ? 'on the handle fast paths' : 'on the portable paths (net, dgram)', () => {
      before(() => setFastPathDefault(fast));
      after(() => setFastPathDefault(true));
      body(fast);
    });
  }
}
