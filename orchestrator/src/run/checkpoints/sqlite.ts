import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { CheckpointStore, TaskCheckpointer } from './store.ts';
import { taskInLastCheckpoint } from './store.ts';
import type { ResolvedTask } from '../../task/resolve.ts';

/**
 * Checkpoints in SQLite: one file for all tasks, or one file per task in a directory. Each run opens
 * its file and closes it when released, so the store itself holds nothing open.
 */
export class SqliteCheckpointStore implements CheckpointStore {
  readonly kind = 'sqlite';
  readonly location: string;
  readonly #fileOf: (taskId: string) => string;
  readonly #filePerTask: boolean;

  constructor(options: { sqliteFile: string } | { sqliteDir: string }) {
    if ('sqliteFile' in options) {
      const file = options.sqliteFile;
      this.location = `SQLite file ${file}`;
      this.#fileOf = () => file;
      this.#filePerTask = false;
    } else {
      const dir = options.sqliteDir;
      this.location = `SQLite files in ${dir}`;
      this.#fileOf = (taskId) => join(dir, `${taskId}.sqlite`);
      this.#filePerTask = true;
    }
  }

  async checkpointerFor(taskId: string): Promise<TaskCheckpointer> {
    const file = this.#fileOf(taskId);
    await mkdir(dirname(file), { recursive: true });
    const saver = SqliteSaver.fromConnString(file);
    // WAL without a sync per step: the writes of a step block the whole process while they run, and a
    // crash of the process still loses nothing (only a power loss may cost the last steps, which resume re-runs).
    saver.db.pragma('synchronous = NORMAL');
    return { saver, release: async () => void saver.db.close() };
  }

  async loadTask(taskId: string): Promise<ResolvedTask | null> {
    const file = this.#fileOf(taskId);
    if (!existsSync(file)) return null;
    const saver = SqliteSaver.fromConnString(file);
    try {
      return await taskInLastCheckpoint(saver, taskId);
    } finally {
      saver.db.close();
    }
  }

  async deleteTask(taskId: string): Promise<void> {
    const file = this.#fileOf(taskId);
    if (this.#filePerTask) {
      await Promise.all([file, `${file}-wal`, `${file}-shm`].map((path) => rm(path, { force: true })));
      return;
    }
    if (!existsSync(file)) return;
    const saver = SqliteSaver.fromConnString(file);
    try {
      await saver.deleteThread(taskId);
    } finally {
      saver.db.close();
    }
  }

  async close(): Promise<void> {}
}
