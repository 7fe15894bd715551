import { defineConfig } from 'vitest/config';

const isolated = ['test/sandbox/leak.int.test.ts', 'sandbox/test/reaper.int.test.ts'];
const sources = ['packages/*/test/**', 'sandbox/test/**', 'agents/test/**', 'orchestrator/test/**', 'test/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: sources.map((dir) => `${dir}/*.test.ts`),
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          globalSetup: ['test/support/require-components.ts'],
          include: sources.flatMap((dir) => [`${dir}/*.int.test.ts`, `${dir}/*.e2e.test.ts`]),
          exclude: ['**/node_modules/**', ...isolated],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // Two cores: Docker- and NATS-backed suites run two files at a time.
          maxWorkers: 2,
          pool: 'forks',
          // Unit tests run first, integration tests after them.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          // Tests that kill codecrew processes and watch what the next start reaps: alone, last, so that
          // no other codecrew process (whose start-up reaper removes every orphan) runs beside them.
          name: 'isolated',
          include: isolated,
          globalSetup: ['test/support/require-components.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
          pool: 'forks',
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
