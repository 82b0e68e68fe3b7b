import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOf, storageOf, type Bed } from './bed.js';

/**
 * Local disk: one directory per target under `root`. Clearing also flushes
 * the page cache's dirty pages so that one run's writeback does not land in
 * the next run's timing.
 *
 * @example
 * ```ts
 * const bed = await fsBed('bench/.tmp/data');
 * ```
 */
export async function fsBed(root: string): Promise<Bed> {
  await rm(root, { recursive: true, force: true });
  await mkdir(root, { recursive: true });
  return {
    backend: 'fs',
    description: `local disk: ${filesystemOf(root)}`,
    async prepare(targetId) {
      const directory = join(root, targetId);
      await mkdir(directory, { recursive: true });
      return { backend: 'fs', directory };
    },
    digest: (storage, key) => digestOf(createReadStream(join(storageOf(storage, 'fs').directory, key), { highWaterMark: 1 << 22 })),
    async clear(storage) {
      const { directory } = storageOf(storage, 'fs');
      await Promise.all((await readdir(directory)).map((name) => rm(join(directory, name), { recursive: true, force: true })));
      spawnSync('sync');
    },
    close: () => rm(root, { recursive: true, force: true }),
  };
}

function filesystemOf(path: string): string {
  const answer = spawnSync('df', ['--output=fstype,source', path], { encoding: 'utf8' });
  const line = answer.stdout?.trim().split('\n')[1]?.trim().replace(/\s+/, ' on ');
  return line ?? 'unknown filesystem';
}
