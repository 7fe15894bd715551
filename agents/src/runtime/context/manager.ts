import { HumanMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatTokenCounter, type ContextOverflow } from '@codecrew/llm';
import type { EmitEvent } from '../tool.ts';
import { contextBudget, type ContextBudget } from './budget.ts';
import { capToolOutput, headWithin, tailWithin } from './cap.ts';
import { compactConversation } from './compact.ts';
import { HEAD, contentText, recentStart } from './conversation.ts';
import { elideOldResults } from './elide.ts';
import { FileLedger } from './files.ts';

/** How many of the latest steps are kept verbatim when older ones are elided or compacted (fewer when they are large). */
const RECENT_STEPS = 3;

/** What the context manager needs to know. */
export interface ContextManagerOptions {
  /** The chat model without tools bound: compaction requests go to it. */
  model: BaseChatModel;
  /** The model's name as sent in requests: it chooses the encoding tokens are counted with. */
  modelName: string;
  /** The model's context window in tokens. */
  contextWindow: number;
  /** The model's output limit, when configured: the reply's reserve. */
  maxOutputTokens?: number | undefined;
  /** The tools sent with every step request, in OpenAI's function-tool form; they count toward each prompt. */
  tools: readonly unknown[];
  emit: EmitEvent;
  signal: AbortSignal;
  /** Hears the reply of every compaction request, to count its usage with the job's. */
  onModelReply: (reply: AIMessage) => void;
}

/**
 * Keeps an agent's conversation within its model's context window. Each tool
 * result is capped ({@link capToolResult}); before each request, a
 * conversation past the budget's high-water mark is reduced in one go
 * ({@link fit}): old tool results are elided down to the low-water mark, or,
 * when that cannot get there, the older steps are compacted into a summary
 * the model writes. Between reductions the conversation only grows, so every
 * request repeats the one before it and prompt caches apply. A server's
 * `context_length_exceeded` answer is met with {@link recover}: the counts
 * are corrected by what the server said, and the conversation compacted.
 */
export class ContextManager {
  private budgetNow: ContextBudget;
  private readonly counter: ChatTokenCounter;
  private readonly files = new FileLedger();
  /** Server counts over ours, learnt from an overflow answer; 1 until then. */
  private scale = 1;

  constructor(private readonly options: ContextManagerOptions) {
    this.budgetNow = contextBudget(options.contextWindow, options.maxOutputTokens);
    this.counter = new ChatTokenCounter(options.modelName);
  }

  /** The budget in force: the configured window's, or a smaller one a server named. */
  get budget(): ContextBudget {
    return this.budgetNow;
  }

  /** The prompt tokens `messages` make with the tools, as the server is expected to count them. */
  promptTokens(messages: readonly BaseMessage[]): number {
    return Math.ceil(this.counter.prompt(messages, this.options.tools) * this.scale);
  }

  private tokens = (message: BaseMessage): number => Math.ceil(this.counter.message(message) * this.scale);
  private countText = (text: string): number => Math.ceil(this.counter.text(text) * this.scale);

  /** A tool's result capped at the budget's share for one result, with a note on what was cut and how to read it. */
  capToolResult(tool: string, args: unknown, text: string): string {
    return capToolOutput(text, { tool, args, budget: this.budgetNow.toolResult, count: this.countText }).text;
  }

  /**
   * Makes `messages` (changed in place) fit before a request: nothing happens
   * below the high-water mark; past it, old tool results are elided down to
   * the low-water mark, and when elision cannot get there the older steps are
   * compacted. Emits `context.elided` or `context.compacted` with the token
   * counts before and after.
   */
  async fit(messages: BaseMessage[], step: number): Promise<void> {
    const before = this.promptTokens(messages);
    if (before <= this.budgetNow.high) return;
    // A task message too long for the window is cut first; when that is enough, nothing else changes.
    if (this.capTask(messages) && this.promptTokens(messages) <= this.budgetNow.low) return;
    const keepFrom = recentStart(messages, {
      maxSteps: RECENT_STEPS,
      budget: this.budgetNow.recent,
      tokens: this.tokens,
    });
    const elision = elideOldResults(messages, {
      keepFrom,
      total: this.promptTokens(messages),
      target: this.budgetNow.low,
      tokens: this.tokens,
    });
    const elided = this.promptTokens(messages);
    if (elided <= this.budgetNow.low) {
      this.options.emit(
        'context.elided',
        `context: ${elision.elided} old tool result(s) elided, ${before} → ${elided} tokens`,
        {
          step,
          before,
          after: elided,
          elided: elision.elided,
          ...this.windowData(),
        },
      );
      return;
    }
    await this.compact(messages, step, before, 'high-water mark');
  }

  /**
   * Answers a server's context overflow: counts are scaled up to the server's
   * (when it said how many tokens the prompt had), a smaller window it names
   * is adopted, and the conversation is compacted whatever our count says.
   * The caller sends the request again once.
   */
  async recover(messages: BaseMessage[], overflow: ContextOverflow, step: number): Promise<void> {
    const counted = this.promptTokens(messages);
    if (overflow.promptTokens !== undefined && overflow.promptTokens > counted) {
      this.scale *= overflow.promptTokens / counted;
    }
    if (overflow.contextWindow !== undefined && overflow.contextWindow < this.budgetNow.window) {
      this.budgetNow = contextBudget(overflow.contextWindow, this.options.maxOutputTokens);
    }
    this.capTask(messages);
    await this.compact(messages, step, this.promptTokens(messages), 'the server refused the prompt as too long', {
      serverPromptTokens: overflow.promptTokens,
      serverContextWindow: overflow.contextWindow,
    });
  }

  private async compact(
    messages: BaseMessage[],
    step: number,
    before: number,
    reason: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const budget = this.budgetNow;
    const fixed = this.promptTokens(messages.slice(0, HEAD));
    // Latest steps are kept only as far as they leave room below the low-water mark beside the summary.
    const keepFrom = recentStart(messages, {
      maxSteps: RECENT_STEPS,
      budget: Math.min(budget.recent, Math.max(0, budget.low - fixed - budget.summary)),
      tokens: this.tokens,
      allowNone: true,
    });
    // Nothing to fold: the system prompt and the task are all there is (and were cut to fit).
    if (keepFrom <= HEAD) return;
    const compaction = await compactConversation(messages, {
      keepFrom,
      model: this.options.model,
      count: this.countText,
      requestBudget: budget.limit - budget.summary,
      summaryBudget: budget.summary,
      files: this.files,
      signal: this.options.signal,
    });
    if (compaction.reply !== undefined) this.options.onModelReply(compaction.reply);
    const after = this.promptTokens(messages);
    const how = compaction.byModel
      ? 'the model summarised them'
      : 'the summary request failed; a list of them stands in';
    this.options.emit(
      'context.compacted',
      `context: ${compaction.messages} message(s) compacted (${reason}; ${how}), ${before} → ${after} tokens`,
      {
        step,
        before,
        after,
        compacted: compaction.messages,
        keptMessages: messages.length - HEAD - 1,
        byModel: compaction.byModel,
        summaryTokens: this.countText(compaction.summary),
        ...(compaction.error === undefined ? {} : { error: compaction.error.slice(0, 500) }),
        ...this.windowData(),
        ...Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== undefined)),
      },
    );
  }

  /** A task message that alone would leave too little room is cut to its head and tail (once: it then fits); true when it was. */
  private capTask(messages: BaseMessage[]): boolean {
    const task = messages[1];
    if (!(task instanceof HumanMessage)) return false;
    const others = this.promptTokens(messages.slice(0, 1));
    const room = Math.max(256, this.budgetNow.low - others - this.budgetNow.summary);
    const text = contentText(task);
    const tokens = this.countText(text);
    if (tokens <= room) return false;
    const head = headWithin(text, Math.floor(room * 0.6), this.countText);
    const tail = tailWithin(text.slice(head.length), Math.floor(room * 0.35), this.countText);
    messages[1] = new HumanMessage(
      `${head}\n[… ${tokens - this.countText(head) - this.countText(tail)} tokens of the task cut to fit the model's context …]\n${tail}`,
    );
    this.options.emit('context.elided', `context: the task message was cut from ${tokens} tokens to fit`, {
      task: true,
      before: tokens,
      after: this.countText(contentText(messages[1])),
      ...this.windowData(),
    });
    return true;
  }

  private windowData(): Record<string, number> {
    return { contextWindow: this.budgetNow.window, high: this.budgetNow.high, low: this.budgetNow.low };
  }
}
