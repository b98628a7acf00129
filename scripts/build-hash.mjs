// The identity of a build: SHA-256 over every input's path and bytes. Shared by scripts/build.mjs
// (which records it) and bin/netkit.js (which checks it before trusting dist/).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Hex SHA-256 of `inputs` (paths relative to `root`), or undefined when one cannot be read. */
export function hashInputs(root, inputs) {
  const h = createHash('sha256');
  for (const f of inputs) {
    let bytes;
    try {
      bytes = readFileSync(join(root, f));
    } catch {
      return undefined;
    }
    h.update(f);
    h.update('\0');
    h.update(String(bytes.length));
    h.update('\0');
    h.update(bytes);
  }
  return h.digest('hex');
}
