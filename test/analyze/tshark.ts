// Differential comparison helpers: the fields `tshark -T fields` prints, and the same values taken
// from `netkit read --json` objects, so that every compared field can be checked for equality.

import { spawnSync } from 'node:child_process';

interface JsonPacket {
  n: number;
  layers: { layer: string; embedded?: boolean; [k: string]: unknown }[];
}

/** undefined: netkit has no such value; null: the value is not comparable here (skip it). */
type Pick = (p: JsonPacket) => string | number | undefined | null;

const layer = (p: JsonPacket, name: string) => p.layers.find((l) => l.layer === name);
const f =
  (name: string, key: string, opts: { outerOnly?: boolean } = {}): Pick =>
  (p) => {
    const l = layer(p, name);
    if (!l || (opts.outerOnly && l.embedded)) return undefined;
    const v = l[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return v as string | number;
  };
const status =
  (name: string): Pick =>
  (p) => {
    const l = layer(p, name);
    if (!l || !('checksum_ok' in l)) return undefined;
    // netkit does not verify quoted headers inside ICMP errors.
    if (l.embedded) return null;
    // Wireshark's statuses: 0 bad, 1 good, 2 unverified, 3 not present (a UDP checksum of 0).
    if (l.checksum_ok === null && name === 'udp' && l.checksum === 0) return 3;
    return l.checksum_ok === true ? 1 : l.checksum_ok === false ? 0 : 2;
  };

/** tshark field → how to read the same value from a netkit JSON packet. */
export const FIELDS: Record<string, Pick> = {
  'frame.number': (p) => p.n,
  'eth.src': f('eth', 'src'),
  'eth.dst': f('eth', 'dst'),
  'eth.type': f('eth', 'type'),
  'vlan.id': (p) => {
    // occurrence=f: the first (outer) tag.
    const v = layer(p, 'vlan');
    return v ? (v.id as number) : undefined;
  },
  'arp.opcode': f('arp', 'op'),
  'arp.src.proto_ipv4': f('arp', 'spa'),
  'arp.dst.proto_ipv4': f('arp', 'tpa'),
  'arp.src.hw_mac': f('arp', 'sha'),
  'ip.src': f('ipv4', 'src'),
  'ip.dst': f('ipv4', 'dst'),
  'ip.ttl': f('ipv4', 'ttl'),
  'ip.id': f('ipv4', 'id'),
  'ip.proto': f('ipv4', 'proto'),
  'ip.hdr_len': f('ipv4', 'hdr_len'),
  'ip.len': f('ipv4', 'total_length'),
  'ip.dsfield': f('ipv4', 'tos'),
  'ip.flags.df': f('ipv4', 'df'),
  'ip.flags.mf': f('ipv4', 'mf'),
  'ip.frag_offset': f('ipv4', 'frag_offset'),
  'ip.checksum': f('ipv4', 'checksum'),
  'ip.checksum.status': status('ipv4'),
  'ipv6.src': f('ipv6', 'src'),
  'ipv6.dst': f('ipv6', 'dst'),
  'ipv6.nxt': f('ipv6', 'nxt'),
  'ipv6.plen': f('ipv6', 'plen'),
  'ipv6.hlim': f('ipv6', 'hlim'),
  'ipv6.flow': f('ipv6', 'flow'),
  'ipv6.fraghdr.nxt': f('ipv6.fraghdr', 'nxt'),
  'ipv6.fraghdr.ident': f('ipv6.fraghdr', 'ident'),
  'tcp.srcport': f('tcp', 'sport'),
  'tcp.dstport': f('tcp', 'dport'),
  'tcp.seq_raw': f('tcp', 'seq'),
  'tcp.ack_raw': f('tcp', 'ack'),
  'tcp.flags': f('tcp', 'flags'),
  'tcp.window_size_value': f('tcp', 'window'),
  'tcp.hdr_len': f('tcp', 'hdr_len'),
  'tcp.len': f('tcp', 'payload_len', { outerOnly: true }),
  'tcp.urgent_pointer': f('tcp', 'urg'),
  'tcp.checksum': f('tcp', 'checksum'),
  'tcp.checksum.status': status('tcp'),
  'udp.srcport': f('udp', 'sport'),
  'udp.dstport': f('udp', 'dport'),
  'udp.length': f('udp', 'length'),
  'udp.checksum': f('udp', 'checksum'),
  'udp.checksum.status': status('udp'),
  'icmp.type': f('icmp', 'type'),
  'icmp.code': f('icmp', 'code'),
  'icmp.checksum.status': status('icmp'),
  'icmpv6.type': f('icmpv6', 'type'),
  'icmpv6.code': f('icmpv6', 'code'),
  'icmpv6.checksum.status': status('icmpv6'),
  'dns.id': f('dns', 'id'),
  'dns.flags.response': f('dns', 'qr'),
  'dns.qry.name': f('dns', 'qname'),
};

/** Runs tshark with checksum validation on and reassembly off; one row per packet. */
export function tsharkFields(
  tshark: string,
  file: string,
  fields = Object.keys(FIELDS),
): Record<string, string>[] {
  const args = ['-r', file, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=f'];
  for (const o of [
    'ip.check_checksum:TRUE',
    'tcp.check_checksum:TRUE',
    'udp.check_checksum:TRUE',
    'ip.defragment:FALSE',
    'ipv6.defragment:FALSE',
    'tcp.desegment_tcp_streams:FALSE',
  ])
    args.push('-o', o);
  for (const x of fields) args.push('-e', x);
  const r = spawnSync(tshark, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const cells = l.split('\t');
      return Object.fromEntries(fields.map((k, i) => [k, cells[i] ?? '']));
    });
}

function norm(v: string | number): string {
  if (typeof v === 'number') return String(v);
  if (v === 'True') return '1';
  if (v === 'False') return '0';
  if (/^0x[0-9a-f]+$/i.test(v)) return String(Number.parseInt(v, 16));
  if (/^\d+$/.test(v)) return String(Number(v));
  return v.toLowerCase();
}

export interface Mismatch {
  n: number;
  field: string;
  tshark: string;
  netkit: string;
}

/**
 * Compares every field tshark printed with netkit's value. Returns the mismatches and how many
 * fields were compared. `missingOk(field, packet)` lists fields tshark shows that netkit may omit.
 */
export function compare(
  rows: Record<string, string>[],
  packets: JsonPacket[],
  missingOk: (field: string, p: JsonPacket) => boolean = () => false,
): { mismatches: Mismatch[]; compared: number } {
  const mismatches: Mismatch[] = [];
  let compared = 0;
  if (rows.length !== packets.length) {
    mismatches.push({
      n: 0,
      field: 'packet count',
      tshark: String(rows.length),
      netkit: String(packets.length),
    });
    return { mismatches, compared };
  }
  rows.forEach((row, i) => {
    const p = packets[i]!;
    for (const [field, pick] of Object.entries(FIELDS)) {
      const theirs = row[field] ?? '';
      const ours = pick(p);
      if (theirs === '' || ours === null) continue;
      if (ours === undefined) {
        if (!missingOk(field, p)) mismatches.push({ n: p.n, field, tshark: theirs, netkit: '(absent)' });
        continue;
      }
      compared++;
      if (norm(theirs) !== norm(ours))
        mismatches.push({ n: p.n, field, tshark: theirs, netkit: String(ours) });
    }
  });
  return { mismatches, compared };
}
