import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in answered. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
}

/** A pull request the stand-in holds. */
export interface StandInPull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
}

/**
 * A stand-in for GitHub's REST API, on 127.0.0.1: it answers the pull request endpoints codecrew calls
 * (list by head, create, update) for one repository, and checks every request strictly: the token in
 * the Authorization header, JSON bodies with exactly the fields GitHub takes, the head filter's
 * `owner:branch` form. Anything else is answered as GitHub would refuse it (401, 404, 422).
 */
export class GitHubStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly pulls: StandInPull[] = [];
  readonly #server: Server;
  #url = '';

  constructor(
    readonly repository: string,
    readonly token: string,
  ) {
    this.#server = createServer((request, response) => {
      void this.#answer(request).then(({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(body));
      });
    });
  }

  /** The API's base URL (what GITHUB_API_URL is set to). */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #answer(request: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://stand-in');
    let body: Record<string, unknown> | null = null;
    if (text !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return { status: 400, body: { message: 'Problems parsing JSON' } };
      }
    }
    this.requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    });
    if (
      request.headers.authorization !== `token ${this.token}` &&
      request.headers.authorization !== `bearer ${this.token}`
    ) {
      return { status: 401, body: { message: 'Bad credentials' } };
    }
    if (!String(request.headers.accept ?? '').includes('application/vnd.github')) {
      return { status: 415, body: { message: 'Unsupported Accept header' } };
    }
    const pullsPath = `/repos/${this.repository}/pulls`;
    if (request.method === 'GET' && url.pathname === pullsPath) return this.#list(url.searchParams);
    if (request.method === 'POST' && url.pathname === pullsPath) return this.#create(body);
    const match = new RegExp(`^${pullsPath}/(\\d+)$`).exec(url.pathname);
    if (request.method === 'PATCH' && match !== null) return this.#update(Number(match[1]), body);
    return { status: 404, body: { message: 'Not Found' } };
  }

  #list(query: URLSearchParams): { status: number; body: unknown } {
    const owner = this.repository.split('/')[0];
    const head = query.get('head');
    if (head !== null && !head.startsWith(`${owner}:`))
      return { status: 422, body: { message: 'head must be owner:branch' } };
    const state = query.get('state') ?? 'open';
    const found = this.pulls.filter(
      (pull) => (state === 'all' || pull.state === state) && (head === null || `${owner}:${pull.head}` === head),
    );
    return { status: 200, body: found.map((pull) => this.#json(pull)) };
  }

  #create(body: Record<string, unknown> | null): { status: number; body: unknown } {
    const allowed = ['title', 'head', 'base', 'body', 'draft', 'maintainer_can_modify', 'head_repo', 'issue'];
    const unknown = Object.keys(body ?? {}).filter((key) => !allowed.includes(key));
    if (body === null || unknown.length > 0)
      return { status: 422, body: { message: `Invalid fields: ${unknown.join(', ')}` } };
    const { title, head, base, draft } = body;
    if (typeof title !== 'string' || title === '' || typeof head !== 'string' || typeof base !== 'string') {
      return { status: 422, body: { message: 'Validation Failed: title, head and base are required' } };
    }
    if (this.pulls.some((pull) => pull.head === head && pull.state === 'open')) {
      return { status: 422, body: { message: `A pull request already exists for ${head}.` } };
    }
    const pull: StandInPull = {
      number: this.pulls.length + 1,
      title,
      body: typeof body['body'] === 'string' ? body['body'] : '',
      head,
      base,
      draft: draft === true,
      state: 'open',
    };
    this.pulls.push(pull);
    return { status: 201, body: this.#json(pull) };
  }

  #update(number: number, body: Record<string, unknown> | null): { status: number; body: unknown } {
    const pull = this.pulls.find((candidate) => candidate.number === number);
    if (pull === undefined) return { status: 404, body: { message: 'Not Found' } };
    const allowed = ['title', 'body', 'state', 'base', 'maintainer_can_modify'];
    const unknown = Object.keys(body ?? {}).filter((key) => !allowed.includes(key));
    if (body === null || unknown.length > 0)
      return { status: 422, body: { message: `Invalid fields: ${unknown.join(', ')}` } };
    if (typeof body['title'] === 'string') pull.title = body['title'];
    if (typeof body['body'] === 'string') pull.body = body['body'];
    return { status: 200, body: this.#json(pull) };
  }

  #json(pull: StandInPull): Record<string, unknown> {
    return {
      number: pull.number,
      html_url: `https://github.example/${this.repository}/pull/${pull.number}`,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      draft: pull.draft,
      head: { ref: pull.head, label: `${this.repository.split('/')[0]}:${pull.head}` },
      base: { ref: pull.base },
    };
  }
}
