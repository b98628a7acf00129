// Structured events from the library. The library never prints: it calls `log`; the CLI renders
// events as text or JSON lines on stderr.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEvent {
  level: LogLevel;
  /** Stable event name, e.g. 'listening', 'connected', 'rejected'. */
  event: string;
  /** Which server or component emitted it, e.g. 'daytime-server'. */
  source: string;
  [field: string]: unknown;
}

export type Logger = (e: LogEvent) => void;

export const silentLogger: Logger = () => {};
