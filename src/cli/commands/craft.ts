// `netkit craft`: a packet generator. Layers are described by flags (`--ip4 src=…,ttl=…`) or a
// JSON file; defaults are filled in, lengths and checksums computed unless set; the packets are
// written as pcap (µs or ns) or pcapng.

import { createWriteStream, readFileSync } from 'node:fs';
import { fromHex, parseIPv4, parseIPv6, parseMac } from '../../core/bytes.js';
import { ErrorCodes, NetkitError, UsageError } from '../../core/errors.js';
import { CaptureSink, PcapngWriter, PcapWriter } from '../../pcap/writer.js';
import { type BuildOptions, buildPacket, type LayerSpec } from '../../wire/build.js';
import { type DnsMessage, type DnsRecord, DnsType } from '../../wire/dns.js';
import type { Ipv6Option } from '../../wire/ipv6.js';
import { LinkType } from '../../wire/numbers.js';
import { parseTcpFlags, type TcpOption } from '../../wire/tcp.js';
import { type Command, flag, intOpt, str } from '../command.js';

/** The flags, in the order their layers are stacked. */
const LAYER_FLAGS = [
  ['eth', 'eth'],
  ['vlan', 'vlan'],
  ['arp', 'arp'],
  ['ip4', 'ipv4'],
  ['ip6', 'ipv6'],
  ['hopopts', 'ipv6.hopopts'],
  ['routing', 'ipv6.routing'],
  ['frag6', 'ipv6.fraghdr'],
  ['dstopts', 'ipv6.dstopts'],
  ['tcp', 'tcp'],
  ['udp', 'udp'],
  ['icmp', 'icmp'],
  ['icmp6', 'icmpv6'],
  ['dns', 'dns'],
] as const;

type Pairs = [string, string][];

/** `a=1,b=x,flag` → pairs; a bare key means `key=true`. */
export function splitFields(text: string): Pairs {
  const out: Pairs = [];
  for (const part of text.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    out.push(eq < 0 ? [p, 'true'] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()]);
  }
  return out;
}

function num(layer: string, key: string, v: string, max: number): number {
  const t = v.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t, 16) : /^\d+$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new UsageError(`${layer} ${key}: expected a number 0..${max}, got '${v}'`);
  return n;
}

function bool(layer: string, key: string, v: string): boolean {
  if (/^(true|1|yes)$/i.test(v)) return true;
  if (/^(false|0|no)$/i.test(v)) return false;
  throw new UsageError(`${layer} ${key}: expected true or false, got '${v}'`);
}

function mac(layer: string, key: string, v: string): number {
  const m = parseMac(v);
  if (m === undefined)
    throw new UsageError(`${layer} ${key}: '${v}' is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return m;
}

function ip4(layer: string, key: string, v: string): number {
  const a = parseIPv4(v);
  if (a === undefined) throw new UsageError(`${layer} ${key}: '${v}' is not an IPv4 address`);
  return a;
}

function ip6(layer: string, key: string, v: string): Uint8Array {
  const a = parseIPv6(v);
  if (!a) throw new UsageError(`${layer} ${key}: '${v}' is not an IPv6 address`);
  return a;
}

function hex(layer: string, key: string, v: string): Uint8Array {
  const b = fromHex(v);
  if (!b) throw new UsageError(`${layer} ${key}: '${v}' is not hex`);
  return b;
}

function unknown(layer: string, key: string, known: string): never {
  throw new UsageError(`${layer}: unknown field '${key}' (known: ${known})`);
}

const ICMP_TYPES: Record<string, number> = {
  echo: 8,
  'echo-request': 8,
  reply: 0,
  'echo-reply': 0,
  unreach: 3,
  'time-exceeded': 11,
  redirect: 5,
};
const ICMP6_TYPES: Record<string, number> = {
  echo: 128,
  'echo-request': 128,
  reply: 129,
  'echo-reply': 129,
  unreach: 1,
  'too-big': 2,
  'time-exceeded': 3,
  rs: 133,
  ra: 134,
  ns: 135,
  na: 136,
  redirect: 137,
};

function dnsType(v: string): number {
  const t = (DnsType as Record<string, number>)[v.toUpperCase()];
  if (t !== undefined) return t;
  const m = /^(?:TYPE)?(\d+)$/i.exec(v);
  if (m) return num('dns', 'qtype', m[1]!, 0xffff);
  throw new UsageError(`dns: unknown record type '${v}'`);
}

/** One layer from its name (as in LayerSpec) and its fields. */
export function parseLayer(name: string, pairs: Pairs): LayerSpec {
  switch (name) {
    case 'eth': {
      const s: Extract<LayerSpec, { layer: 'eth' }> = { layer: 'eth' };
      for (const [k, v] of pairs) {
        if (k === 'src') s.src = mac(name, k, v);
        else if (k === 'dst') s.dst = mac(name, k, v);
        else if (k === 'type') s.type = num(name, k, v, 0xffff);
        else unknown(name, k, 'src dst type');
      }
      return s;
    }
    case 'vlan': {
      const s: Extract<LayerSpec, { layer: 'vlan' }> = { layer: 'vlan' };
      for (const [k, v] of pairs) {
        if (k === 'id' || k === 'vid') s.id = num(name, k, v, 4095);
        else if (k === 'pcp' || k === 'prio') s.pcp = num(name, k, v, 7);
        else if (k === 'dei') s.dei = bool(name, k, v);
        else if (k === 'tpid') s.tpid = num(name, k, v, 0xffff);
        else if (k === 'type') s.type = num(name, k, v, 0xffff);
        else unknown(name, k, 'id pcp dei tpid type');
      }
      return s;
    }
    case 'arp': {
      const s: Extract<LayerSpec, { layer: 'arp' }> = { layer: 'arp' };
      for (const [k, v] of pairs) {
        if (k === 'op') s.op = v === 'request' ? 1 : v === 'reply' ? 2 : num(name, k, v, 0xffff);
        else if (k === 'sha' || k === 'smac') s.sha = mac(name, k, v);
        else if (k === 'spa' || k === 'sip') s.spa = ip4(name, k, v);
        else if (k === 'tha' || k === 'tmac') s.tha = mac(name, k, v);
        else if (k === 'tpa' || k === 'tip') s.tpa = ip4(name, k, v);
        else unknown(name, k, 'op sha spa tha tpa');
      }
      return s;
    }
    case 'ipv4': {
      const s: Extract<LayerSpec, { layer: 'ipv4' }> = { layer: 'ipv4' };
      for (const [k, v] of pairs) {
        if (k === 'src') s.src = ip4(name, k, v);
        else if (k === 'dst') s.dst = ip4(name, k, v);
        else if (k === 'ttl') s.ttl = num(name, k, v, 255);
        else if (k === 'id') s.id = num(name, k, v, 0xffff);
        else if (k === 'tos') s.tos = num(name, k, v, 255);
        else if (k === 'df') s.df = bool(name, k, v);
        else if (k === 'mf') s.mf = bool(name, k, v);
        else if (k === 'rf') s.rf = bool(name, k, v);
        else if (k === 'frag' || k === 'offset') s.fragOffset = num(name, k, v, 0x1fff);
        else if (k === 'proto' || k === 'protocol') s.protocol = num(name, k, v, 255);
        else if (k === 'len') s.totalLength = num(name, k, v, 0xffff);
        else if (k === 'checksum') s.checksum = num(name, k, v, 0xffff);
        else if (k === 'options') {
          s.options = hex(name, k, v);
          if (s.options.length > 40) throw new UsageError('ipv4 options: at most 40 bytes');
        } else unknown(name, k, 'src dst ttl id tos df mf rf frag proto len checksum options');
      }
      return s;
    }
    case 'ipv6': {
      const s: Extract<LayerSpec, { layer: 'ipv6' }> = { layer: 'ipv6' };
      for (const [k, v] of pairs) {
        if (k === 'src') s.src = ip6(name, k, v);
        else if (k === 'dst') s.dst = ip6(name, k, v);
        else if (k === 'hlim' || k === 'ttl') s.hopLimit = num(name, k, v, 255);
        else if (k === 'tclass') s.tclass = num(name, k, v, 255);
        else if (k === 'flow') s.flow = num(name, k, v, 0xfffff);
        else if (k === 'nxt') s.nextHeader = num(name, k, v, 255);
        else if (k === 'plen') s.payloadLength = num(name, k, v, 0xffff);
        else unknown(name, k, 'src dst hlim tclass flow nxt plen');
      }
      return s;
    }
    case 'ipv6.hopopts':
    case 'ipv6.dstopts': {
      const options: Ipv6Option[] = [];
      let nextHeader: number | undefined;
      for (const [k, v] of pairs) {
        if (k === 'ra') options.push({ type: 5, data: Uint8Array.of(0, 0) });
        else if (k === 'hoa') options.push({ type: 0xc9, data: ip6(name, k, v) });
        else if (k === 'opt') {
          const [t, d] = v.split(':');
          options.push({ type: num(name, k, t ?? '', 255), data: hex(name, k, d ?? '') });
        } else if (k === 'nxt') nextHeader = num(name, k, v, 255);
        else unknown(name, k, 'ra hoa=ADDR opt=TYPE:HEX nxt');
      }
      return { layer: name, options, nextHeader };
    }
    case 'ipv6.routing': {
      const s: Extract<LayerSpec, { layer: 'ipv6.routing' }> = { layer: 'ipv6.routing', addresses: [] };
      for (const [k, v] of pairs) {
        if (k === 'type') s.type = num(name, k, v, 255);
        else if (k === 'addr' || k === 'seg') s.addresses.push(ip6(name, k, v));
        else if (k === 'left') s.segmentsLeft = num(name, k, v, 255);
        else if (k === 'nxt') s.nextHeader = num(name, k, v, 255);
        else unknown(name, k, 'type addr seg left nxt');
      }
      if (s.addresses.length === 0) throw new UsageError('routing: give at least one addr=ADDR');
      return s;
    }
    case 'ipv6.fraghdr': {
      const s: Extract<LayerSpec, { layer: 'ipv6.fraghdr' }> = { layer: 'ipv6.fraghdr' };
      for (const [k, v] of pairs) {
        if (k === 'offset') s.offset = num(name, k, v, 0x1fff);
        else if (k === 'more' || k === 'm') s.more = bool(name, k, v);
        else if (k === 'id' || k === 'ident') s.ident = num(name, k, v, 0xffffffff);
        else if (k === 'nxt') s.nextHeader = num(name, k, v, 255);
        else unknown(name, k, 'offset more id nxt');
      }
      return s;
    }
    case 'tcp': {
      const s: Extract<LayerSpec, { layer: 'tcp' }> = { layer: 'tcp' };
      const options: TcpOption[] = [];
      for (const [k, v] of pairs) {
        if (k === 'sport') s.sport = num(name, k, v, 0xffff);
        else if (k === 'dport') s.dport = num(name, k, v, 0xffff);
        else if (k === 'seq') s.seq = num(name, k, v, 0xffffffff);
        else if (k === 'ack') s.ack = num(name, k, v, 0xffffffff);
        else if (k === 'flags') {
          const f = parseTcpFlags(v);
          if (f === undefined)
            throw new UsageError(`tcp flags: '${v}' (letters FSRPAUEWN or . for ACK, or syn,ack…)`);
          s.flags = f;
        } else if (k === 'win' || k === 'window') s.window = num(name, k, v, 0xffff);
        else if (k === 'urg') s.urgent = num(name, k, v, 0xffff);
        else if (k === 'checksum') s.checksum = num(name, k, v, 0xffff);
        else if (k === 'mss') options.push({ kind: 2, mss: num(name, k, v, 0xffff) });
        else if (k === 'wscale') options.push({ kind: 3, shift: num(name, k, v, 255) });
        else if (k === 'sackok') options.push({ kind: 4 });
        else if (k === 'sack') {
          const [l, r] = v.split('-');
          options.push({
            kind: 5,
            blocks: [[num(name, k, l ?? '', 0xffffffff), num(name, k, r ?? '', 0xffffffff)]],
          });
        } else if (k === 'ts') {
          const [a, b] = v === 'true' ? ['0', '0'] : v.split(':');
          options.push({
            kind: 8,
            tsval: num(name, k, a ?? '', 0xffffffff),
            tsecr: num(name, k, b ?? '0', 0xffffffff),
          });
        } else if (k === 'tfo')
          options.push({ kind: 34, cookie: v === 'true' ? new Uint8Array(0) : hex(name, k, v) });
        else if (k === 'nop') options.push({ kind: 1 });
        else if (k === 'eol') options.push({ kind: 0 });
        else if (k === 'opt') {
          const [t, d] = v.split(':');
          options.push({ kind: num(name, k, t ?? '', 255), data: hex(name, k, d ?? '') });
        } else
          unknown(
            name,
            k,
            'sport dport seq ack flags win urg checksum mss wscale sackok sack ts tfo nop eol opt',
          );
      }
      if (options.length) s.options = options;
      return s;
    }
    case 'udp': {
      const s: Extract<LayerSpec, { layer: 'udp' }> = { layer: 'udp' };
      for (const [k, v] of pairs) {
        if (k === 'sport') s.sport = num(name, k, v, 0xffff);
        else if (k === 'dport') s.dport = num(name, k, v, 0xffff);
        else if (k === 'len') s.length = num(name, k, v, 0xffff);
        else if (k === 'checksum') s.checksum = num(name, k, v, 0xffff);
        else unknown(name, k, 'sport dport len checksum');
      }
      return s;
    }
    case 'icmp':
    case 'icmpv6': {
      const types = name === 'icmp' ? ICMP_TYPES : ICMP6_TYPES;
      const s: Extract<LayerSpec, { layer: 'icmp' | 'icmpv6' }> = { layer: name };
      let id = 0;
      let seq = 0;
      let echo = false;
      let naFlags: number | undefined;
      const nd = s as Extract<LayerSpec, { layer: 'icmpv6' }>;
      const macBytes = (k: string, v: string) => {
        const m = mac(name, k, v);
        return Uint8Array.of(
          Math.floor(m / 2 ** 40),
          Math.floor(m / 2 ** 32) & 0xff,
          (m >>> 24) & 0xff,
          (m >>> 16) & 0xff,
          (m >>> 8) & 0xff,
          m & 0xff,
        );
      };
      for (const [k, v] of pairs) {
        if (name === 'icmpv6' && (k === 'target' || k === 'dest')) {
          if (k === 'target') nd.target = ip6(name, k, v);
          else nd.destination = ip6(name, k, v);
        } else if (name === 'icmpv6' && (k === 'sll' || k === 'tll')) {
          nd.ndOptions = [...(nd.ndOptions ?? []), { type: k === 'sll' ? 1 : 2, data: macBytes(k, v) }];
        } else if (name === 'icmpv6' && (k === 'router' || k === 'solicited' || k === 'override')) {
          const bit = k === 'router' ? 0x80000000 : k === 'solicited' ? 0x40000000 : 0x20000000;
          naFlags = ((naFlags ?? 0) | (bool(name, k, v) ? bit : 0)) >>> 0;
        } else if (k === 'type') s.type = types[v] ?? num(name, k, v, 255);
        else if (k === 'code') s.code = num(name, k, v, 255);
        else if (k === 'checksum') s.checksum = num(name, k, v, 0xffff);
        else if (k === 'id') {
          id = num(name, k, v, 0xffff);
          echo = true;
        } else if (k === 'seq') {
          seq = num(name, k, v, 0xffff);
          echo = true;
        } else if (k === 'rest' || k === 'mtu') s.rest = num(name, k, v, 0xffffffff);
        else
          unknown(
            name,
            k,
            `type code checksum id seq rest mtu${name === 'icmpv6' ? ' target dest sll tll router solicited override' : ''}`,
          );
      }
      if (echo) s.rest = (id * 0x10000 + seq) >>> 0;
      if (naFlags !== undefined) s.rest = naFlags;
      return s;
    }
    case 'dns': {
      const m: DnsMessage = {
        id: 0,
        qr: false,
        opcode: 0,
        aa: false,
        tc: false,
        rd: true,
        ra: false,
        z: false,
        ad: false,
        cd: false,
        rcode: 0,
        questions: [],
        answers: [],
        authorities: [],
        additionals: [],
      };
      let qname: string | undefined;
      let qtype = 1;
      let ttl = 300;
      const answers: [number, string][] = [];
      for (const [k, v] of pairs) {
        if (k === 'id') m.id = num(name, k, v, 0xffff);
        else if (
          k === 'qr' ||
          k === 'aa' ||
          k === 'tc' ||
          k === 'rd' ||
          k === 'ra' ||
          k === 'ad' ||
          k === 'cd'
        )
          m[k] = bool(name, k, v);
        else if (k === 'opcode') m.opcode = num(name, k, v, 15);
        else if (k === 'rcode') m.rcode = num(name, k, v, 15);
        else if (k === 'q' || k === 'qname') qname = v;
        else if (k === 'qtype') qtype = dnsType(v);
        else if (k === 'ttl') ttl = num(name, k, v, 0xffffffff);
        else if (k === 'a' || k === 'aaaa' || k === 'cname' || k === 'ptr' || k === 'ns')
          answers.push([dnsType(k), v]);
        else unknown(name, k, 'id qr aa tc rd ra ad cd opcode rcode q qtype ttl a aaaa cname ptr ns');
      }
      if (qname !== undefined) m.questions.push({ name: qname, type: qtype, class: 1 });
      if (answers.length) {
        if (qname === undefined) throw new UsageError('dns: answers need a question (q=NAME)');
        m.qr = true;
        m.answers = answers.map(([type, data]): DnsRecord => ({ name: qname!, type, class: 1, ttl, data }));
      }
      return { layer: 'dns', message: m };
    }
    case 'payload': {
      for (const [k, v] of pairs) {
        if (k === 'text') return { layer: 'payload', data: new TextEncoder().encode(v) };
        if (k === 'hex') return { layer: 'payload', data: hex(name, k, v) };
        if (k === 'zeros') return { layer: 'payload', data: new Uint8Array(num(name, k, v, 65535)) };
        unknown(name, k, 'text hex zeros');
      }
      return { layer: 'payload', data: new Uint8Array(0) };
    }
    default:
      throw new UsageError(`unknown layer '${name}'`);
  }
}

/** A JSON layer object → the same pairs the flags give (arrays repeat the key). */
function jsonPairs(o: Record<string, unknown>, where: string): Pairs {
  const out: Pairs = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'layer') continue;
    for (const x of Array.isArray(v) ? v : [v]) {
      if (typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean') {
        throw new UsageError(`${where}: field '${k}' must be a string, number or boolean`);
      }
      out.push([k, String(x)]);
    }
  }
  return out;
}

const LAYER_ALIASES: Record<string, string> = {
  ip4: 'ipv4',
  ip: 'ipv4',
  ip6: 'ipv6',
  icmp6: 'icmpv6',
  frag6: 'ipv6.fraghdr',
  hopopts: 'ipv6.hopopts',
  dstopts: 'ipv6.dstopts',
  routing: 'ipv6.routing',
};

/** Parses a JSON description: a list of packets, each a list of `{ "layer": …, fields… }`. */
export function parseJsonPackets(text: string): LayerSpec[][] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--json: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(doc) || doc.length === 0)
    throw new UsageError('--json: expected a non-empty list of packets');
  return doc.map((pkt, i) => {
    if (!Array.isArray(pkt) || pkt.length === 0)
      throw new UsageError(`--json: packet ${i + 1} must be a non-empty list of layers`);
    return pkt.map((l, j) => {
      const where = `--json packet ${i + 1} layer ${j + 1}`;
      if (!l || typeof l !== 'object' || typeof (l as { layer?: unknown }).layer !== 'string') {
        throw new UsageError(`${where}: expected an object with a "layer" name`);
      }
      const o = l as Record<string, unknown>;
      const name = LAYER_ALIASES[o.layer as string] ?? (o.layer as string);
      return parseLayer(name, jsonPairs(o, where));
    });
  });
}

/** `--inc layer.field[:step]`: which numeric field of which layer grows from packet to packet. */
export function applyIncrement(specs: LayerSpec[], inc: string, i: number): LayerSpec[] {
  const m = /^([a-z0-9.]+)\.([a-zA-Z]+)(?::(\d+))?$/.exec(inc);
  if (!m) throw new UsageError(`--inc: expected LAYER.FIELD[:STEP], got '${inc}'`);
  const layer = LAYER_ALIASES[m[1]!] ?? m[1]!;
  const field = { frag: 'fragOffset', len: 'totalLength', win: 'window' }[m[2]!] ?? m[2]!;
  const step = Number(m[3] ?? 1);
  let found = false;
  const out = specs.map((s) => {
    if (s.layer !== layer) return s;
    const rec = s as unknown as Record<string, unknown>;
    if ((s.layer === 'icmp' || s.layer === 'icmpv6') && field === 'seq') {
      found = true;
      const rest = s.rest ?? 0;
      return { ...s, rest: ((rest & 0xffff0000) | ((rest + i * step) & 0xffff)) >>> 0 };
    }
    const numeric = ['sport', 'dport', 'seq', 'ack', 'id', 'ttl', 'fragOffset', 'ident', 'window'];
    if (!numeric.includes(field) && !(layer === 'ipv4' && (field === 'src' || field === 'dst'))) {
      throw new UsageError(`--inc: ${layer}.${field} cannot be incremented`);
    }
    found = true;
    const max =
      field === 'seq' ||
      field === 'ack' ||
      field === 'ident' ||
      (layer === 'ipv4' && (field === 'src' || field === 'dst'))
        ? 2 ** 32
        : field === 'ttl'
          ? 256
          : 65536;
    // The builder's defaults (src/wire/build.ts), so that an unset field counts up from what it would be.
    const defaults: Record<string, number> = {
      sport: 1024,
      dport: layer === 'tcp' ? 80 : 53,
      ttl: 64,
      src: 0xc0000201,
      dst: 0xc0000202,
      window: 65535,
    };
    const base = typeof rec[field] === 'number' ? (rec[field] as number) : (defaults[field] ?? 0);
    return { ...s, [field]: (base + i * step) % max } as LayerSpec;
  });
  if (!found) throw new UsageError(`--inc: no ${layer} layer in the packet`);
  return out;
}

export const craft: Command = {
  name: 'craft',
  group: 'Packets',
  summary: 'build packets layer by layer and write them to a pcap or pcapng file',
  usage:
    'netkit craft [--eth F] [--vlan F]… [--arp F | --ip4 F | --ip6 F] [--tcp F | --udp F | --icmp F] [--payload TEXT] [-w FILE]',
  description:
    'Each layer flag takes comma-separated fields (key=value, or a bare key for true); layers stack in the\n' +
    'order eth, vlan…, arp/ip4/ip6, IPv6 extension headers, tcp/udp/icmp/icmp6, dns, payload. Unset fields get\n' +
    'defaults (TEST-NET and documentation addresses, TTL 64); lengths, next-protocol fields and checksums are\n' +
    'computed unless given (checksum=0x1234) or --bad-checksum is set. --json FILE (or -) reads a list of\n' +
    'packets, each a list of {"layer": "ipv4", "src": "10.0.0.1", …} objects with the same field names.\n' +
    'Fields — eth: src dst type; vlan: id pcp dei tpid; arp: op sha spa tha tpa; ip4: src dst ttl id tos df mf\n' +
    'frag proto len checksum options(hex); ip6: src dst hlim tclass flow; hopopts/dstopts: ra hoa opt=T:HEX;\n' +
    'routing: type addr=… left; frag6: offset more id; tcp: sport dport seq ack flags(S,SA,PA,F.…) win urg\n' +
    'checksum mss wscale sackok sack=L-R ts=VAL:ECR tfo[=HEX] nop opt=K:HEX; udp: sport dport len checksum;\n' +
    'icmp/icmp6: type(echo,reply,unreach,ns,na…) code id seq mtu checksum, icmp6 ND: target sll tll router\n' +
    'solicited override; dns: id q qtype rd a aaaa cname ttl.',
  examples: [
    'netkit craft --eth src=00:11:22:33:44:55 --ip4 src=10.0.0.1,dst=10.0.0.2,ttl=5 --tcp dport=80,flags=S,mss=1460 -w syn.pcap',
    'netkit craft --ip6 dst=2001:db8::53 --udp dport=53 --dns q=example.com,qtype=AAAA -w q.pcapng --format pcapng',
    'netkit craft --ip4 dst=10.0.0.2 --icmp type=echo,id=1 --payload hello --count 5 --inc icmp.seq -w ping.pcap',
    'netkit craft --json packets.json -w out.pcap && tshark -r out.pcap',
  ],
  options: {
    eth: {
      type: 'string',
      valueName: 'FIELDS',
      description: 'Ethernet II header (default when a network layer is given)',
    },
    'no-eth': {
      type: 'boolean',
      description: 'write bare IP packets (LINKTYPE_RAW) instead of Ethernet frames',
    },
    vlan: {
      type: 'string',
      multiple: true,
      valueName: 'FIELDS',
      description: '802.1Q tag (repeat for Q-in-Q; tpid=0x88a8 for an S-tag)',
    },
    arp: { type: 'string', valueName: 'FIELDS', description: 'ARP packet' },
    ip4: { type: 'string', valueName: 'FIELDS', description: 'IPv4 header' },
    ip6: { type: 'string', valueName: 'FIELDS', description: 'IPv6 header' },
    hopopts: { type: 'string', valueName: 'FIELDS', description: 'IPv6 hop-by-hop options header' },
    routing: { type: 'string', valueName: 'FIELDS', description: 'IPv6 routing header (type 0 or 4)' },
    frag6: { type: 'string', valueName: 'FIELDS', description: 'IPv6 fragment header' },
    dstopts: { type: 'string', valueName: 'FIELDS', description: 'IPv6 destination options header' },
    tcp: { type: 'string', valueName: 'FIELDS', description: 'TCP header and options' },
    udp: { type: 'string', valueName: 'FIELDS', description: 'UDP header' },
    icmp: { type: 'string', valueName: 'FIELDS', description: 'ICMP header' },
    icmp6: { type: 'string', valueName: 'FIELDS', description: 'ICMPv6 header' },
    dns: {
      type: 'string',
      valueName: 'FIELDS',
      description: 'DNS message (a query, or an answer with a=/aaaa=/cname=)',
    },
    payload: { type: 'string', valueName: 'TEXT', description: 'application data as text' },
    'payload-hex': { type: 'string', valueName: 'HEX', description: 'application data as hex' },
    json: { type: 'string', valueName: 'FILE', description: 'read packets from a JSON file (- for stdin)' },
    count: {
      type: 'string',
      short: 'c',
      valueName: 'N',
      description: 'write each packet N times (default 1)',
    },
    inc: {
      type: 'string',
      valueName: 'LAYER.FIELD[:STEP]',
      description: 'increment a field in each copy, e.g. udp.sport or ip4.id:2',
    },
    'bad-checksum': { type: 'boolean', description: 'store wrong checksums where they would be computed' },
    fcs: { type: 'boolean', description: 'append the Ethernet FCS (CRC-32) to each frame' },
    'bad-fcs': { type: 'boolean', description: 'with --fcs: store a wrong FCS' },
    write: {
      type: 'string',
      short: 'w',
      valueName: 'FILE',
      description: 'output file (default stdout, not a terminal)',
    },
    format: { type: 'string', valueName: 'FMT', description: 'pcap (µs, default), pcap-ns, or pcapng' },
    time: {
      type: 'string',
      valueName: 'SECONDS',
      description: 'timestamp of the first packet (default now)',
    },
    interval: { type: 'string', valueName: 'MS', description: 'milliseconds between packets (default 1)' },
  },
  async run(ctx) {
    if (ctx.positionals.length)
      throw new UsageError(
        `unexpected argument '${ctx.positionals[0]}' (layers are flags: see netkit craft --help)`,
      );
    let packets: LayerSpec[][];
    const jsonFile = str(ctx, 'json');
    if (jsonFile !== undefined) {
      const used = LAYER_FLAGS.filter(([f]) => ctx.values[f] !== undefined).map(([f]) => `--${f}`);
      if (used.length) throw new UsageError(`--json cannot be combined with layer flags (${used.join(' ')})`);
      let text: string;
      try {
        text = jsonFile === '-' ? await readStream(ctx.stdin) : readFileSync(jsonFile, 'utf8');
      } catch (e) {
        throw new UsageError(`--json: cannot read ${jsonFile}: ${(e as Error).message}`);
      }
      packets = parseJsonPackets(text);
    } else {
      packets = [flagsPacket(ctx.values)];
    }
    const count = intOpt(ctx, 'count', 1, 10_000_000, 1);
    const inc = str(ctx, 'inc');
    const format = str(ctx, 'format') ?? 'pcap';
    if (!['pcap', 'pcap-ns', 'pcapng'].includes(format))
      throw new UsageError(`--format must be pcap, pcap-ns or pcapng, got '${format}'`);
    const opts: BuildOptions = {
      badChecksum: flag(ctx, 'bad-checksum'),
      fcs: flag(ctx, 'fcs'),
      badFcs: flag(ctx, 'bad-fcs'),
    };
    if (opts.badFcs && !opts.fcs) throw new UsageError('--bad-fcs needs --fcs');
    const linkOf = (p: LayerSpec[]) => (p[0]!.layer === 'eth' ? LinkType.ETHERNET : LinkType.RAW);
    const linktype = linkOf(packets[0]!);
    if (packets.some((p) => linkOf(p) !== linktype) && format !== 'pcapng') {
      throw new UsageError('packets mix Ethernet and bare IP: use --format pcapng');
    }
    const t0 = str(ctx, 'time') !== undefined ? Number(str(ctx, 'time')) : Date.now() / 1000;
    if (!Number.isFinite(t0) || t0 < 0 || t0 >= 2 ** 32)
      throw new UsageError(`--time must be seconds since 1970, got '${str(ctx, 'time')}'`);
    const intervalNs = intOpt(ctx, 'interval', 0, 3_600_000, 1) * 1_000_000;
    const startNs = BigInt(Math.round(t0 * 1e6)) * 1000n;
    const writer =
      format === 'pcapng'
        ? new PcapngWriter({
            interfaces: [
              { linktype, name: 'netkit-craft' },
              {
                linktype: linktype === LinkType.ETHERNET ? LinkType.RAW : LinkType.ETHERNET,
                name: 'netkit-craft',
              },
            ],
          })
        : new PcapWriter({ linktype, nano: format === 'pcap-ns' });
    const out = str(ctx, 'write');
    const toStdout = out === undefined || out === '-';
    if (toStdout && ctx.stdoutIsTTY)
      throw new UsageError('refusing to write a capture to a terminal: use -w FILE or a pipe');
    // Packets are built and written one at a time (constant memory for any --count).
    const stream = toStdout ? ctx.stdout : createWriteStream(out);
    const failed = new Promise<never>((_, reject) =>
      stream.once('error', (e: Error) =>
        reject(new NetkitError(ErrorCodes.NETWORK, `write ${out ?? 'stdout'}: ${e.message}`)),
      ),
    );
    failed.catch(() => {});
    const sink = new CaptureSink(stream, writer);
    let n = 0;
    for (let c = 0; c < count && !ctx.signal.aborted; c++) {
      for (const p of packets) {
        const specs = inc ? applyIncrement(p, inc, c) : p;
        let built: Uint8Array;
        try {
          built = buildPacket(specs, opts).bytes;
        } catch (e) {
          if (e instanceof NetkitError) throw new UsageError(e.message);
          throw e;
        }
        const ts = startNs + BigInt(n++) * BigInt(intervalNs);
        const wait = sink.write({
          data: built,
          tsSec: Number(ts / 1_000_000_000n),
          tsNsec: Number(ts % 1_000_000_000n),
          iface: format === 'pcapng' && linkOf(p) !== linktype ? 1 : 0,
        });
        if (wait) await Promise.race([wait, failed]);
      }
    }
    await Promise.race([toStdout ? sink.flush() : sink.end(), failed]);
    if (!toStdout)
      ctx.stderr.write(`netkit craft: wrote ${n} packet${n === 1 ? '' : 's'} to ${out} (${format})\n`);
    return 0;
  },
};

function flagsPacket(values: Record<string, unknown>): LayerSpec[] {
  const specs: LayerSpec[] = [];
  for (const [flagName, layer] of LAYER_FLAGS) {
    const v = values[flagName];
    if (v === undefined) continue;
    for (const text of Array.isArray(v) ? v : [v]) specs.push(parseLayer(layer, splitFields(String(text))));
  }
  const payloadText = values.payload;
  const payloadHex = values['payload-hex'];
  if (payloadText !== undefined && payloadHex !== undefined)
    throw new UsageError('give --payload or --payload-hex, not both');
  if (typeof payloadText === 'string')
    specs.push({ layer: 'payload', data: new TextEncoder().encode(payloadText) });
  if (typeof payloadHex === 'string') specs.push(parseLayer('payload', [['hex', payloadHex]]));
  if (specs.length === 0)
    throw new UsageError(
      'describe at least one layer (e.g. --ip4 dst=10.0.0.1 --udp dport=9), or use --json FILE',
    );
  const hasNet = specs.some((s) => s.layer === 'ipv4' || s.layer === 'ipv6' || s.layer === 'arp');
  if (specs[0]!.layer !== 'eth' && values['no-eth'] !== true && (hasNet || specs[0]!.layer === 'vlan'))
    specs.unshift({ layer: 'eth' });
  if (values['no-eth'] === true && specs[0]!.layer === 'eth')
    throw new UsageError('--no-eth cannot be combined with --eth');
  const nets = specs.filter((s) => s.layer === 'ipv4' || s.layer === 'ipv6' || s.layer === 'arp').length;
  if (nets > 1)
    throw new UsageError('give one of --arp, --ip4, --ip6 (use --json for tunnels and ICMP errors)');
  const transports = specs.filter((s) => ['tcp', 'udp', 'icmp', 'icmpv6'].includes(s.layer)).length;
  if (transports > 1) throw new UsageError('give one of --tcp, --udp, --icmp, --icmp6');
  if (transports && !nets) throw new UsageError('a transport layer needs --ip4 or --ip6 under it');
  return specs;
}

function readStream(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    s.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024 * 1024) reject(new UsageError('--json: input larger than 64 MiB'));
      else chunks.push(c);
    });
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    s.on('error', reject);
  });
}
