import type { BaseMessage } from '@langchain/core/messages';
import { convertMessagesToCompletionsMessageParams } from '@langchain/openai';
import { PER_MESSAGE, REPLY_PRIMING, messageTokens, toolsTokens, type WireMessage } from './prompt-tokens.ts';
import { countTokens, encodingForModel } from './tokenizer.ts';

/**
 * Counts LangChain messages as `ChatOpenAI` sends them: each message is
 * turned into its wire form (the same conversion the client makes) and
 * counted with {@link messageTokens}. Counts are kept per message object,
 * so a conversation counted again each step costs only its new messages.
 */
export class ChatTokenCounter {
  readonly model: string;
  private readonly counted = new WeakMap<BaseMessage, number>();

  constructor(model: string) {
    this.model = model;
  }

  /** The tokens one message adds to a prompt, framing included. */
  message(message: BaseMessage): number {
    const known = this.counted.get(message);
    if (known !== undefined) return known;
    const encoding = encodingForModel(this.model);
    const wire = convertMessagesToCompletionsMessageParams({ messages: [message], model: this.model });
    // One message may become several wire messages (audio parts); none when it has nothing to send.
    const count =
      wire.length === 0
        ? PER_MESSAGE
        : wire.reduce((sum, part) => sum + messageTokens(part as WireMessage, encoding), 0);
    this.counted.set(message, count);
    return count;
  }

  /** The tokens of a whole request: its messages, its tools (in OpenAI's function-tool form) and the reply priming. */
  prompt(messages: readonly BaseMessage[], tools?: readonly unknown[]): number {
    let total = REPLY_PRIMING + toolsTokens(tools, encodingForModel(this.model));
    for (const message of messages) total += this.message(message);
    return total;
  }

  /** The tokens of a text alone, without message framing. */
  text(text: string): number {
    return countTokens(text, encodingForModel(this.model));
  }
}
