import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <key>` in constant time (digests of equal
 * length are compared, so neither the key nor its length leaks).
 *
 * @example
 * ```ts
 * const isAuthorized = bearerCheck(apiKey);
 * isAuthorized(req.headers.authorization); // true or false
 * ```
 */
export function bearerCheck(apiKey: string): (authorization: string | undefined) => boolean {
  const expected = digest(apiKey);
  return (authorization) => {
    const token = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    return token !== undefined && timingSafeEqual(digest(token), expected);
  };
}

/**
 * A new random API key (used when `API_KEY` is unset).
 *
 * @example
 * ```ts
 * const apiKey = options.apiKey ?? generateApiKey();
 * ```
 */
export function generateApiKey(): string {
  return `tk_${randomBytes(24).toString('base64url')}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
