export { loadConfig, DEFAULT_CONFIG_PATH, CONFIG_ENV } from './config/load.ts';
export { resolveTask, SCRIPTED_PREFIX } from './task/resolve.ts';
export type { ResolvedTask } from './task/resolve.ts';
export { detectTestCommand, testCommandFromAgentsMd } from './task/test-command.ts';
export { runTask } from './run/run-task.ts';
export type { RunTaskOptions, TaskOutcome } from './run/run-task.ts';
export type { TaskReport } from './report/build-report.ts';
export type { TaskStatus } from './graph/state.ts';
export { globToRegExp } from './graph/routes.ts';
