import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCodecrewError, newId } from '@codecrew/core';
import type { TraceEvent } from '@codecrew/core';
import { jetStreamEventKey } from '@codecrew/store';
import type { NewTask, TaskRecord, TaskStore } from '@codecrew/store';
import { describeWebhookStoreContract } from './webhook-contract.ts';

/** One empty storage place (a data directory, a database schema) that stores can be opened on. */
export interface StoreTarget {
  /** Opens a store on this place; may be called again, also while another store on it is open. */
  open(): Promise<TaskStore>;
  /** Removes the place. */
  dispose(): Promise<void>;
}

function task(overrides: Partial<NewTask> = {}): NewTask {
  return { id: newId('task_'), name: 'add-slug', repo: '/srv/repos/textkit', spec: { prompt: 'p' }, ...overrides };
}

function event(taskId: string, message: string): TraceEvent {
  return { taskId, kind: 'log', at: '2026-01-02T03:04:05.000Z', message, data: { message } };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await rejection(promise);
  expect(isCodecrewError(error) ? error.code : error).toBe(code);
}

/** Every id of every page of a list, following cursors. */
async function allPages(store: TaskStore, filter: { limit: number; status?: TaskRecord['status'] }): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.listTasks({ ...filter, cursor });
    ids.push(...page.tasks.map((t) => t.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/**
 * The behaviour every TaskStore implementation must have. `newTarget` gives a fresh, empty place
 * for each test.
 */
export function describeTaskStoreContract(name: string, newTarget: () => Promise<StoreTarget>): void {
  describe(`TaskStore contract: ${name}`, () => {
    let target: StoreTarget;
    let store: TaskStore;
    const extraStores: TaskStore[] = [];

    async function openAnother(): Promise<TaskStore> {
      const another = await target.open();
      extraStores.push(another);
      return another;
    }

    beforeEach(async () => {
      target = await newTarget();
      store = await target.open();
    });
    afterEach(async () => {
      await Promise.all([store, ...extraStores.splice(0)].map((s) => s.close()));
      await target.dispose();
    });

    describe('tasks', () => {
      it('creates a queued task and reads it back with everything submitted', async () => {
        const spec = { prompt: 'Add slug()', nested: { list: [1, 'two', null], flag: true } };
        const input = task({ spec, idempotencyKey: null, createdAt: '2026-03-04T05:06:07Z' });
        const { task: created, created: isNew } = await store.createTask(input);
        expect(isNew).toBe(true);
        const expected: TaskRecord = {
          id: input.id,
          name: 'add-slug',
          status: 'queued',
          createdAt: '2026-03-04T05:06:07.000Z',
          startedAt: null,
          endedAt: null,
          repo: '/srv/repos/textkit',
          spec,
          idempotencyKey: null,
          outDir: null,
          summary: null,
          error: null,
          cancelRequested: false,
          parent: null,
        };
        expect(created).toEqual(expected);
        expect(await store.getTask(input.id)).toEqual(expected);
        expect(await store.getTask('task_missing')).toBeNull();
      });

      it('refuses a second task with the same id', async () => {
        const input = task();
        await store.createTask(input);
        await expectCode(store.createTask({ ...input, name: 'other' }), 'USAGE_INVALID');
        expect((await store.getTask(input.id))?.name).toBe('add-slug');
      });

      it('returns the existing task for an idempotency key already used, also to racing callers', async () => {
        const first = await store.createTask(task({ idempotencyKey: 'key-1' }));
        const again = await store.createTask(task({ idempotencyKey: 'key-1', name: 'different' }));
        expect(again).toEqual({ task: first.task, created: false });

        const other = await openAnother();
        const racing = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? store : other).createTask(task({ idempotencyKey: 'key-2' })),
          ),
        );
        expect(racing.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(racing.map((r) => r.task.id)).size).toBe(1);

        const withoutKey = await Promise.all([store.createTask(task()), store.createTask(task())]);
        expect(withoutKey.map((r) => r.created)).toEqual([true, true]);
        expect((await store.listTasks({})).tasks).toHaveLength(4);
      });

      it('updates the given fields and leaves the others', async () => {
        const { task: created } = await store.createTask(task());
        const summary = { plan: { subtasks: [{ id: 's1', title: 'slug' }] }, usage: { tokens: 12, cost_usd: 0.5 } };
        const running = await store.updateTask(created.id, {
          status: 'running',
          startedAt: '2026-05-06T07:08:09.123Z',
          outDir: '/data/out/x',
          summary,
        });
        expect(running).toEqual({
          ...created,
          status: 'running',
          startedAt: '2026-05-06T07:08:09.123Z',
          outDir: '/data/out/x',
          summary,
        });
        const error = { code: 'JOB_FAILED' as const, message: 'coder failed', retryable: false, details: { job: 'j' } };
        const ended = await store.updateTask(created.id, {
          status: 'failed',
          endedAt: '2026-05-06T07:09:00.000Z',
          error,
          cancelRequested: true,
        });
        expect(ended).toEqual({
          ...running,
          status: 'failed',
          endedAt: '2026-05-06T07:09:00.000Z',
          error,
          cancelRequested: true,
        });
        expect(await store.getTask(created.id)).toEqual(ended);
        expect(await store.updateTask(created.id, { error: null, summary: null })).toEqual({
          ...ended,
          error: null,
          summary: null,
        });
      });

      it('fails to update a task that does not exist, and refuses an unknown status', async () => {
        await expectCode(store.updateTask('task_missing', { status: 'running' }), 'TASK_NOT_FOUND');
        const { task: created } = await store.createTask(task());
        await expectCode(store.updateTask(created.id, { status: 'done' as 'approved' }), 'USAGE_INVALID');
        expect((await store.getTask(created.id))?.status).toBe('queued');
      });

      it('deletes a task with its events, and frees its idempotency key', async () => {
        const { task: created } = await store.createTask(task({ idempotencyKey: 'key-d' }));
        await store.appendEvents(created.id, [event(created.id, 'one')]);
        expect(await store.deleteTask(created.id)).toBe(true);
        expect(await store.getTask(created.id)).toBeNull();
        expect(await store.readEvents(created.id, 0, 10)).toEqual([]);
        expect(await store.deleteTask(created.id)).toBe(false);
        const again = await store.createTask(task({ idempotencyKey: 'key-d' }));
        expect(again.created).toBe(true);
        expect(again.task.id).not.toBe(created.id);
      });
    });

    describe('the queue', () => {
      it('claims queued tasks first in, first out, marks them running, and returns null when none waits', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 4; i += 1) ids.push((await store.createTask(task())).task.id);
        await store.updateTask(ids[1] as string, { status: 'cancelled' });
        const first = await store.claimNextQueued();
        expect(first?.id).toBe(ids[0]);
        expect(first?.status).toBe('running');
        expect(first?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(await store.getTask(ids[0] as string)).toEqual(first);
        expect((await store.claimNextQueued())?.id).toBe(ids[2]);
        expect((await store.claimNextQueued())?.id).toBe(ids[3]);
        expect(await store.claimNextQueued()).toBeNull();
      });

      it('never claims a task whose cancel was requested; the request tells whether a claim came first', async () => {
        const claimedFirst = (await store.createTask(task())).task.id;
        const cancelledWhileQueued = (await store.createTask(task())).task.id;
        const next = (await store.createTask(task())).task.id;
        expect((await store.claimNextQueued())?.id).toBe(claimedFirst);
        expect((await store.updateTask(claimedFirst, { cancelRequested: true })).status).toBe('running');
        expect((await store.updateTask(cancelledWhileQueued, { cancelRequested: true })).status).toBe('queued');
        expect((await store.claimNextQueued())?.id).toBe(next);
        expect(await store.claimNextQueued()).toBeNull();
        expect((await store.getTask(cancelledWhileQueued))?.status).toBe('queued');
      });

      it('never gives one task to two concurrent claimers', async () => {
        const ids = new Set<string>();
        for (let i = 0; i < 30; i += 1) ids.add((await store.createTask(task())).task.id);
        const other = await openAnother();
        const claims = await Promise.all(
          Array.from({ length: 45 }, (_, i) => (i % 2 === 0 ? store : other).claimNextQueued()),
        );
        const claimed = claims.flatMap((claim) => (claim === null ? [] : [claim.id]));
        expect(claimed).toHaveLength(30);
        expect(new Set(claimed)).toEqual(ids);
        expect((await store.tasksWithStatus(['running'])).map((t) => t.id).sort()).toEqual([...ids].sort());
      });

      it('lists the tasks in given statuses, oldest first', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i += 1) ids.push((await store.createTask(task())).task.id);
        await store.updateTask(ids[0] as string, { status: 'running' });
        await store.updateTask(ids[2] as string, { status: 'approved' });
        await store.updateTask(ids[3] as string, { status: 'running' });
        expect((await store.tasksWithStatus(['running'])).map((t) => t.id)).toEqual([ids[0], ids[3]]);
        expect((await store.tasksWithStatus(['queued', 'approved'])).map((t) => t.id)).toEqual([
          ids[1],
          ids[2],
          ids[4],
        ]);
        expect(await store.tasksWithStatus([])).toEqual([]);
      });
    });

    describe('the list', () => {
      it('lists newest first with filters on status, name and repo', async () => {
        const a = (await store.createTask(task({ name: 'a', repo: '/r/one' }))).task.id;
        const b = (await store.createTask(task({ name: 'b', repo: '/r/one' }))).task.id;
        const c = (await store.createTask(task({ name: 'a', repo: '/r/two' }))).task.id;
        const d = (await store.createTask(task({ name: 'a', repo: '/r/one' }))).task.id;
        await store.updateTask(c, { status: 'running' });
        await store.updateTask(d, { status: 'running' });
        const ids = async (filter: Parameters<TaskStore['listTasks']>[0]): Promise<string[]> =>
          (await store.listTasks(filter)).tasks.map((t) => t.id);
        expect(await ids({})).toEqual([d, c, b, a]);
        expect(await ids({ status: 'running' })).toEqual([d, c]);
        expect(await ids({ name: 'a' })).toEqual([d, c, a]);
        expect(await ids({ repo: '/r/one' })).toEqual([d, b, a]);
        expect(await ids({ name: 'a', repo: '/r/one', status: 'queued' })).toEqual([a]);
        expect(await ids({ name: 'nobody' })).toEqual([]);
        expect((await store.listTasks({ status: 'failed' })).nextCursor).toBeNull();
      });

      it('pages with a cursor, null after the last page, unshifted by tasks created meanwhile', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 7; i += 1) ids.push((await store.createTask(task())).task.id);
        const newestFirst = [...ids].reverse();
        const first = await store.listTasks({ limit: 3 });
        expect(first.tasks.map((t) => t.id)).toEqual(newestFirst.slice(0, 3));
        expect(first.nextCursor).not.toBeNull();

        const createdMeanwhile = (await store.createTask(task())).task.id;
        const second = await store.listTasks({ limit: 3, cursor: first.nextCursor });
        expect(second.tasks.map((t) => t.id)).toEqual(newestFirst.slice(3, 6));
        const third = await store.listTasks({ limit: 3, cursor: second.nextCursor });
        expect(third.tasks.map((t) => t.id)).toEqual(newestFirst.slice(6));
        expect(third.nextCursor).toBeNull();

        const exact = await store.listTasks({ limit: 8 });
        expect(exact.tasks.map((t) => t.id)).toEqual([createdMeanwhile, ...newestFirst]);
        expect(exact.nextCursor).toBeNull();
        expect(await allPages(store, { limit: 2 })).toEqual([createdMeanwhile, ...newestFirst]);
      });

      it('pages within a filter', async () => {
        const running: string[] = [];
        for (let i = 0; i < 9; i += 1) {
          const id = (await store.createTask(task())).task.id;
          if (i % 2 === 0) {
            await store.updateTask(id, { status: 'running' });
            running.unshift(id);
          }
        }
        expect(await allPages(store, { limit: 2, status: 'running' })).toEqual(running);
      });

      it('refuses a cursor it did not hand out and a page size out of range', async () => {
        await store.createTask(task());
        await expectCode(store.listTasks({ cursor: 'not-a-cursor' }), 'CURSOR_INVALID');
        await expectCode(store.listTasks({ cursor: '' }), 'CURSOR_INVALID');
        await expectCode(store.listTasks({ limit: 0 }), 'USAGE_INVALID');
        await expectCode(store.listTasks({ limit: 501 }), 'USAGE_INVALID');
        await expectCode(store.listTasks({ limit: 2.5 }), 'USAGE_INVALID');
      });
    });

    describe('events', () => {
      it('numbers each task’s events 1, 2, 3… in order and reads them after a seq', async () => {
        const id = (await store.createTask(task())).task.id;
        const otherId = (await store.createTask(task())).task.id;
        expect(await store.lastEventSeq(id)).toBe(0);
        expect(await store.appendEvents(id, [event(id, 'e1'), event(id, 'e2'), event(id, 'e3')])).toBe(3);
        expect(await store.appendEvents(otherId, [event(otherId, 'x1')])).toBe(1);
        expect(await store.appendEvents(id, [event(id, 'e4'), event(id, 'e5')])).toBe(5);
        expect(await store.appendEvents(id, [])).toBe(5);
        expect(await store.lastEventSeq(id)).toBe(5);

        const all = await store.readEvents(id, 0, 100);
        expect(all).toEqual([1, 2, 3, 4, 5].map((seq) => ({ seq, event: event(id, `e${seq}`) })));
        expect((await store.readEvents(id, 3, 100)).map((e) => e.seq)).toEqual([4, 5]);
        expect((await store.readEvents(id, 1, 2)).map((e) => e.event.message)).toEqual(['e2', 'e3']);
        expect(await store.readEvents(id, 5, 100)).toEqual([]);
        expect(await store.readEvents(otherId, 0, 100)).toEqual([{ seq: 1, event: event(otherId, 'x1') }]);
        expect(await store.readEvents('task_missing', 0, 100)).toEqual([]);
        await expectCode(store.readEvents(id, -1, 10), 'USAGE_INVALID');
        await expectCode(store.readEvents(id, 0, 0), 'USAGE_INVALID');
      });

      it('keeps an event’s fields exactly, in their order', async () => {
        const id = (await store.createTask(task())).task.id;
        const full: TraceEvent = {
          taskId: id,
          kind: 'job.finished',
          at: '2026-01-02T03:04:05.678Z',
          jobId: 'job_1',
          role: 'coder',
          subtaskId: 's1',
          message: 'coder finished: “ünïcode” \\ "quotes"',
          data: { tokens: 12, nested: { list: [1, 2], none: null }, text: 'a\nb' },
        };
        await store.appendEvents(id, [full]);
        const [stored] = await store.readEvents(id, 0, 1);
        expect(JSON.stringify(stored?.event)).toBe(JSON.stringify(full));
      });

      it('skips events whose dedup key is already stored for the task', async () => {
        const id = (await store.createTask(task())).task.id;
        const otherId = (await store.createTask(task())).task.id;
        const keyed = (seq: number, taskId = id) => ({
          event: event(taskId, `m${seq}`),
          dedupKey: jetStreamEventKey('CREW_EVENTS', seq),
        });
        expect(await store.appendEvents(id, [keyed(10), keyed(11)])).toBe(2);
        // A restart feeds the stream again from an earlier point: only the new message is stored.
        expect(await store.appendEvents(id, [keyed(10), keyed(11), keyed(12)])).toBe(3);
        // Nothing new: the last seq is returned as it is.
        expect(await store.appendEvents(id, [keyed(11)])).toBe(3);
        // A repeat inside one call, and plain events, which are always appended.
        expect(await store.appendEvents(id, [keyed(13), keyed(13), event(id, 'plain'), event(id, 'plain')])).toBe(6);
        expect((await store.readEvents(id, 0, 100)).map((e) => [e.seq, e.event.message])).toEqual([
          [1, 'm10'],
          [2, 'm11'],
          [3, 'm12'],
          [4, 'm13'],
          [5, 'plain'],
          [6, 'plain'],
        ]);
        // Keys are per task.
        expect(await store.appendEvents(otherId, [keyed(10, otherId)])).toBe(1);
      });

      it('gives gapless, unrepeated seqs to concurrent appends to one task, each call’s events together', async () => {
        const id = (await store.createTask(task())).task.id;
        const other = await openAnother();
        const batches = Array.from({ length: 12 }, (_, b) =>
          Array.from({ length: 5 }, (_, i) => ({ event: event(id, `b${b}-${i}`), dedupKey: `k${b}-${i}` })),
        );
        const results = await Promise.all(
          batches.map((batch, b) => (b % 2 === 0 ? store : other).appendEvents(id, batch)),
        );
        expect(Math.max(...results)).toBe(60);
        const stored = await store.readEvents(id, 0, 1000);
        expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
        for (let start = 0; start < 60; start += 5) {
          const batch = stored.slice(start, start + 5).map((e) => e.event.message);
          const b = batch[0]?.split('-')[0];
          expect(batch).toEqual([0, 1, 2, 3, 4].map((i) => `${b}-${i}`));
        }
        // The same batches again, at once: all skipped.
        const again = await Promise.all(
          batches.map((batch, b) => (b % 2 === 0 ? other : store).appendEvents(id, batch)),
        );
        expect(again.every((last) => last === 60)).toBe(true);
        expect(await store.lastEventSeq(id)).toBe(60);
      });

      it('fails to append to a task that does not exist', async () => {
        await expectCode(store.appendEvents('task_missing', [event('task_missing', 'x')]), 'TASK_NOT_FOUND');
      });
    });

    describe('follow-ups and comments', () => {
      it("keeps a follow-up's parent and lists the follow-ups of a task", async () => {
        const { task: first } = await store.createTask(task());
        const { task: second } = await store.createTask(task({ parent: first.id }));
        await store.createTask(task());
        expect(second.parent).toBe(first.id);
        expect((await store.getTask(second.id))?.parent).toBe(first.id);
        expect((await store.listTasks({ parent: first.id })).tasks.map((t) => t.id)).toEqual([second.id]);
      });

      it("numbers a task's comments in order, lists them, and records the revision they went to", async () => {
        const { task: reviewed } = await store.createTask(task());
        const { task: other } = await store.createTask(task());
        const added = await store.addComments(reviewed.id, [
          { path: 'src/a.ts', line: 3, body: 'rename this' },
          { path: 'src/b.ts', line: 10, body: 'handle null' },
        ]);
        await store.addComments(other.id, [{ path: 'x', line: 1, body: 'elsewhere' }]);
        const more = await store.addComments(reviewed.id, [{ path: 'src/a.ts', line: 4, body: 'and this' }]);
        expect(added.map((c) => [c.id, c.path, c.line, c.body, c.revision])).toEqual([
          [1, 'src/a.ts', 3, 'rename this', null],
          [2, 'src/b.ts', 10, 'handle null', null],
        ]);
        expect(more.map((c) => c.id)).toEqual([3]);
        await store.markCommentsRevised(reviewed.id, [1, 3], 'task_rev');
        const listed = await store.listComments(reviewed.id);
        expect(listed.map((c) => [c.id, c.revision])).toEqual([
          [1, 'task_rev'],
          [2, null],
          [3, 'task_rev'],
        ]);
        expect(listed.every((c) => c.taskId === reviewed.id && !Number.isNaN(Date.parse(c.createdAt)))).toBe(true);
        await expectCode(store.addComments('task_missing', [{ path: 'x', line: 1, body: 'b' }]), 'TASK_NOT_FOUND');
        await store.deleteTask(reviewed.id);
        expect(await store.listComments(reviewed.id)).toEqual([]);
      });
    });

    describe('persistence', () => {
      it('keeps tasks, the queue and events across close and reopen', async () => {
        const queued = (await store.createTask(task({ idempotencyKey: 'key-p' }))).task;
        const running = (await store.createTask(task())).task;
        await store.claimNextQueued();
        const claimed = await store.updateTask(queued.id, { summary: { usage: { tokens: 5 } } });
        await store.appendEvents(queued.id, [
          event(queued.id, 'e1'),
          { event: event(queued.id, 'e2'), dedupKey: 'k2' },
        ]);
        await store.close();

        store = await target.open();
        await store.ping();
        expect(await store.getTask(queued.id)).toEqual(claimed);
        expect((await store.createTask(task({ idempotencyKey: 'key-p' }))).created).toBe(false);
        expect((await store.tasksWithStatus(['running'])).map((t) => t.id)).toEqual([queued.id]);
        expect((await store.claimNextQueued())?.id).toBe(running.id);
        expect(await store.appendEvents(queued.id, [{ event: event(queued.id, 'e2'), dedupKey: 'k2' }])).toBe(2);
        expect(await store.appendEvents(queued.id, [event(queued.id, 'e3')])).toBe(3);
        expect((await store.readEvents(queued.id, 0, 10)).map((e) => e.event.message)).toEqual(['e1', 'e2', 'e3']);
      });

      it('answers ping while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
        expect(['sqlite', 'postgres']).toContain(store.kind);
      });
    });
  });
  describeWebhookStoreContract(name, newTarget);
}
