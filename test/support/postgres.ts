import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ENV_FILE = new URL('../../.codecrew/env', import.meta.url);
const HOW_TO_START =
  'Run `npm run setup` (as root on Debian it installs PostgreSQL and starts it on 127.0.0.1:55432), ' +
  'or set CODECREW_TEST_DATABASE_URL to a PostgreSQL database the tests may create schemas in.';

/** The test database's URL: CODECREW_TEST_DATABASE_URL, else the one `npm run setup` wrote to .codecrew/env. */
export function testDatabaseUrl(): string | null {
  const fromEnvironment = process.env.CODECREW_TEST_DATABASE_URL;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  if (!existsSync(ENV_FILE)) return null;
  const line = readFileSync(ENV_FILE, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CODECREW_TEST_DATABASE_URL='));
  return line === undefined ? null : line.slice('CODECREW_TEST_DATABASE_URL='.length).trim();
}

/** Null when PostgreSQL answers at the test URL, else why not and how to fix it. */
export async function postgresProblem(): Promise<string | null> {
  const url = testDatabaseUrl();
  if (url === null) return `no test database is configured. ${HOW_TO_START}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL does not answer at the test database URL (${(error as Error).message}). ${HOW_TO_START}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Whether a suite that needs PostgreSQL runs: true when the test database answers. Under `CI=true` a
 * missing database fails the file instead (CI must run these suites); elsewhere the suite skips, saying
 * how to start one.
 */
export async function postgresAvailable(suite: string): Promise<boolean> {
  const problem = await postgresProblem();
  if (problem === null) return true;
  if (process.env.CI === 'true') throw new Error(`CI runs the ${suite}, but ${problem}`);
  console.warn(`${suite} skipped: ${problem}`);
  return false;
}

/** A schema of its own in the test database, and the URL that makes it the first of the search_path (where the task store and the checkpoints go). */
export async function createTestSchema(
  prefix = 'store_test',
): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const base = testDatabaseUrl();
  if (base === null) throw new Error(`no test database is configured. ${HOW_TO_START}`);
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), schema, drop: () => admin(`DROP SCHEMA ${schema} CASCADE`) };
}
