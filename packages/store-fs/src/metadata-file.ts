import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { TusError, type MediaInfo, type UploadConcat } from '@tuskit/core';

/** What `<id>.json` holds; the offset is never stored, it is the data file's size. */
export interface MetadataRecord {
  id: string;
  /** Absent while the length is deferred. */
  size?: number | undefined;
  metadata: Record<string, string>;
  createdAt: string;
  media?: MediaInfo;
  finalized: boolean;
  concat?: UploadConcat;
}

/**
 * Reads a metadata file; `undefined` when it does not exist, and
 * `TusError('upload_unreadable')` when it holds no record.
 */
export async function readMetadata(path: string): Promise<MetadataRecord | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new TusError('upload_unreadable', undefined, { cause: new Error(`${path} is not JSON`, { cause: error }) });
  }
  if (!isRecord(record)) throw new TusError('upload_unreadable', undefined, { cause: new Error(`${path} is not an upload record`) });
  return record;
}

function isRecord(value: unknown): value is MetadataRecord {
  const record = value as Partial<MetadataRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.id === 'string' &&
    (record.size === undefined || Number.isSafeInteger(record.size)) &&
    typeof record.createdAt === 'string' &&
    typeof record.metadata === 'object' &&
    record.metadata !== null &&
    typeof record.finalized === 'boolean'
  );
}

/**
 * Writes a metadata file atomically: a synced temp file moved into place, so
 * a crash leaves either the old or the new record, never half of one; a
 * failed write removes its temp file.
 * With `exclusive` the move fails with EEXIST when the file already exists.
 * Returns the file's stats as of the move, read through its own descriptor,
 * so that they describe this record even if another process has already
 * replaced it.
 */
export async function writeMetadata(path: string, record: MetadataRecord, exclusive = false): Promise<Stats> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(JSON.stringify(record));
    await handle.sync();
    await moveIntoPlace(temp, path, exclusive);
    // After the move: a rename, a link and an unlink each change the inode's ctime.
    return await handle.stat();
  } catch (error) {
    // A full disk must not leave temp files behind: nothing else would ever remove them.
    await unlink(temp).catch(() => {});
    throw error;
  } finally {
    await handle.close();
  }
}

async function moveIntoPlace(temp: string, path: string, exclusive: boolean): Promise<void> {
  if (!exclusive) return rename(temp, path);
  try {
    await link(temp, path);
  } finally {
    await unlink(temp).catch(() => {});
  }
}

/** True for ENOENT. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
