import type { Browser, Page } from 'playwright-core';

/** The little of the page's globals the measurements use (the bench is typed without the DOM library). */
interface PageGlobals {
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): { length: number };
    scrollingElement: PageElement | null;
  };
  performance: { now(): number };
  requestAnimationFrame(callback: (time: number) => void): number;
}
interface PageElement {
  textContent: string | null;
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** One page load of a trace: when every event was folded and drawn, and the JS heap then. */
export interface PageLoad {
  /** Milliseconds from navigation start to the page showing "N events" and every lane. */
  openMs: number;
  /** `JSHeapUsedSize` of the page after load and a garbage collection (CDP `Performance.getMetrics`). */
  heapUsedBytes: number;
}

/** Frame durations while an element was scrolled from top to bottom, one step per animation frame. */
export interface ScrollRun {
  /** What was scrolled: a CSS selector, or `page` for the document. */
  target: string;
  /** Whether it scrolls at all (its content is taller than it); the frames are empty when not. */
  scrolls: boolean;
  /** Scroll steps taken. */
  steps: number;
  /** Milliseconds between consecutive animation frames. */
  frames: number[];
}

/** Scroll steps from top to bottom: enough to draw every screenful of the longest list at least once a few times over. */
export const SCROLL_STEPS = 300;

/**
 * Opens `url` in a fresh page (1400×1000) and waits, checking once per animation frame, until the page
 * shows `${events} events` and `lanes` lanes (the axis included). Hands the page to `then` before closing it.
 */
export async function loadTrace(
  browser: Browser,
  url: string,
  events: number,
  lanes: number,
  then?: (page: Page) => Promise<void>,
): Promise<PageLoad> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    await page.goto(url);
    const openMs = await page
      .waitForFunction(
        ({ events, lanes }) => {
          const { document, performance } = globalThis as unknown as PageGlobals;
          const count = document.querySelector('.events > .muted')?.textContent?.trim();
          const drawn = document.querySelectorAll('.swimlanes .lane').length;
          return count === `${events} events` && drawn >= lanes ? performance.now() : false;
        },
        { events, lanes },
        { polling: 'raf', timeout: 120_000 },
      )
      .then((handle) => handle.jsonValue() as Promise<number>);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heapUsedBytes = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
    await cdp.detach();
    if (then !== undefined) await then(page);
    return { openMs, heapUsedBytes };
  } finally {
    await page.close();
  }
}

/**
 * Scrolls `target` (a selector, or `page` for the document) from top to bottom in {@link SCROLL_STEPS}
 * equal steps, one per animation frame, and records the time between frames.
 */
export async function scrollFrames(page: Page, target: string): Promise<ScrollRun> {
  return page.evaluate(
    async ({ target, steps }) => {
      const { document, requestAnimationFrame } = globalThis as unknown as PageGlobals;
      const element = target === 'page' ? document.scrollingElement : document.querySelector(target);
      if (element === null) throw new Error(`nothing to scroll at ${target}`);
      const range = element.scrollHeight - element.clientHeight;
      if (range <= 0) return { target, scrolls: false, steps: 0, frames: [] };
      element.scrollTop = 0;
      // No named function in here: tsx would wrap it in a helper the page does not have.
      let last = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
      const frames: number[] = [];
      for (let step = 1; step <= steps; step++) {
        element.scrollTop = (range * step) / steps;
        const now = await new Promise<number>((resolve) => requestAnimationFrame(resolve));
        frames.push(now - last);
        last = now;
      }
      return { target, scrolls: true, steps, frames };
    },
    { target, steps: SCROLL_STEPS },
  );
}
