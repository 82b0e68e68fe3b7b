import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, open, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/**
 * Makes `target` the concatenation of the `sources` files, in order. The
 * bytes gather in a temp file beside `target` (its name starts with
 * `target.` and ends in `.tmp`, so removing the upload removes a leftover),
 * which replaces `target` only once synced: `target` is never half-assembled.
 * The first source is copied by the kernel (a reflink where the file system
 * has them, else `copy_file_range`); the others are appended by streaming,
 * as Node offers no kernel copy into the middle of a file.
 */
export async function concatenateFiles(target: string, sources: readonly string[]): Promise<void> {
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const [first, ...rest] = sources;
    if (first === undefined) await (await open(temp, 'w')).close();
    else await copyFile(first, temp, constants.COPYFILE_FICLONE);
    for (const source of rest) await pipeline(createReadStream(source), createWriteStream(temp, { flags: 'a' }));
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
