import { TusError, isTusError } from '@tuskit/core';

/** Statuses that say "try again later" rather than "this request is wrong". */
const TRANSIENT_STATUSES = new Set([408, 429]);

/**
 * The HTTP status of an error from `@google-cloud/storage` (`ApiError.code`),
 * or `undefined` for anything else (network errors carry string codes).
 *
 * @example
 * ```ts
 * if (statusOf(error) === 404) return undefined;
 * ```
 */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * True for errors that mean the backend could not be reached or could not
 * answer: 5xx, 408, 429, refused/reset connections, DNS failures, timeouts.
 *
 * @example
 * ```ts
 * isUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })); // true
 * ```
 */
export function isUnavailable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status >= 500 || TRANSIENT_STATUSES.has(status);
  const { code, name, type } = (error ?? {}) as { code?: unknown; name?: unknown; type?: unknown };
  if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code)) return true;
  return name === 'FetchError' || name === 'AbortError' || name === 'TimeoutError' || type === 'request-timeout';
}

/**
 * Runs one backend operation, turning "unavailable" failures into
 * `TusError('store_unavailable')` (503) with the original as `cause`; other
 * errors pass through unchanged.
 *
 * @example
 * ```ts
 * const [files] = await backend(() => bucket.getFiles({ prefix }));
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
