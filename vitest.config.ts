import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx', 'property-tests/**/*.test.ts'],
    exclude: ['tests/oracle/**', 'node_modules/**'],
    setupFiles: ['tests/setup/fast-check-seed.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
