import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'engine/**/*.test.ts', 'providers/**/*.test.ts', 'state/**/*.test.ts'],
    // container suites need a container runtime: `npm run test:containers` (vitest.containers.config.ts)
    exclude: [...configDefaults.exclude, 'test/containers/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
