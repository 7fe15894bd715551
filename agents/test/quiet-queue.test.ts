import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QuietQueue } from '../src/index.ts';

describe('QuietQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('waits its delay, then runs cleanups one at a time, in order', async () => {
    const queue = new QuietQueue({ delayMs: 1000, quietMs: 0 });
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = queue.add(() => {
      log.push('first started');
      return new Promise<void>((resolve) => (release = resolve));
    });
    const second = queue.add(async () => void log.push('second'));
    await vi.advanceTimersByTimeAsync(999);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['first started']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(log).toEqual(['first started']); // the second waits for the first to end
    release();
    await first;
    await vi.advanceTimersByTimeAsync(0);
    await second;
    expect(log).toEqual(['first started', 'second']);
  });

  it('holds back while jobs start or end, but not past its longest wait', async () => {
    const queue = new QuietQueue({ delayMs: 100, quietMs: 500, maxWaitMs: 3000 });
    let ran = false;
    void queue.add(async () => void (ran = true));
    for (let t = 0; t < 2000; t += 250) {
      queue.activity();
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(ran).toBe(false);
    await vi.advanceTimersByTimeAsync(600); // quiet now
    expect(ran).toBe(true);

    let late = false;
    void queue.add(async () => void (late = true));
    for (let t = 0; t < 3000; t += 250) {
      queue.activity();
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(late).toBe(true);
  });

  it('flush runs everything at once and a failing cleanup does not stop the rest', async () => {
    const queue = new QuietQueue({ delayMs: 60_000 });
    const log: string[] = [];
    void queue.add(async () => {
      throw new Error('gone already');
    });
    void queue.add(async () => void log.push('after the failure'));
    expect(queue.size).toBe(2);
    await queue.flush();
    expect(log).toEqual(['after the failure']);
    expect(queue.size).toBe(0);
  });

  it('runs work ahead at the first quiet moment, all at once, or after two seconds at most', async () => {
    const queue = new QuietQueue({ quietMs: 300 });
    const log: string[] = [];
    queue.activity();
    queue.whenQuiet(() => log.push('a'));
    queue.whenQuiet(() => log.push('b'));
    await vi.advanceTimersByTimeAsync(299);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['a', 'b']);

    queue.whenQuiet(() => log.push('late'));
    for (let t = 0; t < 1900; t += 100) {
      queue.activity();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(log).toEqual(['a', 'b']);
    queue.activity();
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['a', 'b', 'late']);
  });

  it('flush starts the work ahead that waits, once', async () => {
    const queue = new QuietQueue({ quietMs: 300 });
    let runs = 0;
    queue.activity();
    queue.whenQuiet(() => (runs += 1));
    await queue.flush();
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(1);
  });

  it('starts nothing while work goes on (a tester running its command), then waits for quiet', async () => {
    const queue = new QuietQueue({ delayMs: 100, quietMs: 300, maxWaitMs: 60_000 });
    const log: string[] = [];
    queue.working(1); // a job starts
    void queue.add(async () => void log.push('cleanup'));
    queue.whenQuiet(() => log.push('ahead'));
    await vi.advanceTimersByTimeAsync(1500); // work ahead gives up waiting after 2 s
    expect(log).toEqual([]);
    queue.working(-1); // it waits on its model
    await vi.advanceTimersByTimeAsync(299);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['ahead', 'cleanup']);
  });

  it('once model calls are timed, starts nothing that would still run when a reply is due', async () => {
    const queue = new QuietQueue({ delayMs: 0, quietMs: 300, workMs: 400, maxWaitMs: 60_000 });
    const log: string[] = [];
    // One timed call: models take 2 s here.
    queue.working(1);
    queue.modelWait('a', true);
    await vi.advanceTimersByTimeAsync(2000);
    queue.modelWait('a', false);
    // The next call starts; quiet comes 300 ms later, 1700 ms before its reply is due: room for work.
    queue.modelWait('a', true);
    queue.whenQuiet(() => log.push('early'), 60_000);
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual(['early']);
    // Work queued 1.7 s into the call would meet the reply: it waits for the next call's quiet moment.
    await vi.advanceTimersByTimeAsync(1400);
    void queue.add(async () => void log.push('cleanup'));
    queue.whenQuiet(() => log.push('refill'), 60_000);
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual(['early']);
    queue.modelWait('a', false); // the reply, 2 s into the call
    queue.modelWait('a', true); // the job's next call
    await vi.advanceTimersByTimeAsync(299);
    expect(log).toEqual(['early']);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['early', 'refill', 'cleanup']);
  });

  it('runs each piece of work ahead by its own deadline when no quiet moment comes', async () => {
    const queue = new QuietQueue({ quietMs: 300 });
    const log: string[] = [];
    queue.working(1);
    queue.whenQuiet(() => log.push('hand-over'));
    queue.whenQuiet(() => log.push('refill'), 30_000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(log).toEqual(['hand-over']);
    await vi.advanceTimersByTimeAsync(28_000);
    expect(log).toEqual(['hand-over', 'refill']);
  });

  it('is not thrown off by one call that failed at once', async () => {
    const queue = new QuietQueue({ delayMs: 0, quietMs: 300, workMs: 400, maxWaitMs: 60_000 });
    const log: string[] = [];
    queue.working(1);
    for (const ms of [2000, 2000, 2000, 10]) {
      queue.modelWait('a', true);
      await vi.advanceTimersByTimeAsync(ms);
      queue.modelWait('a', false);
    }
    queue.modelWait('a', true);
    queue.whenQuiet(() => log.push('refill'), 60_000);
    await vi.advanceTimersByTimeAsync(300);
    expect(log).toEqual(['refill']);
  });

  it('whenIdle runs a job\'s setup once every starting job waits on its model, or after its longest wait', async () => {
    const queue = new QuietQueue();
    const log: string[] = [];
    queue.whenIdle(() => log.push('at once: nothing works'), 100);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['at once: nothing works']);
    // Two jobs of a wave start; the first one's setup waits for both model calls to be sent.
    queue.working(1);
    queue.working(1);
    queue.whenIdle(() => log.push('setup 1'), 100);
    queue.modelWait('j1', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['at once: nothing works']);
    queue.modelWait('j2', true);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['at once: nothing works', 'setup 1']);
    // A tester at work holds a setup back only until the longest wait.
    queue.working(1);
    queue.whenIdle(() => log.push('setup 3'), 100);
    await vi.advanceTimersByTimeAsync(99);
    expect(log).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2); // the wait ends, and the setup runs on the next turn
    expect(log).toEqual(['at once: nothing works', 'setup 1', 'setup 3']);
    queue.working(-1);
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toHaveLength(3); // run once, not again when work stops
  });

  it('onQuietMoment calls its hook once per quiet moment, never while jobs work or just before a reply is due', async () => {
    const queue = new QuietQueue({ quietMs: 500, workMs: 400 });
    let calls = 0;
    const remove = queue.onQuietMoment(() => void (calls += 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(1); // nothing has happened yet: quiet at once
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(1); // one call per moment, not a clock
    queue.working(1);
    await vi.advanceTimersByTimeAsync(2000);
    expect(calls).toBe(1); // a job works
    queue.modelWait('j1', true); // it waits on its model: quiet 500 ms from now
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2);
    // Calls that take 600 ms: at the next wait, a reply is due 100 ms after the moment would begin.
    queue.modelWait('j1', false);
    for (let i = 0; i < 8; i++) {
      queue.modelWait(`short-${i}`, true);
      await vi.advanceTimersByTimeAsync(600);
      queue.modelWait(`short-${i}`, false);
    }
    queue.modelWait('j1', true);
    await vi.advanceTimersByTimeAsync(550);
    expect(calls).toBe(2);
    queue.modelWait('j1', false);
    queue.working(-1); // the job ends: nothing is due, so the moment comes
    await vi.advanceTimersByTimeAsync(500);
    expect(calls).toBe(3);
    remove();
    queue.working(1);
    queue.working(-1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toBe(3);
  });
});
