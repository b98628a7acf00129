// What `netkit serve` needs to know about a server: a catalog entry per service and transport.

import type { AddressInfo } from 'node:net';
import type { Logger } from './log.js';

/** A started server. `close()` is graceful (stop accepting, say goodbye, drain); `destroy()` is abrupt. */
export interface RunningServer {
  readonly name: string;
  readonly protocol: 'tcp' | 'udp';
  readonly address: AddressInfo;
  close(): Promise<void>;
  destroy(): void;
}

export interface StartOptions {
  host: string;
  port: number;
  log: Logger;
  /**
   * Service settings from the command line, by name (e.g. `quotes`, `utmp`, `passwd` for the
   * classic services). A service reads the ones it knows and ignores the rest.
   */
  settings?: Readonly<Record<string, string | boolean | undefined>>;
}

export interface CatalogEntry {
  /** Service name as `--only` takes it, e.g. 'daytime', 'echo', 'therapy'. */
  name: string;
  protocol: 'tcp' | 'udp';
  /** The conventional port (well-known where the RFC gives one). */
  defaultPort: number;
  /** One line for the table. */
  description: string;
  start(opts: StartOptions): Promise<RunningServer>;
  /** A command a user can paste to try it. */
  tryCommand(host: string, port: number): string;
}
