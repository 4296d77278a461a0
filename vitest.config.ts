import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'tools/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    // Property tests print their seed on failure; replay with FC_SEED / FC_PATH (see README).
    reporters: ['default'],
  },
});
