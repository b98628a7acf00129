// ELIZA as a chat personality: Weizenbaum's 1966 DOCTOR script (data/doctor/doctor-1966.script,
// CACM 9(1) 1966 appendix) read once, and a fresh conversation state for every caller.

import { readFileSync } from 'node:fs';
import { ErrorCodes, NetkitError } from '../../core/errors.js';
import { type ConversationOptions, ElizaConversation } from './engine.js';
import { type ParsedScript, parseScript } from './script.js';

export { ElizaConversation, type ElizaResponse, formatTrace, NOMACH, type TraceStep } from './engine.js';
export { type ParsedScript, parseScript } from './script.js';

/** Where the DOCTOR script ships, relative to this module. */
export const DEFAULT_SCRIPT_URL = new URL('../../../data/doctor/doctor-1966.script', import.meta.url);

/** Reads and parses a script file. A missing or unreadable file is a NetkitError (NETKIT_ERR_FILE). */
export function loadScript(path: string | URL): ParsedScript {
  const name = path instanceof URL ? path.pathname : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : ((err as Error).message ?? String(err));
    throw new NetkitError(ErrorCodes.FILE, `cannot read ELIZA script ${name}: ${why}`, { cause: err });
  }
  return parseScript(text, name);
}

let doctor: ParsedScript | undefined;

/** The DOCTOR script, parsed on first use and shared by every conversation. */
export function doctorScript(): ParsedScript {
  doctor ??= loadScript(DEFAULT_SCRIPT_URL);
  return doctor;
}

/**
 * A new conversation (its own LIMIT, cycle counters and memories) with `script` or DOCTOR: a
 * `Personality`, plus `respond()`, which also returns the trace.
 */
export function createEliza(opts: { script?: ParsedScript } & ConversationOptions = {}): ElizaConversation {
  return new ElizaConversation(opts.script ?? doctorScript(), opts);
}
