import { TusError, isTusError } from '@tuskit/core';

/** Statuses that say "try again later" rather than "this request is wrong". */
const TRANSIENT_STATUSES = new Set([408, 429]);

/**
 * The HTTP status of an error from `@azure/storage-blob` (`RestError.statusCode`),
 * or `undefined` when no answer came (refused connection, timeout).
 *
 * @example
 * ```ts
 * if (statusOf(error) === 404) return undefined;
 * ```
 */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * True for errors that mean the service could not be reached or could not
 * answer: 5xx, 408, 429, refused or reset connections, timeouts.
 *
 * @example
 * ```ts
 * isUnavailable(Object.assign(new Error('x'), { code: 'REQUEST_SEND_ERROR' })); // true
 * ```
 */
export function isUnavailable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status >= 500 || TRANSIENT_STATUSES.has(status);
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_\w+|REQUEST_SEND_ERROR)$/.test(code)) return true;
  return name === 'TimeoutError';
}

/**
 * Runs one service operation, turning "unavailable" failures into
 * `TusError('store_unavailable')` (503) with the original as `cause`; other
 * errors pass through unchanged.
 *
 * @example
 * ```ts
 * const properties = await backend(() => blob.getProperties());
 * ```
 */
export async function backend<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (!isTusError(error) && isUnavailable(error)) {
      throw new TusError('store_unavailable', undefined, { cause: error });
    }
    throw error;
  }
}
