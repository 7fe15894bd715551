import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { OutputCap, SANDBOX_ENV, containerSpec, currentOwner, isOwnerAlive } from '@codecrew/sandbox';

const LIMITS = {
  image: 'auto',
  cpus: 1.5,
  memoryBytes: 512 * 1024 * 1024,
  pids: 128,
  tmpBytes: 32 * 1024 * 1024,
  commandTimeoutMs: 60_000,
  maxOutputBytes: 1000,
};

describe('containerSpec', () => {
  it('locks the container down: no network, uid 1000, no capabilities, read-only root, limits', () => {
    const spec = containerSpec(
      { workspaceDir: '/srv/jobs/j1/ws', limits: LIMITS, labels: { task: 't1', job: 'j1', role: 'coder' } },
      'codecrew/sandbox:abc',
      'host:42',
      'codecrew-j1-0000',
    );
    expect(spec.User).toEqual('1000:1000');
    expect(spec.WorkingDir).toEqual('/workspace');
    expect(spec.Cmd).toEqual(['sleep', 'infinity']);
    expect(spec.Env).toEqual([
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOME=/home/crew',
      'LANG=C.UTF-8',
      'CI=1',
    ]);
    expect(spec.Labels).toEqual({
      'codecrew.managed': '1',
      'codecrew.owner': 'host:42',
      'codecrew.task': 't1',
      'codecrew.job': 'j1',
      'codecrew.role': 'coder',
    });
    expect(spec.HostConfig).toEqual({
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Init: true,
      Tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=33554432',
        '/home/crew': 'rw,nosuid,nodev,size=67108864,uid=1000,gid=1000,mode=0700',
      },
      PidsLimit: 128,
      Memory: 536870912,
      MemorySwap: 536870912,
      NanoCpus: 1_500_000_000,
      Binds: ['/srv/jobs/j1/ws:/workspace:rw'],
      AutoRemove: false,
      Privileged: false,
      IpcMode: 'private',
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'none', Config: {} },
    });
  });

  it('mounts the workspace read-only when asked and refuses a relative workspace', () => {
    const base = { limits: LIMITS, labels: { task: 't', job: 'j', role: 'reviewer' } };
    const spec = containerSpec({ ...base, workspaceDir: '/w', readOnly: true }, 'i', 'o', 'n');
    expect(spec.HostConfig?.Binds).toEqual(['/w:/workspace:ro']);
    expect(() => containerSpec({ ...base, workspaceDir: 'w' }, 'i', 'o', 'n')).toThrow(
      "workspaceDir must be an absolute path, got 'w'",
    );
  });

  it('passes no host variable', () => {
    expect(Object.keys(SANDBOX_ENV)).toEqual(['PATH', 'HOME', 'LANG', 'CI']);
  });
});

describe('OutputCap', () => {
  it('keeps everything under the cap', () => {
    const cap = new OutputCap(10);
    cap.push(Buffer.from('hello'));
    cap.push(Buffer.from('world'));
    expect([cap.text(), cap.truncated, cap.totalBytes]).toEqual(['helloworld', false, 10]);
  });

  it('keeps the head and the tail over the cap, across chunk boundaries', () => {
    const cap = new OutputCap(8);
    for (const chunk of ['abc', 'def', 'ghi', 'jkl', 'mno']) cap.push(Buffer.from(chunk));
    expect(cap.truncated).toEqual(true);
    expect(cap.text()).toEqual('abcd\n[... 7 bytes cut; output exceeded 8 bytes ...]\nlmno');
  });
});

describe('owners', () => {
  it('is this host and pid, and alive', () => {
    expect(currentOwner()).toEqual(`${hostname()}:${process.pid}`);
    expect(isOwnerAlive(currentOwner())).toEqual(true);
  });

  it('treats a dead pid on this host and a malformed label as gone, another host as alive', () => {
    expect(isOwnerAlive(`${hostname()}:999999999`)).toEqual(false);
    expect(isOwnerAlive('garbage')).toEqual(false);
    expect(isOwnerAlive('another-host:1')).toEqual(true);
  });
});
