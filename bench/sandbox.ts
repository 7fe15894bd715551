import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Dockerode from 'dockerode';
import type { SandboxLimits } from '@codecrew/core';
import { DockerSandboxProvider, Workspace, containerSpec, resolveSandboxImage } from '@codecrew/sandbox';
import type { Sandbox } from '@codecrew/sandbox';
import { repositoryTar } from './lib/repo.ts';
import { sample, summarize } from './lib/stats.ts';
import type { Summary } from './lib/stats.ts';
import { QUICK, type SuiteReport } from './lib/suite.ts';

/**
 * How fast a sandbox is ready and how fast one command runs in it: the Docker
 * driver with its in-container runner, cold and from the warm pool, against
 * plain `docker run` / `docker exec` and their API equivalents.
 */

const execFileP = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const LIMITS: SandboxLimits = {
  image: 'auto',
  cpus: 1,
  memoryBytes: 512 * 1024 * 1024,
  pids: 256,
  tmpBytes: 64 * 1024 * 1024,
  commandTimeoutMs: 60_000,
  maxOutputBytes: 64 * 1024,
};

/** Iterations per measurement: enough for a median and a rough p95, bounded so the suite takes a few minutes. */
const N = QUICK
  ? { dockerRun: 2, cliExec: 2, apiCreate: 2, apiExec: 3, cold: 2, warm: 2, roundTrip: 10, echo: 3, settle: 2 }
  : {
      dockerRun: 10,
      cliExec: 20,
      apiCreate: 10,
      apiExec: 30,
      cold: 10,
      warm: 15,
      roundTrip: 200,
      echo: 50,
      settle: 10,
    };
const SIZES: ReadonlyArray<{ mb: number; workspace: number; cold: number; warm: number }> = QUICK
  ? [{ mb: 1, workspace: 1, cold: 1, warm: 1 }]
  : [
      { mb: 1, workspace: 5, cold: 5, warm: 5 },
      { mb: 50, workspace: 3, cold: 3, warm: 3 },
      { mb: 200, workspace: 2, cold: 3, warm: 3 },
    ];
/** Quiet time before each warm take, as a job would have while its model thinks; the pool refills meanwhile. */
const SETTLE_MS = QUICK ? 50 : 300;

interface Row extends Summary {
  id: string;
  what: string;
}

export async function run(log: (line: string) => void): Promise<SuiteReport> {
  const docker = new Dockerode();
  await docker.ping().catch((error: unknown) => {
    throw new Error(
      `the sandbox benchmark needs a running Docker daemon; start one with npm run setup (${String(error)})`,
    );
  });
  const image = resolveSandboxImage('auto');
  await docker
    .getImage(image)
    .inspect()
    .catch(() => {
      throw new Error(`the sandbox image ${image} is not built; build it with npm run setup`);
    });
  const loadBefore = loadavg();
  const root = await mkdtemp(join(tmpdir(), 'codecrew-bench-'));
  const stateDir = join(root, 'state');
  const task = `bench-${process.pid}`;
  const labels = (job: string) => ({ task, job, role: 'coder' });
  const rows: Row[] = [];
  const record = (id: string, what: string, samples: number[]): Row => {
    const row = { id, what, ...summarize(samples) };
    rows.push(row);
    log(`${what}: median ${row.median} ms, p95 ${row.p95} ms (n=${row.n})`);
    return row;
  };
  const plain = new DockerSandboxProvider({ docker, runner: false, stateDir });
  const provider = new DockerSandboxProvider({ docker, stateDir });
  const pooled = new DockerSandboxProvider({ docker, stateDir, warm: 1 });
  const sizes: Array<{ mb: number; workspace: Summary; cold: Summary; warm: Summary }> = [];
  try {
    const small = await Workspace.create({ parentDir: join(root, 'small'), tar: repositoryTar(1) });

    // Baselines.
    record(
      'cli-docker-run',
      '`docker run --rm --network none <image> true` (CLI)',
      await sample(N.dockerRun, async () => {
        await execFileP('docker', ['run', '--rm', '--network', 'none', image, 'true']);
      }),
    );
    const base = await plain.create({ workspaceDir: small.root, limits: LIMITS, labels: labels('baseline') });
    record(
      'cli-docker-exec',
      '`docker exec <c> true` (CLI)',
      await sample(N.cliExec, async () => {
        await execFileP('docker', ['exec', base.id, 'true']);
      }),
    );
    await sample(Math.min(3, N.settle), () => exec(base, 'true'));
    record(
      'api-exec',
      'one command via the Docker API exec (the fallback path)',
      await sample(N.apiExec, () => exec(base, 'true')),
    );
    await base.destroy();
    let k = 0;
    record(
      'api-create-start',
      'create + start via the Docker API (same spec, no runner)',
      await sample(N.apiCreate, async () => {
        const spec = containerSpec(
          { workspaceDir: small.root, limits: LIMITS, labels: labels('api') },
          image,
          plain.owner,
          `codecrew-bench-${process.pid}-${k++}`,
        );
        const t0 = performance.now();
        const container = await docker.createContainer(spec);
        await container.start();
        const took = performance.now() - t0;
        await container.remove({ force: true });
        return took;
      }),
    );

    // The runner.
    const coldCreate: number[] = [];
    record(
      'cold-ready',
      'cold: create + first command, 1 MB repository',
      await sample(N.cold, async () => {
        const t0 = performance.now();
        const box = await provider.create({ workspaceDir: small.root, limits: LIMITS, labels: labels('cold') });
        coldCreate.push(performance.now() - t0);
        await exec(box, 'test -f MARKER');
        const took = performance.now() - t0;
        await box.destroy();
        return took;
      }),
    );
    record('cold-create', 'cold: create only (container started, runner may still be starting)', coldCreate);
    const box = await provider.create({ workspaceDir: small.root, limits: LIMITS, labels: labels('rtt') });
    await sample(N.settle, () => exec(box, 'true'));
    record(
      'runner-round-trip',
      'one command (`true`) through the runner',
      await sample(N.roundTrip, () => exec(box, 'true')),
    );
    record(
      'runner-echo',
      'one command printing 10 KB through the runner',
      await sample(N.echo, () => exec(box, 'head -c 10240 /dev/zero | tr "\\0" x')),
    );
    await box.destroy();

    await pooled.prewarm(LIMITS);
    const warmCreate: number[] = [];
    record(
      'warm-ready',
      'warm pool: create + first command, 1 MB repository',
      await sample(N.warm, () => warmReady(pooled, small.root, labels('warm'), warmCreate)),
    );
    record('warm-create', 'warm pool: create only (workspace moved in)', warmCreate);
    await small.dispose();

    for (const size of SIZES) {
      log(`repository of ${size.mb} MB`);
      const tar = repositoryTar(size.mb);
      let ws: Workspace | undefined;
      const wsTimes = await sample(size.workspace, async () => {
        await ws?.dispose();
        const t0 = performance.now();
        ws = await Workspace.create({
          parentDir: join(root, `ws-${size.mb}-${Math.random().toString(36).slice(2)}`),
          tar,
        });
        return performance.now() - t0;
      });
      const dir = (ws as Workspace | undefined)?.root ?? '';
      const cold = await sample(size.cold, async () => {
        const t0 = performance.now();
        const sb = await provider.create({ workspaceDir: dir, limits: LIMITS, labels: labels(`cold-${size.mb}`) });
        await exec(sb, 'test -f MARKER');
        const took = performance.now() - t0;
        await sb.destroy();
        return took;
      });
      const warm = await sample(size.warm, () => warmReady(pooled, dir, labels(`warm-${size.mb}`), []));
      await (ws as Workspace | undefined)?.dispose();
      const entry = { mb: size.mb, workspace: summarize(wsTimes), cold: summarize(cold), warm: summarize(warm) };
      sizes.push(entry);
      log(
        `  workspace ${entry.workspace.median} ms, cold ready ${entry.cold.median} ms, warm ready ${entry.warm.median} ms`,
      );
    }
  } finally {
    await pooled.close();
    await rm(root, { recursive: true, force: true });
  }
  const load = {
    before: loadBefore.map((x) => Math.round(x * 100) / 100),
    after: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  const json = { image, load, limits: LIMITS, rows, sizes };
  return { json, markdown: markdown(rows, sizes, { image, load }) };
}

async function exec(box: Sandbox, command: string): Promise<void> {
  const result = await box.exec(command);
  if (result.exitCode !== 0)
    throw new Error(`'${command}' failed in the benchmark: exit ${result.exitCode}: ${result.stderr}`);
}

/** One take from the pool once it is full again: create + first command. */
async function warmReady(
  provider: DockerSandboxProvider,
  dir: string,
  labels: { task: string; job: string; role: string },
  createTimes: number[],
): Promise<number> {
  await provider.poolSettled();
  await sleep(SETTLE_MS);
  const t0 = performance.now();
  const box = await provider.create({ workspaceDir: dir, limits: LIMITS, labels });
  createTimes.push(performance.now() - t0);
  await exec(box, 'test -f MARKER');
  const took = performance.now() - t0;
  await box.destroy();
  return took;
}

const TARGETS: Record<string, { target: number; against: string[] }> = {
  'warm-ready': { target: 50, against: ['cli-docker-run', 'api-create-start'] },
  'cold-ready': { target: 450, against: ['cli-docker-run', 'api-create-start'] },
  'runner-round-trip': { target: 10, against: ['cli-docker-exec', 'api-exec'] },
};

/** The Markdown report of one run (also used to re-render a stored JSON result). */
export function markdown(
  rows: Row[],
  sizes: Array<{ mb: number; workspace: Summary; cold: Summary; warm: Summary }>,
  host: { image: string; load: { before: number[]; after: number[] } },
): string {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const lines = [
    '# Sandbox benchmark',
    '',
    `Image ${host.image}; load average before ${host.load.before.join(' ')}, after ${host.load.after.join(' ')}.`,
    'Times in milliseconds; p95 is nearest-rank (with 10–15 samples it is the slowest or second slowest).',
    '',
    '## Targets',
    '',
    '| Measurement | n | median | p95 | target (median) | met | median vs baselines |',
    '|---|---:|---:|---:|---:|:-:|---|',
  ];
  for (const [id, goal] of Object.entries(TARGETS)) {
    const row = byId.get(id);
    if (row === undefined) continue;
    const ratios = goal.against
      .map((b) => byId.get(b))
      .filter((b): b is Row => b !== undefined)
      .map(
        (b) =>
          (b.median >= row.median
            ? `${(b.median / row.median).toFixed(1)}× faster than`
            : `${(row.median / b.median).toFixed(2)}× the time of`) + ` ${b.id} (${b.median})`,
      )
      .join('; ');
    lines.push(
      `| ${row.what} | ${row.n} | ${row.median} | ${row.p95} | ≤ ${goal.target} | ${row.median <= goal.target ? 'yes' : 'no'} | ${ratios} |`,
    );
  }
  lines.push(
    '',
    '## All measurements',
    '',
    '| id | Measurement | n | median | p95 | min | max |',
    '|---|---|---:|---:|---:|---:|---:|',
  );
  for (const r of rows) lines.push(`| ${r.id} | ${r.what} | ${r.n} | ${r.median} | ${r.p95} | ${r.min} | ${r.max} |`);
  lines.push(
    '',
    '## Repository size',
    '',
    'Workspace = `Workspace.create` (extract the tar, hand it to uid 1000, record the baseline commit); it happens before either kind of sandbox is created. Ready = create + first command seeing the repository.',
    '',
    '| Repository | workspace median | workspace p95 | cold ready median | cold ready p95 | warm ready median | warm ready p95 |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const s of sizes) {
    lines.push(
      `| ${s.mb} MB | ${s.workspace.median} | ${s.workspace.p95} | ${s.cold.median} | ${s.cold.p95} | ${s.warm.median} | ${s.warm.p95} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
