// Renders library events for a person (text) or a program (JSON lines).

import type { Writable } from 'node:stream';
import type { LogEvent, Logger } from '../core/log.js';

function pyAddr(host: unknown, port: unknown): string {
  // The slides print Python's address tuple: ('127.0.0.1', 54321)
  return `('${String(host).replace(/^::ffff:/, '')}', ${String(port)})`;
}

export function textLine(e: LogEvent): string {
  switch (e.event) {
    case 'waiting':
      return 'Waiting for connection . . . ';
    case 'connected':
      return `... connected from: ${pyAddr(e.remote, e.port)}`;
    case 'client-disconnected':
      return 'Client disconnected';
    case 'listening':
      return `${e.source} listening on ${String(e.protocol)} ${formatHostPort(String(e.address), Number(e.port))}`;
  }
  const { level, event, source, ...rest } = e;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${level === 'info' ? '' : `${level}: `}${source}: ${event}${fields ? ` ${fields}` : ''}`;
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function makeLogger(
  out: Writable,
  format: 'text' | 'json',
  minLevel: 'debug' | 'info' = 'info',
): Logger {
  return (e) => {
    if (e.level === 'debug' && minLevel !== 'debug') return;
    if (format === 'json') out.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
    else out.write(`${textLine(e)}\n`);
  };
}
