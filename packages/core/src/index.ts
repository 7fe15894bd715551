export { ERROR_CODES, CodecrewError, isCodecrewError, toErrorData } from './errors.ts';
export type { ErrorCode, ErrorData } from './errors.ts';
export { newId, toSafeToken } from './ids.ts';
export { parseDuration, parseSize, formatDuration } from './units.ts';
export {
  Duration,
  Size,
  ModelSelection,
  SandboxSpec,
  RepoSpec,
  RepoUrlText,
  TaskSpecBody,
  TaskSpec,
  FollowupSpec,
  PlanApprovalSpec,
} from './spec.ts';
export { PushSpec, PullRequestSpec } from './spec.ts';
export { branchNameProblem } from './ref-format.ts';
export { WEBHOOK_EVENTS, WebhookEvent, WebhookConfig } from './webhooks.ts';
export { REPO_URL_SCHEMES, parseRepoUrl, repoUrlProblem, redactUrlCredentials } from './repo-url.ts';
export type { RepoUrl } from './repo-url.ts';
export { Config, ModelEndpoint } from './config.ts';
export {
  REASONING_EFFORTS,
  ReasoningEffort,
  ModelApi,
  ModelTuning,
  ModelChoice,
  RoleModel,
  ModelPrice,
  ModelCatalogEntry,
  ModelCatalog,
  modelChoiceOf,
  catalogEntryFor,
  priceFor,
  isScriptedModel,
} from './model.ts';
export { Subtask, Plan, Review, ReviewComment, REVIEW_SEVERITIES } from './plan.ts';
export { validatePlan, validatePlanAt, topologicalOrder } from './plan-validate.ts';
export type { PlanProblem } from './plan-validate.ts';
export { PlanDecision, checkPlan } from './plan-approval.ts';
export type { PlanVerdict, PlanIssue } from './plan-approval.ts';
export {
  ROLES,
  Role,
  ArtifactRef,
  INLINE_ARTIFACT_MAX_BYTES,
  ModelRef,
  SandboxLimits,
  TestReport,
  JobInput,
  Job,
  Usage,
  CommandRecord,
  JobOutput,
  JobResult,
  emptyUsage,
  addUsage,
} from './job.ts';
export { formatTokens, formatTokenTotal } from './usage-text.ts';
export { encodeFileSet, decodeFileSet, gitBlobId } from './file-set.ts';
export type { FileSetEntry } from './file-set.ts';
export { TRACE_KINDS, TraceKind, TraceEvent } from './trace.ts';
export { parseYaml, parseYamlWith, loadYamlFile, yamlPositionOf } from './yaml-load.ts';
export type { YamlIssue } from './yaml-load.ts';
export {
  STEERING_TEXT_MAX,
  STEERING_HEADER,
  TASK_WIDE_ROLES,
  SteeringTarget,
  SteeringMessage,
  isSteeringFor,
  steeringPrompt,
  steeringTargetLabel,
  steeringEvent,
  newSteeringMessage,
} from './steering.ts';
export type { SteeringAddressee } from './steering.ts';
