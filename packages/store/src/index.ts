export { openTaskStore } from './open.ts';
export { API_TASK_STATUSES } from './types.ts';
export type {
  ApiTaskStatus,
  KeyedEvent,
  NewComment,
  NewTask,
  TaskComment,
  StoredEvent,
  TaskFilter,
  TaskPatch,
  TaskRecord,
  TaskStore,
  TaskStoreOptions,
} from './types.ts';
export { jetStreamEventKey, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './records.ts';
export { SQLITE_FILE_NAME } from './sqlite/store.ts';
export type {
  NewWebhookDelivery,
  WebhookAttempt,
  WebhookAttemptRecord,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookDeliveryStore,
} from './webhook-types.ts';
