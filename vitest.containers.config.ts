import { defineConfig } from 'vitest/config';

/**
 * The container suites (`npm run test:containers`): servers started through
 * testcontainers (MySQL 8, SQL Server 2022 with its Agent, Oracle Free in
 * ARCHIVELOG mode). Without a container runtime they report skipped,
 * with the reason. Not part of `npm test` (vitest.config.ts excludes them).
 */
export default defineConfig({
  test: {
    include: ['test/containers/**/*.test.ts'],
    // pulling an image and initialising a data directory take minutes on a cold machine
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: 'forks',
    fileParallelism: false,
    // every test by name, so a skipped suite shows its reason
    reporters: ['verbose'],
  },
});
