import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** One axe-core finding of impact serious or critical: the rule and the first elements breaking it. */
export interface SeriousViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[][];
}

/** Runs axe-core on the page as it is now; its violations of impact serious or critical. */
export async function seriousAxeViolations(page: Page): Promise<SeriousViolation[]> {
  await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run: () => Promise<{
            violations: Array<{ id: string; impact: string | null; help: string; nodes: { target: string[] }[] }>;
          }>;
        };
      }
    ).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(({ id, impact, help, nodes }) => ({ id, impact, help, targets: nodes.slice(0, 3).map((n) => n.target) }));
}
