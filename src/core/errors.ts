// Typed errors with stable codes. Every code has one line in docs/errors.md.

export const ErrorCodes = {
  /** A caller passed an invalid option or argument (the CLI maps this to exit status 2). */
  USAGE: 'NETKIT_ERR_USAGE',
  /** Bytes ended before a field that a length or header promised. */
  TRUNCATED: 'NETKIT_ERR_TRUNCATED',
  /** A field holds a value the decoder cannot accept. */
  INVALID: 'NETKIT_ERR_INVALID',
  /** A peer sent a line longer than the configured maximum. */
  LINE_TOO_LONG: 'NETKIT_ERR_LINE_TOO_LONG',
  /** A server refused a connection or datagram because a named limit was reached. */
  LIMIT: 'NETKIT_ERR_LIMIT',
  /** A network operation (listen, connect, resolve) failed. */
  NETWORK: 'NETKIT_ERR_NETWORK',
  /** An operation did not complete within its timeout. */
  TIMEOUT: 'NETKIT_ERR_TIMEOUT',
  /** A script or definition file could not be parsed (carries line and column). */
  SYNTAX: 'NETKIT_ERR_SYNTAX',
  /** A feature exists in the interface but is not available in this build. */
  UNAVAILABLE: 'NETKIT_ERR_UNAVAILABLE',
  /** An ONC RPC server answered a call with an error status (PROG_UNAVAIL, AUTH_ERROR …). */
  RPC: 'NETKIT_ERR_RPC',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class NetkitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetkitError';
    this.code = code;
  }
}

/** A caller's mistake: bad option, bad argument. */
export class UsageError extends NetkitError {
  constructor(message: string) {
    super(ErrorCodes.USAGE, message);
    this.name = 'UsageError';
  }
}

/** A decoder met bytes it cannot accept. `layer` names the codec, `offset` the byte where it stopped. */
export class DecodeError extends NetkitError {
  readonly layer: string;
  readonly offset: number;
  constructor(layer: string, offset: number, message: string, code: string = ErrorCodes.INVALID) {
    super(code, `${layer}: ${message} (at offset ${offset})`);
    this.name = 'DecodeError';
    this.layer = layer;
    this.offset = offset;
  }
}

/** A text definition (script, .x file, filter) is malformed at line:column (both 1-based). */
export class SyntaxError_ extends NetkitError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, message: string) {
    super(ErrorCodes.SYNTAX, `${file}:${line}:${column}: ${message}`);
    this.name = 'SyntaxError';
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

/** A network operation failed; carries Go-style context (op, address). */
export class NetworkError extends NetkitError {
  readonly op: string;
  readonly address: string | undefined;
  constructor(op: string, address: string | undefined, message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.NETWORK, `${op}${address ? ` ${address}` : ''}: ${message}`, options);
    this.name = 'NetworkError';
    this.op = op;
    this.address = address;
  }
}

/** Turns a Node system error (EADDRINUSE, ECONNREFUSED…) into a NetworkError with a readable message. */
export function networkError(op: string, address: string | undefined, err: unknown): NetworkError {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    EADDRINUSE: 'address already in use',
    EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
    EADDRNOTAVAIL: 'address not available on this host',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by peer',
    ETIMEDOUT: 'timed out',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed (temporary)',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
  };
  const reason = (e?.code && reasons[e.code]) || e?.message || String(err);
  return new NetworkError(op, address, reason, { cause: err });
}
