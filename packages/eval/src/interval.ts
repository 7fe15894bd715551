/** A proportion's 95% confidence interval, as fractions in [0, 1]. */
export interface Interval {
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;

/**
 * The Wilson score interval at 95% for `successes` out of `trials`: unlike the normal
 * approximation it stays inside [0, 1] and is not empty at 0 or at `trials`. No trials: [0, 1].
 */
export function wilsonInterval(successes: number, trials: number): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
