import type { Readable } from 'node:stream';

/** Reads one request header by its lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * The core's view of an HTTP request; adapters build one from their
 * framework's request. `context` is the framework's own object (Express
 * `req`, Koa `ctx`, …), handed untouched to `authorize` and every hook.
 *
 * @example
 * ```ts
 * const request: TusRequest<null> = {
 *   method: 'HEAD', path: '/uploads/abc', header: (n) => headers[n], context: null,
 * };
 * ```
 */
export interface TusRequest<Ctx = unknown> {
  method: string;
  /**
   * The request's full URL path, as the client sent it (a query is ignored),
   * never the path below a framework's mount point: a path outside `basePath`
   * is answered 404.
   */
  path: string;
  header: HeaderReader;
  /**
   * The request body; read only for PATCH. A Node `Readable` (the request
   * itself) is pulled with `read()`, any other async iterable through its iterator.
   */
  body?: AsyncIterable<Uint8Array> | undefined;
  /**
   * Reads the request's trailers once the body has ended (`checksum-trailer`).
   * Absent when the framework cannot read them (the Fetch API): a PATCH that
   * announces `Upload-Checksum` as a trailer is then refused with 400.
   */
  trailer?: HeaderReader | undefined;
  /** Aborted when the client goes away: an `AbortSignal`, or anything with the members of {@link ClientSignal}. */
  signal?: ClientSignal | undefined;
  context: Ctx;
}

/**
 * What the core uses of a request's abort signal. Every `AbortSignal`
 * fits; the Node bridge passes a lighter object of its own (why:
 * docs/design.md, "Request bodies").
 *
 * @example
 * ```ts
 * const request: TusRequest<null> = { method: 'PATCH', path, header, body, signal: controller.signal, context: null };
 * ```
 */
export interface ClientSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The core's answer. `closeConnection` is set when the body was left unread
 * (a rejected first chunk, an overlong body): the bridge must close the
 * connection instead of reading the rest.
 *
 * @example
 * ```ts
 * const { status, headers, body } = await tus.handle(request);
 * ```
 */
export interface TusResponse {
  status: number;
  headers: Record<string, string>;
  /** Text (errors, hook answers), or the bytes of a download as a stream. */
  body?: string | Readable | undefined;
  closeConnection?: boolean | undefined;
}

/** The only protocol version spoken. */
export const TUS_VERSION = '1.0.0';
/** The only PATCH content type accepted. */
export const PATCH_CONTENT_TYPE = 'application/offset+octet-stream';

/**
 * Builds a {@link HeaderReader} from a Node-style or plain header object
 * (repeated headers are joined with ", " so they never parse as one number).
 *
 * @example
 * ```ts
 * const header = headerReader(req.headers);
 * header('upload-offset');
 * ```
 */
export function headerReader(
  headers: Record<string, string | string[] | undefined> | Headers,
): HeaderReader {
  if (typeof (headers as Headers).get === 'function') {
    const h = headers as Headers;
    return (name) => h.get(name) ?? undefined;
  }
  const h = headers as Record<string, string | string[] | undefined>;
  return (name) => {
    const value = h[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
}

/**
 * Parses a strictly non-negative decimal integer header; `undefined` for
 * anything else (signs, spaces, exponents, values beyond 2^53).
 *
 * @example
 * ```ts
 * parseNonNegativeInteger('42'); // 42
 * parseNonNegativeInteger('-1'); // undefined
 * ```
 */
export function parseNonNegativeInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Formats a date as an RFC 9110 IMF-fixdate, e.g. `Sat, 09 May 2026 08:54:55 GMT`.
 *
 * @example
 * ```ts
 * httpDate(new Date(0)); // 'Thu, 01 Jan 1970 00:00:00 GMT'
 * ```
 */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/**
 * Decodes a TUS `Upload-Metadata` header (`key base64value, key2`); throws on
 * malformed input.
 *
 * @example
 * ```ts
 * parseUploadMetadata('filename d29ybGQ='); // { filename: 'world' }
 * ```
 */
export function parseUploadMetadata(value: string | undefined): Record<string, string> {
  // No prototype: keys such as `constructor` or `__proto__` are ordinary metadata keys.
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  if (value === undefined || value.trim() === '') return metadata;
  for (const pair of value.split(',')) {
    const [key, encoded, extra] = pair.trim().split(' ');
    if (!key || extra !== undefined || !isMetadataKey(key) || Object.hasOwn(metadata, key)) {
      throw new Error('malformed Upload-Metadata');
    }
    if (encoded !== undefined && !isCanonicalBase64(encoded)) throw new Error('malformed Upload-Metadata');
    metadata[key] = encoded === undefined ? '' : Buffer.from(encoded, 'base64').toString('utf8');
  }
  return metadata;
}

/**
 * True for a key `Upload-Metadata` can carry: one or more visible ASCII
 * characters other than the comma that separates pairs.
 *
 * @example
 * ```ts
 * isMetadataKey('filename'); // true
 * isMetadataKey('file name'); // false
 * ```
 */
export function isMetadataKey(key: string): boolean {
  return /^[\x21-\x2b\x2d-\x7e]+$/.test(key);
}

/**
 * Standard base64 with its padding, in the one spelling that encodes its
 * bytes: a value that decodes loosely (missing padding, unused bits set) is
 * refused rather than guessed at.
 */
function isCanonicalBase64(encoded: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(encoded) && Buffer.from(encoded, 'base64').toString('base64') === encoded;
}

/**
 * Encodes metadata as a TUS `Upload-Metadata` header value.
 *
 * @example
 * ```ts
 * formatUploadMetadata({ filename: 'world' }); // 'filename d29ybGQ='
 * ```
 */
export function formatUploadMetadata(metadata: Record<string, string>): string {
  return Object.entries(metadata)
    .map(([key, value]) => (value === '' ? key : `${key} ${Buffer.from(value).toString('base64')}`))
    .join(',');
}
