import { TusError } from '@tuskit/core';

interface SdkErrorShape {
  name?: string;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** S3 error names that mean "try again later" whatever their status. */
const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/** Names S3 uses for "this key or multipart upload does not exist" (never NoSuchBucket: that is a setup error). */
const MISSING_NAMES = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload']);

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/**
 * True for failures a retry may cure: no HTTP answer at all (refused,
 * reset, timed out), a 5xx, or throttling.
 *
 * @example
 * ```ts
 * isTransient(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // true
 * ```
 */
export function isTransient(error: unknown): boolean {
  const { name, code, $metadata } = shape(error);
  if (name !== undefined && TRANSIENT_NAMES.has(name)) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429;
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code);
}

/**
 * True when S3 answered that the key or multipart upload does not exist.
 *
 * @example
 * ```ts
 * try { await client.send(new HeadObjectCommand(input)); } catch (e) { if (isMissing(e)) return undefined; throw e; }
 * ```
 */
export function isMissing(error: unknown): boolean {
  const { name } = shape(error);
  return name !== undefined && MISSING_NAMES.has(name);
}

/**
 * True when a conditional request (`If-Match`, `If-None-Match`) lost: the
 * object changed, exists already, or a concurrent conditional write won.
 *
 * @example
 * ```ts
 * if (isConditionFailed(error)) throw new TusError('upload_exists');
 * ```
 */
export function isConditionFailed(error: unknown): boolean {
  const { name, $metadata } = shape(error);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || $metadata?.httpStatusCode === 412;
}

/**
 * True when the backend answered that it has no room left: MinIO's
 * `XMinioStorageFull`, or any 507 Insufficient Storage.
 *
 * @example
 * ```ts
 * if (isStorageFull(error)) throw new TusError('storage_full', undefined, { cause: error });
 * ```
 */
export function isStorageFull(error: unknown): boolean {
  const { name, $metadata } = shape(error);
  return name === 'XMinioStorageFull' || $metadata?.httpStatusCode === 507;
}

/**
 * Awaits an S3 request, turning a full backend into
 * `TusError('storage_full')` (507) and transient failures into
 * `TusError('store_unavailable')` (503), with the SDK error as `cause`; any
 * other error is rethrown unchanged.
 *
 * @example
 * ```ts
 * const head = await s3(client.send(new HeadObjectCommand({ Bucket, Key })));
 * ```
 */
export async function s3<T>(request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (error) {
    if (isStorageFull(error)) throw new TusError('storage_full', undefined, { cause: error });
    if (isTransient(error)) throw new TusError('store_unavailable', undefined, { cause: error });
    throw error;
  }
}
