import { HumanMessage, SystemMessage, type AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { purposeOptions } from '@codecrew/llm';
import { STEERING_HEADER } from '@codecrew/core';
import { headWithin, tailWithin, type CountText } from './cap.ts';
import { HEAD, contentText } from './conversation.ts';
import type { FileLedger } from './files.ts';
import { transcriptOf } from './transcript.ts';
import { withCallSignal } from '../abort.ts';

/** How a summary message starts; the loop's conversation holds at most one, right after the task. */
export const SUMMARY_MARK = '[Summary of your earlier steps';

/** The instructions of a compaction request. */
export function compactionPrompt(maxWords: number): string {
  return [
    'You write the hand-over notes of a coding agent whose conversation has grown too long for its model.',
    'The agent will continue the same task with only these notes, the task itself and its latest steps, so write everything it needs to go on without repeating work:',
    '1. Done: what was done and found out, concretely: files and functions read or changed, commands run and what they showed, errors met and how they were fixed or not.',
    '2. Left: what remains to do to finish the task, and the very next step.',
    '3. Files: the files changed so far, and the files that matter for what is left.',
    `Use at most ${maxWords} words, in plain text with the three headings above. Do not call tools; do not address the agent as "you said".`,
  ].join('\n');
}

/** What a compaction did. */
export interface Compaction {
  /** The summary that replaced the compacted steps (without the file lists). */
  summary: string;
  /** Whether the model wrote the summary; false when its request failed and a list of the steps stands in. */
  byModel: boolean;
  /** Why the model's summary is missing, when it is. */
  error?: string;
  /** The compaction request's reply, for usage accounting; absent when it failed. */
  reply?: AIMessage;
  /** How many messages were folded into the summary. */
  messages: number;
}

function withoutThinking(text: string): string {
  return text.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
}

/** The summary made without the model: the compacted steps' calls, latest last, within the budget. */
function fallbackSummary(folded: readonly BaseMessage[], budget: number, count: CountText, error: string): string {
  const intro = `The summary could not be written (${error}); these were your earlier steps (latest last):`;
  // Results shortened to a line or two, so that the list reaches back over many steps.
  return `${intro}\n${transcriptOf(folded, Math.max(0, budget - count(intro)), count, 30)}`;
}

/**
 * Compacts a conversation in place: the messages between the task and
 * `keepFrom` (where the kept latest steps start; `messages.length` keeps
 * none) are replaced by one message with a summary the model writes from a
 * transcript of them (a separate request marked `x-codecrew-purpose:
 * compact`, without tools), followed by the files changed and read. An
 * earlier summary is among the folded messages, so nothing is lost twice.
 * When the summary request fails (other than by the job's abort), a list of
 * the folded steps stands in, so a compaction never fails the job.
 */
export async function compactConversation(
  messages: BaseMessage[],
  opts: {
    keepFrom: number;
    model: BaseChatModel;
    count: CountText;
    /** Tokens the compaction request may take, and the summary. */
    requestBudget: number;
    summaryBudget: number;
    files: FileLedger;
    signal: AbortSignal;
  },
): Promise<Compaction> {
  const { count } = opts;
  const folded = messages.slice(HEAD, opts.keepFrom);
  opts.files.record(folded);
  const maxWords = Math.max(60, Math.floor(opts.summaryBudget * 0.6));
  const system = compactionPrompt(maxWords);
  const task = contentText(messages[1] as BaseMessage);
  const taskShown =
    count(task) <= opts.requestBudget / 4
      ? task
      : `${headWithin(task, Math.floor(opts.requestBudget / 8), count)}\n[… cut …]\n${tailWithin(task, Math.floor(opts.requestBudget / 8), count)}`;
  const fixed = count(system) + count(taskShown) + 64;
  const transcript = transcriptOf(folded, Math.max(0, opts.requestBudget - fixed), count);
  let summary: string;
  const outcome: Omit<Compaction, 'summary' | 'byModel'> & { reply?: AIMessage } = { messages: folded.length };
  let byModel = false;
  try {
    const reply = (await withCallSignal(opts.signal, (signal) =>
      opts.model.invoke(
        [
          new SystemMessage(system),
          new HumanMessage(`The task:\n${taskShown}\n\nThe agent's steps so far:\n${transcript}`),
        ],
        { signal, ...purposeOptions('compact') },
      ),
    )) as AIMessage;
    outcome.reply = reply;
    summary = withoutThinking(contentText(reply));
    if (summary === '') throw new Error('the model answered with an empty summary');
    if (count(summary) > opts.summaryBudget) summary = `${headWithin(summary, opts.summaryBudget, count)}\n[… cut …]`;
    byModel = true;
  } catch (error) {
    if (opts.signal.aborted) throw error;
    outcome.error = error instanceof Error ? error.message : String(error);
    summary = fallbackSummary(folded, opts.summaryBudget, count, outcome.error.slice(0, 300));
  }
  const note = new HumanMessage(
    `${SUMMARY_MARK}, made to keep the conversation within the model's context]\n\n${summary}\n\n${opts.files.describe()}\n` +
      'Continue the task from here. Read files again when you need their exact content.',
  );
  // What the user said while the agent worked stays word for word: a summary could drop or soften it.
  const said = folded.filter(
    (message) => message instanceof HumanMessage && contentText(message).startsWith(STEERING_HEADER),
  );
  messages.splice(HEAD, opts.keepFrom - HEAD, note, ...said);
  return { ...outcome, summary, byModel };
}
