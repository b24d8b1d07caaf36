// A digest of everything that makes up a machine's state: RAM/ROM, every hart, every device,
// the clock. Two runs that agree on it are in the same state (replay checks, property tests).
import { createHash } from 'node:crypto';
import { serialize } from 'node:v8';
import type { Machine } from '../machine/machine.ts';

export function machineStateHash(m: Machine): string {
  const h = createHash('sha256');
  h.update(m.mem.bytes);
  // the decoded-code cache and TLBs are caches, not state; v8.serialize is deterministic for plain data
  h.update(new Uint8Array(serialize(m.save())));
  return h.digest('hex');
}
