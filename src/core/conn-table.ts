// The bookkeeping every server on libuv's TCP handles shares (reply-server, stream-server,
// fast-tcp): the open connections, per-source counts, the idle sweep, and the graceful close
// with its grace period — the limits of `TcpLimits`, kept the same way on every fast path.

import { SourceCounts, type TcpHandle } from './handles.js';
import type { TcpLimits } from './tcp-server.js';

/** What the table needs of a connection. */
export interface TableConn {
  /** The sweep epoch of its last activity (set it to `table.epoch` on traffic). */
  epoch: number;
  /** Its source address once the per-source cap counts it (see `admitSource`). */
  source: string | undefined;
  readonly handle: Pick<TcpHandle, 'getpeername'>;
}

/** A connection's source address (a getpeername; '' if the socket no longer has a peer). */
function peerAddress(handle: Pick<TcpHandle, 'getpeername'>): string {
  const out: { address?: string } = {};
  handle.getpeername(out);
  return out.address ?? '';
}

export class ConnTable<C extends TableConn> {
  readonly open = new Set<C>();
  /** Advanced by the idle sweep: a connection two epochs behind has been idle ≥ idleTimeoutMs. */
  epoch = 0;
  readonly #limits: TcpLimits;
  readonly #perSource = new SourceCounts();
  /** Open connections the per-source counts do not include yet (source undefined). */
  #uncounted = 0;
  #sweep: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  /** Starts the idle sweep: `onIdle` must end the connection (and `remove` it). */
  constructor(limits: TcpLimits, onIdle: (c: C) => void) {
    this.#limits = limits;
    const ms = limits.idleTimeoutMs > 0 ? Math.max(10, limits.idleTimeoutMs / 2) : 0;
    if (ms > 0) {
      this.#sweep = setInterval(() => {
        this.epoch++;
        for (const c of this.open) if (this.epoch - c.epoch >= 2) onIdle(c);
      }, ms);
      this.#sweep.unref();
    }
  }

  /** True once `close` has been called. */
  get isClosing(): boolean {
    return this.#closing !== undefined;
  }

  get size(): number {
    return this.open.size;
  }

  /** Why a new connection must be refused before anything else is known, or undefined. */
  refusal(): 'closing' | 'max-connections' | undefined {
    if (this.#closing) return 'closing';
    return this.open.size >= this.#limits.maxConnections ? 'max-connections' : undefined;
  }

  /**
   * The per-source cap for a new connection on `handle`, before it is added: the source to store
   * as its `source` (undefined: not counted), or null when that source is at the cap.
   *
   * A source costs a getpeername, so it is read only when it can matter: while fewer than
   * `perSourceConnections` are open in all, no source can be at the cap, and the connection is
   * let in uncounted. Once that many are open, every open connection not yet counted is counted
   * (each read once), and from then on each new one. `known` is the address when the caller has
   * already read it.
   */
  admitSource(handle: Pick<TcpHandle, 'getpeername'>, known?: string): string | undefined | null {
    const cap = this.#limits.perSourceConnections;
    if (cap <= 0 || this.open.size < cap) return undefined;
    if (this.#uncounted > 0) {
      for (const o of this.open) {
        if (o.source !== undefined) continue;
        o.source = peerAddress(o.handle);
        this.#perSource.add(o.source);
      }
      this.#uncounted = 0;
    }
    const source = known ?? peerAddress(handle);
    return this.#perSource.take(source, cap) ? source : null;
  }

  /** Adds `c` (with the `source` that `admitSource` gave it). */
  add(c: C): void {
    this.open.add(c);
    if (c.source === undefined && this.#limits.perSourceConnections > 0) this.#uncounted++;
  }

  /** Forgets `c` (false if it was not open); a graceful close ends with the last one. */
  remove(c: C): boolean {
    if (!this.open.delete(c)) return false;
    if (c.source !== undefined) this.#perSource.give(c.source);
    else if (this.#limits.perSourceConnections > 0) this.#uncounted--;
    if (this.open.size === 0) this.#drained?.();
    return true;
  }

  /** Stops the sweep and ends every open connection with `kill` (which must `remove` it). */
  destroy(kill: (c: C) => void): void {
    if (this.#sweep) clearInterval(this.#sweep);
    for (const c of [...this.open]) kill(c);
  }

  /**
   * Graceful close: says `goodbye` to each open connection, then resolves once the last one is
   * gone — or calls `destroy` when `graceMs` have passed first. Later calls get the same promise.
   */
  close(goodbye: ((c: C) => void) | undefined, destroy: () => void): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      const timer = setTimeout(destroy, this.#limits.graceMs);
      timer.unref();
      this.#drained = () => {
        clearTimeout(timer);
        if (this.#sweep) clearInterval(this.#sweep);
        resolve();
      };
      if (goodbye) for (const c of [...this.open]) goodbye(c);
      if (this.open.size === 0) this.#drained();
    });
    return this.#closing;
  }
}
