// A pcap-filter(7) subset compiled once into a predicate over a Dissection: host/net/port/portrange
// with src/dst, ether host, vlan, ip/ip6/arp/tcp/udp/icmp/icmp6, proto, less/greater/len, byte
// access with masks (tcp[tcpflags] & tcp-syn != 0), and/or/not, &&/||/!, parentheses.
// Mistakes are SyntaxError_ with file '<filter>' and the 1-based column.

import { parseIPv4, parseIPv6, parseMac } from '../core/bytes.js';
import { SyntaxError_ } from '../core/errors.js';
import { type Dissection, L2_ETH, NET_ARP, NET_IP4, NET_IP6 } from './dissect.js';

export type Predicate = (d: Dissection) => boolean;

/**
 * Thrown (and caught by the compiled filter) when a primitive needs bytes the packet does not have:
 * like a BPF load past the end, it rejects the packet whatever `not` surrounds it.
 */
const REJECT = Symbol('reject');

/** The IP header's protocol byte must be captured to test a protocol. */
/** Rejects the packet when its IP protocol number is not known (header cut short). */
function needProto(d: Dissection): Dissection {
  if ((d.net === NET_IP4 || d.net === NET_IP6) && d.proto < 0) throw REJECT;
  return d;
}

interface Tok {
  t: 'id' | 'num' | 'op' | 'end';
  v: string;
  col: number;
}

const OPS = [
  '&&',
  '||',
  '!=',
  '==',
  '<=',
  '>=',
  '<<',
  '>>',
  '(',
  ')',
  '[',
  ']',
  '!',
  '<',
  '>',
  '=',
  '&',
  '|',
  '+',
  '-',
  '*',
  '/',
  ':',
];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let depth = 0;
  while (i < src.length) {
    const ch = src[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      i++;
      continue;
    }
    // Words: names, addresses (v4, v6, MAC), CIDR, port ranges, protocol names with dashes.
    // Inside brackets ':' separates the access size (`udp[8:2]`), so it is not part of a word there.
    const m = (depth > 0 ? /^[A-Za-z0-9_.\-/]+/ : /^[A-Za-z0-9_.:\-/]+/).exec(src.slice(i));
    if (m && (/[A-Za-z0-9_]/.test(ch) || src.startsWith('::', i))) {
      let w = m[0];
      // A word never ends in ':' (that is the byte-access size separator, `tcp[13:1]`).
      if (w.endsWith(':') && !w.endsWith('::')) w = w.slice(0, -1);
      out.push({ t: /^(0x[0-9a-fA-F]+|\d+)$/.test(w) ? 'num' : 'id', v: w, col: i + 1 });
      i += w.length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new SyntaxError_('<filter>', 1, i + 1, `unexpected character '${ch}'`);
    if (op === '[') depth++;
    else if (op === ']') depth = Math.max(0, depth - 1);
    out.push({ t: 'op', v: op, col: i + 1 });
    i += op.length;
  }
  out.push({ t: 'end', v: '', col: src.length + 1 });
  return out;
}

const PROTO_NUMBERS: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  icmp6: 58,
  sctp: 132,
};

/** Named constants of pcap-filter's byte-access expressions. */
const CONSTANTS: Record<string, number> = {
  tcpflags: 13,
  'tcp-fin': 0x01,
  'tcp-syn': 0x02,
  'tcp-rst': 0x04,
  'tcp-push': 0x08,
  'tcp-ack': 0x10,
  'tcp-urg': 0x20,
  'tcp-ece': 0x40,
  'tcp-cwr': 0x80,
  icmptype: 0,
  icmpcode: 1,
  'icmp-echoreply': 0,
  'icmp-unreach': 3,
  'icmp-sourcequench': 4,
  'icmp-redirect': 5,
  'icmp-echo': 8,
  'icmp-routeradvert': 9,
  'icmp-routersolicit': 10,
  'icmp-timxceed': 11,
  'icmp-paramprob': 12,
  'icmp-tstamp': 13,
  'icmp-tstampreply': 14,
  icmp6type: 0,
  icmp6code: 1,
  'icmp6-echo': 128,
  'icmp6-echoreply': 129,
  'icmp6-neighborsolicit': 135,
  'icmp6-neighboradvert': 136,
};

/** A value; byte access outside the packet gives NaN, and every comparison with NaN is false. */
type Value = (d: Dissection) => number;

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'host',
  'net',
  'port',
  'portrange',
  'src',
  'dst',
  'ether',
  'vlan',
  'ip',
  'ip6',
  'arp',
  'rarp',
  'tcp',
  'udp',
  'icmp',
  'icmp6',
  'proto',
  'less',
  'greater',
  'len',
  'mask',
  'broadcast',
  'multicast',
]);

class Parser {
  private p = 0;
  private readonly toks: Tok[];
  constructor(toks: Tok[]) {
    this.toks = toks;
  }

  private get cur(): Tok {
    return this.toks[this.p]!;
  }
  private next(): Tok {
    return this.toks[this.p++]!;
  }
  private isWord(v: string): boolean {
    return this.cur.t === 'id' && this.cur.v.toLowerCase() === v;
  }
  private isOp(v: string): boolean {
    return this.cur.t === 'op' && this.cur.v === v;
  }
  private fail(msg: string, tok = this.cur): never {
    throw new SyntaxError_('<filter>', 1, tok.col, msg);
  }
  private expectOp(v: string): void {
    if (!this.isOp(v))
      this.fail(`expected '${v}'${this.cur.t === 'end' ? ' before the end' : `, found '${this.cur.v}'`}`);
    this.p++;
  }

  parse(): Predicate {
    if (this.cur.t === 'end') return () => true;
    const e = this.or();
    const rest = this.cur;
    if (rest.t !== 'end') this.fail(`unexpected '${rest.v}'`);
    return e;
  }

  private or(): Predicate {
    let l = this.and();
    while (this.isWord('or') || this.isOp('||')) {
      this.p++;
      const a = l;
      const r = this.and();
      l = (d) => a(d) || r(d);
    }
    return l;
  }

  private and(): Predicate {
    let l = this.not();
    while (this.isWord('and') || this.isOp('&&')) {
      this.p++;
      const a = l;
      const r = this.not();
      l = (d) => a(d) && r(d);
    }
    return l;
  }

  private not(): Predicate {
    if (this.isWord('not') || this.isOp('!')) {
      this.p++;
      const e = this.not();
      return (d) => !e(d);
    }
    return this.primary();
  }

  private primary(): Predicate {
    if (this.cur.t === 'end') this.fail('expected a filter primitive before the end');
    if (this.isOp('(')) {
      // Either a parenthesised filter or the start of an arithmetic relation, `(tcp[13] & 2) != 0`.
      const save = this.p;
      try {
        return this.relation();
      } catch (e) {
        if (!(e instanceof SyntaxError_)) throw e;
        this.p = save;
      }
      this.p++;
      const e = this.or();
      this.expectOp(')');
      return e;
    }
    if (this.startsValue()) return this.relation();
    return this.primitive();
  }

  /** True when the current token starts an arithmetic value: a number, len, a constant or proto[...]. */
  private startsValue(): boolean {
    const t = this.cur;
    if (t.t === 'num') return true;
    if (t.t !== 'id') return false;
    const v = t.v.toLowerCase();
    if (v === 'len') return true;
    if (CONSTANTS[v] !== undefined) return true;
    const nx = this.toks[this.p + 1];
    return (
      ['ether', 'ip', 'ip6', 'tcp', 'udp', 'icmp', 'icmp6', 'arp'].includes(v) &&
      nx?.t === 'op' &&
      nx.v === '['
    );
  }

  private relation(): Predicate {
    const a = this.arith();
    const opTok = this.cur;
    if (opTok.t !== 'op' || !['=', '==', '!=', '<', '>', '<=', '>='].includes(opTok.v)) {
      this.fail(
        `expected a comparison (=, !=, <, >, <=, >=)${opTok.t === 'end' ? ' before the end' : `, found '${opTok.v}'`}`,
      );
    }
    this.p++;
    const b = this.arith();
    switch (opTok.v) {
      case '=':
      case '==':
        return (d) => a(d) === b(d);
      case '!=':
        return (d) => {
          const x = a(d);
          const y = b(d);
          return !Number.isNaN(x) && !Number.isNaN(y) && x !== y;
        };
      case '<':
        return (d) => a(d) < b(d);
      case '>':
        return (d) => a(d) > b(d);
      case '<=':
        return (d) => a(d) <= b(d);
      default:
        return (d) => a(d) >= b(d);
    }
  }

  private arith(): Value {
    let l = this.term();
    while (this.cur.t === 'op' && ['+', '-', '|', '&', '<<', '>>'].includes(this.cur.v)) {
      const op = this.next().v;
      const a = l;
      const r = this.term();
      l = (d) => {
        const x = a(d);
        const y = r(d);
        if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
        switch (op) {
          case '+':
            return x + y;
          case '-':
            return x - y;
          case '|':
            return (x | y) >>> 0;
          case '&':
            return (x & y) >>> 0;
          case '<<':
            return (x << y) >>> 0;
          default:
            return x >>> y;
        }
      };
    }
    return l;
  }

  private term(): Value {
    let l = this.factor();
    while (this.cur.t === 'op' && (this.cur.v === '*' || this.cur.v === '/')) {
      const op = this.next().v;
      const a = l;
      const r = this.factor();
      l = op === '*' ? (d) => a(d) * r(d) : (d) => Math.floor(a(d) / r(d));
    }
    return l;
  }

  private factor(): Value {
    const t = this.cur;
    if (this.isOp('(')) {
      this.p++;
      const v = this.arith();
      this.expectOp(')');
      return v;
    }
    if (t.t === 'num') {
      this.p++;
      const n = Number(t.v);
      return () => n;
    }
    if (t.t === 'id') {
      const v = t.v.toLowerCase();
      if (v === 'len') {
        this.p++;
        return (d) => d.len;
      }
      if (CONSTANTS[v] !== undefined) {
        this.p++;
        const n = CONSTANTS[v]!;
        return () => n;
      }
      if (
        ['ether', 'ip', 'ip6', 'tcp', 'udp', 'icmp', 'icmp6', 'arp'].includes(v) &&
        this.toks[this.p + 1]?.v === '['
      ) {
        this.p += 2;
        const idx = this.arith();
        let size = 1;
        if (this.isOp(':')) {
          this.p++;
          const s = this.cur;
          if (s.t !== 'num' || !['1', '2', '4'].includes(s.v))
            this.fail('byte access size must be 1, 2 or 4');
          size = Number(s.v);
          this.p++;
        }
        this.expectOp(']');
        return access(v, idx, size);
      }
    }
    this.fail(t.t === 'end' ? 'expected a value before the end' : `expected a value, found '${t.v}'`);
  }

  private primitive(): Predicate {
    const t = this.cur;
    if (t.t !== 'id') this.fail(`expected a filter primitive, found '${t.v}'`);
    const v = t.v.toLowerCase();
    if (v === 'less' || v === 'greater') {
      this.p++;
      const n = this.number('a length');
      return v === 'less' ? (d) => d.len <= n : (d) => d.len >= n;
    }
    if (v === 'vlan') {
      this.p++;
      if (this.cur.t === 'num') {
        const id = this.number('a VLAN id', 4095);
        return (d) => d.vlanCount > 0 && d.vlanIds[0] === id;
      }
      return (d) => d.vlanCount > 0;
    }
    if (v === 'ether') {
      this.p++;
      const dir = this.direction();
      if (this.isWord('host')) this.p++;
      else if (dir === undefined) {
        if (this.isWord('proto')) {
          this.p++;
          const n = this.number('an EtherType', 0xffff);
          return (d) => d.etherType === n;
        }
        if (this.isWord('broadcast')) {
          this.p++;
          return (d) =>
            d.l2 === L2_ETH && d.data.length >= 6 && d.data.subarray(0, 6).every((x) => x === 0xff);
        }
        if (this.isWord('multicast')) {
          this.p++;
          return (d) => d.l2 === L2_ETH && d.data.length >= 1 && (d.data[0]! & 1) === 1;
        }
        this.fail("expected 'host', 'src', 'dst', 'proto', 'broadcast' or 'multicast' after 'ether'");
      }
      const tok = this.cur;
      const mac = tok.t === 'id' || tok.t === 'num' ? parseMac(tok.v) : undefined;
      if (mac === undefined) this.fail(`expected a MAC address, found '${tok.v}'`);
      this.p++;
      const m = macBytes(mac);
      const at = (d: Dissection, off: number) =>
        off >= 0 && off + 6 <= d.data.length && m.every((x, i) => d.data[off + i] === x);
      if (dir === 'src') return (d) => at(d, d.macSrcOff);
      if (dir === 'dst') return (d) => at(d, d.macDstOff);
      if (dir === 'and') return (d) => at(d, d.macSrcOff) && at(d, d.macDstOff);
      return (d) => at(d, d.macSrcOff) || at(d, d.macDstOff);
    }
    // [proto] [dir] (host|net|port|portrange) value  — and the bare protocol names.
    let proto: string | undefined;
    if (['ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6'].includes(v)) {
      proto = v;
      this.p++;
      if (this.isWord('proto')) {
        if (proto !== 'ip' && proto !== 'ip6') this.fail(`'proto' follows 'ip' or 'ip6', not '${proto}'`);
        this.p++;
        const n = this.protoNumber();
        return proto === 'ip'
          ? (d) => d.net === NET_IP4 && d.proto === n
          : (d) => d.net === NET_IP6 && d.proto === n;
      }
      if (!this.startsQualified()) return protoPredicate(proto);
    } else if (v === 'proto') {
      this.p++;
      const n = this.protoNumber();
      return (d) => (d.net === NET_IP4 || d.net === NET_IP6) && upper(needProto(d)) === n;
    }
    const dir = this.direction();
    const kindTok = this.cur;
    let kind = kindTok.t === 'id' ? kindTok.v.toLowerCase() : '';
    if (kind === 'host' || kind === 'net' || kind === 'port' || kind === 'portrange') this.p++;
    else if (dir !== undefined || proto !== undefined) kind = 'host';
    else if (KEYWORDS.has(kind) || kindTok.t !== 'id') this.fail(`unexpected '${kindTok.v}'`);
    else kind = 'host';
    const base = this.qualified(kind, dir, proto);
    if (proto === undefined || kind === 'port' || kind === 'portrange') return base;
    const pp = protoPredicate(proto);
    return (d) => pp(d) && base(d);
  }

  private startsQualified(): boolean {
    return ['src', 'dst', 'host', 'net', 'port', 'portrange'].includes(
      this.cur.t === 'id' ? this.cur.v.toLowerCase() : '',
    );
  }

  /** src | dst | src or dst | src and dst; undefined when absent. */
  private direction(): 'src' | 'dst' | 'or' | 'and' | undefined {
    if (this.isWord('src') || this.isWord('dst')) {
      const first = this.next().v.toLowerCase() as 'src' | 'dst';
      const nx = this.toks[this.p + 1];
      const other = first === 'src' ? 'dst' : 'src';
      if ((this.isWord('or') || this.isWord('and')) && nx?.t === 'id' && nx.v.toLowerCase() === other) {
        const j = this.next().v.toLowerCase() as 'or' | 'and';
        this.p++;
        return j;
      }
      return first;
    }
    return undefined;
  }

  private number(what: string, max = 0xffffffff): number {
    const t = this.cur;
    if (t.t !== 'num') this.fail(`expected ${what}, found '${t.v || 'the end'}'`);
    const n = Number(t.v);
    if (n > max) this.fail(`${what} must be at most ${max}`);
    this.p++;
    return n;
  }

  private protoNumber(): number {
    const t = this.cur;
    if (t.t === 'id' && PROTO_NUMBERS[t.v.toLowerCase()] !== undefined) {
      this.p++;
      return PROTO_NUMBERS[t.v.toLowerCase()]!;
    }
    return this.number('a protocol number or name', 255);
  }

  private qualified(
    kind: string,
    dir: 'src' | 'dst' | 'or' | 'and' | undefined,
    proto: string | undefined,
  ): Predicate {
    const tok = this.cur;
    if (tok.t === 'end')
      this.fail(
        `expected ${kind === 'host' ? 'an address' : kind === 'net' ? 'a network' : 'a port'} before the end`,
      );
    if (kind === 'port' || kind === 'portrange') {
      let lo: number;
      let hi: number;
      if (kind === 'port') {
        lo = hi = this.portValue();
      } else {
        const m = /^(\d+)-(\d+)$/.exec(tok.v);
        if (tok.t !== 'id' || !m) this.fail(`expected a port range like 6000-6010, found '${tok.v}'`);
        lo = Number(m[1]);
        hi = Number(m[2]);
        if (lo > 65535 || hi > 65535 || lo > hi) this.fail(`bad port range '${tok.v}'`);
        this.p++;
      }
      const pp =
        proto === 'tcp'
          ? (d: Dissection) => portProto(d) === 6
          : proto === 'udp'
            ? (d: Dissection) => portProto(d) === 17
            : (d: Dissection) => {
                const u = portProto(d);
                return u === 6 || u === 17 || u === 132;
              };
      const vp =
        proto === 'ip'
          ? (d: Dissection) => d.net === NET_IP4
          : proto === 'ip6'
            ? (d: Dissection) => d.net === NET_IP6
            : () => true;
      const inr = (x: number) => x >= lo && x <= hi;
      const pm =
        dir === 'src'
          ? (d: Dissection) => inr(d.sport)
          : dir === 'dst'
            ? (d: Dissection) => inr(d.dport)
            : dir === 'and'
              ? (d: Dissection) => inr(d.sport) && inr(d.dport)
              : (d: Dissection) => inr(d.sport) || inr(d.dport);
      // Ports exist only in a first fragment (or an unfragmented packet).
      return (d) => {
        needProto(d);
        if (!(vp(d) && pp(d)) || d.fragOff !== 0) return false;
        if (d.sport < 0) throw REJECT;
        return pm(d);
      };
    }
    // host / net
    let text = tok.v;
    this.p++;
    let bits = -1;
    if (kind === 'net' && this.isWord('mask')) {
      this.p++;
      const mt = this.cur;
      const mask = parseIPv4(mt.v);
      if (mask === undefined) this.fail(`expected a netmask, found '${mt.v}'`);
      this.p++;
      bits = 32 - Math.log2(((~mask >>> 0) + 1) >>> 0);
      if (!Number.isInteger(bits)) this.fail(`netmask '${mt.v}' is not contiguous`, mt);
    }
    const slash = text.indexOf('/');
    if (slash >= 0) {
      if (kind === 'host') this.fail(`'${text}' is a network: use 'net ${text}'`, tok);
      bits = Number(text.slice(slash + 1));
      text = text.slice(0, slash);
    }
    const v4 = parseIPv4(kind === 'net' && slash < 0 && bits < 0 ? padNet(text) : text);
    if (v4 !== undefined) {
      if (kind === 'net' && bits < 0) bits = slash < 0 ? 8 * text.split('.').length : 32;
      if (kind === 'host') bits = 32;
      if (!(bits >= 0 && bits <= 32)) this.fail(`bad prefix length /${bits}`, tok);
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      const want = (v4 & mask) >>> 0;
      if (kind === 'net' && want !== v4 && slash >= 0)
        this.fail(`'${tok.v}' has host bits set beyond /${bits}`, tok);
      const m = (a: number) => a >= 0 && (a & mask) >>> 0 === want;
      const ipSrc = (d: Dissection) =>
        (d.net === NET_IP4 && m(needAddrs(d).ip4Src)) || (proto !== 'ip' && d.net === NET_ARP && m(d.arpSpa));
      const ipDst = (d: Dissection) =>
        (d.net === NET_IP4 && m(needAddrs(d).ip4Dst)) || (proto !== 'ip' && d.net === NET_ARP && m(d.arpTpa));
      return combine(dir, ipSrc, ipDst);
    }
    const v6 = parseIPv6(text);
    if (v6 !== undefined) {
      if (kind === 'host') bits = 128;
      else if (bits < 0) bits = 128;
      if (!(bits >= 0 && bits <= 128)) this.fail(`bad prefix length /${bits}`, tok);
      const m = (d: Dissection, off: number) => {
        if (off < 0) throw REJECT;
        const b = d.data;
        let left = bits;
        for (let i = 0; i < 16 && left > 0; i++, left -= 8) {
          const mk = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
          if ((b[off + i]! & mk) !== (v6[i]! & mk)) return false;
        }
        return true;
      };
      return combine(
        dir,
        (d) => d.net === NET_IP6 && m(d, d.ip6SrcOff),
        (d) => d.net === NET_IP6 && m(d, d.ip6DstOff),
      );
    }
    if (kind === 'host' && /^[A-Za-z]/.test(text))
      this.fail(`host names are not resolved: give an address instead of '${text}'`, tok);
    this.fail(`expected an IPv4 or IPv6 address, found '${tok.v}'`, tok);
  }

  private portValue(): number {
    const t = this.cur;
    const named: Record<string, number> = {
      http: 80,
      https: 443,
      domain: 53,
      ssh: 22,
      telnet: 23,
      smtp: 25,
      ftp: 21,
      ntp: 123,
      echo: 7,
      discard: 9,
      daytime: 13,
      chargen: 19,
      time: 37,
      finger: 79,
      sunrpc: 111,
    };
    if (t.t === 'id' && named[t.v.toLowerCase()] !== undefined) {
      this.p++;
      return named[t.v.toLowerCase()]!;
    }
    return this.number('a port number', 65535);
  }
}

/** Rejects the packet (libpcap: the primitive fails) when its IPv4 addresses were not captured. */
function needAddrs(d: Dissection): Dissection {
  if (d.caplen < d.netOff + 20) throw REJECT;
  return d;
}

function padNet(t: string): string {
  const parts = t.split('.');
  while (parts.length < 4) parts.push('0');
  return parts.join('.');
}

function macBytes(mac: number): number[] {
  const out: number[] = [];
  for (let i = 5; i >= 0; i--) out.push(Math.floor(mac / 2 ** (8 * i)) & 0xff);
  return out;
}

function combine(dir: string | undefined, s: Predicate, t: Predicate): Predicate {
  if (dir === 'src') return s;
  if (dir === 'dst') return t;
  if (dir === 'and') return (d) => s(d) && t(d);
  return (d) => s(d) || t(d);
}

function protoPredicate(p: string): Predicate {
  const inner = protoPredicate_(p);
  if (p === 'ip' || p === 'ip6' || p === 'arp' || p === 'rarp') return inner;
  return (d) => {
    needProto(d);
    return inner(d);
  };
}

function protoPredicate_(p: string): Predicate {
  switch (p) {
    case 'ip':
      return (d) => d.net === NET_IP4;
    case 'ip6':
      return (d) => d.net === NET_IP6;
    case 'arp':
      return (d) => d.net === NET_ARP && d.etherType === 0x0806;
    case 'rarp':
      return (d) => d.net === NET_ARP && d.etherType === 0x8035;
    case 'tcp':
      return (d) => upper(d) === 6;
    case 'udp':
      return (d) => upper(d) === 17;
    case 'icmp':
      return (d) => d.proto === 1 && d.net === NET_IP4;
    default:
      return (d) => upper(d) === 58 && d.net === NET_IP6;
  }
}

/**
 * The protocol as libpcap's `tcp`, `udp` and `proto` see it: IPv4's protocol field; IPv6's
 * fixed-header Next Header, or a Fragment header's right after it (no other extension header is
 * followed); -1 for anything else.
 */
function upper(d: Dissection): number {
  if (d.net === NET_IP4) return d.proto;
  if (d.net === NET_IP6) return d.ip6Proto;
  return -1;
}

/** For ports libpcap takes IPv6's fixed-header Next Header only (not through a fragment header). */
function portProto(d: Dissection): number {
  if (d.net === NET_IP4) return d.proto;
  if (d.net === NET_IP6) return d.ip6Nxt;
  return -1;
}

/** proto[idx:size]: relative to that protocol's header; NaN (never matches) outside the packet. */
function access(proto: string, idx: Value, size: number): Value {
  const base = (d: Dissection): number => {
    switch (proto) {
      case 'ether':
        return d.l2 === L2_ETH ? 0 : -1;
      case 'ip':
        return d.net === NET_IP4 ? d.netOff : -1;
      case 'ip6':
        return d.net === NET_IP6 ? d.netOff : -1;
      case 'arp':
        return d.net === NET_ARP ? d.netOff : -1;
      // libpcap: "tcp, udp and other upper-layer protocol types only apply to IPv4".
      case 'tcp':
        return d.net === NET_IP4 && d.proto === 6 && d.fragOff === 0 ? d.l4Off : -1;
      case 'udp':
        return d.net === NET_IP4 && d.proto === 17 && d.fragOff === 0 ? d.l4Off : -1;
      case 'icmp':
        return d.net === NET_IP4 && d.proto === 1 && d.fragOff === 0 ? d.l4Off : -1;
      default:
        return d.net === NET_IP6 && d.ip6Nxt === 58 ? d.l4Off : -1;
    }
  };
  return (d) => {
    const b0 = base(d);
    if (b0 < 0) return Number.NaN;
    const o = b0 + idx(d);
    const b = d.data;
    if (!(o >= 0) || o + size > b.length) throw REJECT;
    if (size === 1) return b[o]!;
    if (size === 2) return (b[o]! << 8) | b[o + 1]!;
    return b[o]! * 16777216 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!);
  };
}

/** Compiles a filter expression (the words after FILE, joined by spaces). An empty one matches all. */
export function compileFilter(text: string): Predicate {
  const p = new Parser(lex(text)).parse();
  return (d) => {
    try {
      return p(d);
    } catch (e) {
      if (e === REJECT) return false;
      throw e;
    }
  };
}
