const THINK_BLOCK = /<think>[\s\S]*?<\/think>/g;

/**
 * The text of a reply without the model's reasoning: `<think>…</think>`
 * blocks, a leading `<think>` that is never closed (a reply cut off while
 * reasoning), and everything up to a `</think>` with no opening tag (chat
 * templates that open the block in the prompt). Servers without a reasoning
 * parser leave these in the content; sent back, they would fill the history.
 */
export function stripThinking(text: string): string {
  let out = text.replace(THINK_BLOCK, '');
  const close = out.indexOf('</think>');
  if (close !== -1) out = out.slice(close + '</think>'.length);
  if (out.trimStart().startsWith('<think>')) out = '';
  return out === text ? text : out.trim();
}
