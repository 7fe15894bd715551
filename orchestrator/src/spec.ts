/**
 * The light entry of the orchestrator: configuration loading and task resolution only, with none of the
 * graph, LangGraph, NATS or Docker code. Commands that only read task files (`codecrew validate`) import
 * this entry so that they start quickly.
 */
export { loadConfig, DEFAULT_CONFIG_PATH, CONFIG_ENV } from './config/load.ts';
export { resolveTask, SCRIPTED_PREFIX } from './task/resolve.ts';
export type { ResolvedTask } from './task/resolve.ts';
