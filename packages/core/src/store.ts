import type { Readable } from 'node:stream';
import type { NewUpload, StoredObject, UploadChanges, UploadInfo } from './upload.js';

/**
 * The small interface every store implements: create an upload or open a
 * known one. Both give an {@link UploadHandle}, which carries what the store
 * loaded, so the calls that follow on the same upload need not load it again.
 *
 * Contract (checked by `describeStoreConformance` from `@tuskit/core/testing`):
 * - `create` throws `TusError('upload_exists')` for a known id.
 * - `open` resolves `undefined` for an unknown or removed upload.
 *
 * @example
 * ```ts
 * const store: DataStore = new MemoryStore();
 * const upload = await store.create({ id: 'a1', size: 1024, metadata: {}, createdAt: new Date() });
 * const offset = await upload.write(0, bodyOf([new Uint8Array(100)]));
 * ```
 */
export interface DataStore {
  /** Largest upload this backend can hold, when smaller than the core's limit. */
  readonly maxSize?: number;
  create(upload: NewUpload): Promise<UploadHandle>;
  open(id: string): Promise<UploadHandle | undefined>;
}

/**
 * One upload as a store loaded it. The core uses a handle under the upload's
 * lock, for the length of one request; the store may rely on nothing else
 * changing the upload meanwhile, and keep what it loaded for the calls that
 * follow.
 *
 * Contract (checked by `describeStoreConformance`):
 * - `info` is a snapshot as of `open` or `create`, kept up to date by the
 *   handle's own calls.
 * - `write` throws `TusError('offset_mismatch')` when `offset` is not the
 *   stored offset, persists everything it consumed from `body` (also when
 *   `body` throws, in which case it rethrows after persisting) and resolves
 *   the new durable offset.
 * - `remove` is idempotent and leaves nothing of the upload behind.
 * - `finalize` is idempotent and makes the complete object durable.
 *
 * @example
 * ```ts
 * const upload = await store.open(id);
 * if (upload) await upload.write(upload.info.offset, body);
 * ```
 */
export interface UploadHandle {
  readonly info: UploadInfo;
  write(offset: number, body: UploadBody): Promise<number>;
  update(changes: UploadChanges): Promise<void>;
  finalize(): Promise<StoredObject>;
  remove(): Promise<void>;
}

/**
 * A PATCH body as a store reads it. When the core reads the request itself,
 * it adds `free`: a store that calls it for each chunk once it no longer
 * needs the chunk's bytes (written, or copied into a buffer of its own) keeps
 * the process's memory flat, as a chunk's memory is then given back at once
 * rather than at V8's next collection. After `free(chunk)` the chunk may be
 * empty: a store must not read it again. Stores that never call it work too.
 *
 * @example
 * ```ts
 * for await (const chunk of body) {
 *   await handle.write(chunk);
 *   body.free?.(chunk);
 * }
 * ```
 */
export interface UploadBody extends AsyncIterable<Uint8Array> {
  free?: ((chunk: Uint8Array) => void) | undefined;
}

/**
 * Optional capability: list every upload so expired ones can be reaped.
 * The core advertises the `expiration` extension only for stores that have it.
 * One record the store cannot read must not end the listing: yield it as an
 * {@link UnreadableUpload} and go on.
 *
 * @example
 * ```ts
 * if (isListableStore(store)) for await (const u of store.list()) console.log(u.id);
 * ```
 */
export interface ListableStore {
  list(): AsyncIterable<UploadInfo | UnreadableUpload>;
}

/**
 * An upload {@link ListableStore.list} found but could not read (a corrupt
 * record): the reaper reports `error` and carries on with the next upload.
 *
 * @example
 * ```ts
 * for await (const u of store.list()) if ('error' in u) console.warn(u.id, u.error);
 * ```
 */
export interface UnreadableUpload {
  id: string;
  error: unknown;
}

/** An inclusive byte range, as in HTTP `Range`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Optional capability: read a finalized object back, whole or by range.
 *
 * @example
 * ```ts
 * if (isReadableStore(store)) (await store.read(id, { start: 0, end: 99 })).pipe(res);
 * ```
 */
export interface ReadableStore {
  read(id: string, range?: ByteRange): Promise<Readable>;
}

/** Options of {@link DownloadUrlStore.downloadUrl}. */
export interface DownloadUrlOptions {
  /** Lifetime of the URL in seconds. */
  expiresInSeconds: number;
  /** Content-Type the download should be served with. */
  contentType?: string;
  /** Content-Disposition the download should be served with (a file name for the browser to save it under). */
  contentDisposition?: string;
}

/**
 * Optional capability: a time-limited URL that serves a finalized object
 * without credentials (a presigned S3 URL, a signed GCS URL).
 *
 * @example
 * ```ts
 * if (isDownloadUrlStore(store)) url = await store.downloadUrl(id, { expiresInSeconds: 900 });
 * ```
 */
export interface DownloadUrlStore {
  downloadUrl(id: string, options: DownloadUrlOptions): Promise<string>;
}

/**
 * True when the store can list its uploads (and so supports expiration).
 *
 * @example
 * ```ts
 * isListableStore(new MemoryStore()); // true
 * ```
 */
export function isListableStore<S extends DataStore>(store: S): store is S & ListableStore {
  return typeof (store as Partial<ListableStore>).list === 'function';
}

/**
 * True when the store can read objects back.
 *
 * @example
 * ```ts
 * isReadableStore(new MemoryStore()); // true
 * ```
 */
export function isReadableStore<S extends DataStore>(store: S): store is S & ReadableStore {
  return typeof (store as Partial<ReadableStore>).read === 'function';
}

/**
 * True when the store can sign download URLs.
 *
 * @example
 * ```ts
 * isDownloadUrlStore(s3Store); // true
 * ```
 */
export function isDownloadUrlStore<S extends DataStore>(store: S): store is S & DownloadUrlStore {
  return typeof (store as Partial<DownloadUrlStore>).downloadUrl === 'function';
}

/**
 * Optional capability: resources the store holds between requests (open
 * files, connections), released by `tus.close()` once every request answered.
 *
 * @example
 * ```ts
 * if (isClosableStore(store)) await store.close();
 * ```
 */
export interface ClosableStore {
  close(): Promise<void>;
}

/**
 * True when the store has resources to release on shutdown.
 *
 * @example
 * ```ts
 * isClosableStore(new FileStore({ directory })); // true
 * ```
 */
export function isClosableStore<S extends DataStore>(store: S): store is S & ClosableStore {
  return typeof (store as Partial<ClosableStore>).close === 'function';
}

/**
 * Optional capability: the `concatenation` extension. `concatenate` creates
 * the final upload `upload` (its `concat` is `final`) whose bytes are those
 * of `parts`, in order: complete, finalized partial uploads that the caller
 * holds locked. It resolves a handle whose offset is the final's size, not
 * yet finalized (the core finalizes it next, as any completed upload).
 *
 * A store assembles the bytes inside its backend where it can (S3 multipart
 * copy, GCS compose, a file copy) rather than reading them through the
 * process. A crash part-way may leave the final upload incomplete: it then
 * expires like any other incomplete upload. The core advertises the
 * extension only for stores that have this capability.
 *
 * @example
 * ```ts
 * if (isConcatenationStore(store)) {
 *   const parts = [await store.open('a'), await store.open('b')].filter((p) => p !== undefined);
 *   const size = parts.reduce((sum, p) => sum + p.info.size, 0);
 *   const concat = { type: 'final', parts: ['a', 'b'] } as const;
 *   await store.concatenate({ id: 'ab', size, metadata: {}, createdAt: new Date(), concat }, parts);
 * }
 * ```
 */
export interface ConcatenationStore {
  concatenate(upload: NewUpload, parts: readonly UploadHandle[]): Promise<UploadHandle>;
}

/**
 * True when the store can assemble a final upload from partial ones.
 *
 * @example
 * ```ts
 * isConcatenationStore(new MemoryStore()); // true
 * ```
 */
export function isConcatenationStore<S extends DataStore>(store: S): store is S & ConcatenationStore {
  return typeof (store as Partial<ConcatenationStore>).concatenate === 'function';
}

/**
 * Optional capability: uploads whose length is not known at creation
 * (`creation-defer-length`). Such a store takes `size: undefined` in
 * `create`, returns it so from `open` and `list` until the length is
 * declared, and persists the length given once by `UploadHandle.update({ size })`.
 * It accepts writes while the length is unknown and finalizes once the
 * declared length is stored. The core advertises `creation-defer-length`
 * only for stores that say so here.
 *
 * @example
 * ```ts
 * class MyStore implements DataStore, LengthDeferringStore {
 *   readonly deferredLength = true;
 *   // …
 * }
 * ```
 */
export interface LengthDeferringStore {
  readonly deferredLength: true;
}

/**
 * True when the store takes uploads of a length declared later.
 *
 * @example
 * ```ts
 * isLengthDeferringStore(new MemoryStore()); // true
 * ```
 */
export function isLengthDeferringStore<S extends DataStore>(store: S): store is S & LengthDeferringStore {
  return (store as Partial<LengthDeferringStore>).deferredLength === true;
}
