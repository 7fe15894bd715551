import { AIMessage, type BaseMessage } from '@langchain/core/messages';

/** The tools that change files, and where their calls name the path. */
const WRITING_TOOLS = new Set(['write_file', 'edit_file']);

/** The paths an `apply_patch` patch touches: unified diff headers and `*** … File:` lines. */
export function patchPaths(patch: string): string[] {
  const paths = new Set<string>();
  for (const match of patch.matchAll(
    /^(?:\+\+\+ (?:b\/)?|\*\*\* (?:Update|Add|Delete) File: |\*\*\* Move to: )(.+)$/gm,
  )) {
    const path = match[1]?.trim();
    if (path !== undefined && path !== '/dev/null' && path !== '') paths.add(path);
  }
  return [...paths];
}

/**
 * The files an agent has changed and read, gathered from its tool calls, so
 * that a summary of compacted steps names them whatever the model writes.
 * Commands run with `shell` may change files too; those are not known here.
 */
export class FileLedger {
  readonly changed = new Set<string>();
  readonly read = new Set<string>();

  /** Notes the files the calls in `messages` changed or read. */
  record(messages: readonly BaseMessage[]): void {
    for (const message of messages) {
      if (!(message instanceof AIMessage)) continue;
      for (const call of message.tool_calls ?? []) {
        const path = typeof call.args.path === 'string' ? call.args.path : undefined;
        if (WRITING_TOOLS.has(call.name) && path !== undefined) this.changed.add(path);
        else if (call.name === 'read_file' && path !== undefined) this.read.add(path);
        else if (call.name === 'apply_patch' && typeof call.args.patch === 'string') {
          for (const patched of patchPaths(call.args.patch)) this.changed.add(patched);
        }
      }
    }
  }

  /** Two lines for a summary: the files changed and the files read (and not changed). */
  describe(): string {
    const list = (paths: Iterable<string>): string => {
      const sorted = [...paths].sort();
      return sorted.length === 0 ? 'none' : sorted.join(', ');
    };
    const readOnly = [...this.read].filter((path) => !this.changed.has(path));
    return `Files you changed with the file tools: ${list(this.changed)}.\nFiles you read: ${list(readOnly)}.`;
  }
}
