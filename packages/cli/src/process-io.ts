/** Where a command writes, so that tests can capture it. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  color: boolean;
}

/** The process's own stdout and stderr. */
export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
};
