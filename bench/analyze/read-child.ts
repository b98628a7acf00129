// Child process for the read bench: decode a capture without printing and report packets, time and
// peak memory (maxRSS), so that the parent can compare file sizes in fresh processes.
import { createReadStream } from 'node:fs';
import { Dissection, dissect } from '../../src/analyze/dissect.js';
import type { CaptureRecord } from '../../src/pcap/format.js';
import { CaptureParser } from '../../src/pcap/parser.js';

const file = process.argv[2]!;
const t0 = process.hrtime.bigint();
const p = new CaptureParser({ metadata: false });
const d = new Dissection();
const out: CaptureRecord[] = [];
let packets = 0;
let errors = 0;
for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
  p.push(chunk as Buffer, out);
  for (const r of out) {
    if (r.kind !== 'packet') continue;
    dissect(d, r.data, r.linktype, r.len);
    packets++;
    if (d.err !== '') errors++;
  }
  out.length = 0;
}
p.end(out);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(JSON.stringify({ packets, errors, ms, maxRssKiB: process.resourceUsage().maxRSS }));
