// Issue 4: the H extension against QEMU 7.2 (which implements it): every program of
// tests/cpu/hyp-programs.ts — two-stage translation, G-stage permission rules, guest-page
// faults with htval/htinst, virtual-instruction exceptions, HLV/HLVX/HSV, HFENCE, the
// vs*/h* CSRs, delegation into VS-mode — runs on QEMU (-cpu rv64,h=true) and on our hart;
// their trap/value logs must be identical entry for entry.
import { describe, expect, test } from 'vitest';
import { CROSSCHECK_PROGRAMS } from '../cpu/hyp-programs.ts';
import { compareHypProgram } from './lib/hyp-compare.ts';

describe('H-extension programs agree with QEMU 7.2', () => {
  for (const [name, make] of Object.entries(CROSSCHECK_PROGRAMS)) {
    test(name, async () => {
      const { entries, diffs } = await compareHypProgram(make);
      expect(diffs, `${name}: ${diffs.length} of ${entries} log entries differ from QEMU's\n${diffs.join('\n')}`).toEqual([]);
      expect(entries).toBeGreaterThan(0);
    });
  }
});
