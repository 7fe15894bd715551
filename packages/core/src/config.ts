import { z } from 'zod';
import { Duration, Size } from './spec.ts';
import { ModelCatalog, RoleModel } from './model.ts';
import { WebhookConfig } from './webhooks.ts';

/** One model endpoint: any OpenAI-compatible server. */
export const ModelEndpoint = z
  .object({
    baseURL: z.string().url().optional(),
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
  })
  .strict();

/** codecrew's configuration: `config/default.yaml`, then `codecrew.yaml`, then the environment. */
export const Config = z
  .object({
    dataDir: z.string().min(1),
    nats: z
      .object({
        url: z.string().min(1).optional(),
        binary: z.string().min(1),
        prefix: z.string().regex(/^[a-z][a-z0-9_-]*$/),
      })
      .strict(),
    models: z
      .object({
        endpoint: ModelEndpoint,
        default: RoleModel,
        planner: RoleModel.optional(),
        coder: RoleModel.optional(),
        tester: RoleModel.optional(),
        reviewer: RoleModel.optional(),
        asker: RoleModel.optional(),
        maxRetries: z.number().int().min(0).max(10),
        timeout: Duration,
        /** What codecrew knows about models by name: prices (dated snapshots match their model). */
        catalog: ModelCatalog,
      })
      .strict(),
    sandbox: z
      .object({
        driver: z.enum(['docker', 'bubblewrap', 'auto']),
        image: z.string().min(1),
        cpus: z.number().positive(),
        memory: Size,
        pids: z.number().int().positive(),
        tmpSize: Size,
        timeout: Duration,
        commandTimeout: Duration,
        maxOutput: Size,
        warm: z.number().int().min(0).max(16),
      })
      .strict(),
    /** `codecrew serve`: how many tasks run at once, which repositories tasks may name, how large a request may be. */
    server: z
      .object({
        /** Tasks running at once; unset: from the machine's cores (see docs/serve.md). */
        maxTasks: z.number().int().min(1).max(256).optional(),
        /** When set, a submitted task's paths (repository, outputs, model scripts) must lie under one of these. */
        allowedRepoRoots: z.array(z.string().min(1)).optional(),
        /** When set, a submitted task's remote repo.url must start with one of these prefixes; see docs/serve.md. */
        allowedRepoUrls: z.array(z.string().min(1)).optional(),
        /** Largest request body accepted (413 beyond). */
        maxBodySize: Size,
        /** Receivers of signed POSTs about the tasks' events; see docs/serve.md. */
        webhooks: z.array(WebhookConfig).optional(),
        /** The server's URL as others reach it: pull requests link to a task's events there. */
        publicUrl: z.string().url().optional(),
      })
      .strict()
      .optional(),
    defaults: z
      .object({
        parallelism: z.number().int().min(1).max(64),
        attempts: z.number().int().min(1).max(8),
        maxSteps: z.number().int().positive(),
        reviewRounds: z.number().int().min(0).max(10),
        jobTimeout: Duration,
      })
      .strict(),
  })
  .strict();
export type Config = z.infer<typeof Config>;
