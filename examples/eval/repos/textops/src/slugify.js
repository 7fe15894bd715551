/** Turns a text into a URL slug: lowercase ASCII words joined by single dashes. */
export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
