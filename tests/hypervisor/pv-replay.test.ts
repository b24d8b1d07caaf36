// PV domains record, replay and time-travel like the others (docs/PV-ABI.md §12): a run with
// two netfronts, event channels and grants is recorded, replayed without divergence, and
// seeks backwards restore checkpoints (PV state included) and re-execute to the same states.
import { describe, expect, test } from 'vitest';
import path from 'node:path';
import { Hypervisor } from '../../src/hypervisor/hypervisor.ts';
import { Recording } from '../../src/replay/recorder.ts';
import { Replayer } from '../../src/replay/replayer.ts';
import { HypervisorSystem } from '../../src/replay/system.ts';
import { traceConfigForHypervisor } from '../../src/replay/hypervisor-config.ts';
import { Timeline } from '../../src/replay/timeline.ts';
import { TraceReader } from '../../src/trace/reader.ts';
import { pvDomain, tempDir } from './pv-guest.ts';
import { netfront } from './pv-frontend.ts';

function record(): { file: string; console: string } {
  const dir = tempDir();
  const a = pvDomain(dir, 'a', netfront(1, 2, 'send'), `vif = ['bridge=xenbr0,mac=00:16:3e:00:00:01']`);
  const b = pvDomain(dir, 'b', netfront(2, 1, 'receive'), `vif = ['bridge=xenbr0,mac=00:16:3e:00:00:02']`);
  const hv = new Hypervisor({ domains: [a.config, b.config] });
  const file = path.join(dir, 'pv.trace');
  const rec = new Recording(new HypervisorSystem(hv), file, traceConfigForHypervisor(hv, 'a'));
  rec.run(5_000_000);
  rec.close();
  return { file, console: '' };
}

describe('PV record, replay, time travel', () => {
  test('a recorded PV run replays without divergence', () => {
    const { file } = record();
    const reader = TraceReader.open(file);
    const kinds = new Set<string>();
    for (let s = reader.firstSeq; s < reader.nextSeq; s++) kinds.add(reader.get(s).kind);
    for (const k of ['hypercall', 'evtchn', 'grant', 'ring']) expect(kinds).toContain(k);
    const r = new Replayer(reader).run();
    expect(r.ok).toBe(true);
  });

  test('seeking back and forth through checkpoints lands in the same states', () => {
    const { file } = record();
    const reader = TraceReader.open(file);
    const points = [0, 150_000, 420_000, 700_001, reader.lastIcount];
    const ref = new Timeline(reader, { interval: 100_000 });
    const hash = new Map<number, string>();
    for (const t of points) {
      ref.seekIcount(t);
      hash.set(t, ref.system.stateHash());
    }
    const tl = new Timeline(reader, { interval: 100_000 });
    tl.seekIcount(reader.lastIcount);
    for (const t of [420_000, 0, 700_001, 150_000, reader.lastIcount, 420_000]) {
      tl.seekIcount(t);
      expect(tl.system.stateHash(), `at ${t}`).toBe(hash.get(t));
    }
    expect(tl.stats.restores).toBeGreaterThan(0);
  });
});
