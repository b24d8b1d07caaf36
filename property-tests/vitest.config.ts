import { defineConfig } from 'vitest/config';

// `npm run test:property` (property-tests/run.ts): only the property suites, in the deep
// profile the runner selects through the environment. Each test sets its own timeout from
// its time budget; this default only guards against a hang outside a property.
export default defineConfig({
  test: {
    include: ['property-tests/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 5 * 60_000,
  },
});
