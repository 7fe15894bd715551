import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTaskStore, SQLITE_FILE_NAME } from '@codecrew/store';
import { describeTaskStoreContract } from './contract.ts';

describeTaskStoreContract('SQLite', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'codecrew-store-'));
  return {
    open: () => openTaskStore({ dataDir }),
    dispose: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
});

describe('SQLite task store', () => {
  it('creates its data directory and keeps the database in <dataDir>/codecrew.db', async () => {
    const root = mkdtempSync(join(tmpdir(), 'codecrew-store-'));
    const dataDir = join(root, 'nested', 'data');
    try {
      const store = await openTaskStore({ dataDir });
      await store.close();
      expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails with STORE_UNAVAILABLE when the database cannot be opened', async () => {
    const root = mkdtempSync(join(tmpdir(), 'codecrew-store-'));
    try {
      // A directory where the database file should be.
      const dataDir = join(root, 'data');
      mkdirSync(join(dataDir, SQLITE_FILE_NAME), { recursive: true });
      await expect(openTaskStore({ dataDir })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
