import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CodecrewError } from '@codecrew/core';
import { connectBus, startEmbeddedNats } from '@codecrew/bus';
import type { EmbeddedNats } from '@codecrew/bus';
import { startNats, testPrefix } from '@codecrew/bus/testing';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('startEmbeddedNats', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempDir(name: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `codecrew-bus-${name}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  it('starts a JetStream server on a loopback port, stores under dataDir, and stop() ends the process', async () => {
    const dataDir = await tempDir('start');
    const nats = await startEmbeddedNats({ dataDir });
    cleanups.push(() => nats.stop());
    expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    expect(nats.dataDir).toEqual(dataDir);
    expect(alive(nats.pid)).toEqual(true);

    const bus = await connectBus({ servers: nats.url, name: 'embedded-test', prefix: testPrefix('embedded') });
    const big = new Uint8Array(100_000).fill(7);
    const ref = await bus.putArtifact('hello.bin', big);
    expect(ref).toEqual({ name: 'hello.bin', size: big.length });
    expect((await bus.getArtifact('hello.bin')).length).toEqual(big.length);
    await bus.close();
    expect(existsSync(join(dataDir, 'jetstream'))).toEqual(true);
    expect(existsSync(join(dataDir, 'nats-server.log'))).toEqual(true);

    await nats.stop();
    expect(alive(nats.pid)).toEqual(false);
    await nats.stop(); // idempotent
  });

  it('uses the port it is given and keeps JetStream data across restarts', async () => {
    const dataDir = await tempDir('port');
    const port = await freePort();
    const prefix = testPrefix('restart');
    let nats: EmbeddedNats = await startEmbeddedNats({ dataDir, port });
    cleanups.push(() => nats.stop());
    expect(nats.url).toEqual(`nats://127.0.0.1:${port}`);
    let bus = await connectBus({ servers: nats.url, name: 'restart-1', prefix });
    const kept = new Uint8Array(100_000).map((_, i) => i % 251);
    await bus.putArtifact('kept/a.bin', kept);
    await bus.close();
    await nats.stop();

    nats = await startEmbeddedNats({ dataDir, port });
    bus = await connectBus({ servers: nats.url, name: 'restart-2', prefix });
    expect(Buffer.from(await bus.getArtifact('kept/a.bin')).equals(Buffer.from(kept))).toEqual(true);
    await bus.close();
  });

  it('fails with NATS_START_FAILED and the install hint when the binary is missing', async () => {
    const dataDir = await tempDir('missing');
    const error = await startEmbeddedNats({ dataDir, binary: '/nonexistent/bin/nats-server' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodecrewError);
    expect((error as CodecrewError).code).toEqual('NATS_START_FAILED');
    expect((error as CodecrewError).message).toContain('apt-get install nats-server');
    expect((error as CodecrewError).message).toContain('/nonexistent/bin/nats-server');
  });

  it('fails with NATS_START_FAILED and the server log tail when the server dies at start', async () => {
    const dataDir = await tempDir('dies');
    const port = await freePort();
    const first = await startEmbeddedNats({ dataDir: join(dataDir, 'a'), port });
    cleanups.push(() => first.stop());
    // A second server on the same port cannot listen and exits.
    const error = await startEmbeddedNats({ dataDir: join(dataDir, 'b'), port }).catch((e: unknown) => e);
    expect((error as CodecrewError).code).toEqual('NATS_START_FAILED');
    expect((error as CodecrewError).message).toContain('nats-server exited during start');
    expect((error as CodecrewError).message).toMatch(/address already in use/);
  });

  it('the server dies with the process that started it, even when that process is killed', async () => {
    const dataDir = await tempDir('orphan');
    const script = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'hold-nats.ts');
    const parent = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', script, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const serverPid = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${String(code)} before printing a pid`)));
    });
    expect(alive(serverPid)).toEqual(true);
    parent.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (alive(serverPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(serverPid)).toEqual(false);
  });

  it('startNats() gives a fresh server in a temp dir that stop() removes', async () => {
    const nats = await startNats('testing helper');
    expect(existsSync(nats.dataDir)).toEqual(true);
    expect(nats.dataDir).toContain('codecrew-nats-testing-helper-');
    await nats.stop();
    expect(existsSync(nats.dataDir)).toEqual(false);
    expect(alive(nats.pid)).toEqual(false);
  });

  it('stops a server a killed process left running on the same store before starting its own, keeping the data', async () => {
    const dataDir = await tempDir('earlier');
    const first = await startEmbeddedNats({ dataDir });
    const prefix = testPrefix('earlier');
    const bus = await connectBus({ servers: first.url, name: 'earlier', prefix });
    await bus.putArtifact('kept.bin', new Uint8Array(100_000).fill(3));
    await bus.close();
    // As if its owner had died without stopping it: the server runs on, and a new process starts on the store.
    const second = await startEmbeddedNats({ dataDir });
    cleanups.push(() => second.stop());
    cleanups.push(() => first.stop());
    expect(alive(first.pid)).toEqual(false);
    expect(alive(second.pid)).toEqual(true);
    const again = await connectBus({ servers: second.url, name: 'again', prefix });
    expect((await again.getArtifact('kept.bin')).length).toEqual(100_000);
    await again.close();
  });

  it('leaves alone a process whose pid the pid file names when it is not a server of that store', async () => {
    const dataDir = await tempDir('stranger');
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    cleanups.push(async () => void stranger.kill('SIGKILL'));
    await writeFile(join(dataDir, 'nats-server.pid'), String(stranger.pid));
    const nats = await startEmbeddedNats({ dataDir });
    cleanups.push(() => nats.stop());
    expect(alive(stranger.pid ?? -1)).toEqual(true);
  });
});

describe('connectBus', () => {
  it('fails with NATS_UNAVAILABLE naming the URL when nothing listens there', async () => {
    const port = await freePort();
    const url = `nats://127.0.0.1:${port}`;
    const error = await connectBus({ servers: url, name: 'nobody-home' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodecrewError);
    expect((error as CodecrewError).code).toEqual('NATS_UNAVAILABLE');
    expect((error as CodecrewError).message).toContain(url);
  });

  it('is idempotent: a second connection with the same prefix reuses the streams and buckets', async () => {
    const nats = await startNats('idempotent connect');
    try {
      const prefix = testPrefix('idem');
      const a = await connectBus({ servers: nats.url, name: 'a', prefix });
      const b = await connectBus({ servers: nats.url, name: 'b', prefix });
      await a.putArtifact('x', new Uint8Array(100_000).fill(7));
      expect((await b.getArtifact('x')).length).toEqual(100_000);
      expect(b.prefix).toEqual(prefix);
      await a.close();
      await b.close();
    } finally {
      await nats.stop();
    }
  });
});
