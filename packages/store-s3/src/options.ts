import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { createS3StoreClient } from './client.js';
import { DEFAULT_PART_SIZE, MAX_PART_SIZE, MIN_PART_SIZE } from './part-size.js';

/**
 * Options of {@link S3Store}. Only `bucket` is required.
 *
 * @example
 * ```ts
 * const options: S3StoreOptions = {
 *   bucket: 'uploads',
 *   client: { region: 'eu-west-1' },
 *   keyPrefix: 'tus/',
 *   partSize: 16 * 1024 * 1024,
 * };
 * ```
 */
export interface S3StoreOptions {
  bucket: string;
  /**
   * An `S3Client` to use as it is, or the configuration of one to create
   * with {@link createS3StoreClient} (checksums only when required, request
   * timeouts). A client you pass should be set up the same way (see the
   * README); for MinIO also set `forcePathStyle: true`. Default: `{}`.
   */
  client?: S3Client | S3ClientConfig;
  /** Prepended to every key, e.g. `'tus/'`. Default `''`. */
  keyPrefix?: string;
  /**
   * Preferred part size in bytes, at least 5 MiB. An upload whose size would
   * need more than 10,000 such parts gets larger parts. Default 8 MiB.
   */
  partSize?: number;
  /**
   * Cut every part but the last at exactly the part size, as Cloudflare R2
   * requires. Off by default: a PATCH that ends with at least 5 MiB past a
   * part boundary then uploads them as a shorter part instead of a tail
   * segment, when the part budget allows.
   */
  equalParts?: boolean;
  /**
   * Send a part to S3 while its bytes still arrive (see the README's
   * "Streamed parts"), falling back to the buffered upload when a body ends
   * short or the stream fails. Default true; false uploads every part from
   * its buffer once it is full.
   */
  streamParts?: boolean;
  /**
   * Part buffers one PATCH may hold in memory, the one being filled
   * included: memory per PATCH is at most `maxBufferedParts × partSize`.
   * Default `partConcurrency + 1`.
   */
  maxBufferedParts?: number;
  /** Parts of one PATCH uploaded at the same time. Default 2. */
  partConcurrency?: number;
}

/** {@link S3StoreOptions} with every default applied. */
export interface ResolvedS3StoreOptions {
  bucket: string;
  client: S3Client;
  keyPrefix: string;
  partSize: number;
  equalParts: boolean;
  streamParts: boolean;
  maxBufferedParts: number;
  partConcurrency: number;
}

const DEFAULT_PART_CONCURRENCY = 2;

/**
 * Applies defaults and checks ranges.
 *
 * @example
 * ```ts
 * resolveOptions({ bucket: 'uploads' }).partSize; // 8 MiB
 * ```
 */
export function resolveOptions(options: S3StoreOptions): ResolvedS3StoreOptions {
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const partConcurrency = options.partConcurrency ?? DEFAULT_PART_CONCURRENCY;
  const maxBufferedParts = options.maxBufferedParts ?? partConcurrency + 1;
  if (!options.bucket) throw new TypeError('S3Store: `bucket` is required');
  checkInteger('partSize', partSize, MIN_PART_SIZE, MAX_PART_SIZE);
  checkInteger('partConcurrency', partConcurrency, 1, 10_000);
  checkInteger('maxBufferedParts', maxBufferedParts, 1, 10_000);
  return {
    bucket: options.bucket,
    client: isClient(options.client) ? options.client : createS3StoreClient(options.client),
    keyPrefix: options.keyPrefix ?? '',
    partSize,
    equalParts: options.equalParts ?? false,
    streamParts: options.streamParts ?? true,
    maxBufferedParts,
    partConcurrency,
  };
}

function isClient(client: S3Client | S3ClientConfig | undefined): client is S3Client {
  return typeof (client as Partial<S3Client> | undefined)?.send === 'function';
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`S3Store: ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
