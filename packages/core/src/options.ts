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

/**
 * What the host is told. Only `onMediaDetected` can change the response (throw
 * a `TusError` to refuse the upload); errors of the other hooks are reported
 * to `onError` and never alter what the client is told about its bytes.
 *
 * @example
 * ```ts
 * const hooks: TusHooks<express.Request> = {
 *   onComplete: ({ upload, object }) => queue.push({ id: upload.id, where: object.location }),
 * };
 * ```
 */
export interface TusHooks<Ctx = unknown> {
  onMediaDetected?(event: HookEvent<Ctx> & { media: MediaInfo }): void | Promise<void>;
  onMediaRejected?(event: HookEvent<Ctx> & { detected: DetectedFormat | undefined }): void | Promise<void>;
  onProgress?(event: HookEvent<Ctx> & { offset: number }): void | Promise<void>;
  onComplete?(event: HookEvent<Ctx> & { object: StoredObject }): void | Promise<void>;
  onTerminated?(event: HookEvent<Ctx>): void | Promise<void>;
  onExpired?(event: HookEvent<Ctx>): void | Promise<void>;
}

/** CORS answers for browser clients on another origin. */
export interface CorsOptions {
  /** Allowed origins; `'*'` (default) allows any. */
  origin?: '*' | readonly string[];
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
  /** Use `X-Forwarded-Proto` / `X-Forwarded-Host` when no `publicUrl` is set. Default false. */
  trustProxy?: boolean;
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
  /** Minimum time between two `onProgress` calls of one PATCH. Default 1 s. */
  progressIntervalMs?: number;
  /** CORS; `false` turns it off. Default `{ origin: '*' }`. */
  cors?: CorsOptions | false;
  /** Receives unexpected errors (store failures, hook errors) for logging. */
  onError?: (error: unknown) => void;
}
