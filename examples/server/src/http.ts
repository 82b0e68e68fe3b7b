import type { Readable } from 'node:stream';
import type { HeaderReader } from '@tuskit/core';
import { API_ERRORS, ApiError } from './errors.js';

/** The framework-neutral view of a REST request that the Express and Koa apps hand to the API. */
export interface ApiRequest {
  method: string;
  /** Path and query, e.g. `/v1/assets?state=ready`. */
  url: string;
  header: HeaderReader;
  /** The raw request body (read only by the handlers that take JSON). */
  body: AsyncIterable<Uint8Array>;
}

/** What the API answers; the framework apps only copy it onto their response. */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON, or the bytes of a download. */
  body?: string | Readable | undefined;
}

const MAX_JSON_BYTES = 64 * 1024;

/** Error codes of a client that went away mid-request or mid-response: nothing to report. */
const CLIENT_GONE = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_EOF_STATE']);

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * return json(201, asset, created.headers);
 * ```
 */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

/**
 * The `{"error":{"code","message"}}` response of an error; anything but an
 * {@link ApiError} is a bare 500.
 *
 * @example
 * ```ts
 * errorResponse(new ApiError('asset_not_found')).status; // 404
 * ```
 */
export function errorResponse(error: unknown): ApiResponse {
  const { code, message, status, headers } =
    error instanceof ApiError ? error : { code: 'internal_error', ...API_ERRORS.internal_error, headers: {} };
  return json(status, { error: { code, message } }, headers);
}

/**
 * Reads a JSON request body of at most 64 KiB that must arrive within
 * `timeoutMs`. An empty body reads as `{}`. A refused body is left unread,
 * so its error answer closes the connection.
 *
 * @example
 * ```ts
 * const input = parseProjectInput(await readJson(request, 30_000));
 * ```
 */
export async function readJson(request: ApiRequest, timeoutMs: number): Promise<unknown> {
  const type = request.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  const declared = Number(request.header('content-length') ?? 0);
  if (declared > MAX_JSON_BYTES) throw new ApiError('body_too_large', undefined, CLOSE);
  const chunks = await readWithin(request.body, timeoutMs);
  const length = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  if (length === 0) return {};
  if (type !== undefined && type !== 'application/json' && !type.endsWith('+json')) {
    throw new ApiError('unsupported_content_type');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ApiError('invalid_json', 'The body is not valid JSON.');
  }
}

const CLOSE = { Connection: 'close' };

/**
 * The chunks of a body of at most {@link MAX_JSON_BYTES}, read by hand
 * rather than with `for await`: leaving that loop early would destroy the
 * request, and with it the socket the error answer is written to.
 */
async function readWithin(body: AsyncIterable<Uint8Array>, timeoutMs: number): Promise<Uint8Array[]> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ApiError('body_timeout', undefined, CLOSE)), timeoutMs);
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), deadline]);
      if (next.done) return chunks;
      length += next.value.byteLength;
      if (length > MAX_JSON_BYTES) throw new ApiError('body_too_large', undefined, CLOSE);
      chunks.push(next.value);
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * True for the errors a client causes by disconnecting (a cut upload, an
 * abandoned download): not worth a log line.
 *
 * @example
 * ```ts
 * app.on('error', (error) => isClientGone(error) || logger.error('koa error', error));
 * ```
 */
export function isClientGone(error: unknown): boolean {
  return CLIENT_GONE.has((error as { code?: unknown } | null)?.code as string);
}
