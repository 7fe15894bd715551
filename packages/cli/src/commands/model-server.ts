import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModelScript, startScriptedModelServer } from '@codecrew/llm';
import { usageError, type Io } from '../io.ts';

/** `codecrew model-server --script FILE [--port N] [--host H]`: the scripted model server on its own. */
export async function modelServerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      script: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  if (values.script === undefined) throw usageError('codecrew model-server needs --script FILE');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw usageError(`--port must be a port number, not "${values.port}"`);
  const script = loadModelScript(resolve(values.script));
  const server = await startScriptedModelServer({ script, port, host: values.host, onLog: (line) => io.out(line) });
  io.out(`scripted model server (SCRIPTED replies from ${values.script}) listening at ${server.url}`);
  io.out(`use it with OPENAI_BASE_URL=${server.url}; stop with Ctrl-C`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await server.close();
  return 0;
}
