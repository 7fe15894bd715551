import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const START = '<!-- results:start (written by `npm run bench`; `npm run bench -- --index` rewrites it) -->';
const END = '<!-- results:end -->';

/** Loose view of a result file: older files carry neither commit nor machine. */
interface Stored {
  commit?: string;
  measuredAt?: string;
  started?: string;
  quick?: boolean;
  machine?: { cores?: number; cpus?: number; memoryBytes?: number; node?: string; docker?: string };
  sourceLines?: { total?: number };
}

function row(name: string, stored: Stored): string {
  const commit =
    stored.commit === undefined ? 'not recorded' : `\`${stored.commit.replace(/^([0-9a-f]{12})[0-9a-f]*/, '$1')}\``;
  const measured = stored.measuredAt ?? (stored.started === undefined ? 'not recorded' : `${stored.started} (start)`);
  const m = stored.machine;
  const machine =
    m === undefined
      ? 'not recorded'
      : [
          `${m.cores ?? m.cpus ?? '?'} cores`,
          m.memoryBytes === undefined ? undefined : `${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB`,
          m.node === undefined ? undefined : `Node ${m.node}`,
          m.docker === undefined ? undefined : `Docker ${m.docker}`,
        ]
          .filter((part) => part !== undefined)
          .join(', ');
  const lines = stored.sourceLines?.total ?? 'not recorded';
  return `| [${name}](results/${name}.md) | ${commit}${stored.quick === true ? ' (quick mode)' : ''} | ${measured} | ${machine} | ${lines} |`;
}

/** The Markdown table of the result files in `dir`: suite, commit, date, machine, source lines. */
export async function resultsIndex(dir: string): Promise<string> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const rows = await Promise.all(
    names.map(async (f) => row(f.slice(0, -5), JSON.parse(await readFile(join(dir, f), 'utf8')) as Stored)),
  );
  return [
    '| Result | Commit measured | Measured at | Machine | Source lines |',
    '|---|---|---|---|---:|',
    ...rows,
  ].join('\n');
}

/** The index as it stands in the README between its markers, or `undefined` when the markers are missing. */
export function indexInReadme(readme: string): string | undefined {
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  return from < 0 || to < from ? undefined : readme.slice(from + START.length, to).trim();
}

/** Rewrites the results table in `readmePath` (between its markers) from the result files in `dir`. */
export async function updateReadmeIndex(readmePath: string, dir: string): Promise<void> {
  const readme = await readFile(readmePath, 'utf8');
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${readmePath} has no results markers (${START} … ${END})`);
  await writeFile(
    readmePath,
    `${readme.slice(0, from + START.length)}\n${await resultsIndex(dir)}\n${readme.slice(to)}`,
  );
}
