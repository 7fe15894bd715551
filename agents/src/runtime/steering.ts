import { HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { steeringPrompt } from '@codecrew/core';

/** Where a job finds the messages its user sends while it runs (see `codecrew say`). */
export interface SteeringInbox {
  /**
   * The texts of the messages for this job that its conversation does not have yet, oldest first.
   * Each message is handed out once per conversation.
   */
  take(): Promise<string[]>;
}

/**
 * Adds the messages waiting in `inbox` to the conversation, each as a user message marked as coming
 * from the user; returns how many were added. No inbox: none.
 */
export async function addSteering(messages: BaseMessage[], inbox: SteeringInbox | undefined): Promise<number> {
  if (inbox === undefined) return 0;
  const texts = await inbox.take();
  for (const text of texts) messages.push(new HumanMessage(steeringPrompt(text)));
  return texts.length;
}
