import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';

const MiB = 1024 * 1024;

/**
 * Default block size: memory per PATCH stays near `blockConcurrency + 1` blocks.
 *
 * @example
 * ```ts
 * new AzureStore({ container, blockSize: 2 * DEFAULT_BLOCK_SIZE });
 * ```
 */
export const DEFAULT_BLOCK_SIZE = 8 * MiB;

/** Blocks of one PATCH uploading at once, unless `blockConcurrency` says otherwise. */
export const DEFAULT_BLOCK_CONCURRENCY = 2;

/**
 * Options of {@link AzureStore}.
 *
 * @example
 * ```ts
 * const options: AzureStoreOptions = { container: 'uploads', connectionString: process.env.AZURE_STORAGE_CONNECTION_STRING };
 * ```
 */
export interface AzureStoreOptions {
  /**
   * The container that holds the uploads (it must exist): a ready
   * `ContainerClient`, built with any credential, used as it is; or its
   * name, with `client` or `connectionString`.
   */
  container: ContainerClient | string;
  /** A ready `BlobServiceClient` (any credential), when `container` is a name. */
  client?: BlobServiceClient;
  /**
   * A connection string, when `container` is a name and no `client` is
   * given; the client built from it gets {@link clientDefaults}.
   */
  connectionString?: string;
  /** Prepended to every blob name, e.g. `'uploads/'`. Default `''`. */
  keyPrefix?: string;
  /**
   * Bytes per block. A PATCH holds at most `blockConcurrency + 1` blocks in
   * memory; uploads too large for 50,000 blocks of this size get larger
   * blocks (see the README). Default 8 MiB.
   */
  blockSize?: number;
  /** Blocks of one PATCH uploading at once while the next one fills. Default 2. */
  blockConcurrency?: number;
}

/**
 * What a client built from a connection string starts from: 3 tries with a
 * short backoff (a PATCH against a service that is down answers 503 within
 * about a second rather than after the SDK's default half minute), and 60 s
 * per try. Retrying every request is safe: every change the store makes is
 * conditional on the state it read.
 *
 * @example
 * ```ts
 * BlobServiceClient.fromConnectionString(connectionString, clientDefaults);
 * ```
 */
export const clientDefaults = {
  retryOptions: { maxTries: 3, retryDelayInMs: 100, maxRetryDelayInMs: 1000, tryTimeoutInMs: 60_000 },
} satisfies StoragePipelineOptions;

/**
 * The container client a store uses.
 *
 * @example
 * ```ts
 * const container = resolveContainer({ container: 'uploads', connectionString });
 * ```
 */
export function resolveContainer(options: Pick<AzureStoreOptions, 'container' | 'client' | 'connectionString'>): ContainerClient {
  const { container, client, connectionString } = options;
  if (typeof container !== 'string') return container;
  if (client) return client.getContainerClient(container);
  if (connectionString) return BlobServiceClient.fromConnectionString(connectionString, clientDefaults).getContainerClient(container);
  throw new TypeError('AzureStore needs a ContainerClient, or a container name with `client` or `connectionString`');
}

/**
 * A checked positive integer option.
 *
 * @example
 * ```ts
 * positiveInteger('blockSize', undefined, DEFAULT_BLOCK_SIZE); // 8388608
 * ```
 */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isSafeInteger(resolved) || resolved < 1) throw new RangeError(`${name} must be a positive integer, got ${resolved}`);
  return resolved;
}
