import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { isViewerBuilt } from '../src/index.ts';

/** Debian's chromium: setup installs it; a machine without it fails the browser tests rather than skipping them. */
export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the browser tests leave their screenshots. */
export const SCREENSHOTS = `${ROOT}.codecrew/viewer-screenshots`;

/** Builds the viewer when `npm run setup` has not. */
export function ensureViewerBuilt(): void {
  if (isViewerBuilt()) return;
  const build = spawnSync('npm', ['run', 'build', '-w', '@codecrew/viewer'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`the viewer's build failed:\n${build.stdout}\n${build.stderr}`);
}

/** Starts headless chromium the way CI can run it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run npm run setup (it installs Debian's chromium)`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Runs `codecrew view TARGET` and resolves with its process and the URL it printed. */
export async function startView(target: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [`${ROOT}packages/cli/bin/codecrew.js`, 'view', target], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /at (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`codecrew view exited ${code}:\n${output}`)));
  });
  return { child, url };
}

/** One axe-core finding: a rule broken on some elements. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core on the page as it is; the violations of impact serious or critical. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.slice(0, 3).map((n) => ({ target: n.target })),
    }));
}
