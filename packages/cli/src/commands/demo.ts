import { execFile } from 'node:child_process';
import { cp, rm, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { demoLayout } from '../paths.ts';
import type { Io } from '../io.ts';
import { runCommand } from './run.ts';

const run = promisify(execFile);

/** Where the demo's repository is prepared under a layout's home; examples/tasks/demo.yaml points here. */
const DEMO_REPO_PATH = join('.codecrew', 'demo', 'textkit');

/**
 * Makes a fresh git repository from examples/repos/textkit for the demo to work on, and puts the demo's
 * task and script next to it when they are not there already (an installed copy). Returns the task file.
 */
export async function prepareDemo(io: Io): Promise<string> {
  const { examples, home } = demoLayout();
  const homeExamples = join(home, 'examples');
  if (homeExamples !== examples) {
    for (const file of [join('tasks', 'demo.yaml'), join('scripts', 'demo.script.yaml')]) {
      await mkdir(dirname(join(homeExamples, file)), { recursive: true });
      await cp(join(examples, file), join(homeExamples, file));
    }
  }
  const demoRepo = join(home, DEMO_REPO_PATH);
  await rm(demoRepo, { recursive: true, force: true });
  await mkdir(demoRepo, { recursive: true });
  await cp(join(examples, 'repos', 'textkit'), demoRepo, { recursive: true });
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
      { cwd: demoRepo },
    );
  await git('init', '-q');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'textkit: initial version');
  io.out(
    `Demo repository: ${demoRepo} (a fresh copy of examples/repos/textkit; its tests fail until the task is done)`,
  );
  return join(homeExamples, 'tasks', 'demo.yaml');
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
  const taskFile = await prepareDemo(io);
  if (values['prepare-only']) return 0;
  return runCommand([taskFile, ...(values.verbose ? ['--verbose'] : [])], io);
}
