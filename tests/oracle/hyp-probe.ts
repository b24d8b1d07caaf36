// Probes QEMU 7.2's H-extension behaviour and prints the logs (a study tool, not a test):
//   node bin/run-ts.mjs tests/oracle/hyp-probe.ts [name...]
import { formatEntry, HypProgram, runOnHart } from '../cpu/hyp-harness.ts';
import { runOnQemu } from './hyp-qemu.ts';
import { PROBES } from './hyp-probes.ts';

const want = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const ours = process.argv.includes('--ours');
for (const [name, make] of Object.entries(PROBES)) {
  if (want.length && !want.includes(name)) continue;
  const p: HypProgram = make();
  const built = p.build();
  const q = await runOnQemu(built);
  console.log(`== ${name} (QEMU)`);
  const ql = q.log.map(formatEntry);
  let ol: string[] | null = null;
  if (ours) {
    try {
      ol = runOnHart(built).log.map(formatEntry);
    } catch (e) {
      ol = [`error: ${(e as Error).message}`];
    }
  }
  for (let i = 0; i < Math.max(ql.length, ol?.length ?? 0); i++) {
    const mark = ol && ol[i] !== ql[i] ? ' <<< ours: ' + (ol[i] ?? '(none)') : '';
    console.log(`${String(i).padStart(3)} ${ql[i] ?? '(none)'}${mark}`);
  }
}
