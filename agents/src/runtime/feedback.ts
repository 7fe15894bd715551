/** What the tool loop tells the model when a reply cannot be used as it is. Every text says what to do next. */

const or = (names: string[]): string => names.join(' or ');

function limitOf(tokens: number | undefined): string {
  return tokens === undefined || tokens === 0 ? 'at the output token limit' : `at ${tokens} tokens, the output limit`;
}

/** The answer to a call whose arguments are not JSON. */
export function invalidJsonMessage(tool: string, error: string): string {
  return `Error: the arguments of ${tool} are not valid JSON (${error}). Send the call again with a JSON object as arguments.`;
}

/** The answer to the call the reply was cut off in. */
export function cutOffCallMessage(tool: string, tokens: number | undefined): string {
  return (
    `Error: your reply stopped ${limitOf(tokens)}, in the middle of this ${tool} call, so the call is incomplete and was not run. ` +
    'Send less in one reply: write a large file in pieces (write_file with its first part, then add the rest with edit_file or apply_patch, a few dozen lines per call), and make large changes as several smaller edits.'
  );
}

/** The message after a reply that stopped at the output limit before it called any tool. */
export function cutOffTextMessage(tokens: number | undefined, terminalTools: string[]): string {
  return (
    `Your reply stopped ${limitOf(tokens)}, before it called a tool. Keep replies short: think briefly, then call one tool; ` +
    `split large content over several calls. When you are done, call ${or(terminalTools)}.`
  );
}

/** The message after a reply without tool calls. */
export function nudgeMessage(terminalTools: string[], unreadable: string[]): string {
  const base = `Continue with the tools. When you are done, call ${or(terminalTools)}.`;
  if (unreadable.length === 0) return base;
  return `${base} This part of your reply looks like a tool call but could not be read (send calls as tool calls, with a "name" and JSON "arguments"): ${unreadable[0]}`;
}

/** The note added to what the model reads once most of its steps are used. */
export function stepsWarning(used: number, maxSteps: number, terminalTools: string[]): string {
  const left = maxSteps - used;
  return (
    `Note: you have used ${used} of your ${maxSteps} steps; ${left} ${left === 1 ? 'remains' : 'remain'}. ` +
    `Finish what you are doing and call ${or(terminalTools)} before they run out.`
  );
}

/** At which step the model is warned that its steps are running out (80% used); null when too few steps to warn. */
export function warningStep(maxSteps: number): number | null {
  const step = Math.floor(maxSteps * 0.8);
  return step >= 1 && step < maxSteps ? step : null;
}
