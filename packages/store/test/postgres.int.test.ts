import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openTaskStore } from '@codecrew/store';
import { describeTaskStoreContract } from './contract.ts';
import { createTestSchema, postgresAvailable } from '../../../test/support/postgres.ts';

/** A TCP relay to the database that can be cut and restored, to lose the connection on purpose. */
async function relayTo(databaseUrl: string): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void> }> {
  const target = new URL(databaseUrl);
  const sockets = new Set<Socket>();
  const listen = async (port: number): Promise<Server> => {
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  };
  let server = await listen(0);
  const port = (server.address() as AddressInfo).port;
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    cut: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    restore: async () => {
      server = await listen(port);
    },
  };
}

// CI must run this suite: without PostgreSQL the file fails there. Elsewhere it skips, saying how to start one.
const available = await postgresAvailable('PostgreSQL task store tests');

describe.runIf(available)('PostgreSQL task store', () => {
  describeTaskStoreContract('PostgreSQL', async () => {
    const schema = await createTestSchema();
    return { open: () => openTaskStore({ databaseUrl: schema.url }), dispose: () => schema.drop() };
  });

  it('creates its tables once, also when several stores open one new database at once', async () => {
    const schema = await createTestSchema();
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openTaskStore({ databaseUrl: schema.url })));
      await stores[0]?.createTask({ id: 'task_1', name: 'n', repo: 'r', spec: {} });
      expect((await stores[3]?.getTask('task_1'))?.id).toBe('task_1');
      await Promise.all(stores.map((store) => store.close()));
    } finally {
      await schema.drop();
    }
  });

  it('reports a lost database as STORE_UNAVAILABLE (retryable) and works again once it is back', async () => {
    const schema = await createTestSchema();
    const relay = await relayTo(schema.url);
    const store = await openTaskStore({ databaseUrl: relay.url });
    try {
      await store.createTask({ id: 'task_1', name: 'n', repo: 'r', spec: {} });
      await relay.cut();
      await expect(store.getTask('task_1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', retryable: true });
      await expect(store.ping()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(
        store.appendEvents('task_1', [{ taskId: 'task_1', kind: 'log', at: 'x', message: 'm', data: {} }]),
      ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await relay.restore();
      await store.ping();
      expect((await store.getTask('task_1'))?.id).toBe('task_1');
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  it('fails with STORE_UNAVAILABLE, without the password, when the server does not answer', async () => {
    const error = await openTaskStore({ databaseUrl: 'postgres://someone:s3cret@127.0.0.1:1/none' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
