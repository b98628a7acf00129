// Assigned numbers the codecs dispatch on: LINKTYPE_ values (tcpdump.org linktypes), EtherTypes
// (IEEE registry), IP protocol numbers (IANA), and the IPv6 extension headers (RFC 8200 §4).

export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  /** OpenBSD loopback: like NULL but the family is in network byte order. */
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  /** Pre-standard Q-in-Q tag some switches still send. */
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
} as const;

/** EtherType values at or below this are 802.3 lengths (IEEE 802.3 §3.2.6), values ≥ 0x0600 are types. */
export const MAX_8023_LENGTH = 1500;

export const IpProto = {
  HOPOPT: 0,
  ICMP: 1,
  IGMP: 2,
  IPV4: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  NONE: 59,
  DSTOPTS: 60,
  MOBILITY: 135,
} as const;

/** True for EtherTypes that introduce an 802.1Q/802.1ad tag. */
export function isVlanTpid(type: number): boolean {
  return type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD;
}
