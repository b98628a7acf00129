// The course's RPC demo server (examples/rpc/demo.x): handlers for the generated DEMO_PROG v1
// interface, served over UDP and TCP (RFC 5531) by netkit's dispatcher.

import type { Logger } from '../../core/log.js';
import type { RunningServer } from '../../core/service.js';
import { listenRpcTcp, listenRpcUdp, RpcDispatcher } from '../oncrpc/index.js';
import {
  DEMO_MAXDATA,
  type DEMO_PROG_1_Handlers,
  DEMO_PROG_1_program,
  type demo_list,
  grade,
} from './demo.js';

/** Bounds on what one call may make the server do (the codecs already bound every size). */
const MAX_LIST = 100_000;

function gradeOf(scores: number[]): (typeof grade)[keyof typeof grade] {
  if (scores.length === 0) return grade.GRADE_NONE;
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return mean >= 90 ? grade.GRADE_A : mean >= 75 ? grade.GRADE_B : mean >= 50 ? grade.GRADE_C : grade.GRADE_F;
}

/** What each DEMO procedure does (the same rules the C server in the interop test follows). */
export const demoHandlers: DEMO_PROG_1_Handlers = {
  DEMO_ADD: ({ a, b }) => (a + b) | 0,
  DEMO_ECHO: (s) => s,
  DEMO_DESCRIBE: (n) =>
    n < 0 ? { tag: 0 } : n % 2 === 0 ? { tag: 1, value: (2 * n) | 0 } : { tag: 2, value: `odd:${n}` },
  DEMO_SUM: (list: demo_list) => {
    let sum = 0;
    let count = 0;
    for (let node = list; node && count < MAX_LIST; node = node.next, count++) sum = (sum + node.value) | 0;
    return sum;
  },
  DEMO_SQUARE: (n) => (n * n) & 0xffff_ffff_ffff_ffffn,
  DEMO_REVERSE: (bytes) => bytes.slice(0, DEMO_MAXDATA).reverse(),
  DEMO_GRADE: (s) => ({ ...s, result: gradeOf(s.scores) }),
};

export interface DemoServerOptions {
  host?: string;
  port: number;
  log?: Logger;
  signal?: AbortSignal;
}

export function demoDispatcher(log?: Logger): RpcDispatcher {
  return new RpcDispatcher({ name: 'rpc-demo', log }).add(DEMO_PROG_1_program(demoHandlers));
}

/** Serves DEMO_PROG v1 over TCP on host:port (port 0 picks one). */
export function serveDemoTcp(opts: DemoServerOptions): Promise<RunningServer> {
  return listenRpcTcp(demoDispatcher(opts.log), {
    ...opts,
    host: opts.host ?? '127.0.0.1',
    name: 'rpc-demo',
  });
}

/** Serves DEMO_PROG v1 over UDP on host:port (port 0 picks one). */
export function serveDemoUdp(opts: DemoServerOptions): Promise<RunningServer> {
  return listenRpcUdp(demoDispatcher(opts.log), {
    ...opts,
    host: opts.host ?? '127.0.0.1',
    name: 'rpc-demo',
  });
}
