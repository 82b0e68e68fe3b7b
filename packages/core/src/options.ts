import type { TusLogger } from './diagnostics.js';
import type { Locker } from './locker.js';
import type { ContentRule } from './media.js';
import type { DataStore } from './store.js';
import type { TusRequest } from './http.js';
import type { DetectedFormat, MediaInfo, StoredObject, UploadInfo } from './upload.js';

/** Every hook event carries the upload and the framework's request context. */
export interface HookEvent<Ctx> {
  upload: UploadInfo;
  /** The framework's own request object (`req`, `ctx`, …); `undefined` outside a request (reaper). */
  context: Ctx | undefined;
}

/** What `onBeforeCreate` receives: the upload a `creation` POST asks for, before anything is stored. */
export interface BeforeCreateEvent<Ctx> {
  /** `undefined` when the client defers the length (`Upload-Defer-Length: 1`). */
  size: number | undefined;
  metadata: Record<string, string>;
  context: Ctx;
}

/** What `onBeforeCreate` may change: the id to create the upload under, and its metadata. */
export interface CreateChanges {
  id?: string;
  metadata?: Record<string, string>;
}

/** What `onBeforeFinish` may change of the answer to the request that completed the upload. */
export interface FinishResponse {
  status?: number;
  /** Added to (or replacing) the answer's headers. */
  headers?: Record<string, string>;
  body?: string;
}

/**
 * What the host is told, and where it steers. `onBeforeCreate`,
 * `onMediaDetected` and `onBeforeFinish` choose the answer: throw a
 * `TusError` to refuse (with `new TusError('refused', message, { status })`
 * for any status). Errors of the other hooks are reported to `onError` and
 * never alter what the client is told about its bytes.
 *
 * @example
 * ```ts
 * const hooks: TusHooks<express.Request> = {
 *   onBeforeCreate: ({ metadata, context }) => {
 *     if (!context.user) throw new TusError('refused', 'Sign in first.', { status: 401 });
 *     return { metadata: { ...metadata, owner: context.user.id } };
 *   },
 *   onComplete: ({ upload, object }) => queue.push({ id: upload.id, where: object.location }),
 *   onBeforeFinish: ({ upload }) => ({ status: 200, headers: { 'Content-Type': 'application/json' },
 *     body: JSON.stringify({ asset: upload.id }) }),
 * };
 * ```
 */
export interface TusHooks<Ctx = unknown> {
  /**
   * Runs for a `creation` POST before the upload is stored: return changes
   * (another id, other metadata) or nothing; throw a `TusError` to refuse.
   * Uploads the host pre-allocates with `createUpload` do not pass here.
   */
  onBeforeCreate?(event: BeforeCreateEvent<Ctx>): void | CreateChanges | Promise<void | CreateChanges>;
  /**
   * Runs once the last byte is stored and finalized, after `onComplete`,
   * for the request that completed the upload: return what to change of its
   * answer (status, headers, body). A thrown `TusError` answers that error
   * (the upload stays complete); other errors go to `onError`.
   */
  onBeforeFinish?(event: HookEvent<Ctx> & { object: StoredObject }): void | FinishResponse | Promise<void | FinishResponse>;
  onMediaDetected?(event: HookEvent<Ctx> & { media: MediaInfo }): void | Promise<void>;
  onMediaRejected?(event: HookEvent<Ctx> & { detected: DetectedFormat | undefined }): void | Promise<void>;
  onProgress?(event: HookEvent<Ctx> & { offset: number }): void | Promise<void>;
  /**
   * Called at least once per upload whose bytes are all stored, possibly
   * more than once: again after a crash before it returned (by
   * `tus.finishUpload` or the reaper), or when a HEAD finds the upload
   * never finalized. Make it idempotent (e.g. change a record only from the
   * state it expects).
   */
  onComplete?(event: HookEvent<Ctx> & { object: StoredObject }): void | Promise<void>;
  onTerminated?(event: HookEvent<Ctx>): void | Promise<void>;
  onExpired?(event: HookEvent<Ctx>): void | Promise<void>;
}

/**
 * CORS answers for browser clients on another origin.
 *
 * @example
 * ```ts
 * const cors: CorsOptions = {
 *   origin: ['https://app.example.com'],
 *   credentials: true, // the page sends cookies: `fetch(url, { credentials: 'include' })`
 *   allowedHeaders: ['X-Request-Id'],
 *   exposedHeaders: ['X-Asset-Id'],
 * };
 * ```
 */
export interface CorsOptions {
  /** Allowed origins; `'*'` (default) allows any. Answers vary by `Origin` unless it is `'*'` without credentials. */
  origin?: '*' | readonly string[];
  /**
   * Send `Access-Control-Allow-Credentials: true`, so that pages may send
   * cookies or HTTP authentication. The allowed origin is then echoed
   * (browsers refuse `*` with credentials). Default false.
   */
  credentials?: boolean;
  /** Request headers a preflight allows beyond the TUS ones, `Authorization` and `Content-Type`. */
  allowedHeaders?: readonly string[];
  /** Response headers pages may read beyond the TUS ones and `Location`. */
  exposedHeaders?: readonly string[];
  /** How long browsers may cache a preflight answer, in seconds. Default 86400. */
  maxAgeSeconds?: number;
}

/**
 * The `download` option: GET on the upload URL of a finished upload.
 *
 * @example
 * ```ts
 * const tus = createTus({ store, download: { redirect: false, disposition: 'inline' } });
 * ```
 */
export interface DownloadOptions {
  /** Answer 302 to the store's own `downloadUrl()` where it has one (S3, GCS) rather than stream through this server. Default true. */
  redirect?: boolean;
  /** Lifetime of those URLs in seconds. Default 900. */
  urlTtlSeconds?: number;
  /** `Content-Disposition` type sent with a `filename` (or `name`) from the metadata. Default `attachment`. */
  disposition?: 'attachment' | 'inline';
}

/**
 * Options of {@link createTus}. Only `store` is required.
 *
 * @example
 * ```ts
 * const options: TusOptions<IncomingMessage> = {
 *   store: new FileStore({ directory: './data' }),
 *   basePath: '/v1/uploads',
 *   publicUrl: 'https://api.example.com',
 *   authorize: (req) => req.header('authorization') === `Bearer ${key}`,
 * };
 * ```
 */
export interface TusOptions<Ctx = unknown> {
  store: DataStore;
  /** Path the handler answers under, used for routing and URLs. Default `/`. */
  basePath?: string;
  /** Origin of upload URLs (`https://api.example.com`); otherwise taken from the request. */
  publicUrl?: string;
  /**
   * Take the origin of upload URLs from the proxy's headers when no
   * `publicUrl` is set: RFC 7239 `Forwarded` (`proto=` and `host=` of its
   * first element), else `X-Forwarded-Proto` / `X-Forwarded-Host`. Turn it on
   * only behind a proxy that sets them. Default false.
   */
  trustProxy?: boolean;
  /**
   * Answer `Location` (of `createUpload` and a `creation` POST) as a path
   * (`/v1/uploads/{id}`) rather than an absolute URL; clients resolve it
   * against the URL they posted to. Handy behind proxies that rewrite hosts.
   * Default false.
   */
  relativeLocation?: boolean;
  /** Largest accepted upload in bytes. Default 50 GiB. */
  maxSize?: number;
  /** Lifetime of a new upload. Default 7 days. */
  uploadTtlMs?: number;
  /** Lifetime after each PATCH. Default 48 hours. */
  idleTtlMs?: number;
  /** Runs the reaper on this interval when set (see {@link Tus.reap}). */
  reapIntervalMs?: number;
  /** Default: an in-process {@link MemoryLocker}. */
  locker?: Locker;
  /** How long a request waits for the current holder to let go before 423. Default 5 s. */
  lockTimeoutMs?: number;
  /** A PATCH that receives no byte for this long is ended, keeping its bytes. Default 60 s. */
  idleTimeoutMs?: number;
  /**
   * What the first bytes of an upload must be, checked on the PATCH at offset
   * 0 before anything is stored: a MIME list or a predicate; `false` for no
   * content check (and no detection), like a plain TUS server. Default
   * {@link ANY_AUDIO_OR_VIDEO}, the media rule tuskit was built for.
   */
  accept?: ContentRule | false;
  /**
   * Smallest Upload-Length accepted, in bytes; 0 is allowed. Default
   * {@link MIN_UPLOAD_SIZE} (64) with a content rule, as fewer bytes hold no
   * detectable format; 0 with `accept: false`.
   */
  minSize?: number;
  /**
   * Serve GET on the upload URL of a finished upload (after `authorize`,
   * without `Tus-Resumable`): `Content-Type` from the detected format, a
   * safe `Content-Disposition` from the `filename` metadata, `ETag`,
   * `If-None-Match`, `If-Range` and one byte `Range` (206, or 416 outside
   * the upload). Streamed from the store's `read()`, or a redirect to its
   * `downloadUrl()` (see {@link DownloadOptions}). Default off.
   */
  download?: boolean | DownloadOptions;
  /**
   * DELETE of a finished upload answers 403 `termination_refused` and removes
   * nothing, so that a stale upload URL cannot delete what was delivered.
   * Default false.
   */
  disableTerminationForFinishedUploads?: boolean;
  /** Offer the standard `creation` extension (POST to the base path). Default false. */
  creation?: boolean;
  /** Generates ids when the host gives none. Default UUIDv7. */
  generateId?: () => string;
  /** Accepted id form, checked before any store call. Default `/^[A-Za-z0-9_-]{1,128}$/`. */
  idPattern?: RegExp;
  /** Decides whether a request may proceed (every request but OPTIONS); false → 401. */
  authorize?: (request: TusRequest<Ctx>) => boolean | Promise<boolean>;
  hooks?: TusHooks<Ctx>;
  /**
   * Lets stores give each request chunk's memory back as soon as they have
   * its bytes, rather than leave it to V8, which frees dead socket buffers
   * only once some 32 MiB of them pile up. Applies to bodies the core reads
   * itself (`TusRequest.exclusiveBody`). Turn it off only if your host keeps
   * references to request chunks of its own (e.g. a `data` listener that
   * buffers them). Default true.
   */
  freeChunks?: boolean;
  /**
   * Where a PATCH with `Upload-Checksum` is held on local disk until its
   * checksum is checked (the `checksum` extension): its bytes reach the store
   * only once they match. Default the OS temporary directory.
   */
  checksumSpoolDirectory?: string;
  /** Minimum time between two `onProgress` calls of one PATCH. Default 1 s. */
  progressIntervalMs?: number;
  /** CORS; `false` turns it off. Default `{ origin: '*' }`. */
  cors?: CorsOptions | false;
  /** Receives unexpected errors (store failures, hook errors) for logging. */
  onError?: (error: unknown) => void;
  /**
   * Writes what the engine does to a pino-compatible logger: uploads
   * created, completed, rejected, terminated and expired, lock takeovers and
   * interrupted PATCHes at `info`, every request and reaper run at `debug`,
   * unexpected errors at `error`. The same events are published on the
   * diagnostics channels (see `TUS_CHANNELS`) whether or not a logger is set.
   */
  logger?: TusLogger;
}
