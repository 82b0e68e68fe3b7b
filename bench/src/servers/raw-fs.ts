import { createWriteStream } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RawSink } from './mini-tus.js';

/**
 * The filesystem raw limit: each PATCH body piped into the upload's file at
 * its offset, nothing else (no metadata). With `fsyncOnComplete` the file is
 * fsynced once its last byte is written, as tuskit's store-fs does when it
 * finalizes: the difference between the two raw rows is what that
 * durability costs.
 *
 * @example
 * ```ts
 * await serve(miniTus('/files', fsSink('/tmp/uploads', { fsyncOnComplete: false })));
 * ```
 */
export function fsSink(directory: string, options: { fsyncOnComplete: boolean }): RawSink {
  const sizes = new Map<string, number>();
  return {
    async create(id, size) {
      await writeFile(join(directory, id), '');
      sizes.set(id, size);
    },
    async append(id, offset, body) {
      const path = join(directory, id);
      const file = createWriteStream(path, { flags: 'r+', start: offset });
      await pipeline(body, file);
      const newOffset = offset + file.bytesWritten;
      if (newOffset >= (sizes.get(id) ?? Infinity)) {
        sizes.delete(id);
        if (options.fsyncOnComplete) await fsync(path);
      }
      return newOffset;
    },
  };
}

async function fsync(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
