// The course's day/time server (ctime + "Have a nice day!") beside openbsd-inetd's built-in
// daytime, measured by the same C load client (bench/tools/loadgen.c) in one run: connections per
// second with 4 and 16 connections in flight, interleaved, 3 reps, medians, ratio to inetd.
// NETKIT_BENCH_SECONDS sets one measurement's length (default 1.5 s).

import { serveCourseDaytime } from '../../src/chat/daytime.js';
import { privateLoopback, startOpenbsdInetd } from '../../test/helpers/inetd.js';
import { median, printTable, ratio } from '../helpers/report.js';
import { connRate, loadgenPath } from '../tools/loadgen.js';

const SECONDS = Number(process.env.NETKIT_BENCH_SECONDS ?? 1.5);
const REPS = 3;

export default async function bench(): Promise<void> {
  loadgenPath(); // build the load client before anything is timed
  const netkit = await serveCourseDaytime({ host: '127.0.0.1', port: 0 });
  const inetdHost = privateLoopback(21);
  const inetd = await startOpenbsdInetd({ tcpHost: inetdHost, services: ['daytime'] }).catch((e: Error) => {
    console.log(`openbsd-inetd not measured: ${e.message}`);
    return undefined;
  });
  if (!inetd) console.log('openbsd-inetd not found (apt-get download openbsd-inetd; see .ci/run): no ratio');
  try {
    const rows: (string | number)[][] = [];
    for (const parallel of [4, 16]) {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let rep = 0; rep < REPS; rep++) {
        ours.push(
          (await connRate({ host: '127.0.0.1', port: netkit.address.port, parallel, seconds: SECONDS })).rate,
        );
        if (inetd)
          theirs.push((await connRate({ host: inetdHost, port: 13, parallel, seconds: SECONDS })).rate);
      }
      const a = median(ours);
      const b = inetd ? median(theirs) : Number.NaN;
      rows.push([
        `daytime, ${parallel} in flight`,
        'conn/s',
        a,
        inetd ? b : 'n/a',
        inetd ? ratio(a, b) : 'n/a',
        '≥ 1.0×',
      ]);
    }
    printTable(['course daytime-server', 'unit', 'netkit', 'openbsd-inetd', 'ratio', 'goal'], rows);
  } finally {
    await netkit.close();
    await inetd?.stop();
  }
}
