import { TusError } from '@tuskit/core';

/** The errno codes of a file system with no room left: the disk, or the user's quota. */
const EXHAUSTED = new Set(['ENOSPC', 'EDQUOT']);

/**
 * `TusError('storage_full')` (507), with the original as `cause`, for a full
 * disk or an exhausted quota; any other error unchanged.
 *
 * @example
 * ```ts
 * await writeFile(path, bytes).catch((error) => { throw storageError(error); });
 * ```
 */
export function storageError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && EXHAUSTED.has(code) ? new TusError('storage_full', undefined, { cause: error }) : error;
}

/** Runs `operation`, throwing {@link storageError} of what it throws. */
export async function onStorage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw storageError(error);
  }
}
