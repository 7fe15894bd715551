/** `1.2k`, `3.4M` tokens. */
export function formatCount(n: number | undefined): string {
  if (n === undefined) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** `$0.0123`. */
export function formatCost(usd: number | undefined): string {
  return usd === undefined ? '–' : `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/** `850 ms`, `12.3 s`, `4 m 05 s`, `2 h 10 m`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} m`;
}

/** How long ago, coarse: `5 s ago`, `3 m ago`, `2 h ago`, `4 d ago`. */
export function formatAge(iso: string | undefined | null, now: number): string {
  if (iso === undefined || iso === null) return '–';
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}
