/** A run of text with the SGR attributes in force. */
export interface AnsiSegment {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  underline?: boolean;
}

const PALETTE = ['#3b3b3b', '#d54e53', '#4fa34f', '#c9a227', '#4a7fd4', '#b05fc7', '#2aa1b3', '#d0d0d0'];
const BRIGHT = ['#7a7a7a', '#ff6b6b', '#6fd36f', '#ffd75f', '#6fa8ff', '#d787ff', '#5fd7e6', '#ffffff'];

function color256(n: number): string | undefined {
  if (n < 8) return PALETTE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const i = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
  }
  const grey = 8 + (n - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}

/**
 * Splits terminal output into segments by its SGR escape codes (colours 16, 256 and RGB, bold, dim,
 * underline, reset). Other escape sequences are dropped.
 */
export function parseAnsi(input: string): AnsiSegment[] {
  const segments: AnsiSegment[] = [];
  let style: Omit<AnsiSegment, 'text'> = {};
  // eslint-disable-next-line no-control-regex
  const pattern = /\u001b\[([0-9;]*)([A-Za-z])/g;
  let last = 0;
  const push = (text: string) => {
    if (text !== '') segments.push({ text, ...style });
  };
  for (let match = pattern.exec(input); match !== null; match = pattern.exec(input)) {
    push(input.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] !== 'm') continue;
    const codes = (match[1] === '' ? '0' : (match[1] as string)).split(';').map(Number);
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] as number;
      if (code === 0) style = {};
      else if (code === 1) style = { ...style, bold: true };
      else if (code === 2) style = { ...style, dim: true };
      else if (code === 4) style = { ...style, underline: true };
      else if (code === 22) style = { ...style, bold: false, dim: false };
      else if (code === 24) style = { ...style, underline: false };
      else if (code >= 30 && code <= 37) style = { ...style, fg: PALETTE[code - 30] };
      else if (code >= 90 && code <= 97) style = { ...style, fg: BRIGHT[code - 90] };
      else if (code >= 40 && code <= 47) style = { ...style, bg: PALETTE[code - 40] };
      else if (code >= 100 && code <= 107) style = { ...style, bg: BRIGHT[code - 100] };
      else if (code === 39) style = { ...style, fg: undefined };
      else if (code === 49) style = { ...style, bg: undefined };
      else if ((code === 38 || code === 48) && codes[i + 1] === 5) {
        const value = color256(codes[i + 2] ?? 0);
        style = code === 38 ? { ...style, fg: value } : { ...style, bg: value };
        i += 2;
      } else if ((code === 38 || code === 48) && codes[i + 1] === 2) {
        const value = `rgb(${codes[i + 2] ?? 0},${codes[i + 3] ?? 0},${codes[i + 4] ?? 0})`;
        style = code === 38 ? { ...style, fg: value } : { ...style, bg: value };
        i += 4;
      }
    }
  }
  push(input.slice(last));
  return segments;
}
