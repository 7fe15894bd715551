import { readFile } from 'node:fs/promises';

/** The resident memory of a process, in bytes, from `/proc/<pid>/status`. */
export interface Memory {
  /** VmRSS: resident now. */
  rss: number;
  /** VmHWM: the most it has been resident since it started. */
  hwm: number;
}

/** VmRSS and VmHWM of `pid`, or null when the process (or `/proc`) is gone. */
export async function memoryOf(pid: number): Promise<Memory | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  if (status === null) return null;
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') * 1024, hwm: kib('VmHWM') * 1024 };
}

/** Samples a process's memory every `everyMs` until stopped; the highest VmRSS seen and the last VmHWM. */
export function sampleMemory(pid: number, everyMs: number): { stop(): Promise<{ peakRss: number; hwm: number }> } {
  let peakRss = 0;
  let hwm = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const memory = await memoryOf(pid);
      if (memory !== null) {
        peakRss = Math.max(peakRss, memory.rss);
        hwm = Math.max(hwm, memory.hwm);
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const last = await memoryOf(pid);
      return { peakRss: Math.max(peakRss, last?.rss ?? 0), hwm: Math.max(hwm, last?.hwm ?? 0) };
    },
  };
}

/** What the read sampler saw: each request's milliseconds, and the requests that failed or were not 2xx. */
export interface ReadSamples {
  list: number[];
  view: number[];
  errors: Array<{ path: string; status: number | string }>;
}

/**
 * Reads `GET /v1/tasks` and `GET /v1/tasks/{id}` (the ids in turn, as they become known) one after another,
 * with `pauseMs` between requests, until stopped: what a dashboard watching the server does.
 */
export function sampleReads(url: string, ids: () => string[], pauseMs: number): { stop(): Promise<ReadSamples> } {
  const samples: ReadSamples = { list: [], view: [], errors: [] };
  let running = true;
  const timed = async (path: string, into: number[]) => {
    const started = performance.now();
    try {
      const response = await fetch(`${url}${path}`);
      await response.arrayBuffer();
      into.push(performance.now() - started);
      if (response.status < 200 || response.status > 299) samples.errors.push({ path, status: response.status });
    } catch (error) {
      samples.errors.push({ path, status: error instanceof Error ? error.message : String(error) });
    }
  };
  const loop = (async () => {
    for (let turn = 0; running; turn++) {
      await timed('/v1/tasks?limit=100', samples.list);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      const known = ids();
      const id = known[turn % Math.max(1, known.length)];
      if (id !== undefined) {
        await timed(`/v1/tasks/${id}`, samples.view);
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** CPU time of the whole machine so far, from the first line of `/proc/stat`, in seconds: busy and in all. */
export async function machineCpu(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  // Linux counts in USER_HZ, 100 a second on every architecture it supports.
  const busy = (user + nice + system + irq + softirq + steal) / 100;
  return { busy, total: busy + (idle + iowait) / 100 };
}
