import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ROLES, type ModelRef } from '@codecrew/core';
import { loadModelScript, startScriptedModelServer, type ScriptedModelServer } from '@codecrew/llm';
import { SCRIPTED_PREFIX, type ResolvedTask } from '@codecrew/orchestrator';

/** Scripted model servers started for a task, and the task rewritten to reach them. */
export interface ScriptedModels {
  task: ResolvedTask;
  scripts: string[];
  close(): Promise<void>;
}

/**
 * Starts one scripted model server per distinct `scripted:<script>` model of
 * the task and points those roles at it over HTTP, as they would a real server.
 * Bad scripts are refused here, before anything runs.
 */
export async function startScriptedModels(task: ResolvedTask): Promise<ScriptedModels> {
  const servers = new Map<string, ScriptedModelServer>();
  const windows = new Map<string, number>();
  const models = { ...task.models };
  // Each script's server listens where it listened for this task before, when it can: jobs sent before a
  // kill carry that address, and a resumed task's jobs are delivered again as they were sent.
  const portsFile = join(task.outDir, 'scripted-models.json');
  const ports = readPorts(portsFile);
  try {
    for (const role of ROLES) {
      const ref = models[role];
      if (!ref.name.startsWith(SCRIPTED_PREFIX)) continue;
      const path = ref.name.slice(SCRIPTED_PREFIX.length);
      let server = servers.get(path);
      if (!server) {
        const script = loadModelScript(path);
        const port = ports[resolve(path)];
        server =
          port === undefined
            ? await startScriptedModelServer({ script })
            : await startScriptedModelServer({ script, port }).catch(() => startScriptedModelServer({ script }));
        servers.set(path, server);
        ports[resolve(path)] = Number(new URL(server.url).port);
        if (script.context_window !== undefined) windows.set(path, script.context_window);
      }
      // The role's settings (temperature, api, ...) stay: the scripted server sees them as a real one would.
      const scripted: ModelRef = { ...ref, name: `scripted:${relative(process.cwd(), path)}`, baseURL: server.url };
      // The script's context window is the model's, unless the catalog says otherwise.
      const window = windows.get(path);
      if (scripted.contextWindow === undefined && window !== undefined) scripted.contextWindow = window;
      models[role] = scripted;
    }
    if (servers.size > 0) {
      mkdirSync(task.outDir, { recursive: true });
      writeFileSync(portsFile, `${JSON.stringify(ports, null, 2)}\n`);
    }
  } catch (error) {
    await Promise.all([...servers.values()].map((server) => server.close()));
    throw error;
  }
  return {
    task: { ...task, models },
    scripts: [...servers.keys()],
    close: async () => {
      await Promise.all([...servers.values()].map((server) => server.close()));
    },
  };
}

/** The ports a task's scripted servers had, by script path; none when the file is missing or unreadable. */
function readPorts(file: string): Record<string, number> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(
      Object.entries(value).filter((entry): entry is [string, number] => Number.isInteger(entry[1])),
    );
  } catch {
    return {};
  }
}
