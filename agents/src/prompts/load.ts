import { readFileSync } from 'node:fs';
import { CodecrewError } from '@codecrew/core';

/** The prompt files beside this module: one per role, and the environment every role shares. */
export const PROMPT_NAMES = ['planner', 'coder', 'reviewer', 'asker', 'environment'] as const;
/** The name of a prompt file (`<name>.md`). */
export type PromptName = (typeof PROMPT_NAMES)[number];

const templates = new Map<PromptName, string>();

/** The text of `<name>.md` from this package's `src/prompts`, read once per process. */
export function promptTemplate(name: PromptName): string {
  let template = templates.get(name);
  if (template === undefined) {
    const url = new URL(`./${name}.md`, import.meta.url);
    try {
      template = readFileSync(url, 'utf8');
    } catch (error) {
      throw new CodecrewError('INTERNAL', `the ${name} prompt is missing (${url.pathname}); reinstall codecrew`, {
        cause: error,
      });
    }
    templates.set(name, template);
  }
  return template;
}

/**
 * Fills the `{{key}}` placeholders of a template. A placeholder without a
 * value is an error, so that a prompt never reaches a model half filled.
 */
export function renderPrompt(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined)
      throw new CodecrewError('INTERNAL', `the prompt has a placeholder {{${key}}} with no value`);
    return String(value);
  });
}
