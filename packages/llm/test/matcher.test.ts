import { describe, expect, it } from 'vitest';
import { ModelScript, ScriptMatcher, type RequestFacts } from '@codecrew/llm';

function matcherFor(rules: unknown[]): ScriptMatcher {
  return new ScriptMatcher(ModelScript.parse({ version: 1, rules }));
}

/** Rule and reply positions (1-based, as in the docs) that answer `facts`, or 'none'. */
function answer(matcher: ScriptMatcher, facts: Partial<RequestFacts>): string {
  const found = matcher.next({ lastMessage: '', ...facts });
  return found === undefined ? 'none' : `rule ${found.ruleIndex + 1} reply ${found.replyIndex + 1}`;
}

describe('ScriptMatcher', () => {
  it('answers with the first rule that matches, in order', () => {
    const matcher = matcherFor([
      { match: { agent: 'coder', subtask: 's1' }, replies: [{ content: 'a' }, { content: 'b' }] },
      { match: { agent: 'coder' }, replies: [{ content: 'c' }, { content: 'd' }] },
      { replies: [{ content: 'e' }] },
    ]);
    expect(answer(matcher, { agent: 'coder', subtask: 's2', job: 'j1' })).toBe('rule 2 reply 1');
    expect(answer(matcher, { agent: 'coder', subtask: 's1', job: 'j1' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { agent: 'planner', job: 'j1' })).toBe('rule 3 reply 1');
  });

  it('consumes replies separately for every job', () => {
    const matcher = matcherFor([{ match: { agent: 'coder' }, replies: [{ content: 'a' }, { content: 'b' }] }]);
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { agent: 'coder', job: 'j2' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('rule 1 reply 2');
    expect(answer(matcher, { agent: 'coder', job: 'j2' })).toBe('rule 1 reply 2');
    expect(answer(matcher, { agent: 'coder', job: 'j3' })).toBe('rule 1 reply 1');
  });

  it("starts a job delivered again from the first reply, keeping each delivery's place", () => {
    const matcher = matcherFor([
      { match: { agent: 'coder' }, replies: [{ content: 'a' }, { content: 'b' }, { content: 'c' }] },
    ]);
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { agent: 'coder', job: 'j1', delivery: '1' })).toBe('rule 1 reply 2');
    expect(answer(matcher, { agent: 'coder', job: 'j1', delivery: '2' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { agent: 'coder', job: 'j1', delivery: '2' })).toBe('rule 1 reply 2');
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('rule 1 reply 3');
    expect(answer(matcher, { agent: 'coder', job: 'j1', delivery: '2' })).toBe('rule 1 reply 3');
    expect(answer(matcher, { agent: 'coder', job: 'j1', delivery: '3' })).toBe('rule 1 reply 1');
  });

  it('lets an exhausted rule fall through to the next matching one, for that job only', () => {
    const matcher = matcherFor([
      { match: { agent: 'coder' }, replies: [{ content: 'a' }] },
      { match: { agent: 'coder' }, replies: [{ content: 'b' }] },
    ]);
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('rule 2 reply 1');
    expect(answer(matcher, { agent: 'coder', job: 'j1' })).toBe('none');
    expect(answer(matcher, { agent: 'coder', job: 'j2' })).toBe('rule 1 reply 1');
  });

  it('tests last_message as a regular expression against the last message', () => {
    const matcher = matcherFor([
      {
        match: { last_message: 'exit_code":\\s*[1-9]' },
        replies: [{ content: 'fix it' }, { content: 'fix it again' }],
      },
      { match: { last_message: '^ok$' }, replies: [{ content: 'done' }] },
    ]);
    expect(answer(matcher, { job: 'j1', lastMessage: '{"exit_code": 1, "stdout": ""}' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { job: 'j1', lastMessage: '{"exit_code": 0}' })).toBe('none');
    expect(answer(matcher, { job: 'j1', lastMessage: 'ok' })).toBe('rule 2 reply 1');
    expect(answer(matcher, { job: 'j1', lastMessage: 'not ok' })).toBe('none');
  });

  it('matches attempt against x-codecrew-attempt, a missing header counting as attempt 1', () => {
    const matcher = matcherFor([
      { match: { attempt: 2 }, replies: [{ content: 'second' }] },
      { match: { attempt: 1 }, replies: [{ content: 'first' }, { content: 'first again' }] },
    ]);
    expect(answer(matcher, { job: 'a', attempt: '2' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { job: 'b', attempt: '1' })).toBe('rule 2 reply 1');
    expect(answer(matcher, { job: 'b' })).toBe('rule 2 reply 2');
    expect(answer(matcher, { job: 'c', attempt: '3' })).toBe('none');
  });

  it('matches delivery against x-codecrew-delivery, a missing header counting as delivery 1', () => {
    const matcher = matcherFor([
      { match: { delivery: 1 }, replies: [{ content: 'first delivery' }] },
      { match: { delivery: 2 }, replies: [{ content: 'second delivery' }] },
    ]);
    expect(answer(matcher, { job: 'a' })).toBe('rule 1 reply 1');
    expect(answer(matcher, { job: 'a', delivery: '2' })).toBe('rule 2 reply 1');
    expect(answer(matcher, { job: 'a', delivery: '3' })).toBe('none');
  });

  it('matches task and model exactly', () => {
    const matcher = matcherFor([
      { match: { task: 't1', model: 'gpt-x' }, replies: [{ content: 'a' }, { content: 'b' }] },
    ]);
    expect(answer(matcher, { task: 't1', model: 'gpt-y' })).toBe('none');
    expect(answer(matcher, { task: 't2', model: 'gpt-x' })).toBe('none');
    expect(answer(matcher, { task: 't1', model: 'gpt-x' })).toBe('rule 1 reply 1');
  });

  it('explains a miss with the headers, the model, the last message and used-up rules', () => {
    const matcher = matcherFor([{ match: { agent: 'coder' }, replies: [{ content: 'a' }] }]);
    const facts: RequestFacts = {
      agent: 'coder',
      job: 'j1',
      task: 't1',
      model: 'gpt-x',
      lastMessage: `${'x'.repeat(210)}`,
    };
    matcher.next(facts);
    expect(matcher.next(facts)).toBeUndefined();
    expect(matcher.explainNoMatch(facts)).toBe(
      'no rule of the model script matches this request: x-codecrew-agent="coder" x-codecrew-subtask=(not sent) ' +
        'x-codecrew-task="t1" x-codecrew-job="j1" x-codecrew-attempt=(not sent) x-codecrew-delivery=(not sent) model="gpt-x"; ' +
        `last message: "${'x'.repeat(200)}..."; matching rules already used up by this delivery of the job: rule 1 (all 1 replies used); ` +
        'add a rule for this request or more replies to the rule meant to answer it',
    );
    expect(matcher.explainNoMatch({ agent: 'planner', lastMessage: 'hi' })).toBe(
      'no rule of the model script matches this request: x-codecrew-agent="planner" x-codecrew-subtask=(not sent) ' +
        'x-codecrew-task=(not sent) x-codecrew-job=(not sent) x-codecrew-attempt=(not sent) x-codecrew-delivery=(not sent) model=""; ' +
        'last message: "hi"; no rule matches these values; add a rule for this request or more replies to the rule meant to answer it',
    );
  });
});
