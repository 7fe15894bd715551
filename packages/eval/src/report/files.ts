import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CodecrewError } from '@codecrew/core';
import { renderMarkdown } from './markdown.ts';
import type { EvalReport } from './report.ts';

/** Writes report.json and report.md into `dir`; returns their paths. */
export async function writeReport(dir: string, report: EvalReport): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'report.md');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(markdown, renderMarkdown(report));
  return { json, markdown };
}

/** Reads `dir/report.json` of an earlier run; throws FILE_NOT_FOUND when there is none. */
export async function readReport(dir: string): Promise<EvalReport> {
  const path = join(dir, 'report.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CodecrewError('FILE_NOT_FOUND', `no eval report at ${path}: give the --out folder of a finished run`);
  }
  const report = JSON.parse(text) as EvalReport;
  if (report.version !== 1 || !Array.isArray(report.results))
    throw new CodecrewError('FILE_NOT_FOUND', `${path} is not a codecrew eval report`);
  return report;
}
