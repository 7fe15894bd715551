/**
 * The light entry of the sandbox package: running a host process with captured output, with none of
 * the Docker or bubblewrap code. The orchestrator's git code imports this entry, so that commands that
 * only read task files (`codecrew validate`) start without the Docker client.
 */
export { runProcess, ProcessStartError } from './process/run-process.ts';
export type { RunProcessOptions, ProcessOutput } from './process/run-process.ts';
