import { z } from 'zod';
import { Duration, Size } from './spec.ts';

/** One model endpoint: any OpenAI-compatible server. */
export const ModelEndpoint = z
  .object({
    baseURL: z.string().url().optional(),
    apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
  })
  .strict();

/** Price per million tokens, for cost accounting and `budget.maxCostUsd`. */
export const ModelPrice = z
  .object({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative() })
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
        default: z.string().min(1),
        planner: z.string().min(1).optional(),
        coder: z.string().min(1).optional(),
        tester: z.string().min(1).optional(),
        reviewer: z.string().min(1).optional(),
        asker: z.string().min(1).optional(),
        maxRetries: z.number().int().min(0).max(10),
        timeout: Duration,
        prices: z.record(z.string(), ModelPrice),
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
