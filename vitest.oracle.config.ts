import { defineConfig } from 'vitest/config';

// `npm run test:oracle`: our hart and the QEMU 7.2 oracle (docs/ORACLE.md). These tests
// start qemu-system-riscv64 and step it through gdb or read its CPU log, so they are slow
// and kept out of `npm test`.
export default defineConfig({
  test: {
    include: ['tests/oracle/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
    // Each file runs QEMU at full speed; more workers than that only slows everything.
    maxWorkers: 2,
  },
});
