// SiFive test finisher as in QEMU 7.2 hw/misc/sifive_test.c. On QEMU a PASS or FAIL write
// ends the process (exit(0) / exit(code)) and RESET requests a guest reset; here each is
// reported through `onFinish` and the machine decides what to do.

import type { AccessSize, MmioDevice } from '../../device.ts';
import { VIRT_TEST } from '../../memory-map.ts';
import type { AccessRule, HasAccessRule } from '../access.ts';
import { FINISHER_FAIL, FINISHER_PASS, FINISHER_REG, FINISHER_RESET } from './registers.ts';

export type FinishKind = 'poweroff' | 'reset' | 'fail';

export interface FinishEvent {
  kind: FinishKind;
  /** Exit code: 0 for poweroff and reset; bits 31:16 of the write for fail (may be 0). */
  code: number;
}

export interface SifiveTestOptions {
  name?: string;
  onFinish: (ev: FinishEvent) => void;
}

/** sifive_test_ops.valid: 16- and 32-bit accesses only. */
const TEST_ACCESS: AccessRule = Object.freeze({ minSize: 2, maxSize: 4 });

export class SifiveTest implements MmioDevice, HasAccessRule {
  readonly name: string;
  readonly size = VIRT_TEST.size;
  private readonly onFinish: (ev: FinishEvent) => void;

  constructor(opts: SifiveTestOptions) {
    this.name = opts.name ?? 'test';
    this.onFinish = opts.onFinish;
  }

  accessRule(_offset: number): AccessRule {
    return TEST_ACCESS;
  }

  /** Every register reads as zero. */
  read(_offset: number, _size: AccessSize): number {
    return 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset !== FINISHER_REG || size < 2) return;
    const status = value & 0xffff;
    const code = (value >>> 16) & 0xffff;
    switch (status) {
      case FINISHER_FAIL:
        this.onFinish({ kind: 'fail', code });
        return;
      case FINISHER_PASS:
        this.onFinish({ kind: 'poweroff', code: 0 });
        return;
      case FINISHER_RESET:
        this.onFinish({ kind: 'reset', code: 0 });
        return;
      default:
        // QEMU only logs other values as a guest error.
        return;
    }
  }

  /** The finisher has no state. */
  save(): Record<string, never> {
    return {};
  }

  restore(_state: unknown): void {}
}
