import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // a bare `npx vitest` after an edit builds dist/ first: end-to-end tests run the built CLI
    globalSetup: ['test/setup/built.ts'],
  },
});
