// The crew's end-to-end suites once more, with no agent worker in the `codecrew run` process:
// each run gets its own nats-server and a separate `codecrew worker` process, and runs with
// `--no-worker` (see test/support/workers.ts). The orchestrator must need nothing of a worker
// in its own process.
process.env.CODECREW_E2E_WORKERS = 'remote';
await import('./demo.e2e.test.ts');
await import('./crew-parallel.e2e.test.ts');
await import('./crew-rounds.e2e.test.ts');
await import('./crew-budgets.e2e.test.ts');
