// Capture-file constants and record types shared by the pcap/pcapng reader and writer.
// Formats: draft-ietf-opsawg-pcap (classic pcap), draft-ietf-opsawg-pcapng (pcapng).

/** Classic pcap magic numbers, as read in the file's own byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

/** pcapng block types. */
export const BlockType = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** Obsolete Packet Block (pcapng draft, section "Packet Block (obsolete!)"). */
  OPB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  DSB: 0x0000000a,
  CUSTOM_COPY: 0x00000bad,
  CUSTOM_NOCOPY: 0x40000bad,
} as const;

/** Byte-order magic inside the SHB. */
export const PCAPNG_BOM = 0x1a2b3c4d;

/** pcapng option codes used here. */
export const Opt = {
  END: 0,
  COMMENT: 1,
  SHB_HARDWARE: 2,
  SHB_OS: 3,
  SHB_USERAPPL: 4,
  IF_NAME: 2,
  IF_DESCRIPTION: 3,
  IF_TSRESOL: 9,
  IF_TSOFFSET: 14,
  EPB_FLAGS: 2,
  ISB_STARTTIME: 2,
  ISB_ENDTIME: 3,
  ISB_IFRECV: 4,
  ISB_IFDROP: 5,
} as const;

/** LINKTYPE_ values (tcpdump.org/linktypes.html) that netkit names. */
/** Link-layer header types (tcpdump.org LINKTYPE_*): one table, kept with the codecs. */
export { LinkType } from '../wire/numbers.js';

/**
 * Largest captured length accepted for one packet by default. libpcap's own MAXIMUM_SNAPLEN is
 * 262144; a record claiming more is reported as an error record and skipped, never allocated.
 */
export const DEFAULT_MAX_RECORD = 262_144;

/** Timestamp resolution of an interface: 10^-exp (decimal) or 2^-exp (binary) seconds. */
export interface TsResol {
  binary: boolean;
  exp: number;
}

export interface PacketRecord {
  kind: 'packet';
  /** pcapng interface id (0 for classic pcap). */
  iface: number;
  linktype: number;
  /** Seconds since the epoch (if_tsoffset applied). */
  tsSec: number;
  /** Nanoseconds within the second, 0..999 999 999. */
  tsNsec: number;
  caplen: number;
  /** Original length on the wire. */
  len: number;
  /** The captured bytes (a view: copy it to keep it beyond the batch if you mutate buffers). */
  data: Uint8Array;
  /** Byte offset of the record (or block) in the file. */
  offset: number;
  /** Which block carried it: 'pcap' record, pcapng 'epb', 'spb' or 'opb'. */
  block: 'pcap' | 'epb' | 'spb' | 'opb';
  /** pcapng epb_flags (0 when absent). */
  flags: number;
}

export interface SectionRecord {
  kind: 'section';
  format: 'pcap' | 'pcapng';
  littleEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  /** Classic pcap: nanosecond magic. */
  nano: boolean;
  /** Classic pcap: file snaplen and linktype (the file has a single implicit interface). */
  snaplen: number;
  linktype: number;
  offset: number;
  /** pcapng SHB options (shb_hardware, shb_os, shb_userappl) when present. */
  options: Record<string, string>;
}

export interface InterfaceRecord {
  kind: 'interface';
  /** Interface id within its section. */
  id: number;
  linktype: number;
  snaplen: number;
  tsresol: TsResol;
  /** if_tsoffset, seconds added to every timestamp. */
  tsoffset: number;
  name: string | undefined;
  description: string | undefined;
  offset: number;
}

export interface NameRecord {
  kind: 'names';
  entries: { family: 4 | 6; address: Uint8Array; names: string[] }[];
  offset: number;
}

export interface StatsRecord {
  kind: 'stats';
  iface: number;
  tsSec: number;
  tsNsec: number;
  /** isb_ifrecv / isb_ifdrop when present (numbers; exact up to 2^53). */
  received: number | undefined;
  dropped: number | undefined;
  offset: number;
}

export interface CustomRecord {
  kind: 'custom';
  blockType: number;
  pen: number;
  /** The custom data (kept only when the reader is asked to keep custom blocks). */
  data: Uint8Array | undefined;
  copyable: boolean;
  offset: number;
}

export interface SkippedRecord {
  kind: 'skipped';
  blockType: number;
  length: number;
  offset: number;
}

export interface ErrorRecord {
  kind: 'error';
  /** Always a DecodeError; `fatal` says whether reading stopped here. */
  error: import('../core/errors.js').DecodeError;
  fatal: boolean;
  offset: number;
}

export type CaptureRecord =
  | PacketRecord
  | SectionRecord
  | InterfaceRecord
  | NameRecord
  | StatsRecord
  | CustomRecord
  | SkippedRecord
  | ErrorRecord;

/** Formats a timestamp as seconds with 9 fractional digits ("1591780794.740079000"). */
export function formatTs(sec: number, nsec: number): string {
  if (sec < 0 && nsec > 0) {
    // -0.5 s is stored as sec = -1, nsec = 500 000 000.
    const s = sec + 1;
    const n = 1_000_000_000 - nsec;
    return `${s === 0 ? '-0' : String(s)}.${String(n).padStart(9, '0')}`;
  }
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}
