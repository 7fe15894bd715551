import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNNER_DIR, STATE_DIR_LABEL, containerSpec, createSandboxState, withRunner } from '@codecrew/sandbox';
import { tempDir } from './helpers.ts';

const LIMITS = {
  image: 'auto',
  cpus: 1,
  memoryBytes: 256 * 1024 * 1024,
  pids: 128,
  tmpBytes: 1024 * 1024,
  commandTimeoutMs: 1000,
  maxOutputBytes: 1000,
};
const root = tempDir('runner-spec');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('withRunner', () => {
  it('makes the runner the main process, mounts its script read-only and its socket directory, and labels the state directory', async () => {
    const state = await createSandboxState(join(root, 'state'));
    expect(state.socketPath).toEqual(join(state.runDir, 'runner.sock'));
    expect(statSync(state.runDir).uid).toEqual(process.getuid?.() === 0 ? 1000 : process.getuid?.());
    const plain = containerSpec(
      { workspaceDir: '/w', limits: LIMITS, labels: { task: 't', job: 'j', role: 'coder' } },
      'img',
      'h:1',
      'n',
    );
    const spec = withRunner(plain, state);
    expect(spec.Cmd).toEqual([
      'sh',
      '-c',
      'python3 -I -S /opt/codecrew/runner.py /run/codecrew/runner.sock; echo $? > /run/codecrew/runner.exit; exec sleep infinity',
    ]);
    expect(spec.HostConfig?.Binds).toEqual([
      '/w:/workspace:rw',
      `${RUNNER_DIR}:/opt/codecrew:ro`,
      `${state.runDir}:/run/codecrew:rw`,
    ]);
    expect(spec.Labels?.[STATE_DIR_LABEL]).toEqual(state.dir);
    // Everything else is the plain spec: same user, limits, no network.
    expect({
      ...spec,
      Cmd: plain.Cmd,
      Labels: plain.Labels,
      HostConfig: { ...spec.HostConfig, Binds: plain.HostConfig?.Binds },
    }).toEqual(plain);
  });
});
