// The bookkeeping every server on libuv's TCP handles shares (reply-server, stream-server,
// fast-tcp): the open connections, per-source counts, the idle sweep, and the graceful close
// with its grace period — the limits of `TcpLimits`, kept the same way on every fast path.

import { SourceCounts } from './handles.js';
import type { TcpLimits } from './tcp-server.js';

/** What the table needs of a connection. */
export interface TableConn {
  /** The sweep epoch of its last activity (set it to `table.epoch` on traffic). */
  epoch: number;
  /** Its source address when the per-source cap counts it. */
  source: string | undefined;
}

export class ConnTable<C extends TableConn> {
  readonly open = new Set<C>();
  /** Advanced by the idle sweep: a connection two epochs behind has been idle ≥ idleTimeoutMs. */
  epoch = 0;
  readonly #limits: TcpLimits;
  readonly #perSource = new SourceCounts();
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

  /** Whether new connections need their source address (for the per-source cap). */
  get countsSources(): boolean {
    return this.#limits.perSourceConnections > 0;
  }

  /** Counts one more connection from `source`; false (nothing counted) at the per-source cap. */
  takeSource(source: string): boolean {
    return this.#perSource.take(source, this.#limits.perSourceConnections);
  }

  add(c: C): void {
    this.open.add(c);
  }

  /** Forgets `c` (false if it was not open); a graceful close ends with the last one. */
  remove(c: C): boolean {
    if (!this.open.delete(c)) return false;
    if (c.source !== undefined) this.#perSource.give(c.source);
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
