export { startEmbeddedNats } from './embedded/launch.ts';
export type { EmbeddedNats, EmbeddedNatsOptions } from './embedded/launch.ts';
export { connectBus } from './bus.ts';
export type { PutArtifactOptions } from './artifacts.ts';
export type { StoredSteering } from './steering.ts';
export { busNames } from './names.ts';
export type { BusNames } from './names.ts';
export type {
  Bus,
  BusOptions,
  ConsumeOptions,
  ControlMessage,
  JobConsumerHandle,
  JobContext,
  JobHandler,
  Stoppable,
  WorkerInfo,
} from './types.ts';
