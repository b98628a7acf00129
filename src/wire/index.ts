// src/wire in one import: every codec, the layered decodeFrame, checksum verdicts, the packet
// builder and the encapsulation helpers (see docs/protocols/wire.md).

export * from './arp.js';
export * from './build.js';
export * from './checksums.js';
export type { Codec } from './codec.js';
export * from './dns.js';
export * from './encap.js';
export * from './ethernet.js';
export * from './frame.js';
export * from './icmp.js';
export * from './icmpv6.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './numbers.js';
export * from './sll.js';
export * from './tcp.js';
export * from './udp.js';
export * from './vlan.js';
