import { IdempotencyStrategy, Storage, type StorageOptions } from '@google-cloud/storage';

const MiB = 1024 * 1024;

/**
 * Default part size: memory per PATCH stays near `partConcurrency + 1` parts.
 *
 * @example
 * ```ts
 * new GcsStore({ bucket: 'uploads', partSize: 2 * DEFAULT_PART_SIZE });
 * ```
 */
export const DEFAULT_PART_SIZE = 8 * MiB;

/**
 * Options of {@link GcsStore}.
 *
 * @example
 * ```ts
 * const options: GcsStoreOptions = { bucket: 'uploads', keyPrefix: 'media/', storage: { projectId: 'my-project' } };
 * ```
 */
export interface GcsStoreOptions {
  /** The bucket that holds the uploads; it must exist. */
  bucket: string;
  /**
   * A ready `Storage` client, or options to build one (e.g.
   * `{ apiEndpoint: 'http://127.0.0.1:4443' }` for an emulator). A client
   * built here gets bounded timeouts and retries (see {@link storageDefaults});
   * a client you pass is used as it is.
   */
  storage?: Storage | StorageOptions;
  /** Prepended to every object name, e.g. `'uploads/'`. Default `''`. */
  keyPrefix?: string;
  /**
   * Bytes per part object. A PATCH holds at most `partConcurrency + 1` parts
   * in memory; smaller parts mean more objects and requests. Default 8 MiB.
   */
  partSize?: number;
  /**
   * Parts of one PATCH uploading at once while the next one fills. Default 2:
   * one part's request overlaps the next one's instead of waiting for it.
   */
  partConcurrency?: number;
}

/** Parts of one PATCH uploading at once, unless `partConcurrency` says otherwise. */
export const DEFAULT_PART_CONCURRENCY = 2;

/**
 * What a client built by the store starts from: 30 s per request, and up to
 * 3 retries within 60 s for transient failures. Retrying every request is
 * safe here because every write the store makes is idempotent.
 *
 * @example
 * ```ts
 * new GcsStore({ bucket: 'uploads', storage: { ...storageDefaults, timeout: 10_000 } });
 * ```
 */
export const storageDefaults = {
  timeout: 30_000,
  retryOptions: {
    autoRetry: true,
    maxRetries: 3,
    retryDelayMultiplier: 2,
    totalTimeout: 60,
    maxRetryDelay: 8,
    idempotencyStrategy: IdempotencyStrategy.RetryAlways,
  },
} satisfies StorageOptions;

/**
 * The client a store uses: the one given, or a new one with {@link storageDefaults}.
 *
 * @example
 * ```ts
 * const storage = resolveStorage({ apiEndpoint: 'http://127.0.0.1:4443', projectId: 'test' });
 * ```
 */
export function resolveStorage(storage: Storage | StorageOptions = {}): Storage {
  if (isStorage(storage)) return storage;
  return new Storage({
    ...storageDefaults,
    ...storage,
    retryOptions: { ...storageDefaults.retryOptions, ...storage.retryOptions },
  });
}

/** Duck-typed, so that a client from another copy of the library is recognized too. */
function isStorage(value: Storage | StorageOptions): value is Storage {
  return typeof (value as Partial<Storage>).bucket === 'function';
}

/**
 * A checked part size.
 *
 * @example
 * ```ts
 * resolvePartSize(undefined); // 8388608
 * ```
 */
export function resolvePartSize(partSize: number = DEFAULT_PART_SIZE): number {
  return positiveInteger('partSize', partSize);
}

/**
 * A checked part concurrency.
 *
 * @example
 * ```ts
 * resolvePartConcurrency(undefined); // 2
 * ```
 */
export function resolvePartConcurrency(partConcurrency: number = DEFAULT_PART_CONCURRENCY): number {
  return positiveInteger('partConcurrency', partConcurrency);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
