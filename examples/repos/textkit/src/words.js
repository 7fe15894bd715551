/** Counts the words of a text: runs of characters between white space. */
export function wordCount(text) {
  const words = text.trim().split(/\s+/);
  return words[0] === '' ? 0 : words.length;
}
