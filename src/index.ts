// netkit's library: one namespace per area, as the layers in docs/architecture.md.
//   import { chat, services, wire, pcap, xdr, oncrpc } from 'netkit';
// Deep imports work too: 'netkit/src/chat/server.js', 'netkit/rpc/xdr', 'netkit/rpc/oncrpc'.

export * as chat from './chat/exports.js';
export * from './core/errors.js';
export { LineFramer } from './core/lines.js';
export type { LogEvent, Logger } from './core/log.js';
export { KeyedRateLimiter, TokenBucket } from './core/rate.js';
export type { CatalogEntry, RunningServer, StartOptions } from './core/service.js';
export { listenTcp, sendAndClose, type TcpLimits, type TcpServer } from './core/tcp-server.js';
export { decodeText, ENCODINGS, type Encoding, encodeText } from './core/text.js';
export { ctime } from './core/time.js';
export { listenUdp } from './core/udp-server.js';
export * as pcap from './pcap/index.js';
export * as oncrpc from './rpc/oncrpc/index.js';
export * as portmap from './rpc/portmap/index.js';
export * as rpcgen from './rpc/rpcgen/index.js';
export * as xdr from './rpc/xdr/index.js';
export * as services from './services/exports.js';
export * as wire from './wire/index.js';
