import type { Api } from './api.js';
import type { CorsOrigins } from './config.js';
import type { ApiResponse } from './http.js';

const ALLOWED_METHODS = 'GET, HEAD, POST, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type';
/** What a page on another origin may read: the upload URL and its expiry, and a download's range and type. */
const EXPOSED_HEADERS = 'Location, Upload-Expires, Tus-Resumable, Content-Range, Content-Length, Content-Disposition, Accept-Ranges, ETag';

/**
 * Adds CORS to the REST API: a preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered 204 without the API key, and
 * every answer to an allowed `Origin` carries `Access-Control-Allow-Origin`
 * and the headers a page needs to read (`Location` of a new asset above
 * all). With a list of origins, answers vary by `Origin`. The API takes a
 * bearer token, never a cookie, so no credentials mode is offered.
 *
 * @example
 * ```ts
 * const api = withCors(createApi(options), ['https://app.example.com']);
 * ```
 */
export function withCors(api: Api, origins: CorsOrigins): Api {
  return {
    async handle(request) {
      const origin = request.header('origin');
      const preflight = request.method.toUpperCase() === 'OPTIONS' && request.header('access-control-request-method');
      if (origin === undefined) return api.handle(request);
      const allowed = origins === '*' || origins.includes(origin);
      const response: ApiResponse = preflight ? { status: 204, headers: {} } : await api.handle(request);
      const headers: Record<string, string> = { ...response.headers };
      if (origins !== '*') headers.Vary = headers.Vary ? `${headers.Vary}, Origin` : 'Origin';
      if (allowed) {
        headers['Access-Control-Allow-Origin'] = origins === '*' ? '*' : origin;
        if (preflight) {
          headers['Access-Control-Allow-Methods'] = ALLOWED_METHODS;
          headers['Access-Control-Allow-Headers'] = ALLOWED_HEADERS;
          headers['Access-Control-Max-Age'] = '600';
        } else {
          headers['Access-Control-Expose-Headers'] = EXPOSED_HEADERS;
        }
      }
      return { ...response, headers };
    },
  };
}
