import type { Bus } from '@codecrew/bus';
import type { CheckpointStore } from '@codecrew/orchestrator';
import type { TaskStore } from '@codecrew/store';
import type { Health } from '../api/schemas.ts';
import type { EventFeed } from '../run/event-feed.ts';
import type { Scheduler } from '../run/scheduler.ts';
import type { AdmissionRules } from '../tasks/submit.ts';

/** What the routes work with. */
export interface ApiContext {
  store: TaskStore;
  checkpoints: CheckpointStore;
  bus: Bus;
  scheduler: Scheduler;
  feed: EventFeed;
  rules: AdmissionRules;
  health(): Promise<Health>;
  /** Milliseconds between SSE heartbeats when nothing happens. */
  heartbeatMs: number;
  /** How long `POST /cancel` waits for a running task to end before it answers 202. */
  cancelWaitMs: number;
  /** Aborted when the server closes: open event streams end. */
  closing: AbortSignal;
  log(line: string): void;
}
