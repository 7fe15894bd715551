import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { ResolvedTask } from '../../task/resolve.ts';

/** A LangGraph checkpointer lent for one task's run; `release` it once the run is over. */
export interface TaskCheckpointer {
  saver: BaseCheckpointSaver;
  release(): Promise<void>;
}

/**
 * Where the LangGraph checkpoints of tasks are kept, one thread per task id: SQLite files under the
 * data directory, or PostgreSQL (`DATABASE_URL`), next to the task store's tables. A run writes a
 * checkpoint after each step; `codecrew resume` and a restarted `codecrew serve` continue from the last.
 */
export interface CheckpointStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the checkpoints are, for messages: the SQLite file or directory, or the database URL (without its password) and schema. */
  readonly location: string;
  /** A checkpointer that reads and writes the thread of `taskId`. */
  checkpointerFor(taskId: string): Promise<TaskCheckpointer>;
  /** The task as the run that wrote its last checkpoint had resolved it, or null when there is no checkpoint of it. */
  loadTask(taskId: string): Promise<ResolvedTask | null>;
  /** Deletes every checkpoint of `taskId`; nothing happens when there is none. */
  deleteTask(taskId: string): Promise<void>;
  /** Releases the store's connections (the PostgreSQL pool); call once, when the process is done with it. */
  close(): Promise<void>;
}

/**
 * How to open a checkpoint store: PostgreSQL at `databaseUrl`, one SQLite file for every task
 * (`sqliteFile`, what `codecrew run` and `codecrew resume` use), or one SQLite file per task in
 * `sqliteDir` (`<sqliteDir>/<taskId>.sqlite`, what `codecrew serve` uses).
 */
export type CheckpointStoreOptions = { databaseUrl: string } | { sqliteFile: string } | { sqliteDir: string };

/** The task a checkpointer's last checkpoint of `taskId` holds, or null. */
export async function taskInLastCheckpoint(saver: BaseCheckpointSaver, taskId: string): Promise<ResolvedTask | null> {
  const tuple = await saver.getTuple({ configurable: { thread_id: taskId } });
  const task = tuple?.checkpoint.channel_values['task'] as ResolvedTask | undefined;
  return task?.taskId === taskId ? task : null;
}
