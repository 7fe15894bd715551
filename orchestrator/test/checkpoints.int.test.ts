import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openCheckpointStore } from '@codecrew/orchestrator';
import { createTestSchema, postgresAvailable } from '../../test/support/postgres.ts';
import { describeCheckpointStoreContract } from './checkpoints-contract.ts';

async function tempDir(): Promise<{ dir: string; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'codecrew-checkpoints-'));
  return { dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

describeCheckpointStoreContract('SQLite (one file)', async () => {
  const temp = await tempDir();
  return { open: () => openCheckpointStore({ sqliteFile: join(temp.dir, 'checkpoints.sqlite') }), ...temp };
});

describeCheckpointStoreContract('SQLite (a file per task)', async () => {
  const temp = await tempDir();
  return { open: () => openCheckpointStore({ sqliteDir: join(temp.dir, 'checkpoints') }), ...temp };
});

// CI must run the PostgreSQL half: without PostgreSQL the file fails there. Elsewhere it skips, saying how to start one.
const available = await postgresAvailable('PostgreSQL checkpoint store tests');

describe.runIf(available)('PostgreSQL checkpoints', () => {
  describeCheckpointStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema('checkpoints_test');
    return { open: () => openCheckpointStore({ databaseUrl: schema.url }), dispose: () => schema.drop() };
  });

  it("creates its tables in the schema the URL's search_path names, also when several stores open it at once", async () => {
    const schema = await createTestSchema('checkpoints_test');
    try {
      const stores = await Promise.all(
        Array.from({ length: 4 }, () => openCheckpointStore({ databaseUrl: schema.url })),
      );
      expect(stores[0]?.kind).toBe('postgres');
      expect(stores[0]?.location).toContain(`(schema ${schema.schema})`);
      await Promise.all(stores.map((store) => store.close()));
      const client = new pg.Client({ connectionString: schema.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [schema.schema],
        );
        expect(rows.map((row) => row.table_name)).toEqual([
          'checkpoint_blobs',
          'checkpoint_migrations',
          'checkpoint_writes',
          'checkpoints',
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await schema.drop();
    }
  });

  it('fails with STORE_UNAVAILABLE, without the password, when the server does not answer', async () => {
    const error = await openCheckpointStore({ databaseUrl: 'postgres://someone:s3cret@127.0.0.1:1/none' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
