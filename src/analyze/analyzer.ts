// Turns capture records into output text: summary lines, the -v layered view, -x hex, --json
// objects (docs: analyzer-json.md) or --stats. Output is written as bytes into a TextOut that the
// caller hands to a stream in large batches; nothing here prints. Never throws on a packet.

import { formatTs, type PacketRecord } from '../pcap/format.js';
import { Dissection, dissect } from './dissect.js';
import type { Predicate } from './filter.js';
import { hexAscii } from './hex.js';
import { writePacketJson } from './json.js';
import { decodeLayers, type Layer } from './layers.js';
import { Stats } from './stats.js';
import { SummaryState, writeClock, writeSummary } from './summary.js';
import { TextOut } from './text-out.js';

export type OutputMode = 'summary' | 'verbose' | 'json' | 'stats' | 'none';

export interface AnalyzerOptions {
  mode?: OutputMode;
  filter?: Predicate;
  /** Stop after this many matching packets (0 = no limit). */
  count?: number;
  hex?: boolean;
  /** Absolute TCP sequence numbers (tcpdump -S). */
  absoluteSeq?: boolean;
  /**
   * Write common packets' --json objects straight from the bytes (json.ts; default true). With
   * false every object goes through layers.ts and JSON.stringify — the reference the tests compare with.
   */
  fastJson?: boolean;
}

/** Writes the summary after the timestamp, plus the decode problem in brackets when the line does not show it. */
export function writeLine(o: TextOut, d: Dissection, st: SummaryState): void {
  const start = o.pos;
  try {
    writeSummary(o, d, st);
  } catch (e) {
    o.pos = start;
    o.str(`[analyzer: ${(e as Error)?.message ?? String(e)}]`);
  }
  // "[|" marks a header tcpdump found cut short: the line already shows the problem.
  if (d.err !== '' && !o.has2(start, 0x5b, 0x7c)) {
    o.str(' [');
    o.str(d.err);
    o.byte(0x5d);
  }
}

const lineOut = new TextOut(1024);

/** The summary after the timestamp, plus the decode problem in brackets when the line does not show it. */
export function lineFor(d: Dissection, st: SummaryState): string {
  const start = lineOut.pos;
  writeLine(lineOut, d, st);
  return lineOut.cut(start);
}

function value(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  if (v === null) return 'n/a';
  return JSON.stringify(v);
}

/** The -v view of one packet's layers: one indented line per layer. */
export function verboseText(layers: Layer[], errors: string[]): string {
  let out = '';
  for (const l of layers) {
    const parts: string[] = [];
    for (const k in l) {
      if (k === 'layer' || k === 'embedded') continue;
      const v = l[k];
      if (k === 'checksum' && typeof v === 'number') {
        const ok = l.checksum_ok;
        parts.push(
          `checksum 0x${v.toString(16).padStart(4, '0')} ${ok === true ? '(correct)' : ok === false ? '(bad checksum)' : '(unverified)'}`,
        );
        continue;
      }
      if (k === 'checksum_ok') continue;
      if (k === 'options' && Array.isArray(v) && v.length === 0) continue;
      if (
        (k === 'type' || k === 'tpid') &&
        typeof v === 'number' &&
        l.layer !== 'icmp' &&
        l.layer !== 'icmpv6' &&
        !l.layer.startsWith('ipv6.')
      ) {
        parts.push(`${k} 0x${v.toString(16).padStart(4, '0')}`);
        continue;
      }
      parts.push(`${k} ${value(v)}`);
    }
    out += `    ${l.embedded ? '(quoted) ' : ''}${l.layer}: ${parts.join(', ')}\n`;
  }
  for (const e of errors) out += `    error: ${e}\n`;
  return out;
}

export class Analyzer {
  readonly d = new Dissection();
  readonly state = new SummaryState();
  readonly stats = new Stats();
  readonly mode: OutputMode;
  readonly hex: boolean;
  private readonly filter: Predicate | undefined;
  private readonly limit: number;
  private readonly fastJson: boolean;
  /** Records seen (packet numbers count every packet, matching or not, like tshark's frame.number). */
  seen = 0;
  matched = 0;
  /** Decode problems reported (packets whose line carries an error). */
  problems = 0;

  constructor(opts: AnalyzerOptions = {}) {
    this.mode = opts.mode ?? 'summary';
    this.hex = opts.hex ?? false;
    this.filter = opts.filter;
    this.limit = opts.count ?? 0;
    this.fastJson = opts.fastJson ?? true;
    this.state.absolute = opts.absoluteSeq ?? false;
  }

  get done(): boolean {
    return this.limit > 0 && this.matched >= this.limit;
  }

  /** Handles one packet; returns its output text ('' when filtered out or in stats mode). */
  packet(r: PacketRecord): string {
    const o = this.one;
    const start = o.pos;
    this.write(r, o);
    return o.cut(start);
  }

  private readonly one = new TextOut(1024);

  /** Handles one packet, writing its output text (if any) to `o`. */
  write(r: PacketRecord, o: TextOut): void {
    if (this.done) return;
    this.seen++;
    const d = dissect(this.d, r.data, r.linktype, r.len);
    if (this.filter !== undefined && !this.filter(d)) return;
    this.matched++;
    if (d.err !== '') this.problems++;
    switch (this.mode) {
      case 'none':
        return;
      case 'stats':
        this.stats.add(d, r.tsSec + r.tsNsec / 1e9);
        return;
      case 'json':
        if (!(this.fastJson && writePacketJson(o, d, r, this.seen, this.state, writeLine)))
          o.str(this.json(r));
        o.byte(10);
        return;
      default: {
        writeClock(o, r.tsSec, r.tsNsec);
        o.byte(32);
        writeLine(o, d, this.state);
        o.byte(10);
        if (this.mode === 'verbose') {
          const { layers, errors } = decodeLayers(r.data, r.linktype, r.len);
          o.str(verboseText(layers, errors));
        }
        if (this.hex) o.str(hexAscii(r.data));
      }
    }
  }

  /** The --json object of one packet, as a JSON string (the summary uses the current state). */
  json(r: PacketRecord): string {
    const { layers, errors } = decodeLayers(r.data, r.linktype, r.len);
    const summary = lineFor(this.d, this.state);
    return JSON.stringify({
      n: this.seen,
      ts: formatTs(r.tsSec, r.tsNsec),
      caplen: r.caplen,
      len: r.len,
      iface: r.iface,
      linktype: r.linktype,
      layers,
      summary,
      errors,
    });
  }
}
