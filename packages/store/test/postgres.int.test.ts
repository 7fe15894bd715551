import { describe, expect, it } from 'vitest';
import { openTaskStore } from '@codecrew/store';
import { describeTaskStoreContract } from './contract.ts';
import { createTestSchema, postgresProblem } from './postgres-server.ts';

// CI must run this suite: without PostgreSQL the file fails there. Elsewhere it skips, saying how to start one.
const problem = await postgresProblem();
if (problem !== null) {
  if (process.env.CI === 'true') throw new Error(`CI runs the PostgreSQL task store tests, but ${problem}`);
  console.warn(`PostgreSQL task store tests skipped: ${problem}`);
}

describe.runIf(problem === null)('PostgreSQL task store', () => {
  describeTaskStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema();
    return { open: () => openTaskStore({ databaseUrl: schema.url }), dispose: () => schema.drop() };
  });

  it('creates its tables once, also when several stores open one new database at once', async () => {
    const schema = await createTestSchema();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openTaskStore({ databaseUrl: schema.url })));
      await stores[0]?.createTask({ id: 'task_1', name: 'n', repo: 'r', spec: {} });
      expect((await stores[3]?.getTask('task_1'))?.id).toBe('task_1');
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await schema.drop();
    }
  });

  it('fails with STORE_UNAVAILABLE, without the password, when the server does not answer', async () => {
    const error = await openTaskStore({ databaseUrl: 'postgres://someone:s3cret@127.0.0.1:1/none' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
