import { z } from 'zod';

/**
 * One task instance, in SWE-bench's field names where they apply, plus codecrew's `test_command`
 * and `image`. `repo` is a path (relative to the instances file), a git bundle, or a git URL.
 */
export const EvalInstance = z
  .object({
    instance_id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, _, . or -, at most 128 characters'),
    repo: z.string().min(1).meta({ description: 'A git repository directory, a *.bundle file, or a git URL' }),
    base_commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'a commit id (hex)'),
    problem_statement: z.string().min(1).meta({ description: 'The prompt the agents get' }),
    test_patch: z.string().default('').meta({ description: 'Tests applied before judging, never shown to agents' }),
    FAIL_TO_PASS: z.array(z.string().min(1)).min(1, 'at least one test that the fix makes pass'),
    PASS_TO_PASS: z.array(z.string().min(1)).default([]),
    patch: z.string().default('').meta({ description: 'The gold patch, applied by --gold' }),
    test_command: z
      .string()
      .includes('{tests}', { message: 'must contain {tests}, where the test name goes' })
      .meta({ description: 'Runs one named test in the sandbox; exit 0 means it passes' }),
    image: z.string().min(1).optional().meta({ description: 'The sandbox image with the instance dependencies' }),
  })
  .loose();
export type EvalInstance = z.infer<typeof EvalInstance>;
