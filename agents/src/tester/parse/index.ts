export { parseTestOutput } from './parse.ts';
export type { ParsedCounts } from './types.ts';
