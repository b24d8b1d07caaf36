// Cross-check of the H extension against QEMU 7.2 from the command line: runs each program of
// tests/cpu/hyp-programs.ts on QEMU (-cpu rv64,h=true, -bios image) and on our hart, and
// compares the two trap/value logs word for word (lib/hyp-compare.ts). `npm run test:oracle`
// runs the same comparison (hyp-lockstep.test.ts).
//   node bin/run-ts.mjs tests/oracle/hyp-crosscheck.ts [name...]
// Exit status 1 when any log differs.
import { CROSSCHECK_PROGRAMS } from '../cpu/hyp-programs.ts';
import { compareHypProgram } from './lib/hyp-compare.ts';

const want = process.argv.slice(2);
let failed = 0;
for (const [name, make] of Object.entries(CROSSCHECK_PROGRAMS)) {
  if (want.length && !want.includes(name)) continue;
  const { entries, diffs } = await compareHypProgram(make);
  if (diffs.length) {
    failed++;
    console.log(`${name}: ${diffs.length} of ${entries} entries differ\n${diffs.join('\n')}`);
  } else console.log(`${name}: ${entries} entries identical`);
}
process.exit(failed ? 1 : 0);
