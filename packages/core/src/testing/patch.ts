import { bodyOf } from '../body.js';
import type { DataStore, UploadHandle } from '../store.js';

/**
 * One PATCH as the core makes it under the upload's lock: `open`, then a
 * `write` through the handle of the bytes `next` picks for the loaded
 * offset. Resolves the new offset.
 *
 * @example
 * ```ts
 * const offset = await patchAsCore(store, id, (at) => data.subarray(at, at + 1000));
 * ```
 */
export async function patchAsCore(store: DataStore, id: string, next: (offset: number) => Uint8Array): Promise<number> {
  const upload = await store.open(id);
  if (!upload) throw new Error(`no upload ${id}`);
  return upload.write(upload.info.offset, bodyOf([next(upload.info.offset)]));
}

/**
 * Opens an upload that must exist: a test's shorthand for `store.open(id)`.
 *
 * @example
 * ```ts
 * await (await openUpload(store, id)).finalize();
 * ```
 */
export async function openUpload(store: DataStore, id: string): Promise<UploadHandle> {
  const upload = await store.open(id);
  if (!upload) throw new Error(`no upload ${id}`);
  return upload;
}
