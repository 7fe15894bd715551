/**
 * Breaks text into lines of at most `width` characters, breaking between words.
 * Runs of whitespace count as one space. A word longer than `width` is cut
 * into pieces of `width` characters.
 */
export function wrap(text, width) {
  const words = text.split(/\s+/).filter(Boolean);
  const lines = [];
  let line = '';
  for (let word of words) {
    if (line !== '' && line.length + 1 + word.length <= width) {
      line += ' ' + word;
      continue;
    }
    if (line !== '') lines.push(line);
    while (word.length > width) {
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    line = word;
  }
  if (line !== '') lines.push(line);
  return lines;
}
