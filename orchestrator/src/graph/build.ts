import { END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import { isCodecrewError } from '@codecrew/core';
import type { GraphDeps } from './deps.ts';
import { TaskState, type TaskStateUpdate, type TaskStateValue } from './state.ts';
import { prepareNode } from './nodes/prepare.ts';
import { planNode } from './nodes/plan.ts';
import { codeNode, type CodePayload } from './nodes/code.ts';
import { integrateNode } from './nodes/integrate.ts';
import { testNode } from './nodes/test.ts';
import { reviewNode } from './nodes/review.ts';
import { askNode } from './nodes/ask.ts';
import { finalizeNode } from './nodes/finalize.ts';
import { approvePlanNode, routeAfterPlan } from './nodes/approve-plan.ts';
import { afterIntegrate, afterPlan, afterReview, afterTest } from './routes.ts';

type NodeFn<I> = (input: I, deps: GraphDeps) => Promise<TaskStateUpdate>;

/** Wraps a node so that its start and end show in the trace. */
function traced<I>(name: string, fn: NodeFn<I>, deps: GraphDeps): (input: I) => Promise<TaskStateUpdate> {
  return async (input) => {
    const started = Date.now();
    const label = name === 'code' ? `code ${(input as unknown as CodePayload).assignment.subtaskId}` : name;
    deps.emit('node.started', label, { node: name });
    try {
      const update = await fn(input, deps);
      deps.emit('node.finished', label, { node: name, durationMs: Date.now() - started });
      return update;
    } catch (error) {
      deps.emit('node.finished', `${label} failed: ${(error as Error).message}`, {
        node: name,
        durationMs: Date.now() - started,
        error: (error as Error).message,
      });
      // A budget running out ends the task through finalize, which keeps what was merged.
      if (isCodecrewError(error, 'BUDGET_EXHAUSTED')) return { status: 'budget_exhausted', error: error.toData() };
      throw error;
    }
  };
}

/**
 * The task graph: prepare → plan → (approve_plan, when the spec asks for it)
 * → code (one Send per ready subtask) → integrate → … waves … → test → review
 * → (fix rounds) → finalize; ask mode goes prepare → ask → finalize.
 * approve_plan is not traced: its interrupt is how it waits, not a failure.
 */
export function buildTaskGraph(deps: GraphDeps, checkpointer: BaseCheckpointSaver) {
  return new StateGraph(TaskState)
    .addNode('prepare', traced('prepare', prepareNode, deps))
    .addNode('plan', traced('plan', planNode, deps))
    .addNode('approve_plan', (state: TaskStateValue) => approvePlanNode(state, deps))
    .addNode('code', traced('code', codeNode as unknown as NodeFn<TaskStateValue>, deps))
    .addNode('integrate', traced('integrate', integrateNode, deps))
    .addNode('test', traced('test', testNode, deps))
    .addNode('review', traced('review', reviewNode, deps))
    .addNode('ask', traced('ask', askNode, deps))
    .addNode('finalize', traced('finalize', finalizeNode, deps))
    .addEdge(START, 'prepare')
    .addConditionalEdges('prepare', (state: TaskStateValue) => (state.task.mode === 'ask' ? 'ask' : 'plan'), [
      'ask',
      'plan',
    ])
    .addConditionalEdges('plan', routeAfterPlan, ['approve_plan', 'code', 'finalize'])
    .addConditionalEdges('approve_plan', afterPlan, ['code', 'finalize'])
    .addEdge('code', 'integrate')
    .addConditionalEdges('integrate', afterIntegrate, ['code', 'test', 'finalize'])
    .addConditionalEdges('test', afterTest, ['code', 'review', 'finalize'])
    .addConditionalEdges('review', afterReview, ['code', 'finalize'])
    .addEdge('ask', 'finalize')
    .addEdge('finalize', END)
    .compile({ checkpointer });
}
