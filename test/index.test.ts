import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as netkit from 'netkit';

describe('the package entry point', () => {
  it('exposes each area, and its pieces work through it', async () => {
    assert.equal(netkit.ctime(new Date(2026, 10, 4, 7, 8, 9)), 'Wed Nov  4 07:08:09 2026');
    assert.equal(new netkit.chat.Doctor().greeting(), 'Hello, how can I help you today?');
    assert.equal(netkit.chat.createEliza().reply('Men are all alike.'), 'IN WHAT WAY');
    assert.equal(
      netkit.services.chargen.chargenLine(0),
      ' !"#$%&\'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefg',
    );
    const bytes = netkit.xdr.encode(netkit.xdr.string(16), 'hi');
    assert.deepEqual([...bytes], [0, 0, 0, 2, 0x68, 0x69, 0, 0]);
    const srv = await netkit.chat.serveCourseDaytime({ port: 0 });
    const text = await netkit.chat.fetchDaytime({ host: '127.0.0.1', port: srv.address.port });
    assert.match(text, /Have a nice day!$/);
    await srv.close();
  });
});
