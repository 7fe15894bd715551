/**
 * Finds the test command of a repository when the spec gives none: first a
 * command named in AGENTS.md, then one inferred from the files present.
 */
export function detectTestCommand(
  agentsMd: string,
  files: readonly string[],
): { command: string; source: string } | null {
  const fromDocs = testCommandFromAgentsMd(agentsMd);
  if (fromDocs) return { command: fromDocs, source: 'AGENTS.md' };
  const has = (name: string) => files.includes(name);
  if (has('package.json')) return { command: 'npm test', source: 'package.json' };
  if (has('pyproject.toml') || has('setup.py') || files.some((f) => /(^|\/)test_[^/]*\.py$/.test(f))) {
    return { command: 'python3 -m unittest discover -v', source: 'Python files' };
  }
  if (has('go.mod')) return { command: 'go test ./...', source: 'go.mod' };
  if (has('Cargo.toml')) return { command: 'cargo test', source: 'Cargo.toml' };
  if (has('Makefile')) return { command: 'make test', source: 'Makefile' };
  return null;
}

const COMMAND_START = /^(npm|npx|pnpm|yarn|node|python3?|pytest|go|cargo|make|bash|sh|\.\/)/;

/** A command in backticks on a line of AGENTS.md that speaks of tests, e.g. "Run the tests with `node --test`". */
export function testCommandFromAgentsMd(agentsMd: string): string | null {
  for (const line of agentsMd.split('\n')) {
    if (!/\btests?\b|\btesting\b/i.test(line)) continue;
    for (const match of line.matchAll(/`([^`]+)`/g)) {
      const candidate = (match[1] ?? '').trim();
      if (COMMAND_START.test(candidate)) return candidate;
    }
  }
  return null;
}
