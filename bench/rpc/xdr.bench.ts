// XDR encode/decode ops/s of netkit's runtime beside @stellar/js-xdr 4.0.0 on the same struct (RFC 4506).

import jsxdr from '@stellar/js-xdr';
import * as xdr from '../../src/rpc/xdr/index.js';
import { median, printTable, ratio } from '../helpers/report.js';

interface Rec {
  id: number;
  name: string;
  active: boolean;
  size: bigint;
  tag: Uint8Array;
  scores: number[];
}

const ours: xdr.XdrType<Rec> = xdr.struct<Rec>({
  id: xdr.uint,
  name: xdr.string(64),
  active: xdr.bool,
  size: xdr.hyper,
  tag: xdr.opaque(32),
  scores: xdr.array(xdr.int, 8),
});

/** The same struct decoded as js-xdr does it: string and opaque as views into the input. */
const oursViews = xdr.struct({
  id: xdr.uint,
  name: xdr.stringBytes(64),
  active: xdr.bool,
  size: xdr.hyper,
  tag: xdr.opaque(32),
  scores: xdr.array(xdr.int, 8),
});

// biome-ignore lint/suspicious/noExplicitAny: js-xdr 4 has no types
const J: any = (jsxdr as any).config((d: any) => {
  d.struct('Rec', [
    ['id', d.uint()],
    ['name', d.string(64)],
    ['active', d.bool()],
    ['size', d.hyper()],
    ['tag', d.varOpaque(32)],
    ['scores', d.varArray(d.int(), 8)],
  ]);
});

const value: Rec = {
  id: 42,
  name: 'netkit-demo',
  active: true,
  size: 1234567890123n,
  tag: new Uint8Array([1, 2, 3, 4, 5, 6, 7]),
  scores: [1, -2, 3, 4],
};

/** Runs fn in batches for ~ms milliseconds; returns ops/s. */
function rate(fn: () => void, ms: number): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 1000; i++) fn();
    n += 1000;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

export default async function (): Promise<void> {
  const jsValue = new J.Rec({ ...value, tag: Buffer.from(value.tag) });
  const wire = xdr.encode(ours, value);
  const jsWire: Buffer = jsValue.toXDR();
  if (Buffer.compare(Buffer.from(wire), jsWire) !== 0) throw new Error('bench: the two encodings differ');
  const jsDecoded = J.Rec.fromXDR(jsWire);
  if (jsDecoded.name().toString() !== value.name) throw new Error('bench: js-xdr decoded differently');
  let sink = 0;
  const w = new xdr.XdrWriter(256);
  const runs = {
    enc: [] as number[],
    encReuse: [] as number[],
    dec: [] as number[],
    decViews: [] as number[],
    jsEnc: [] as number[],
    jsDec: [] as number[],
  };
  // The machine is shared: slices of 50 ms alternate between the contenders so load changes
  // hit both alike; each figure is the total of its 6 slices, and the median of 3 reps is kept.
  const contenders: [keyof typeof runs, () => void][] = [
    ['enc', () => (sink += xdr.encode(ours, value).length)],
    [
      'encReuse',
      () => {
        w.reset();
        ours.encode(w, value);
        sink += w.pos;
      },
    ],
    ['jsEnc', () => (sink += (jsValue.toXDR() as Buffer).length)],
    ['dec', () => (sink += xdr.decode(ours, wire).id)],
    ['decViews', () => (sink += xdr.decode(oursViews, wire, { views: true }).id)],
    ['jsDec', () => (sink += J.Rec.fromXDR(jsWire).id())],
  ];
  for (let rep = 0; rep < 3; rep++) {
    const ops = new Map<string, number>();
    const time = new Map<string, number>();
    for (let slice = 0; slice < 6; slice++) {
      for (const [name, fn] of contenders) {
        const t0 = performance.now();
        const r = rate(fn, 50);
        const dt = performance.now() - t0;
        ops.set(name, (ops.get(name) ?? 0) + r * dt);
        time.set(name, (time.get(name) ?? 0) + dt);
      }
    }
    for (const [name] of contenders) runs[name].push(ops.get(name)! / time.get(name)!);
  }
  const enc = median(runs.enc);
  const encReuse = median(runs.encReuse);
  const dec = median(runs.dec);
  const decViews = median(runs.decViews);
  const jsEnc = median(runs.jsEnc);
  const jsDec = median(runs.jsDec);
  console.log(
    `struct of uint, string<64>, bool, hyper, opaque<32>, int<8> — ${wire.length} bytes; 3 runs, medians`,
  );
  printTable(
    ['operation', 'netkit ops/s', '@stellar/js-xdr 4.0.0 ops/s', 'ratio (goal ≥ 5×)'],
    [
      ['encode (fresh Uint8Array)', enc, jsEnc, ratio(enc, jsEnc)],
      ['encode (reused writer)', encReuse, jsEnc, ratio(encReuse, jsEnc)],
      ['decode (string → JS string, opaque copied)', dec, jsDec, ratio(dec, jsDec)],
      ['decode (string, opaque as views — what js-xdr does)', decViews, jsDec, ratio(decViews, jsDec)],
    ],
  );
  if (sink === 0) console.log('');
}
