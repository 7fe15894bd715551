import type { Plan, Subtask } from '@codecrew/core';
import { parseHunks, type DiffHunk } from '../git/provenance.ts';
import { globToRegExp } from '../graph/routes.ts';
import type { HunkOrigin } from '../graph/state.ts';

/** A user's comment on one line of a task's diff: `line` is a line number of the new file. */
export interface LineComment {
  path: string;
  line: number;
  body: string;
}

/** A problem with one comment, at its field (`[0].path`, `[2].line`). */
export interface CommentIssue {
  path: string;
  message: string;
}

/** The hunk of `patch` whose new-side lines hold `path:line`, if any. */
export function hunkHolding(hunks: readonly DiffHunk[], path: string, line: number): DiffHunk | undefined {
  return hunks.find((h) => h.file === path && line >= h.newStart && line < h.newStart + h.newCount);
}

/**
 * Checks comments against the diff they are about: each names a file of the diff, and a line
 * within one of that file's hunks (a line of the new file the diff shows). Returns every problem;
 * none means all can be kept.
 */
export function commentIssues(comments: readonly LineComment[], patch: string): CommentIssue[] {
  const hunks = parseHunks(patch);
  const files = new Set(hunks.map((h) => h.file));
  const issues: CommentIssue[] = [];
  comments.forEach((comment, index) => {
    if (!files.has(comment.path)) {
      issues.push({ path: `[${index}].path`, message: `${comment.path} is not a file of the task's diff` });
      return;
    }
    if (hunkHolding(hunks, comment.path, comment.line) === undefined) {
      const ranges = hunks
        .filter((h) => h.file === comment.path && h.newCount > 0)
        .map((h) => `${h.newStart}-${h.newStart + h.newCount - 1}`);
      issues.push({
        path: `[${index}].line`,
        message: `line ${comment.line} of ${comment.path} is in no hunk of the diff (its hunks hold lines ${ranges.join(', ') || 'none'})`,
      });
    }
  });
  return issues;
}

/** Where one comment was sent, and why there. */
export interface CommentRoute {
  comment: LineComment;
  subtaskId: string;
  /** `provenance`: the subtask that wrote the hunk; `files`: the one whose file globs match (no provenance for the hunk); `first`: neither. */
  by: 'provenance' | 'files' | 'first';
}

/**
 * Sends each comment to the subtask that wrote the hunk holding its line (from the task's hunk
 * provenance); when the provenance names none, to the subtask whose file globs match, else the
 * plan's first subtask.
 */
export function routeComments(
  comments: readonly LineComment[],
  patch: string,
  provenance: readonly HunkOrigin[],
  subtasks: readonly Subtask[],
): CommentRoute[] {
  const hunks = parseHunks(patch);
  const known = new Set(subtasks.map((s) => s.id));
  return comments.flatMap((comment): CommentRoute[] => {
    const hunk = hunkHolding(hunks, comment.path, comment.line);
    const origin =
      hunk === undefined ? undefined : provenance.find((p) => p.file === hunk.file && p.hunk === hunk.header);
    const writer = origin?.subtasks.find((id) => known.has(id));
    if (writer !== undefined) return [{ comment, subtaskId: writer, by: 'provenance' }];
    const matching = subtasks.find((s) => s.files.some((glob) => globToRegExp(glob).test(comment.path)));
    if (matching !== undefined) return [{ comment, subtaskId: matching.id, by: 'files' }];
    const first = subtasks[0];
    return first === undefined ? [] : [{ comment, subtaskId: first.id, by: 'first' }];
  });
}

/** A subtask's fix instructions: the user's comments on the lines it wrote. */
function instructionsOf(routes: readonly CommentRoute[]): string {
  const lines = routes.map((r) => `- ${r.comment.path}:${r.comment.line}: ${r.comment.body}`);
  return `The user reviewed the change and commented on lines this subtask wrote. Address each comment; keep the rest of the work intact.\n${lines.join('\n')}`;
}

/**
 * The plan of a revision: one subtask per subtask of `parentPlan` that got comments (same id,
 * title and files), described by its comments; subtasks with no comment are left out, so their
 * coders do not run.
 */
export function revisionPlan(parentTaskId: string, parentPlan: Plan, routes: readonly CommentRoute[]): Plan {
  const subtasks = parentPlan.subtasks
    .map((subtask) => ({ subtask, routes: routes.filter((r) => r.subtaskId === subtask.id) }))
    .filter((entry) => entry.routes.length > 0)
    .map(({ subtask, routes: own }): Subtask => ({
      id: subtask.id,
      title: subtask.title,
      description: instructionsOf(own),
      files: subtask.files,
      depends_on: [],
    }));
  return {
    summary: `Revision of task ${parentTaskId}: ${routes.length} review comment(s) for ${subtasks.length} subtask(s)`,
    subtasks,
  };
}
