import { QUICK, type SuiteRun } from './lib/suite.ts';
import { BENCH_MODEL, contextRepoTar, runContextScenario, type ContextRun } from './lib/context-run.ts';

// BENCH_CONTEXT_STEPS=60 runs shorter conversations (quick mode: 30).
const STEPS = Math.max(10, Number(process.env.BENCH_CONTEXT_STEPS ?? (QUICK ? '30' : '150')) || 150);
// BENCH_CONTEXT_WINDOWS=16000 measures one window (quick mode: 16000).
const WINDOWS = (process.env.BENCH_CONTEXT_WINDOWS ?? (QUICK ? '16000' : '16000,32768')).split(',').map(Number);
/** Of each request between reductions, the share that repeats the request before it should be at least this. */
const PREFIX_GOAL = 0.9;

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;
const num = (value: number): string => value.toLocaleString('en-US');

function row(run: ContextRun): string {
  const window = run.contextWindow === null ? 'none (nothing reduced)' : num(run.contextWindow);
  const peak =
    run.contextWindow === null
      ? num(run.peakPromptTokens)
      : `${num(run.peakPromptTokens)} (${pct(run.peakPromptTokens / run.contextWindow)})`;
  return [
    window,
    run.steps,
    num(run.promptTokens),
    num(run.compactPromptTokens),
    peak,
    run.overWindow,
    run.elisions,
    run.compactions,
    `${pct(run.prefix.shareMean)} / ${pct(run.prefix.shareMedian)} / ${pct(run.prefix.shareMin)}`,
    pct(run.prefix.cacheableShare),
  ].join(' | ');
}

/**
 * A long scripted coder run through the agent loop, against a scripted model
 * with a context window (the server refuses any longer prompt with OpenAI's
 * 400), once per window and once without a window: the prompt tokens sent,
 * how much of each request repeats the one before it (what a prompt cache
 * can serve), and the largest request against the window.
 */
export const run: SuiteRun = async (log) => {
  const tar = contextRepoTar();
  const runs: ContextRun[] = [];
  for (const contextWindow of [...WINDOWS, null]) {
    const measured = await runContextScenario({ steps: STEPS, contextWindow, tar });
    log(
      `window ${contextWindow ?? 'none'}: ${measured.steps} steps, ${num(measured.promptTokens)} prompt tokens, peak ${num(measured.peakPromptTokens)}, ` +
        `${measured.elisions} elision(s), ${measured.compactions} compaction(s), prefix share mean ${pct(measured.prefix.shareMean)}`,
    );
    runs.push(measured);
  }
  const windowed = runs.filter((measured) => measured.contextWindow !== null);
  const targets = {
    prefixShare: PREFIX_GOAL,
    neverOverWindow: true,
    met: windowed.every(
      (measured) =>
        measured.overWindow === 0 &&
        measured.peakPromptTokens <= (measured.contextWindow ?? 0) &&
        measured.prefix.shareMean >= PREFIX_GOAL,
    ),
  };
  const unmanaged = runs.find((measured) => measured.contextWindow === null);
  const markdown = [
    '# Context',
    '',
    `One scripted coder conversation of ${STEPS} steps through the agent loop (\`runAgentLoop\` with the real`,
    `context manager, \`ChatOpenAI\` over HTTP) against the scripted model server, whose \`context_window\``,
    'refuses any longer prompt with HTTP 400 as OpenAI does. The steps read small files whole and medium',
    'files 40 lines at a time, write a small file every sixth step and read a 3,000-line file whole every',
    `twelfth (cut to the tool-result cap). The model is \`${BENCH_MODEL}\`: unknown to codecrew, counted with`,
    "cl100k_base, as a local model would be. The system prompt is the coder's. Token counts are the",
    "server's, with the tokenizer the runtime uses.",
    '',
    '| window | steps | prompt tokens sent | of which compaction requests | peak request | requests over the window | elisions | compactions | prefix share mean / median / min | cacheable share |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map((measured) => `| ${row(measured)} |`),
    '',
    '*Prefix share*: of each step request that starts with the whole of the request before it (every request',
    'but the first after a reduction), the share of its tokens that request already sent, as the same prefix',
    `(goal ≥ ${pct(PREFIX_GOAL)} on average). *Cacheable share*: over all step requests, the tokens that repeat`,
    "the previous request's prefix out of all tokens sent — what a prompt cache can serve.",
    unmanaged === undefined
      ? ''
      : `Without a window nothing is reduced: the run sends ${num(unmanaged.promptTokens)} prompt tokens and its last requests take ${num(unmanaged.peakPromptTokens)} tokens.`,
    '',
    `Targets: no request over the window, prefix share ≥ ${pct(PREFIX_GOAL)} on average: **${targets.met ? 'met' : 'not met'}**.`,
    '',
  ].join('\n');
  return { json: { steps: STEPS, model: BENCH_MODEL, runs, targets }, markdown };
};
