import type { Plan } from '@codecrew/core';
import type { SeqEvent, TraceEvent, Usage } from './types.ts';

/** What a mark on a lane stands for. */
export type MarkKind = 'model' | 'tool' | 'command' | 'message';

/** A model call, tool call, command or message from the user on a lane: a span from `start` to `end` (ms since the epoch). */
export interface Mark {
  id: number;
  kind: MarkKind;
  label: string;
  start: number;
  /** Undefined while it runs. */
  end?: number;
  /** The events it was made of, in order (a call and its result, a command's start and finish). */
  events: SeqEvent[];
  /** A command's exit code or a tool call's outcome, once known. */
  ok?: boolean;
}

/** One job of the task: the planner, a coder on a subtask, the resolver, the tester or the reviewer. */
export interface Lane {
  jobId: string;
  role: string;
  subtaskId?: string;
  label: string;
  start: number;
  end?: number;
  status: 'dispatched' | 'running' | string;
  lastActivity: number;
  marks: Mark[];
  usage: Usage;
}

/** The state of a subtask of the plan, as the viewer colours it. */
export type SubtaskState = 'waiting' | 'coding' | 'merged' | 'failed';

/** Everything the task page draws, folded from the trace. */
export interface Folded {
  lanes: Lane[];
  plan: Plan | null;
  subtaskStates: Record<string, SubtaskState>;
  usage: {
    total: Usage;
    byRole: Record<string, Usage>;
    bySubtask: Record<string, Usage>;
    byJob: Record<string, Usage>;
  };
  start: number;
  end: number;
  finished: boolean;
  status?: string;
  lastSeq: number;
}

const emptyUsage = (): Usage => ({ calls: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 });

function addUsage(into: Usage, from: Partial<Usage>): void {
  into.calls += from.calls ?? 0;
  into.promptTokens += from.promptTokens ?? 0;
  into.completionTokens += from.completionTokens ?? 0;
  into.costUsd += from.costUsd ?? 0;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Folds trace events into lanes, marks, plan states and usage, one event at a time, so that a live
 * task costs one step per new event and a finished one a single pass. Events at or below the last
 * sequence number seen are ignored, so a replayed event never counts twice.
 */
export class TraceFolder {
  private readonly lanesById = new Map<string, Lane>();
  private readonly openTools = new Map<string, Mark[]>();
  private readonly openCommands = new Map<string, Mark[]>();
  private nextMarkId = 1;
  private version = 0;
  readonly state: Folded = {
    lanes: [],
    plan: null,
    subtaskStates: {},
    usage: { total: emptyUsage(), byRole: {}, bySubtask: {}, byJob: {} },
    start: Number.POSITIVE_INFINITY,
    end: Number.NEGATIVE_INFINITY,
    finished: false,
    lastSeq: 0,
  };

  /** Grows with every event that changed the state, for views that re-render on change. */
  get changes(): number {
    return this.version;
  }

  /** Folds many events in order. */
  addAll(events: Iterable<SeqEvent>): void {
    for (const event of events) this.add(event);
  }

  /** Folds one event; returns false when it was already folded (a sequence number not above the last). */
  add(item: SeqEvent): boolean {
    if (item.seq <= this.state.lastSeq) return false;
    this.state.lastSeq = item.seq;
    this.version++;
    const { event } = item;
    const at = Date.parse(event.at);
    if (Number.isFinite(at)) {
      this.state.start = Math.min(this.state.start, at);
      this.state.end = Math.max(this.state.end, at);
    }
    this.apply(item, at);
    return true;
  }

  private lane(jobId: string, event: TraceEvent, at: number): Lane {
    let lane = this.lanesById.get(jobId);
    if (lane === undefined) {
      const role = event.role ?? str(event.data.role) ?? 'job';
      const subtaskId = event.subtaskId ?? str(event.data.subtaskId);
      lane = {
        jobId,
        role,
        subtaskId,
        label: laneLabel(jobId, role, subtaskId),
        start: at,
        status: 'dispatched',
        lastActivity: at,
        marks: [],
        usage: emptyUsage(),
      };
      this.lanesById.set(jobId, lane);
      this.state.lanes.push(lane);
    }
    if (lane.subtaskId === undefined && event.subtaskId !== undefined) {
      lane.subtaskId = event.subtaskId;
      lane.label = laneLabel(jobId, lane.role, lane.subtaskId);
    }
    if (Number.isFinite(at)) lane.lastActivity = Math.max(lane.lastActivity, at);
    return lane;
  }

  private mark(lane: Lane, kind: MarkKind, label: string, start: number, item: SeqEvent, end?: number): Mark {
    const mark: Mark = { id: this.nextMarkId++, kind, label, start, end, events: [item] };
    lane.marks.push(mark);
    return mark;
  }

  private apply(item: SeqEvent, at: number): void {
    const { event } = item;
    const data = event.data;
    const jobId = event.jobId ?? (event.kind === 'job.dispatched' ? str(data.jobId) : undefined);
    switch (event.kind) {
      case 'job.dispatched':
        if (jobId !== undefined) this.lane(jobId, event, at);
        return;
      case 'job.started':
        if (jobId === undefined) return;
        this.lane(jobId, event, at).status = 'running';
        if (event.role === 'coder' && event.subtaskId !== undefined) this.setSubtask(event.subtaskId, 'coding');
        return;
      case 'job.finished': {
        if (jobId === undefined) return;
        const lane = this.lane(jobId, event, at);
        lane.end = at;
        lane.status = str(data.status) ?? 'finished';
        // A call the job ended on (finish, submit_plan) has no result event: it ends with the job.
        for (const open of [this.openTools, this.openCommands]) {
          for (const mark of open.get(jobId) ?? []) mark.end ??= at;
          open.delete(jobId);
        }
        if (lane.role === 'coder' && lane.subtaskId !== undefined && lane.status === 'failed') {
          this.setSubtask(lane.subtaskId, 'failed');
        }
        return;
      }
      case 'model.call': {
        if (jobId === undefined) return;
        const lane = this.lane(jobId, event, at);
        const duration = num(data.durationMs) ?? 0;
        const mark = this.mark(lane, 'model', event.message, at - duration, item, at);
        mark.ok = true;
        const usage = {
          calls: 1,
          promptTokens: num(data.promptTokens) ?? 0,
          completionTokens: num(data.completionTokens) ?? 0,
          costUsd: num(data.costUsd) ?? 0,
        };
        this.countUsage(lane, usage);
        return;
      }
      case 'tool.call': {
        if (jobId === undefined) return;
        const lane = this.lane(jobId, event, at);
        const mark = this.mark(lane, 'tool', event.message, at, item);
        pushOpen(this.openTools, jobId, mark);
        return;
      }
      case 'tool.result': {
        if (jobId === undefined) return;
        const lane = this.lane(jobId, event, at);
        const mark = popOpen(this.openTools, jobId, (m) => str(m.events[0]?.event.data.tool) === str(data.tool));
        if (mark === undefined) return;
        mark.end = at;
        mark.ok = data.ok !== false;
        mark.events.push(item);
        lane.lastActivity = at;
        return;
      }
      case 'command.started': {
        if (jobId === undefined) return;
        const lane = this.lane(jobId, event, at);
        pushOpen(this.openCommands, jobId, this.mark(lane, 'command', str(data.command) ?? event.message, at, item));
        return;
      }
      case 'command.finished': {
        if (jobId === undefined) return;
        const lane = this.lane(jobId, event, at);
        const duration = num(data.durationMs);
        let mark = popOpen(this.openCommands, jobId, (m) => m.label === str(data.command));
        if (mark === undefined) {
          mark = this.mark(lane, 'command', str(data.command) ?? event.message, at - (duration ?? 0), item);
        } else {
          mark.events.push(item);
        }
        mark.end = at;
        mark.ok = num(data.exitCode) === 0;
        return;
      }
      case 'plan': {
        const plan = data.plan as Plan | undefined;
        if (plan === undefined) return;
        this.state.plan = plan;
        for (const subtask of plan.subtasks) {
          if (this.state.subtaskStates[subtask.id] === undefined) this.state.subtaskStates[subtask.id] = 'waiting';
        }
        return;
      }
      case 'merge': {
        const subtaskId = str(data.subtaskId);
        if (subtaskId === undefined) return;
        const status = str(data.status);
        if (status === 'clean' || status === 'merged' || status === 'resolved' || status === 'empty') {
          this.setSubtask(subtaskId, 'merged');
        } else if (status === 'failed' || status === 'conflict') {
          this.setSubtask(subtaskId, status === 'failed' ? 'failed' : 'coding');
        }
        return;
      }
      case 'task.finished':
        this.state.finished = true;
        this.state.status = str(data.status);
        // A job the task ended without hearing from again: its bar stops with the task.
        for (const lane of this.state.lanes) {
          if (lane.end !== undefined || lane.status === 'dispatched') continue;
          lane.end = at;
          lane.status = 'unfinished';
        }
        return;
      case 'user.message.delivered': {
        // The moment a message from the user entered the job's conversation.
        if (jobId === undefined) return;
        this.mark(this.lane(jobId, event, at), 'message', str(data.text) ?? 'a message from the user', at, item, at);
        return;
      }
      default:
        if (jobId !== undefined) this.lane(jobId, event, at);
    }
  }

  private setSubtask(id: string, state: SubtaskState): void {
    this.state.subtaskStates[id] = state;
  }

  private countUsage(lane: Lane, usage: Usage): void {
    const { total, byRole, bySubtask, byJob } = this.state.usage;
    addUsage(total, usage);
    addUsage(lane.usage, usage);
    addUsage((byRole[lane.role] ??= emptyUsage()), usage);
    addUsage((byJob[lane.jobId] ??= emptyUsage()), usage);
    if (lane.subtaskId !== undefined) addUsage((bySubtask[lane.subtaskId] ??= emptyUsage()), usage);
  }
}

function pushOpen(open: Map<string, Mark[]>, jobId: string, mark: Mark): void {
  const list = open.get(jobId);
  if (list === undefined) open.set(jobId, [mark]);
  else list.push(mark);
}

/** Takes the most recent open mark of a job that matches, or the most recent one if none matches. */
function popOpen(open: Map<string, Mark[]>, jobId: string, matches: (mark: Mark) => boolean): Mark | undefined {
  const list = open.get(jobId);
  if (list === undefined || list.length === 0) return undefined;
  let index = list.length - 1;
  for (let i = list.length - 1; i >= 0; i--) {
    if (matches(list[i] as Mark)) {
      index = i;
      break;
    }
  }
  return list.splice(index, 1)[0];
}

/** A lane's name: its role, with its subtask and round for coders (`coder · slug · r1`). */
export function laneLabel(jobId: string, role: string, subtaskId: string | undefined): string {
  const round = /-r(\d+)$/.exec(jobId);
  const parts = [role];
  if (subtaskId !== undefined) parts.push(subtaskId);
  if (round !== null) parts.push(`r${round[1]}`);
  return parts.join(' · ');
}

/** Whether a lane still at work has said nothing for `thresholdMs` as of `now`. */
export function isSilent(lane: Lane, now: number, thresholdMs: number): boolean {
  return lane.end === undefined && lane.status === 'running' && now - lane.lastActivity >= thresholdMs;
}

/** Folds a whole trace at once. */
export function foldTrace(events: Iterable<SeqEvent>): Folded {
  const folder = new TraceFolder();
  folder.addAll(events);
  return folder.state;
}

/** Reads trace.jsonl text into sequenced events (sequence = line number from 1; blank lines skipped). */
export function parseTraceJsonl(text: string): SeqEvent[] {
  const out: SeqEvent[] = [];
  let seq = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    seq++;
    out.push({ seq, event: JSON.parse(line) as TraceEvent });
  }
  return out;
}
