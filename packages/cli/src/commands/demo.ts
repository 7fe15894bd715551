import { execFile } from 'node:child_process';
import { cp, rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { INSTALL_ROOT } from '../paths.ts';
import type { Io } from '../io.ts';
import { runCommand } from './run.ts';

const run = promisify(execFile);

/** Where the demo's repository is prepared; examples/tasks/demo.yaml points here. */
export const DEMO_REPO = join(INSTALL_ROOT, '.codecrew', 'demo', 'textkit');

/** Makes a fresh git repository from examples/repos/textkit for the demo to work on. */
export async function prepareDemoRepo(io: Io): Promise<string> {
  await rm(DEMO_REPO, { recursive: true, force: true });
  await mkdir(DEMO_REPO, { recursive: true });
  await cp(join(INSTALL_ROOT, 'examples', 'repos', 'textkit'), DEMO_REPO, { recursive: true });
  const git = (...args: string[]) =>
    run(
      'git',
      [
        '-c',
        'user.name=codecrew demo',
        '-c',
        'user.email=demo@codecrew.invalid',
        '-c',
        'init.defaultBranch=main',
        ...args,
      ],
      { cwd: DEMO_REPO },
    );
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'textkit: initial version');
  io.out(
    `Demo repository: ${DEMO_REPO} (a fresh copy of examples/repos/textkit; its tests fail until the task is done)`,
  );
  return DEMO_REPO;
}

/** `codecrew demo [--prepare-only]`: prepares the demo repository and runs examples/tasks/demo.yaml on it. */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'prepare-only': { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
  });
  await prepareDemoRepo(io);
  if (values['prepare-only']) return 0;
  return runCommand(
    [join(INSTALL_ROOT, 'examples', 'tasks', 'demo.yaml'), ...(values.verbose ? ['--verbose'] : [])],
    io,
  );
}
