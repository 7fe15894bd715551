import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxLabels } from '../types.ts';
import type { CgroupPaths } from './cgroup.ts';
import type { Scratch } from './scratch.ts';

/** What a state file records about one live bubblewrap sandbox. */
export interface SandboxRecord {
  id: string;
  labels: SandboxLabels & { owner: string };
  createdAt: string;
  workspaceDir: string;
  cgroup: CgroupPaths;
  /** The sandbox's /tmp and $HOME mounts, when it has lasting ones. */
  scratch?: Scratch;
}

/** Records live sandboxes as `<dir>/<id>.json`, so that another process can list and reap them. */
export class SandboxState {
  constructor(readonly dir: string) {}

  async write(record: SandboxRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${record.id}.json`);
    await writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }

  async remove(id: string): Promise<void> {
    await rm(join(this.dir, `${id}.json`), { force: true });
  }

  /** Every readable record; unreadable or half-written files are skipped. */
  async all(): Promise<SandboxRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records: SandboxRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        records.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as SandboxRecord);
      } catch {
        // Being written or removed right now.
      }
    }
    return records;
  }
}
