// Small socket helpers for tests: connect, read everything, read until a pattern, with timeouts.

import net from 'node:net';

export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Reads until the peer closes; resolves with all bytes. */
export function readAll(s: net.Socket, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`readAll: no EOF within ${timeoutMs} ms (got ${Buffer.concat(chunks).length} bytes)`));
    }, timeoutMs);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** Collects data until `pred(text so far)` holds; resolves with the text. Leaves the socket open. */
export function readUntil(s: net.Socket, pred: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('utf8');
      if (pred(text)) {
        cleanup();
        resolve(text);
      }
    };
    const onClose = () => {
      cleanup();
      if (pred(text)) resolve(text);
      else reject(new Error(`readUntil: closed before condition; got ${JSON.stringify(text.slice(0, 200))}`));
    };
    const t = setTimeout(() => {
      cleanup();
      reject(
        new Error(`readUntil: timed out after ${timeoutMs} ms; got ${JSON.stringify(text.slice(0, 200))}`),
      );
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(t);
      s.off('data', onData);
      s.off('close', onClose);
    };
    s.on('data', onData);
    s.on('close', onClose);
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits (polling every 20 ms, at most `ms`) until `pred()` holds; fails the test otherwise. */
export async function until(pred: () => boolean, ms = 3000): Promise<void> {
  for (const t0 = Date.now(); !pred(); await sleep(20))
    if (Date.now() - t0 > ms) throw new Error(`condition never held within ${ms} ms`);
}

/** A client that reads what it is sent but never sends its FIN: the connection stays open. */
export function holdOpen(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const c = net.connect({ port, host, allowHalfOpen: true }, () => resolve(c));
    c.on('error', reject);
    c.on('data', () => {});
    c.on('end', () => {});
  });
}
