import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { hostname, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CodecrewError, type SandboxLimits } from '@codecrew/core';
import { SANDBOX_ENV, type ExecResult, type SandboxProvider } from '@codecrew/sandbox';
import { ROOT } from '../support/cli.ts';
import {
  archiveHead,
  defaultSandboxLimits,
  makeFixtureRepo,
  openJobSandbox,
  type JobSandbox,
} from '../support/sandbox-fixture.ts';
import { sandboxDrivers } from './drivers.ts';

// Every probe runs the way a coder's `shell` tool runs a command (Sandbox.exec,
// which the tool wraps) or the way its file tools work (the Workspace methods
// they wrap), in a sandbox made the way runJob makes one, with the default limits.
const PROBE_MS = 10_000;
const PROBE_TEST_MS = 30_000;
const SECRET = `sk-escape-probe-${process.pid}`;

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Runs one probe through the shell tool's path with a short limit. */
async function probe(job: JobSandbox, command: string, timeoutMs = PROBE_MS): Promise<ExecResult> {
  return job.sandbox.exec(command, { timeoutMs });
}

/** The error code a promise rejected with ('resolved' if it did not). */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return error instanceof CodecrewError ? error.code : `not a CodecrewError: ${String(error)}`;
  }
}

/** A non-loopback IPv4 address of this host, for showing the sandbox cannot reach the host over its network. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const nic of list ?? []) if (nic.family === 'IPv4' && !nic.internal) return nic.address;
  }
  throw new Error('this host has no non-loopback IPv4 address to probe');
}

for (const driver of sandboxDrivers()) {
  describe(`escape probes: ${driver.name} driver`, () => {
    const task = `escape-${driver.name}-${process.pid}`;
    const opened: JobSandbox[] = [];
    let provider: SandboxProvider;
    let limits: SandboxLimits;
    let tar: Buffer;
    let fixtureDir: string;
    let shared: JobSandbox;
    let hostListener: Server;
    let hostPort: number;
    let hostSecretPath: string;
    const passwdBefore = sha256('/etc/passwd');

    const open = async (job: string): Promise<JobSandbox> => {
      const sandbox = await openJobSandbox(provider, { tar, task, job, limits });
      opened.push(sandbox);
      return sandbox;
    };

    beforeAll(async () => {
      // A model key in the agent process's environment must never reach the sandbox.
      process.env.OPENAI_API_KEY = SECRET;
      provider = driver.create();
      await provider.ensureReady();
      limits = defaultSandboxLimits();
      fixtureDir = await mkdtemp(join(tmpdir(), `codecrew-escape-${driver.name}-`));
      tar = archiveHead(await makeFixtureRepo(fixtureDir));
      hostSecretPath = join(fixtureDir, 'host-secret.txt');
      writeFileSync(hostSecretPath, 'host only\n');
      // A real listener on the host's loopback: reachable from the host, not from the sandbox.
      hostListener = createServer((socket) => socket.end('host\n'));
      await new Promise<void>((done) => hostListener.listen(0, '127.0.0.1', done));
      hostPort = (hostListener.address() as { port: number }).port;
      shared = await open('shared');
    }, 120_000);

    afterAll(async () => {
      delete process.env.OPENAI_API_KEY;
      hostListener?.close();
      for (const job of opened) await job.close().catch(() => undefined);
      if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
    });

    it('uses the default limits of config/default.yaml', () => {
      expect(limits).toEqual({
        image: 'auto',
        cpus: 1,
        memoryBytes: 2 * 1024 ** 3,
        pids: 256,
        tmpBytes: 256 * 1024 ** 2,
        commandTimeoutMs: 5 * 60_000,
        maxOutputBytes: 1024 ** 2,
      });
    });

    describe('network', () => {
      it('resolves no name with getent', async () => {
        const r = await probe(shared, 'getent hosts example.com');
        expect([r.exitCode, r.stdout]).toEqual([2, '']);
      });

      it('bash /dev/tcp cannot reach a public address', async () => {
        const r = await probe(shared, 'exec 3<>/dev/tcp/1.1.1.1/53');
        expect(r.exitCode).toEqual(1);
        expect(r.stderr).toContain('/dev/tcp/1.1.1.1/53: Network is unreachable');
      });

      it("bash /dev/tcp cannot reach the host's loopback listener (the sandbox's loopback is its own)", async () => {
        const fromHost = await new Promise<string>((done, fail) => {
          const socket = connect(hostPort, '127.0.0.1');
          let data = '';
          socket.on('data', (chunk) => (data += chunk.toString()));
          socket.on('end', () => done(data));
          socket.on('error', fail);
        });
        expect(fromHost).toEqual('host\n');
        const r = await probe(shared, `exec 3<>/dev/tcp/127.0.0.1/${hostPort}`);
        expect(r.exitCode).toEqual(1);
        expect(r.stderr).toContain(`/dev/tcp/127.0.0.1/${hostPort}: Connection refused`);
      });

      it("bash /dev/tcp cannot reach the host's own network address", async () => {
        const address = hostAddress();
        const r = await probe(shared, `exec 3<>/dev/tcp/${address}/${hostPort}`);
        expect(r.exitCode).toEqual(1);
        expect(r.stderr).toContain(`/dev/tcp/${address}/${hostPort}: Network is unreachable`);
      });

      it('Node net.connect fails with ENETUNREACH', async () => {
        const r = await probe(
          shared,
          `node -e 'require("net").connect(53, "1.1.1.1").on("connect", () => process.exit(0)).on("error", (e) => { console.log(e.code); process.exit(3); })'`,
        );
        expect([r.exitCode, r.stdout]).toEqual([3, 'ENETUNREACH\n']);
      });

      it('Python socket.create_connection fails with ENETUNREACH', async () => {
        const r = await probe(shared, `python3 -c 'import socket; socket.create_connection(("1.1.1.1", 443), 3)'`);
        expect(r.exitCode).toEqual(1);
        expect(r.stderr).toContain('OSError: [Errno 101] Network is unreachable');
      });

      it('Python getaddrinfo cannot resolve a name', async () => {
        const r = await probe(shared, `python3 -c 'import socket; socket.getaddrinfo("example.com", 443)'`);
        expect(r.exitCode).toEqual(1);
        expect(r.stderr).toContain('socket.gaierror: [Errno -3] Temporary failure in name resolution');
      });

      it('Node dns.lookup cannot resolve a name', async () => {
        const r = await probe(
          shared,
          `node -e 'require("dns").lookup("example.com", (e) => { console.log(e ? e.code : "resolved"); process.exit(e ? 4 : 0); })'`,
        );
        expect([r.exitCode, r.stdout]).toEqual([4, 'EAI_AGAIN\n']);
      });

      it('has no interface but loopback', async () => {
        const r = await probe(shared, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
        expect(r.stdout).toEqual('lo\n');
      });
    });

    describe('filesystem', () => {
      it('cannot write /, /etc, /usr or /workspace/..', async () => {
        const r = await probe(shared, 'for p in /x /etc/x /usr/x /workspace/../y; do touch "$p" 2>&1; done; exit 0');
        expect(r.stdout).toEqual(
          [
            "touch: cannot touch '/x': Read-only file system",
            "touch: cannot touch '/etc/x': Read-only file system",
            "touch: cannot touch '/usr/x': Read-only file system",
            "touch: cannot touch '/workspace/../y': Read-only file system",
            '',
          ].join('\n'),
        );
      });

      it('can write only the workspace, /tmp and a private $HOME tmpfs', async () => {
        const r = await probe(
          shared,
          'touch /workspace/w /tmp/t "$HOME/h" && echo ok && rm /workspace/w; awk \'$2 == "/tmp" || $2 == "/home/crew" { print $2, $1, $3 }\' /proc/mounts',
        );
        expect(r.stdout).toEqual('ok\n/tmp tmpfs tmpfs\n/home/crew tmpfs tmpfs\n');
      });

      it('$HOME is capped at 64 MiB', async () => {
        const r = await probe(shared, 'head -c 70M /dev/zero > "$HOME/big"; echo "rc=$?"; rm -f "$HOME/big"');
        expect(r.stdout).toEqual('rc=1\n');
        expect(r.stderr).toEqual("head: error writing 'standard output': No space left on device\n");
      });

      it('sees no host file outside the workspace (a host temp file, the baseline repo, this checkout)', async () => {
        const baseGit = join(shared.workspace.parentDir, 'base.git');
        const r = await probe(
          shared,
          `for p in '${hostSecretPath}' '${baseGit}' '${ROOT}/package.json'; do test -e "$p" && echo "visible: $p"; done; exit 0`,
        );
        expect([r.exitCode, r.stdout]).toEqual([0, '']);
      });

      it("/etc/hostname is the sandbox's, not the host's", async () => {
        const r = await probe(shared, 'cat /etc/hostname');
        expect(r.exitCode).toEqual(0);
        expect(r.stdout.trim()).not.toEqual(hostname());
        expect(r.stdout.trim()).not.toEqual('');
      });

      it('cannot mount', async () => {
        const r = await probe(shared, 'mount -t tmpfs none /mnt');
        expect(r.exitCode).toEqual(32);
        expect(r.stderr).toContain('mount: /mnt: must be superuser to use mount.');
      });

      it('cannot chroot', async () => {
        const r = await probe(shared, 'chroot /');
        expect([r.exitCode, r.stderr]).toEqual([
          125,
          "chroot: cannot change root directory to '/': Operation not permitted\n",
        ]);
      });

      it('cannot unshare namespaces', async () => {
        const r = await probe(shared, 'unshare -r id');
        expect(r.exitCode).toEqual(1);
        // EPERM from seccomp/capabilities, or ENOSPC when the user-namespace quota is 0.
        expect(r.stderr).toMatch(/^unshare: unshare failed: (Operation not permitted|No space left on device)\n$/);
      });

      it('cannot write /proc/sysrq-trigger or /proc/sys', async () => {
        const sysrq = await probe(shared, 'echo b > /proc/sysrq-trigger');
        expect(sysrq.exitCode).toEqual(1);
        // Absent on kernels built without magic SysRq; read-only otherwise.
        expect(sysrq.stderr).toMatch(
          /^bash: line 1: \/proc\/sysrq-trigger: (No such file or directory|Read-only file system|Permission denied)\n$/,
        );
        const sys = await probe(shared, 'echo 3 > /proc/sys/vm/drop_caches');
        expect([sys.exitCode, sys.stderr]).toEqual([
          1,
          'bash: line 1: /proc/sys/vm/drop_caches: Read-only file system\n',
        ]);
      });

      it('cannot make device nodes and has no disk or memory devices', async () => {
        const mknod = await probe(shared, 'mknod /tmp/sda b 8 0');
        expect([mknod.exitCode, mknod.stderr]).toEqual([1, 'mknod: /tmp/sda: Operation not permitted\n']);
        const devs = await probe(
          shared,
          'ls /dev/mem /dev/kmem /dev/sda /dev/vda /dev/nvme0n1 2>&1 | wc -l; ls /dev | grep -cE "^(sd|vd|hd|nvme|xvd|mem|kmem|port)"',
        );
        expect(devs.stdout).toEqual('5\n0\n');
      });
    });

    describe('privileges', () => {
      it('runs as uid and gid 1000', async () => {
        const r = await probe(shared, 'id -u; id -g; id -G');
        expect(r.stdout).toEqual('1000\n1000\n1000\n');
      });

      it('has no capabilities at all and no_new_privs set', async () => {
        const r = await probe(shared, 'grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status');
        expect(r.stdout).toEqual(
          'CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n',
        );
      });

      it('setuid-root binaries do not elevate: su fails, and a setuid binary keeps uid 1000', async () => {
        const su = await probe(shared, 'su -c id root </dev/null');
        expect(su.exitCode).toEqual(1);
        expect(su.stderr).toContain('su: Authentication failure');
        // /usr/bin/mount is setuid root; under no_new_privs it runs as the caller and cannot mount.
        const setuid = await probe(shared, 'stat -c "%A %U" /usr/bin/mount; mount -t tmpfs none /tmp 2>&1 | head -1');
        // In a user namespace the host's root shows as nobody; the bit is there either way.
        expect(setuid.stdout).toMatch(/^-rwsr-xr-x (root|nobody)\nmount: \/tmp: must be superuser to use mount\.\n$/);
        const sudo = await probe(shared, 'command -v sudo || echo none');
        expect(sudo.stdout).toEqual('none\n');
      });
    });

    describe('resources', () => {
      it('a fork bomb stops at the pids limit and the sandbox survives', async () => {
        const job = await open('forkbomb');
        const bomb = [
          'import os, signal, time',
          'kids = []',
          'while True:',
          '    try:',
          '        pid = os.fork()',
          '    except OSError as e:',
          '        print(len(kids), e.errno, e.strerror)',
          '        break',
          '    if pid == 0:',
          '        time.sleep(60)',
          '        os._exit(0)',
          '    kids.append(pid)',
          'for k in kids: os.kill(k, signal.SIGKILL)',
          'for k in kids: os.waitpid(k, 0)',
          'print("reaped")',
        ].join('\n');
        // The bound only stops a hang: a few hundred forks on a busy two-core machine can take a minute.
        const r = await probe(job, `python3 - <<'PY'\n${bomb}\nPY`, 120_000);
        const match = /^(\d+) 11 Resource temporarily unavailable\nreaped\n$/.exec(r.stdout);
        expect([r.exitCode, r.timedOut, match !== null]).toEqual([0, false, true]);
        const forked = Number(match?.[1]);
        expect(forked).toBeGreaterThan(limits.pids - 20);
        expect(forked).toBeLessThan(limits.pids);
        const after = await probe(
          job,
          'echo alive; cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max',
        );
        expect(after.stdout).toEqual(`alive\n${limits.pids}\n`);
      }, 150_000);

      it('the memory limit is the configured one, with no swap beyond it', async () => {
        const r = await probe(
          shared,
          'if [ -f /sys/fs/cgroup/memory.max ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes; fi',
        );
        // cgroup v1 states memory+swap (equal: no swap); v2 states swap alone (0).
        expect([`${limits.memoryBytes}\n${limits.memoryBytes}\n`, `${limits.memoryBytes}\n0\n`]).toContain(r.stdout);
      });

      it(
        'a memory hog is killed and reported as out of memory',
        async () => {
          // The same mechanism as the 2 GiB default, with a smaller limit: filling
          // 2 GiB takes ~15 s on a small VM, 256 MiB under 2 s.
          const small = { ...limits, memoryBytes: 256 * 1024 ** 2 };
          const job = await openJobSandbox(provider, { tar, task, job: 'memhog', limits: small });
          opened.push(job);
          const over = small.memoryBytes + 256 * 1024 ** 2;
          const r = await probe(job, `python3 -c 'b = bytearray(${over}); print("allocated")'`, 20_000);
          expect([r.exitCode, r.oomKilled, r.timedOut, r.stdout]).toEqual([137, true, false, '']);
          const after = await probe(job, 'echo alive');
          expect([after.stdout, after.oomKilled]).toEqual(['alive\n', false]);
        },
        PROBE_TEST_MS,
      );

      it('a CPU spinner is cut at the command timeout', async () => {
        const started = Date.now();
        const r = await probe(shared, 'while :; do :; done # spin-marker', 1500);
        expect([r.exitCode, r.timedOut, r.oomKilled]).toEqual([137, true, false]);
        // The limit plus the host's grace, with room for a loaded machine; unbounded otherwise.
        expect(Date.now() - started).toBeLessThan(9000);
        const left = await probe(shared, "pgrep -cf 'spin-[m]arker' || true");
        expect(left.stdout).toEqual('0\n');
      });

      it('has one CPU (a CFS quota equal to its period)', async () => {
        const r = await probe(
          shared,
          'cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo "$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"',
        );
        expect(r.stdout).toEqual(`${limits.cpus * 100000} 100000\n`);
      });

      it('a flood of output is truncated and reported as truncated', async () => {
        const r = await probe(shared, 'head -c 8000000 /dev/zero | tr "\\0" x; echo; echo end');
        expect([r.exitCode, r.truncated]).toEqual([0, true]);
        expect(r.stdout).toContain(`bytes cut; output exceeded ${limits.maxOutputBytes} bytes ...]`);
        expect(r.stdout.endsWith('xxx\nend\n')).toEqual(true);
        expect(r.stdout.length).toBeLessThan(limits.maxOutputBytes + 200);
      });

      it('/tmp is capped at tmpBytes: writing more fails with ENOSPC', async () => {
        const r = await probe(
          shared,
          `head -c ${limits.tmpBytes + 1024 * 1024} /dev/zero > /tmp/fill; echo "rc=$?"; df -B1 --output=size /tmp | tail -1 | tr -d ' '; rm -f /tmp/fill`,
        );
        expect(r.stdout).toEqual(`rc=1\n${limits.tmpBytes}\n`);
        expect(r.stderr).toEqual("head: error writing 'standard output': No space left on device\n");
      });
    });

    describe('secrets', () => {
      it("the host's environment does not enter: only the sandbox's own variables", async () => {
        expect(process.env.OPENAI_API_KEY).toEqual(SECRET);
        const r = await probe(shared, 'env -0');
        const env = Object.fromEntries(
          r.stdout
            .split('\0')
            .filter((line) => line !== '')
            .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
        );
        // Set by bash, env and the driver itself, none from the host.
        for (const key of ['PWD', 'SHLVL', '_', 'HOSTNAME', 'CODECREW_EXEC']) delete env[key];
        expect(env).toEqual(SANDBOX_ENV);
        const grep = await probe(shared, `grep -rl '${SECRET}' /proc/[0-9]*/environ 2>/dev/null | wc -l`);
        expect(grep.stdout).toEqual('0\n');
      });

      it("cannot redirect the host's connection to the sandbox to another host socket", async () => {
        // A Unix socket the host connects to must not be replaceable from inside:
        // a symlink swapped in would be followed on the host, to any socket there.
        const trapPath = join(fixtureDir, 'trap.sock');
        let trapped = '';
        const trap = createServer((socket) => socket.on('data', (chunk) => (trapped += chunk.toString())).end());
        await new Promise<void>((done) => trap.listen(trapPath, done));
        try {
          const job = await open('socket-swap');
          await probe(
            job,
            `for s in $(find /run /tmp /home /workspace -type s 2>/dev/null); do ln -sfn '${trapPath}' "$s.swap" && mv -fT "$s.swap" "$s" && echo "swapped $s"; done; true`,
          );
          const after = await probe(job, 'echo after');
          expect({ exitCode: after.exitCode, stdout: after.stdout, trapped }).toEqual({
            exitCode: 0,
            stdout: 'after\n',
            trapped: '',
          });
        } finally {
          trap.close();
        }
      });

      it('has no Docker socket', async () => {
        const r = await probe(shared, 'ls /var/run/docker.sock /run/docker.sock');
        expect(r.exitCode).toEqual(2);
        expect(r.stderr).toEqual(
          "ls: cannot access '/var/run/docker.sock': No such file or directory\nls: cannot access '/run/docker.sock': No such file or directory\n",
        );
      });
    });

    describe('file tools', () => {
      const patchFor = (path: string): string => `--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-root\n+owned\n`;

      beforeAll(async () => {
        // Made by a command in the sandbox, as a model could: links that lead out of the workspace.
        const r = await probe(shared, 'ln -s /etc/passwd passwd-link && ln -s /etc etc-link && echo made');
        expect(r.stdout).toEqual('made\n');
        writeFileSync(join(shared.workspace.parentDir, 'outside.txt'), 'root\n');
      });

      const outsidePaths = ['../outside.txt', '/etc/passwd', 'passwd-link', 'etc-link/passwd', 'src/../../outside.txt'];

      it('read_file refuses paths that leave the workspace', async () => {
        const codes = await Promise.all(outsidePaths.map((p) => codeOf(shared.workspace.readFile(p))));
        expect(codes).toEqual(outsidePaths.map(() => 'PATH_OUTSIDE_WORKSPACE'));
      });

      it('write_file refuses paths that leave the workspace', async () => {
        const codes = await Promise.all(outsidePaths.map((p) => codeOf(shared.workspace.writeFile(p, 'owned\n'))));
        expect(codes).toEqual(outsidePaths.map(() => 'PATH_OUTSIDE_WORKSPACE'));
      });

      it('edit_file refuses paths that leave the workspace', async () => {
        const codes = await Promise.all(outsidePaths.map((p) => codeOf(shared.workspace.editFile(p, 'root', 'owned'))));
        expect(codes).toEqual(outsidePaths.map(() => 'PATH_OUTSIDE_WORKSPACE'));
      });

      it('apply_patch refuses patches that touch paths outside the workspace', async () => {
        const patches = [
          patchFor('../outside.txt'),
          patchFor('passwd-link'),
          patchFor('etc-link/passwd'),
          '--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-root\n+owned\n',
          'diff --git a/README.md b/README.md\nrename from README.md\nrename to ../moved.md\n',
        ];
        const codes = [];
        for (const patch of patches) codes.push(await codeOf(shared.workspace.applyPatch(patch)));
        expect(codes).toEqual(patches.map(() => 'PATH_OUTSIDE_WORKSPACE'));
      });

      it('nothing outside the workspace changed', () => {
        expect(sha256('/etc/passwd')).toEqual(passwdBefore);
        expect(readFileSync(join(shared.workspace.parentDir, 'outside.txt'), 'utf8')).toEqual('root\n');
        expect(readFileSync(join(shared.workspace.root, 'README.md'), 'utf8')).toEqual('# fixture\n');
      });
    });

    it('leaves no sandbox behind', async () => {
      for (const job of opened.splice(0)) await job.close();
      const left = (await provider.list()).filter((info) => info.labels.task === task);
      expect(left).toEqual([]);
    });
  });
}
