import { askCommand } from './commands/ask.ts';
import { demoCommand } from './commands/demo.ts';
import { evalCommand } from './commands/eval.ts';
import { commentCommand, followupCommand, reviseCommand } from './commands/followup.ts';
import { cancelCommand } from './commands/cancel.ts';
import { approveCommand, rejectCommand } from './commands/plan-decision.ts';
import { sayCommand } from './commands/say.ts';
import { logsCommand } from './commands/logs.ts';
import { modelServerCommand } from './commands/model-server.ts';
import { resumeCommand } from './commands/resume.ts';
import { runCommand } from './commands/run.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { schemaCommand } from './commands/schema.ts';
import { serveCommand } from './commands/serve.ts';
import { submitCommand } from './commands/submit.ts';
import { tasksCommand } from './commands/tasks.ts';
import { validateCommand } from './commands/validate.ts';
import { viewCommand } from './commands/view.ts';
import { workerCommand } from './commands/worker.ts';
import { processIo, reportError, type Io } from './io.ts';

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

Exit codes: 0 approved (or answered), 1 not approved or failed, 2 bad input, 130 cancelled.
Docs: docs/ in the codecrew repository.`;

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  run: runCommand,
  ask: askCommand,
  resume: resumeCommand,
  serve: serveCommand,
  submit: submitCommand,
  tasks: tasksCommand,
  logs: logsCommand,
  cancel: cancelCommand,
  approve: approveCommand,
  reject: rejectCommand,
  say: sayCommand,
  followup: followupCommand,
  comment: commentCommand,
  revise: reviseCommand,
  demo: demoCommand,
  eval: evalCommand,
  validate: validateCommand,
  view: viewCommand,
  'model-server': modelServerCommand,
  sandbox: sandboxCommand,
  worker: workerCommand,
  schema: schemaCommand,
};

/** The `codecrew` command; returns the process exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`codecrew: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.err(`codecrew ${name}: ${error.message}`);
      return 2;
    }
    return reportError(io, error);
  }
}
