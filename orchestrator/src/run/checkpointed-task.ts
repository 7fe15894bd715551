import { existsSync } from 'node:fs';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { ResolvedTask } from '../task/resolve.ts';

/**
 * The task a checkpoint file holds for `taskId` (as the run that wrote it had resolved it), or null when
 * the file has no checkpoint of that task. What `codecrew resume` starts from.
 */
export async function loadCheckpointedTask(checkpointPath: string, taskId: string): Promise<ResolvedTask | null> {
  if (!existsSync(checkpointPath)) return null;
  const checkpointer = SqliteSaver.fromConnString(checkpointPath);
  try {
    const tuple = await checkpointer.getTuple({ configurable: { thread_id: taskId } });
    const task = tuple?.checkpoint.channel_values['task'] as ResolvedTask | undefined;
    return task?.taskId === taskId ? task : null;
  } finally {
    checkpointer.db.close();
  }
}
