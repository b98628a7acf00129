// UDP helpers for tests: a client socket that collects every datagram it receives.

import dgram from 'node:dgram';

export interface UdpClient {
  socket: dgram.Socket;
  port: number;
  received: Buffer[];
  send(data: Uint8Array | string, port: number, host?: string): Promise<void>;
  /** Waits until `n` datagrams arrived in total, or `timeoutMs` passed; returns the count. */
  waitFor(n: number, timeoutMs?: number): Promise<number>;
  close(): void;
}

export function udpClient(host = '127.0.0.1', bindPort = 0): Promise<UdpClient> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: Buffer[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (m) => {
    received.push(m);
    for (const w of waiters.splice(0)) w();
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(bindPort, host, () => {
      socket.off('error', reject);
      resolve({
        socket,
        port: socket.address().port,
        received,
        send: (data, port, h = host) =>
          new Promise((res, rej) => socket.send(data, port, h, (e) => (e ? rej(e) : res()))),
        waitFor(n, timeoutMs = 1000) {
          return new Promise((res) => {
            const deadline = Date.now() + timeoutMs;
            const check = () => {
              if (received.length >= n || Date.now() >= deadline) return res(received.length);
              waiters.push(check);
              setTimeout(check, Math.max(1, Math.min(50, deadline - Date.now()))).unref();
            };
            check();
          });
        },
        close: () => socket.close(),
      });
    });
  });
}
