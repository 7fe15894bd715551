import { Annotation, END, START, StateGraph, emptyCheckpoint, type BaseCheckpointSaver } from '@langchain/langgraph';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointStore } from '@codecrew/orchestrator';

/** A backend under test: how to open a store on its (shared) location, and how to remove that location. */
export interface CheckpointBackend {
  /** Opens a store on the backend's location; several opens see the same checkpoints (a restarted process). */
  open(): Promise<CheckpointStore>;
  dispose(): Promise<void>;
}

const State = Annotation.Root({
  task: Annotation<{ taskId: string; name: string }>(),
  steps: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
});

/** A two-step graph whose second step fails while `crash.second` is true, as a killed process would stop. */
function twoStepGraph(saver: BaseCheckpointSaver, runs: string[], crash: { second: boolean }) {
  return new StateGraph(State)
    .addNode('first', () => {
      runs.push('first');
      return { steps: ['first'] };
    })
    .addNode('second', () => {
      runs.push('second');
      if (crash.second) throw new Error('the process died here');
      return { steps: ['second'] };
    })
    .addEdge(START, 'first')
    .addEdge('first', 'second')
    .addEdge('second', END)
    .compile({ checkpointer: saver });
}

/** The behaviour every checkpoint store must have, whatever keeps the checkpoints. */
export function describeCheckpointStoreContract(name: string, makeBackend: () => Promise<CheckpointBackend>): void {
  describe(`${name} checkpoint store`, () => {
    let backend: CheckpointBackend;
    const opened: CheckpointStore[] = [];
    const open = async () => {
      const store = await backend.open();
      opened.push(store);
      return store;
    };
    beforeEach(async () => {
      backend = await makeBackend();
    });
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      await backend.dispose();
    });

    it('reads back the checkpoint it wrote, also from a store opened afterwards', async () => {
      const store = await open();
      const checkpointer = await store.checkpointerFor('t_written');
      const checkpoint = {
        ...emptyCheckpoint(),
        channel_values: { task: { taskId: 't_written', name: 'written' } },
        channel_versions: { task: 1 },
      };
      const config = { configurable: { thread_id: 't_written', checkpoint_ns: '' } };
      await checkpointer.saver.put(config, checkpoint, { source: 'input', step: -1, parents: {} }, { task: 1 });
      const tuple = await checkpointer.saver.getTuple({ configurable: { thread_id: 't_written' } });
      expect(tuple?.checkpoint.id).toBe(checkpoint.id);
      expect(tuple?.checkpoint.channel_values['task']).toEqual({ taskId: 't_written', name: 'written' });
      await checkpointer.release();

      const reopened = await open();
      expect(await reopened.loadTask('t_written')).toEqual({ taskId: 't_written', name: 'written' });
      expect(await reopened.loadTask('t_other')).toBeNull();
    });

    it('resumes a graph from its last checkpoint after a failed run: finished steps do not run again', async () => {
      const runs: string[] = [];
      const crash = { second: true };
      const config = { configurable: { thread_id: 't_graph' } };
      const first = await open();
      const firstRun = await first.checkpointerFor('t_graph');
      await expect(
        twoStepGraph(firstRun.saver, runs, crash).invoke({ task: { taskId: 't_graph', name: 'graph' } }, config),
      ).rejects.toThrow('the process died here');
      await firstRun.release();
      expect(runs).toEqual(['first', 'second']);

      // Another store on the same location, as a restarted process opens it.
      const second = await open();
      expect(await second.loadTask('t_graph')).toEqual({ taskId: 't_graph', name: 'graph' });
      crash.second = false;
      const secondRun = await second.checkpointerFor('t_graph');
      const state = await twoStepGraph(secondRun.saver, runs, crash).invoke(null, config);
      await secondRun.release();
      expect(state.steps).toEqual(['first', 'second']);
      expect(runs).toEqual(['first', 'second', 'second']);
    });

    it('keeps the threads of tasks apart and deletes the checkpoints of one task only', async () => {
      const store = await open();
      for (const taskId of ['t_kept', 't_deleted']) {
        const checkpointer = await store.checkpointerFor(taskId);
        await twoStepGraph(checkpointer.saver, [], { second: false }).invoke(
          { task: { taskId, name: taskId } },
          { configurable: { thread_id: taskId } },
        );
        await checkpointer.release();
      }
      await store.deleteTask('t_deleted');
      await store.deleteTask('t_never_ran');
      expect(await store.loadTask('t_deleted')).toBeNull();
      expect(await store.loadTask('t_kept')).toEqual({ taskId: 't_kept', name: 't_kept' });
    });
  });
}
