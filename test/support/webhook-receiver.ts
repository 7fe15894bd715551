import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST the receiver got: its headers and raw body, and the status it answered. */
export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/**
 * A webhook receiver on 127.0.0.1: it keeps every request with its raw body, and answers with the
 * statuses it is given in turn (`[500, 500]`: the first two fail), then 204.
 */
export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  readonly #server: Server;
  readonly #failures: number[];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];
  #port = 0;

  constructor(failures: number[] = []) {
    this.#failures = [...failures];
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const answered = this.#failures.shift() ?? 204;
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
        response.writeHead(answered).end();
        for (const waiter of this.#waiters.filter((w) => this.received.length >= w.count)) waiter.resolve();
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/hook`;
  }

  /** Listens on `port` (0: a free one). */
  async start(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Resolves once `count` requests were received. */
  async waitFor(count: number): Promise<void> {
    if (this.received.length >= count) return;
    await new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
  }
}
