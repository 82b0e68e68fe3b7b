import { bodyOf } from '../body.js';
import type { DataStore } from '../store.js';
import type { UploadInfo } from '../upload.js';

/**
 * One PATCH as the core makes it under the upload's lock: `get`, then
 * `write` of the bytes `next` picks for the loaded offset, handing `write`
 * what `loaded` makes of the upload (by default the upload itself, as the
 * core does). Resolves the new offset.
 *
 * @example
 * ```ts
 * const offset = await patchAsCore(store, id, (at) => data.subarray(at, at + 1000));
 * ```
 */
export async function patchAsCore(
  store: DataStore,
  id: string,
  next: (offset: number) => Uint8Array,
  loaded: (upload: UploadInfo) => Promise<UploadInfo | undefined> | UploadInfo | undefined = (upload) => upload,
): Promise<number> {
  const upload = await store.get(id);
  if (!upload) throw new Error(`no upload ${id}`);
  return store.write(id, upload.offset, bodyOf([next(upload.offset)]), await loaded(upload));
}
