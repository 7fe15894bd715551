export { startServer, defaultMaxTasks } from './server.ts';
export type { ServerOptions, CodecrewServer, ProbeResult } from './server.ts';
export type { PreparedTask } from './run/task-runner.ts';
export { openApiDocument } from './api/openapi.ts';
export {
  ErrorBody,
  EventLine,
  Health,
  JobLog,
  TaskCreated,
  TaskList,
  TaskListItem,
  TaskView,
  ApiTaskStatusSchema,
} from './api/schemas.ts';
export { CommentList, CommentView, FollowupCreated } from './api/followup-schemas.ts';
export { MessageBody, MessageSent } from './api/message-schemas.ts';
export { apiStatusOf, hasEnded } from './tasks/status.ts';
export { withAbsolutePaths } from './tasks/submit.ts';
export {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signPayload,
  verifySignature,
} from './webhooks/signature.ts';
export { PushBody, PushResult, WebhookDeliveryList } from './api/delivery-schemas.ts';
