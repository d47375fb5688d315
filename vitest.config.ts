import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The chaos suite (kills, restarts, fault storms) has its own run: `npm run test:chaos`.
    exclude: ['**/node_modules/**', '**/dist/**', 'test/chaos/**'],
    // Integration tests start emulators and talk to Redis; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
