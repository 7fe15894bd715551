/** Summary of one measurement's samples, in milliseconds. */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/** Median, p95 (nearest rank; with few samples it is the maximum), min and max. */
export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(mid)] ?? Number.NaN)
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return {
    n: sorted.length,
    median: round(median),
    p95: round(percentile(sorted, 95)),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

/** Runs `fn` `n` times one after another and returns the milliseconds `fn` reported or took. */
export async function sample(n: number, fn: () => Promise<number | void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const reported = await fn();
    out.push(typeof reported === 'number' ? reported : performance.now() - started);
  }
  return out;
}
