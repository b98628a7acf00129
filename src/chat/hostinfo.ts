// The slides' gethostname()/gethostbyname(): this host's name and addresses, or a name resolved.

import dns from 'node:dns/promises';
import os from 'node:os';
import { networkError } from '../core/errors.js';

export interface HostInfo {
  name: string;
  /** What the resolver returns for the name (A and AAAA), as gethostbyname/getaddrinfo would. */
  addresses: { address: string; family: 4 | 6 }[];
  /** This machine's interface addresses (only when describing the local host). */
  interfaces?: { name: string; address: string; family: 4 | 6; internal: boolean }[];
}

export async function resolveHost(name: string): Promise<HostInfo['addresses']> {
  try {
    const all = await dns.lookup(name, { all: true, verbatim: true });
    return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } catch (err) {
    throw networkError('resolve', name, err);
  }
}

export async function localHostInfo(): Promise<HostInfo> {
  const name = os.hostname();
  let addresses: HostInfo['addresses'] = [];
  try {
    addresses = await resolveHost(name);
  } catch {
    // A host whose own name does not resolve still has interfaces to show.
  }
  const interfaces: NonNullable<HostInfo['interfaces']> = [];
  for (const [ifname, list] of Object.entries(os.networkInterfaces())) {
    for (const a of list ?? []) {
      interfaces.push({
        name: ifname,
        address: a.address,
        family: a.family === 'IPv6' ? 6 : 4,
        internal: a.internal,
      });
    }
  }
  return { name, addresses, interfaces };
}
