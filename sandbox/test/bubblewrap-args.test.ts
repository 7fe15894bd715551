import { describe, expect, it } from 'vitest';
import { bwrapArgs } from '@codecrew/sandbox';
import type { BwrapSpec } from '@codecrew/sandbox';
import { sandboxCwd, checkEnvNames } from '../src/bubblewrap/args.ts';
import { bindSources, launchArgv, STAGE_DIR } from '../src/bubblewrap/exec.ts';

const spec = (over: Partial<BwrapSpec> = {}): BwrapSpec => ({
  rootfs: { kind: 'image', dir: '/data/rootfs/abc' },
  sources: { rootfs: '/data/rootfs/abc', workspace: '/jobs/1/ws' },
  readOnly: false,
  tmpBytes: 1024,
  home: '/home/crew',
  env: { PATH: '/usr/bin', CI: '1' },
  cwd: '/workspace/sub',
  argv: ['bash', '-c', 'echo "$HOME"'],
  ...over,
});

/** The value that follows `flag` each time it occurs. */
function after(args: string[], flag: string, count = 1): string[][] {
  const out: string[][] = [];
  args.forEach((arg, i) => {
    if (arg === flag) out.push(args.slice(i + 1, i + 1 + count));
  });
  return out;
}

describe('bwrapArgs', () => {
  it('builds the whole command line for an image rootfs and a writable workspace', () => {
    expect(bwrapArgs(spec())).toEqual([
      '--unshare-all',
      '--unshare-user',
      '--disable-userns',
      '--die-with-parent',
      '--new-session',
      '--uid',
      '1000',
      '--gid',
      '1000',
      '--hostname',
      'sandbox',
      '--cap-drop',
      'ALL',
      '--ro-bind',
      '/data/rootfs/abc',
      '/',
      '--proc',
      '/proc',
      '--ro-bind',
      '/proc/sys',
      '/proc/sys',
      '--dev',
      '/dev',
      '--perms',
      '1777',
      '--size',
      '1024',
      '--tmpfs',
      '/tmp',
      '--perms',
      '0700',
      '--size',
      String(64 * 1024 * 1024),
      '--tmpfs',
      '/home/crew',
      '--bind',
      '/jobs/1/ws',
      '/workspace',
      '--clearenv',
      '--setenv',
      'PATH',
      '/usr/bin',
      '--setenv',
      'CI',
      '1',
      '--chdir',
      '/workspace/sub',
      '--',
      'bash',
      '-c',
      'echo "$HOME"',
    ]);
  });

  it('binds a read-only workspace with --ro-bind', () => {
    expect(after(bwrapArgs(spec({ readOnly: true })), '--ro-bind', 2)).toEqual([
      ['/data/rootfs/abc', '/'],
      ['/proc/sys', '/proc/sys'],
      ['/jobs/1/ws', '/workspace'],
    ]);
    expect(after(bwrapArgs(spec({ readOnly: true })), '--bind', 2)).toEqual([]);
  });

  it('builds a host root from read-only binds, symlinks and generated files', () => {
    const args = bwrapArgs(
      spec({
        rootfs: {
          kind: 'host',
          binds: ['/usr', '/etc/ssl'],
          symlinks: [{ target: 'usr/bin', path: '/bin' }],
          files: [{ source: '/state/etc/passwd', path: '/etc/passwd' }],
        },
      }),
    );
    expect(after(args, '--ro-bind', 2)).toEqual([
      ['/usr', '/usr'],
      ['/etc/ssl', '/etc/ssl'],
      ['/state/etc/passwd', '/etc/passwd'],
      ['/proc/sys', '/proc/sys'],
    ]);
    expect(after(args, '--symlink', 2)).toEqual([['usr/bin', '/bin']]);
  });

  it("shows only the sandbox's own cgroups, read-only, in an otherwise empty read-only /sys", () => {
    const args = bwrapArgs(
      spec({ cgroups: { pids: '/sys/fs/cgroup/pids/codecrew/x', memory: '/sys/fs/cgroup/memory/a/codecrew/x' } }),
    );
    const start = args.indexOf('--dev') + 2;
    expect(args.slice(start, start + 12)).toEqual([
      '--size',
      String(1024 * 1024),
      '--tmpfs',
      '/sys',
      '--ro-bind',
      '/sys/fs/cgroup/pids/codecrew/x',
      '/sys/fs/cgroup/pids',
      '--ro-bind',
      '/sys/fs/cgroup/memory/a/codecrew/x',
      '/sys/fs/cgroup/memory',
      '--remount-ro',
      '/sys',
    ]);
    expect(bwrapArgs(spec()).includes('/sys')).toEqual(false);
  });

  it('binds lasting /tmp and $HOME directories instead of fresh tmpfs when the sandbox has them', () => {
    const args = bwrapArgs(spec({ scratch: { tmp: '/run/x/tmp', home: '/run/x/home' } }));
    expect(after(args, '--bind', 2)).toEqual([
      ['/run/x/tmp', '/tmp'],
      ['/run/x/home', '/home/crew'],
      ['/jobs/1/ws', '/workspace'],
    ]);
    expect(args.includes('--tmpfs')).toEqual(false);
  });

  it('passes environment values with spaces and quotes as single arguments', () => {
    const args = bwrapArgs(spec({ env: { A: 'x y "z"; $(id)' } }));
    expect(after(args, '--setenv', 2)).toEqual([['A', 'x y "z"; $(id)']]);
  });

  it('puts the command after -- so it is never read as a bwrap option', () => {
    const args = bwrapArgs(spec({ argv: ['--bind', '/', '/'] }));
    expect(args.slice(args.indexOf('--'))).toEqual(['--', '--bind', '/', '/']);
  });
});

describe('sandboxCwd and checkEnvNames', () => {
  it('maps workspace-relative directories and refuses escapes', () => {
    expect([sandboxCwd(undefined), sandboxCwd('.'), sandboxCwd('a/b/../c')]).toEqual([
      '/workspace',
      '/workspace',
      '/workspace/a/c',
    ]);
    expect(() => sandboxCwd('../x')).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE' }));
    expect(() => sandboxCwd('/etc')).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE' }));
  });

  it('refuses environment names that are not shell identifiers', () => {
    expect(checkEnvNames({ OK_1: 'v' })).toEqual({ OK_1: 'v' });
    expect(() => checkEnvNames({ 'A=B': 'v' })).toThrow(expect.objectContaining({ code: 'TOOL_INVALID_ARGS' }));
  });
});

describe('launchArgv', () => {
  const base = {
    bwrap: 'bwrap',
    rootfs: { kind: 'image' as const, dir: '/data/rootfs/abc' },
    workspaceDir: '/jobs/1/ws',
  };

  it('runs bwrap directly when the agent is not root', () => {
    const context = { ...base, procsFiles: [], dropPrivileges: false };
    expect(launchArgv(context, ['--', 'true'])).toEqual(['bwrap', '--', 'true']);
    expect(bindSources(context)).toEqual({ rootfs: '/data/rootfs/abc', workspace: '/jobs/1/ws' });
  });

  it('as root joins the cgroups, stages the binds in a private mount namespace and drops to 1000', () => {
    const context = {
      ...base,
      procsFiles: ['/cg/pids/x/cgroup.procs', '/cg/memory/x/cgroup.procs'],
      dropPrivileges: true,
    };
    const argv = launchArgv(context, ['--', 'true']);
    expect(argv.slice(0, 7)).toEqual(['unshare', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c']);
    expect(argv.slice(8)).toEqual([
      'sh',
      '2',
      '/cg/pids/x/cgroup.procs',
      '/cg/memory/x/cgroup.procs',
      '2',
      '/data/rootfs/abc',
      `${STAGE_DIR}/root`,
      '/jobs/1/ws',
      `${STAGE_DIR}/ws`,
      'setpriv',
      '--reuid=1000',
      '--regid=1000',
      '--clear-groups',
      '--',
      'bwrap',
      '--',
      'true',
    ]);
    expect(bindSources(context)).toEqual({ rootfs: `${STAGE_DIR}/root`, workspace: `${STAGE_DIR}/ws` });
  });

  it('stages only the workspace for a host root', () => {
    const context = {
      ...base,
      rootfs: { kind: 'host' as const, binds: [], symlinks: [], files: [] },
      procsFiles: [],
      dropPrivileges: true,
    };
    expect(launchArgv(context, ['--', 'true']).slice(8, 13)).toEqual(['sh', '0', '1', '/jobs/1/ws', `${STAGE_DIR}/ws`]);
  });
});
