import { processIo, type Io } from './process-io.ts';
import { CODECREW_VERSION } from './version.ts';

const HELP = `codecrew — a crew of coding agents per task: plan, code in parallel sandboxes, merge, test, review.

Usage:
  codecrew run TASK.yaml [--model NAME | --model scripted:SCRIPT.yaml] [--approve-plan] [--json] [--verbose]
  codecrew ask --repo PATH [--model NAME] "question"
  codecrew resume TASK_ID              finish a task whose codecrew run was killed, from its last checkpoint
  codecrew serve [--port 7420] [--host 127.0.0.1] [--token T] [--max-tasks N] [--model M] [--data-dir DIR]
                                       the HTTP API: many tasks at once, queued, watched live, none lost
  codecrew submit TASK.yaml [--follow] hand a task to a server (--server URL, else CODECREW_SERVER)
  codecrew tasks [--status S] [--json] a server's tasks, newest first
  codecrew logs TASK_ID [--follow]     a task's events from the start
  codecrew cancel TASK_ID              cancel a queued or running task
  codecrew approve TASK_ID [--plan PLAN.json]
                                       approve (or replace) the plan of a task awaiting approval
  codecrew reject TASK_ID [--reason R] reject its plan: the task ends cancelled
  codecrew say TASK_ID [--to SUBTASK] "text"
                                       tell a running task's agents something, before their next model call
  codecrew followup TASK_ID "prompt" [--follow]
                                       a new task continuing an ended one, committed on the same branch
  codecrew comment TASK_ID PATH:LINE "comment"
                                       comment on a line of an ended task's diff
  codecrew revise TASK_ID [--follow]   send the comments to the subtasks that wrote those lines
  codecrew view TASK_FOLDER|trace.jsonl [--port N]
                                       the trace viewer on one finished task, on 127.0.0.1
  codecrew demo                        prepare the demo repository and run examples/tasks/demo.yaml
  codecrew eval INSTANCES.jsonl --model M [--parallel N] [--set crew|solo|both] [--attempts N] [--limit N]
               [--out DIR] [--budget-usd X] [--retry-errors]
                                       run task instances, judge each by its tests, report the resolved rate
  codecrew eval INSTANCES.jsonl --gold check the instances: each one's gold patch must resolve it
  codecrew eval --report DIR           render a finished eval's report again
  codecrew validate TASK.yaml...       check task files without running them
  codecrew model-server --script SCRIPT.yaml [--port N]
  codecrew sandbox build|ls|prune      the sandbox image and codecrew's containers
  codecrew sandbox exec [--repo P] -- CMD   run a command in a fresh sandbox, as a coder's shell would
  codecrew worker [--roles a,b]        an agent worker for a shared NATS (NATS_URL)
  codecrew schema [--write DIR]        JSON Schemas of the task spec, config and model script
  codecrew --version                   the installed version

Exit codes: 0 approved (or answered), 1 not approved or failed, 2 bad input, 130 cancelled.
Docs: docs/ in the codecrew repository.`;

type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Every command, loaded on demand: a command's module (and the NATS, Docker, LangGraph or HTTP code it
 * needs) is imported only when that command runs, so `--help`, `--version`, `validate` and `schema`
 * start without them.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.ts')).runCommand,
  ask: async () => (await import('./commands/ask.ts')).askCommand,
  resume: async () => (await import('./commands/resume.ts')).resumeCommand,
  serve: async () => (await import('./commands/serve.ts')).serveCommand,
  submit: async () => (await import('./commands/submit.ts')).submitCommand,
  tasks: async () => (await import('./commands/tasks.ts')).tasksCommand,
  logs: async () => (await import('./commands/logs.ts')).logsCommand,
  cancel: async () => (await import('./commands/cancel.ts')).cancelCommand,
  approve: async () => (await import('./commands/plan-decision.ts')).approveCommand,
  reject: async () => (await import('./commands/plan-decision.ts')).rejectCommand,
  say: async () => (await import('./commands/say.ts')).sayCommand,
  followup: async () => (await import('./commands/followup.ts')).followupCommand,
  comment: async () => (await import('./commands/followup.ts')).commentCommand,
  revise: async () => (await import('./commands/followup.ts')).reviseCommand,
  demo: async () => (await import('./commands/demo.ts')).demoCommand,
  eval: async () => (await import('./commands/eval.ts')).evalCommand,
  validate: async () => (await import('./commands/validate.ts')).validateCommand,
  view: async () => (await import('./commands/view.ts')).viewCommand,
  'model-server': async () => (await import('./commands/model-server.ts')).modelServerCommand,
  sandbox: async () => (await import('./commands/sandbox.ts')).sandboxCommand,
  worker: async () => (await import('./commands/worker.ts')).workerCommand,
  schema: async () => (await import('./commands/schema.ts')).schemaCommand,
};

/** The `codecrew` command; returns the process exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    io.out(`codecrew ${CODECREW_VERSION}`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`codecrew: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest, io);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`codecrew ${name}: ${error.message}`);
      return 2;
    }
    const { reportError } = await import('./io.ts');
    return reportError(io, error);
  }
}
