import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProcessStartError, runProcess } from '../src/index.ts';

describe('runProcess', () => {
  it('feeds stdin and collects stdout, stderr and the exit code', async () => {
    const out = await runProcess('sh', ['-c', 'cat; echo oops >&2; exit 3'], { cwd: tmpdir(), input: 'hello\n' });
    expect(out).toMatchObject({ code: 3, signal: null });
    expect(out.stdout.toString()).toBe('hello\n');
    expect(out.stderr.toString()).toBe('oops\n');
  });

  it('passes bytes through untouched, in both directions', async () => {
    const bytes = Buffer.from([0, 255, 10, 13, 128, 1]);
    const out = await runProcess('cat', [], { cwd: tmpdir(), input: bytes });
    expect(out.stdout).toEqual(bytes);
  });

  it('runs in the given directory with the given environment', async () => {
    const out = await runProcess('sh', ['-c', 'pwd; echo "$ONLY"'], { cwd: '/', env: { PATH: process.env.PATH, ONLY: 'this' } });
    expect(out.stdout.toString()).toBe('/\nthis\n');
  });

  it('adds extra variables to this process environment, as it is now', async () => {
    await runProcess('true', [], { cwd: '/' });
    process.env.CODECREW_RUN_PROCESS_TEST = 'set after the threads started';
    try {
      const out = await runProcess('sh', ['-c', 'echo "$EXTRA|$CODECREW_RUN_PROCESS_TEST|$HOME"'], { cwd: '/', extraEnv: { EXTRA: 'extra' } });
      expect(out.stdout.toString()).toBe(`extra|set after the threads started|${process.env.HOME ?? ''}\n`);
    } finally {
      delete process.env.CODECREW_RUN_PROCESS_TEST;
    }
  });

  it('runs many at once', async () => {
    const outs = await Promise.all(Array.from({ length: 12 }, (_, i) => runProcess('echo', [String(i)], { cwd: tmpdir() })));
    expect(outs.map((o) => o.stdout.toString().trim())).toEqual(Array.from({ length: 12 }, (_, i) => String(i)));
  });

  it('rejects with ENOENT for a program that does not exist', async () => {
    const error = await runProcess('no-such-program-here', [], { cwd: tmpdir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toBe('ENOENT');
  });

  it('stops a process that prints more than maxBuffer', async () => {
    const error = await runProcess('sh', ['-c', 'yes | head -c 100000'], { cwd: tmpdir(), maxBuffer: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toBe('ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
  });

  it('starts processes on the calling thread when CODECREW_PROCESS_THREADS=0', async () => {
    process.env.CODECREW_PROCESS_THREADS = '0';
    try {
      const out = await runProcess('sh', ['-c', 'cat; echo "$EXTRA"; exit 2'], { cwd: tmpdir(), input: 'here', extraEnv: { EXTRA: 'extra' } });
      expect(out).toMatchObject({ code: 2 });
      expect(out.stdout.toString()).toBe('hereextra\n');
    } finally {
      delete process.env.CODECREW_PROCESS_THREADS;
    }
  });

  it.each([
    ['on a helper thread', '1'],
    ['on the calling thread', '0'],
  ])('starts a process before its input is known and feeds it later (%s)', async (_, threads) => {
    process.env.CODECREW_PROCESS_THREADS = threads;
    try {
      let feed: (input: string) => void = () => undefined;
      const input = new Promise<string>((resolve) => {
        feed = resolve;
      });
      // The process is running (it printed its pid) before anything is written to it.
      const out = runProcess('sh', ['-c', 'echo started; cat'], { cwd: tmpdir(), input });
      await new Promise((resolve) => setTimeout(resolve, 50));
      feed('later\n');
      expect((await out).stdout.toString()).toBe('started\nlater\n');

      // A withdrawn input kills the waiting process and rejects with the reason given.
      let withdraw: (reason: Error) => void = () => undefined;
      const never = new Promise<string>((_, reject) => {
        withdraw = reject;
      });
      const marker = join(mkdtempSync(join(tmpdir(), 'codecrew-run-process-')), 'read');
      const cancelled = runProcess('sh', ['-c', `cat >/dev/null; touch ${marker}`], { cwd: tmpdir(), input: never });
      withdraw(new Error('not needed after all'));
      await expect(cancelled).rejects.toThrow('not needed after all');
      expect(existsSync(marker)).toBe(false);
    } finally {
      delete process.env.CODECREW_PROCESS_THREADS;
    }
  });

  it('reports a process ended by a signal', async () => {
    const out = await runProcess('sh', ['-c', 'kill -TERM $$'], { cwd: tmpdir() });
    expect(out).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('lets the process exit when its work is done, with idle helper threads (as the CLI starts them)', () => {
    const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
    const script = `import { register } from 'tsx/esm/api'; register();
      const { runProcess } = await import(${JSON.stringify(entry)});
      const out = await runProcess('true', [], { cwd: '/' });
      console.log('done', out.code);`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('done 0');
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });
});
