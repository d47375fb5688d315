import { defineConfig } from 'vitest/config';

/**
 * `npm run test:chaos`: processes killed mid-write, Redis restarted, fault storms, counted at the
 * emulators. Kept out of `npm test` (see vitest.config.ts) and bounded to a few minutes; it runs the
 * built CLI, so `npm run build` comes first.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // One scenario at a time: they kill processes and time their edits.
    fileParallelism: false,
    reporters: ['default'],
  },
});
