import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, release, totalmem, type } from 'node:os';
import { promisify } from 'node:util';
import { sourceLines, type SourceLines } from './source-lines.ts';

const execFileP = promisify(execFile);

/** The machine a result was measured on. */
export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  /** The Docker server's version, or `unknown` when no daemon answered. */
  docker: string;
  /** Distribution (from /etc/os-release where there is one), kernel and architecture. */
  os: string;
}

/** What every result file records beside its figures: which code, when, where. */
export interface Provenance {
  /** `git rev-parse HEAD`, with `-dirty` when the working tree had changes. */
  commit: string;
  /** When the suite started, ISO 8601. */
  measuredAt: string;
  machine: Machine;
  /** Size of the code measured: non-blank lines in `src/` of the workspace packages. */
  sourceLines: SourceLines;
}

async function output(command: string, args: string[], cwd?: string): Promise<string | undefined> {
  return execFileP(command, args, { cwd, timeout: 20_000 }).then(
    (result) => result.stdout.trim(),
    () => undefined,
  );
}

/** HEAD of the repository at `root`, with `-dirty` when `git status` lists any change or untracked file. */
export async function commitOf(root: string): Promise<string> {
  const head = await output('git', ['rev-parse', 'HEAD'], root);
  if (head === undefined) return 'unknown';
  const status = await output('git', ['status', '--porcelain'], root);
  return status === '' ? head : `${head}-dirty`;
}

/** Cores, memory, Node, Docker server and OS of this machine. */
export async function machine(): Promise<Machine> {
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const distro = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    docker: (await output('docker', ['version', '--format', '{{.Server.Version}}'])) || 'unknown',
    os: [distro, `${type()} ${release()}`, arch()].filter((part) => part !== undefined).join(', '),
  };
}

/** Records the commit, the machine and the source size, with `measuredAt` as the start of the measurement. */
export async function provenance(root: string, measuredAt: Date): Promise<Provenance> {
  const [commit, host, lines] = await Promise.all([commitOf(root), machine(), sourceLines(root)]);
  return { commit, measuredAt: measuredAt.toISOString(), machine: host, sourceLines: lines };
}

/** The provenance as a few Markdown lines, for the top of a result's `.md`. */
export function provenanceMarkdown(p: Provenance, quick: boolean): string[] {
  const m = p.machine;
  const gib = (m.memoryBytes / 1024 ** 3).toFixed(1);
  return [
    `Measured ${p.measuredAt} at commit \`${p.commit}\`${quick ? ' — **quick mode** (`BENCH_QUICK=1`: few samples, small sizes; not figures to compare)' : ''}.`,
    `Machine: ${m.cores} cores (${m.cpuModel}), ${gib} GiB memory, Node ${m.node}, Docker ${m.docker}, ${m.os}.`,
    `Source lines (non-blank, \`src/\` of the workspace packages): ${p.sourceLines.total} (${Object.entries(
      p.sourceLines.byPackage,
    )
      .map(([ws, n]) => `${ws} ${n}`)
      .join(', ')}).`,
  ];
}
