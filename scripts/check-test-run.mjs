// Fails the test run when the suites that need NATS, Docker and (in CI) PostgreSQL
// did not really run: a green run that skipped them would prove nothing.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.codecrew/test-results.json';
const results = JSON.parse(readFileSync(file, 'utf8'));
const REQUIRED = [
  { what: 'NATS (packages/bus)', pattern: /packages\/bus\/test\/.*\.int\.test\.ts$/ },
  { what: 'Docker (sandbox)', pattern: /sandbox\/test\/.*\.int\.test\.ts$/ },
  { what: 'end to end (test/e2e)', pattern: /test\/e2e\/.*\.e2e\.test\.ts$/ },
  { what: 'end to end with a separate worker process', pattern: /test\/e2e\/remote-workers\.e2e\.test\.ts$/ },
  { what: 'codecrew serve over HTTP (test/e2e/serve-*)', pattern: /test\/e2e\/serve-[a-z-]+\.e2e\.test\.ts$/ },
  { what: 'leaks after SIGKILL (test/sandbox/leak)', pattern: /test\/sandbox\/leak\.int\.test\.ts$/ },
  // Outside CI this suite may skip itself when no PostgreSQL runs; CI (where setup starts one) must run it.
  { what: 'PostgreSQL (packages/store)', pattern: /packages\/store\/test\/postgres\.int\.test\.ts$/, ciOnly: true },
  {
    what: 'PostgreSQL checkpoints (orchestrator)',
    pattern: /orchestrator\/test\/checkpoints\.int\.test\.ts$/,
    ciOnly: true,
  },
  {
    what: 'codecrew serve on PostgreSQL',
    pattern: /test\/e2e\/serve-postgres-restart\.e2e\.test\.ts$/,
    ciOnly: true,
  },
];
const inCi = process.env.CI === 'true';
// Outside CI, the suites that need PostgreSQL may skip: they do not count against the broader checks either.
const mayBeSkipped = (name) => !inCi && REQUIRED.some(({ pattern, ciOnly }) => ciOnly && pattern.test(name));

const problems = [];
for (const { what, pattern, ciOnly } of REQUIRED) {
  if (ciOnly && !inCi) continue;
  const suites = results.testResults.filter((suite) => pattern.test(suite.name) && !mayBeSkipped(suite.name));
  const tests = suites.flatMap((suite) => suite.assertionResults);
  const passed = tests.filter((t) => t.status === 'passed').length;
  const notRun = tests.filter((t) => t.status !== 'passed' && t.status !== 'failed').length;
  if (suites.length === 0 || passed === 0) problems.push(`${what}: no test ran`);
  else if (notRun > 0) problems.push(`${what}: ${notRun} test(s) were skipped or left out`);
  else console.log(`check: ${what}: ${passed} test(s) ran and passed`);
}
if (problems.length > 0) {
  console.error(`check: integration suites did not run as required:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
