import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Default time to open a connection to S3: 5 s.
 *
 * @example
 * ```ts
 * createS3StoreClient(config, { connectionTimeoutMs: 2 * DEFAULT_CONNECTION_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
/**
 * Default time a request may go without sending or receiving a byte: 30 s.
 *
 * @example
 * ```ts
 * createS3StoreClient(config, { socketTimeoutMs: 2 * DEFAULT_SOCKET_TIMEOUT_MS });
 * ```
 */
export const DEFAULT_SOCKET_TIMEOUT_MS = 30_000;

/**
 * Request timeouts of {@link createS3StoreClient}, in milliseconds.
 *
 * @example
 * ```ts
 * const timeouts: S3StoreClientTimeouts = { connectionTimeoutMs: 2_000, socketTimeoutMs: 60_000 };
 * ```
 */
export interface S3StoreClientTimeouts {
  /** Time to open a connection. Default 5 s. */
  connectionTimeoutMs?: number;
  /** Time a request may go without sending or receiving a byte. Default 30 s. */
  socketTimeoutMs?: number;
}

/**
 * An `S3Client` with the settings the store relies on, under anything in
 * `config`:
 * - `requestChecksumCalculation` / `responseChecksumValidation`:
 *   `'WHEN_REQUIRED'`. SDK releases since 3.729 add CRC32 checksums to every
 *   upload by default, which MinIO, R2 and other S3-compatible servers reject
 *   or mishandle.
 * - a `NodeHttpHandler` with a connection timeout and a socket idle timeout
 *   (`timeouts`), so that an unresponsive endpoint fails (503
 *   `store_unavailable`) instead of hanging a PATCH. The SDK retries each
 *   request up to `maxAttempts` (default 3) times first.
 * - `cacheMiddleware: true`: each command's middleware stack is resolved
 *   once, not on every request (why: docs/design.md). Add any middleware of
 *   your own before the first request, and keep the client to one bucket:
 *   the SDK shares one context between concurrent requests of a command.
 *
 * @example
 * ```ts
 * const client = createS3StoreClient({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1',
 *   forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
 * ```
 */
export function createS3StoreClient(config: S3ClientConfig = {}, timeouts: S3StoreClientTimeouts = {}): S3Client {
  return new S3Client({
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeouts.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      socketTimeout: timeouts.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
    }),
    ...config,
  });
}
