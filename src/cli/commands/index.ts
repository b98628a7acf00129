// The list of commands. `netkit --help` needs only each one's name, group and summary, so they are
// written here, and a command's module is loaded only when it runs or its help is shown: start-up
// loads one command and what it imports, not all of them (test/cli/cli.test.ts checks that this
// list and the modules agree). One module per command; add yours here.

import type { Command } from '../command.js';

export interface CommandEntry {
  name: string;
  group: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  {
    name: 'serve',
    group: 'All servers',
    summary: 'start every netkit server on localhost and print a table of what runs where',
    load: async () => (await import('./serve.js')).serve,
  },
  {
    name: 'daytime-server',
    group: 'Course programs',
    summary: 'the slides\' day/time server: ctime + "Have a nice day!", then close',
    load: async () => (await import('./course.js')).daytimeServer,
  },
  {
    name: 'daytime',
    group: 'Course programs',
    summary: 'ask a day/time server for the time and print what it sent',
    load: async () => (await import('./course.js')).daytime,
  },
  {
    name: 'chat-server',
    group: 'Course programs',
    summary: "the slides' one-on-one chat server (you answer), or a bot server",
    load: async () => (await import('./course.js')).chatServer,
  },
  {
    name: 'therapy-server',
    group: 'Course programs',
    summary: 'the therapy server: chat-server --bot doctor on port 21568, many clients at once',
    load: async () => (await import('./course.js')).therapyServer,
  },
  {
    name: 'chat',
    group: 'Course programs',
    summary: 'talk to a chat, therapy or any line-based server',
    load: async () => (await import('./course.js')).chat,
  },
  {
    name: 'eliza',
    group: 'Course programs',
    summary: 'talk to ELIZA (Weizenbaum, 1966) running the original DOCTOR script',
    load: async () => (await import('./eliza.js')).eliza,
  },
  {
    name: 'hostinfo',
    group: 'Course programs',
    summary: "print this host's name and addresses, or resolve a NAME (A and AAAA)",
    load: async () => (await import('./hostinfo.js')).hostinfo,
  },
  {
    name: 'echo',
    group: 'Classic services',
    summary: 'send lines or payloads to an Echo server (RFC 862, port 7) and time each round trip',
    load: async () => (await import('./echo.js')).echo,
  },
  {
    name: 'discard',
    group: 'Classic services',
    summary: 'send bytes to a Discard server (RFC 863, port 9) and report the throughput',
    load: async () => (await import('./discard.js')).discard,
  },
  {
    name: 'chargen',
    group: 'Classic services',
    summary: 'read a Character Generator stream (RFC 864, port 19) and report its throughput',
    load: async () => (await import('./chargen.js')).chargen,
  },
  {
    name: 'qotd',
    group: 'Classic services',
    summary: 'print the Quote of the Day (RFC 865, port 17)',
    load: async () => (await import('./qotd.js')).qotd,
  },
  {
    name: 'users',
    group: 'Classic services',
    summary: 'list who is logged in on a host (Active Users, RFC 866, port 11)',
    load: async () => (await import('./users.js')).users,
  },
  {
    name: 'time',
    group: 'Classic services',
    summary: 'ask a Time server (RFC 868, port 37) and print the date it sends',
    load: async () => (await import('./time.js')).time,
  },
  {
    name: 'finger',
    group: 'Classic services',
    summary: 'ask a Finger server about a user or who is on (RFC 1288, port 79)',
    load: async () => (await import('./finger.js')).finger,
  },
  {
    name: 'read',
    group: 'Packets',
    summary: 'decode a pcap or pcapng capture like tcpdump -n -r, with filters, -v, -x, --json, --stats',
    load: async () => (await import('./read.js')).read,
  },
  {
    name: 'sniff',
    group: 'Packets',
    summary: 'live capture through tcpdump -w -, decoded by netkit as it arrives',
    load: async () => (await import('./sniff.js')).sniff,
  },
  {
    name: 'craft',
    group: 'Packets',
    summary: 'build packets layer by layer and write them to a pcap or pcapng file',
    load: async () => (await import('./craft.js')).craft,
  },
  {
    name: 'portmap',
    group: 'RPC',
    summary: 'run a portmapper / rpcbind (program 100000 v2, v3, v4) on TCP and UDP',
    load: async () => (await import('./portmap.js')).portmap,
  },
  {
    name: 'rpcinfo',
    group: 'RPC',
    summary: 'ask a portmapper what RPC programs run, or ping one with a NULL call',
    load: async () => (await import('./rpcinfo.js')).rpcinfo,
  },
  {
    name: 'rpcgen',
    group: 'RPC',
    summary: 'compile an RPC language .x file to TypeScript (types, XDR codecs, client, server)',
    load: async () => (await import('./rpcgen.js')).rpcgen,
  },
  {
    name: 'rpc-demo',
    group: 'RPC',
    summary: 'serve or call the RPC demo program (examples/rpc/demo.x), showing the XDR bytes',
    load: async () => (await import('./rpc-demo.js')).rpcDemo,
  },
];
