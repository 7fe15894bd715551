// Checks the instance set without codecrew: for every instance in
// instances.jsonl it clones the repository bundle at base_commit, applies
// test_patch and runs each test named in FAIL_TO_PASS (each must fail) and
// PASS_TO_PASS (each must pass) in the sandbox image, one test_command per
// test name, with no network; then applies the gold patch and checks that
// every test passes. When instances/<id>/wrong exists (a deliberately wrong
// fix used by a scripted model script), it also checks that this fix leaves
// at least one FAIL_TO_PASS test failing.
//
//   node examples/eval/check-gold.mjs [instance_id...]
// The image is the one sandbox/image/build.sh names, or $CODECREW_SANDBOX_IMAGE.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EVAL_DIR = new URL('.', import.meta.url).pathname;
const ROOT = join(EVAL_DIR, '..', '..');
const image =
  process.env.CODECREW_SANDBOX_IMAGE ??
  execFileSync('bash', [join(ROOT, 'sandbox/image/build.sh'), '--print-image'], { encoding: 'utf8' }).trim();
const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', env: gitEnv });

const quote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Runs each named test in one fresh container; returns {name: passed}. */
function runTests(checkout, command, names) {
  const scriptDir = mkdtempSync(join(tmpdir(), 'eval-check-script-'));
  const lines = ['cd /w'];
  names.forEach((name, index) => {
    const one = command.replaceAll('{tests}', quote(name));
    lines.push(`(sh -c ${quote(one)}) >/tmp/test-${index}.log 2>&1; echo "result ${index} $?"`);
  });
  writeFileSync(join(scriptDir, 'run.sh'), lines.join('\n') + '\n');
  chmodSync(scriptDir, 0o755);
  execFileSync('chmod', ['-R', 'a+rwX', checkout]);
  const run = spawnSync(
    'docker',
    ['run', '--rm', '--network', 'none', '-v', `${checkout}:/w`, '-v', `${scriptDir}:/check:ro`, '-w', '/w', image, 'sh', '/check/run.sh'],
    { encoding: 'utf8' },
  );
  rmSync(scriptDir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`docker run failed (${run.status}): ${run.stderr}`);
  const passed = {};
  for (const match of run.stdout.matchAll(/^result (\d+) (\d+)$/gm)) passed[names[Number(match[1])]] = match[2] === '0';
  if (Object.keys(passed).length !== names.length) throw new Error(`missing results: ${run.stdout}`);
  return passed;
}

function applyPatch(checkout, patch, label) {
  const file = join(checkout, '..', `${label}.diff`);
  writeFileSync(file, patch);
  git(checkout, 'apply', '--whitespace=nowarn', file);
}

const wanted = new Set(process.argv.slice(2));
const instances = readFileSync(join(EVAL_DIR, 'instances.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line))
  .filter((instance) => wanted.size === 0 || wanted.has(instance.instance_id));

let problems = 0;
const complain = (id, text) => {
  problems += 1;
  console.log(`  PROBLEM ${id}: ${text}`);
};
console.log(`image ${image}`);
for (const instance of instances) {
  const id = instance.instance_id;
  const parent = mkdtempSync(join(tmpdir(), `eval-check-${id}-`));
  const checkout = join(parent, 'repo');
  try {
    execFileSync('git', ['clone', '-q', join(EVAL_DIR, instance.repo), checkout], { env: gitEnv });
    git(checkout, 'checkout', '-q', instance.base_commit);
    applyPatch(checkout, instance.test_patch, 'test');
    const names = [...instance.FAIL_TO_PASS, ...instance.PASS_TO_PASS];
    const before = runTests(checkout, instance.test_command, names);
    for (const name of instance.FAIL_TO_PASS) if (before[name]) complain(id, `${name} passes before the fix`);
    for (const name of instance.PASS_TO_PASS) if (!before[name]) complain(id, `${name} fails before the fix`);

    const wrongDir = join(EVAL_DIR, 'instances', id, 'wrong');
    let wrongNote = '';
    if (existsSync(wrongDir)) {
      cpSync(wrongDir, checkout, { recursive: true });
      const wrong = runTests(checkout, instance.test_command, names);
      if (instance.FAIL_TO_PASS.every((name) => wrong[name])) complain(id, 'the wrong fix resolves the instance');
      wrongNote = `, wrong fix: ${instance.FAIL_TO_PASS.filter((name) => !wrong[name]).length} FAIL_TO_PASS still failing`;
      git(checkout, 'checkout', '-q', '--', '.');
      git(checkout, 'clean', '-q', '-fdx');
      applyPatch(checkout, instance.test_patch, 'test');
    }

    applyPatch(checkout, instance.patch, 'gold');
    const after = runTests(checkout, instance.test_command, names);
    for (const name of names) if (!after[name]) complain(id, `${name} fails with the gold patch`);
    const failedBefore = instance.FAIL_TO_PASS.filter((name) => !before[name]).length;
    console.log(
      `${id}: before ${failedBefore}/${instance.FAIL_TO_PASS.length} FAIL_TO_PASS failing, ` +
        `${instance.PASS_TO_PASS.filter((name) => before[name]).length}/${instance.PASS_TO_PASS.length} PASS_TO_PASS passing; ` +
        `gold ${names.filter((name) => after[name]).length}/${names.length} passing${wrongNote}`,
    );
  } catch (error) {
    complain(id, error.message);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}
console.log(problems === 0 ? `all ${instances.length} instances check out` : `${problems} problem(s)`);
process.exit(problems === 0 ? 0 : 1);
