import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureViewerBuilt, launchChromium, startView } from '../packages/viewer/test/browser.ts';
import { bigTrace } from '../packages/viewer/test/support/big-trace.ts';
import { summarize, type Summary } from './lib/stats.ts';
import { QUICK, type SuiteRun } from './lib/suite.ts';
import { loadTrace, scrollFrames, SCROLL_STEPS, type PageLoad, type ScrollRun } from './lib/viewer-page.ts';

// BENCH_VIEWER_SIZES=20000 measures one trace size (quick mode: 2000).
const SIZES = (process.env.BENCH_VIEWER_SIZES ?? (QUICK ? '2000' : '2000,20000')).split(',').map(Number);
// BENCH_VIEWER_LOADS=3 loads each trace fewer times (quick mode: 1).
const LOADS = Math.max(1, Number(process.env.BENCH_VIEWER_LOADS ?? (QUICK ? '1' : '5')) || 5);
/** The bigTrace generator's lanes: eight coders, and the axis row. */
const LANES = 9;
/** What is scrolled, in this order, on the last page load of each size. */
const SCROLLED = ['.event-scroll', '.swimlanes', 'page'];
const TARGETS = { openMs: 2000, openAt: 20_000, frameP95Ms: 50 };
/** A frame longer than this counts as janky. */
const LONG_FRAME_MS = 50;

interface ScrollSummary {
  target: string;
  scrolls: boolean;
  steps: number;
  frameMs: Summary | null;
  longFrameShare: number | null;
}

interface SizeResult {
  events: number;
  traceBytes: number;
  openMs: Summary;
  heapUsedBytes: Summary;
  scroll: ScrollSummary[];
}

function summarizeScroll(run: ScrollRun): ScrollSummary {
  if (!run.scrolls || run.frames.length === 0) {
    return { target: run.target, scrolls: false, steps: 0, frameMs: null, longFrameShare: null };
  }
  const long = run.frames.filter((ms) => ms > LONG_FRAME_MS).length;
  return {
    target: run.target,
    scrolls: true,
    steps: run.steps,
    frameMs: summarize(run.frames),
    longFrameShare: long / run.frames.length,
  };
}

async function measureSize(count: number, log: (line: string) => void): Promise<SizeResult> {
  const dir = await mkdtemp(join(tmpdir(), 'codecrew-bench-viewer-'));
  const trace = bigTrace(count);
  const events = trace.trim().split('\n').length;
  await writeFile(join(dir, 'trace.jsonl'), trace);
  const view = await startView(join(dir, 'trace.jsonl'));
  const browser = await launchChromium();
  try {
    const loads: PageLoad[] = [];
    const scrolls: ScrollRun[] = [];
    for (let i = 0; i < LOADS; i++) {
      const last = i === LOADS - 1;
      loads.push(
        await loadTrace(browser, view.url, events, LANES, async (page) => {
          if (!last) return;
          for (const target of SCROLLED) scrolls.push(await scrollFrames(page, target));
        }),
      );
    }
    const result: SizeResult = {
      events,
      traceBytes: Buffer.byteLength(trace),
      openMs: summarize(loads.map((load) => load.openMs)),
      heapUsedBytes: summarize(loads.map((load) => load.heapUsedBytes)),
      scroll: scrolls.map(summarizeScroll),
    };
    const list = result.scroll[0];
    log(
      `${events} events: open median ${result.openMs.median} ms (${loads.map((l) => Math.round(l.openMs)).join(', ')}), ` +
        `heap ${mib(result.heapUsedBytes.median)}, event list p95 frame ${list?.frameMs?.p95 ?? '-'} ms`,
    );
    return result;
  } finally {
    await browser.close();
    if (view.child.exitCode === null) view.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number): string => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const pct = (share: number | null): string => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);
const metOrMissed = (met: boolean | null): string => (met === null ? 'not measured' : met ? 'met' : 'missed');

/**
 * The trace viewer on generated traces (eight coders, calls and commands) of 2,000 and 20,000 events,
 * served by `codecrew view` and opened in headless chromium: time to open, JS heap, and how smoothly
 * the event list (and the lanes and the page, where they scroll) scroll from top to bottom.
 */
export const run: SuiteRun = async (log) => {
  ensureViewerBuilt();
  const loadBefore = loadavg();
  const sizes: SizeResult[] = [];
  for (const count of SIZES) sizes.push(await measureSize(count, log));
  const loadAfter = loadavg();
  const largest = sizes.find((size) => size.events >= TARGETS.openAt);
  const frameP95s = sizes.flatMap((size) => size.scroll.flatMap((s) => (s.frameMs === null ? [] : [s.frameMs.p95])));
  const targets = {
    ...TARGETS,
    met: {
      open: largest === undefined ? null : largest.openMs.median < TARGETS.openMs,
      frameP95: frameP95s.length === 0 ? null : frameP95s.every((p95) => p95 <= TARGETS.frameP95Ms),
    },
  };
  const fixed = (averages: number[]) => averages.map((x) => x.toFixed(2)).join(' ');
  const markdown = [
    '# Viewer',
    '',
    `\`codecrew view\` on generated traces (eight coders in parallel, each calling the model and running commands),`,
    `opened in headless chromium (1400×1000) in a fresh page ${LOADS} time(s) per size. *Open*: from navigation`,
    'start to the page showing "N events" and every lane, checked once per animation frame. *Heap*: the',
    "page's JSHeapUsedSize after load and a garbage collection. *Scroll*: on the last load, each area scrolled",
    `from top to bottom in ${SCROLL_STEPS} equal steps, one per animation frame; frame time is the time between`,
    `frames, a long frame one over ${LONG_FRAME_MS} ms. Load average before / after: ${fixed(loadBefore)} / ${fixed(loadAfter)}.`,
    '',
    '| events | trace | open median | open p95 (max) | heap used median |',
    '|---:|---:|---:|---:|---:|',
    ...sizes.map(
      (size) =>
        `| ${size.events.toLocaleString('en-US')} | ${mib(size.traceBytes)} | ${size.openMs.median} ms | ${size.openMs.p95} ms | ${mib(size.heapUsedBytes.median)} |`,
    ),
    '',
    '| events | scrolled | frames | frame median | frame p95 | frame max | frames over 50 ms |',
    '|---:|---|---:|---:|---:|---:|---:|',
    ...sizes.flatMap((size) =>
      size.scroll.map((s) =>
        s.frameMs === null
          ? `| ${size.events.toLocaleString('en-US')} | \`${s.target}\` | does not scroll | - | - | - | - |`
          : `| ${size.events.toLocaleString('en-US')} | \`${s.target}\` | ${s.frameMs.n} | ${s.frameMs.median} ms | ${s.frameMs.p95} ms | ${s.frameMs.max} ms | ${pct(s.longFrameShare)} |`,
      ),
    ),
    '',
    '| target | result |',
    '|---|---|',
    `| open ${TARGETS.openAt.toLocaleString('en-US')} events < ${TARGETS.openMs} ms (median) | ${metOrMissed(targets.met.open)} |`,
    `| p95 frame ≤ ${TARGETS.frameP95Ms} ms while scrolling | ${metOrMissed(targets.met.frameP95)} |`,
    '',
  ].join('\n');
  log(`targets: open ${metOrMissed(targets.met.open)}, p95 frame ${metOrMissed(targets.met.frameP95)}`);
  return {
    json: {
      loads: LOADS,
      scrollSteps: SCROLL_STEPS,
      longFrameMs: LONG_FRAME_MS,
      sizes,
      loadAverage: { before: loadBefore, after: loadAfter },
      targets,
    },
    markdown,
  };
};
