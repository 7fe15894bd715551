import type { ModelScript, ScriptReply, ScriptRule } from './script.ts';

/** What the matcher looks at in a request. Header values are absent when the header was not sent. */
export interface RequestFacts {
  agent?: string;
  subtask?: string;
  task?: string;
  job?: string;
  /** The `x-codecrew-attempt` header; a request without it counts as attempt 1. */
  attempt?: string;
  /** The `x-codecrew-delivery` header; a request without it counts as delivery 1. */
  delivery?: string;
  model?: string;
  /** The `x-codecrew-purpose` header: `step` or `compact`. */
  purpose?: string;
  lastMessage: string;
}

/** The reply chosen for a request: rule and reply positions are 0-based. */
export interface ScriptAnswer {
  ruleIndex: number;
  replyIndex: number;
  reply: ScriptReply;
}

const MAX_QUOTED = 200;

/** Replies are consumed per job and delivery: a job delivered again starts a new conversation. */
function conversationOf(facts: RequestFacts): string {
  return `${facts.job ?? ''}\u0000${facts.delivery ?? '1'}`;
}

/**
 * Chooses replies for requests: rules in order, the first that matches and
 * still has replies for the request's conversation (its job and delivery)
 * answers, consuming that reply.
 */
export class ScriptMatcher {
  private readonly rules: readonly ScriptRule[];
  private readonly patterns: readonly (RegExp | undefined)[];
  /** Replies used, per rule, per conversation (job and delivery). */
  private readonly used: Map<string, number>[];

  constructor(script: ModelScript) {
    this.rules = script.rules;
    this.patterns = script.rules.map((rule) =>
      rule.match.last_message === undefined ? undefined : new RegExp(rule.match.last_message),
    );
    this.used = script.rules.map(() => new Map());
  }

  /** Takes the next reply for this request, or returns undefined when no rule matches. */
  next(facts: RequestFacts): ScriptAnswer | undefined {
    const conversation = conversationOf(facts);
    for (const [ruleIndex, rule] of this.rules.entries()) {
      if (!this.matches(ruleIndex, facts)) continue;
      const used = this.used[ruleIndex]?.get(conversation) ?? 0;
      const reply = rule.replies[used];
      if (reply === undefined) continue;
      this.used[ruleIndex]?.set(conversation, used + 1);
      return { ruleIndex, replyIndex: used, reply };
    }
    return undefined;
  }

  /** A message explaining why nothing matched, naming what the request carried. */
  explainNoMatch(facts: RequestFacts): string {
    const header = (name: string, value: string | undefined): string =>
      `x-codecrew-${name}=${value === undefined ? '(not sent)' : JSON.stringify(value)}`;
    const exhausted: string[] = [];
    for (const [ruleIndex, rule] of this.rules.entries()) {
      if (!this.matches(ruleIndex, facts)) continue;
      exhausted.push(`rule ${ruleIndex + 1} (all ${rule.replies.length} replies used)`);
    }
    const quoted =
      facts.lastMessage.length > MAX_QUOTED ? `${facts.lastMessage.slice(0, MAX_QUOTED)}...` : facts.lastMessage;
    const sent = [
      header('agent', facts.agent),
      header('subtask', facts.subtask),
      header('task', facts.task),
      header('job', facts.job),
      header('attempt', facts.attempt),
      header('delivery', facts.delivery),
      ...(facts.purpose === undefined ? [] : [header('purpose', facts.purpose)]),
      `model=${JSON.stringify(facts.model ?? '')}`,
    ].join(' ');
    return [
      `no rule of the model script matches this request: ${sent}`,
      `last message: ${JSON.stringify(quoted)}`,
      exhausted.length > 0
        ? `matching rules already used up by this delivery of the job: ${exhausted.join(', ')}`
        : 'no rule matches these values',
      'add a rule for this request or more replies to the rule meant to answer it',
    ].join('; ');
  }

  private matches(ruleIndex: number, facts: RequestFacts): boolean {
    const match = this.rules[ruleIndex]?.match;
    if (match === undefined) return false;
    if (match.agent !== undefined && match.agent !== facts.agent) return false;
    if (match.subtask !== undefined && match.subtask !== facts.subtask) return false;
    if (match.task !== undefined && match.task !== facts.task) return false;
    if (match.model !== undefined && match.model !== facts.model) return false;
    if (match.attempt !== undefined && match.attempt !== Number(facts.attempt ?? '1')) return false;
    if (match.delivery !== undefined && match.delivery !== Number(facts.delivery ?? '1')) return false;
    if (match.purpose !== undefined && match.purpose !== facts.purpose) return false;
    const pattern = this.patterns[ruleIndex];
    if (pattern !== undefined && !pattern.test(facts.lastMessage)) return false;
    return true;
  }
}
