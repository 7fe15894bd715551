import { randomBytes } from 'node:crypto';

/**
 * Returns a short, sortable, URL- and subject-safe id: a time part and a random
 * part, with an optional prefix (`task_`, `job_`).
 */
export function newId(prefix = ''): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const random = randomBytes(5).toString('hex');
  return `${prefix}${time}${random}`;
}

/** Turns free text into a token usable in NATS subjects, branch names and file names. */
export function toSafeToken(text: string, maxLength = 48): string {
  const token = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/g, '');
  return token.length > 0 ? token : 'x';
}
