import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ProcessStartError, runProcess } from '@codecrew/sandbox';

describe('runProcess', () => {
  it('feeds stdin and collects stdout, stderr and the exit code', async () => {
    const out = await runProcess('sh', ['-c', 'cat; echo oops >&2; exit 3'], { cwd: tmpdir(), input: 'hello\n' });
    expect(out).toMatchObject({ code: 3, signal: null });
    expect(out.stdout.toString()).toEqual('hello\n');
    expect(out.stderr.toString()).toEqual('oops\n');
  });

  it('passes bytes through untouched', async () => {
    const bytes = Buffer.from([0, 255, 10, 13, 128, 1]);
    expect((await runProcess('cat', [], { cwd: tmpdir(), input: bytes })).stdout).toEqual(bytes);
  });

  it('runs in the given directory with the given environment and extra variables', async () => {
    const out = await runProcess('sh', ['-c', 'pwd; echo "$ONLY|$EXTRA"'], {
      cwd: '/',
      env: { PATH: process.env.PATH, ONLY: 'this' },
      extraEnv: { EXTRA: 'extra' },
    });
    expect(out.stdout.toString()).toEqual('/\nthis|extra\n');
    const inherited = await runProcess('sh', ['-c', 'echo "$EXTRA|$HOME"'], { cwd: '/', extraEnv: { EXTRA: 'extra' } });
    expect(inherited.stdout.toString()).toEqual(`extra|${process.env.HOME ?? ''}\n`);
  });

  it('reports a process ended by a signal', async () => {
    expect(await runProcess('sh', ['-c', 'kill -TERM $$'], { cwd: tmpdir() })).toMatchObject({
      code: null,
      signal: 'SIGTERM',
    });
  });

  it('rejects with ProcessStartError ENOENT for a program that does not exist', async () => {
    const error = await runProcess('no-such-program-here', [], { cwd: tmpdir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toEqual('ENOENT');
  });

  it('stops a process that prints more than maxBuffer', async () => {
    const error = await runProcess('sh', ['-c', 'yes | head -c 100000'], { cwd: tmpdir(), maxBuffer: 1000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProcessStartError);
    expect((error as ProcessStartError).code).toEqual('ERR_CHILD_PROCESS_STDIO_MAXBUFFER');
  });
});
