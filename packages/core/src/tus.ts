import parseForwarded from 'forwarded-parse';
import { tmpdir } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import type { InterruptReason } from './body.js';
import { DiagnosticsPublisher, type TusErrorSource } from './diagnostics.js';
import { TusError, TUS_ERRORS, isTusError } from './errors.js';
import { handleDelete } from './handlers/delete.js';
import { handleGet } from './handlers/get.js';
import { handleHead } from './handlers/head.js';
import { handleOptions, preflightHeaders } from './handlers/options.js';
import { handlePatch } from './handlers/patch.js';
import { handlePost } from './handlers/post.js';
import { checkExtensionHeaders } from './handlers/unoffered.js';
import type { HeaderReader, TusRequest, TusResponse } from './http.js';
import { TUS_VERSION, headerReader, httpDate, isMetadataKey } from './http.js';
import { MemoryLocker, type Locker } from './locker.js';
import { ANY_AUDIO_OR_VIDEO, type ContentRule } from './media.js';
import type { DownloadOptions, FinishResponse, HookEvent, TusHooks, TusOptions } from './options.js';
import { isClosableStore, isListableStore, type ClosableStore, type DataStore, type UploadHandle } from './store.js';
import { DEFAULT_MAX_SIZE, MIN_UPLOAD_SIZE, type StoredObject, type UploadInfo } from './upload.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const EXPOSED_HEADERS = [
  'Upload-Offset',
  'Upload-Length',
  'Upload-Expires',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Content-Range',
  'Content-Disposition',
  'Accept-Ranges',
  'ETag',
];

/** `proto` and `host` of the first element of an RFC 7239 `Forwarded` header; nothing when it is absent or malformed. */
function forwardedOrigin(value: string | undefined): { proto?: string; host?: string } {
  if (!value) return {};
  try {
    const [first] = parseForwarded(value);
    return { ...(first?.proto && { proto: first.proto.toLowerCase() }), ...(first?.host && { host: first.host }) };
  } catch {
    return {};
  }
}

/** Input of {@link Tus.createUpload}. */
export interface CreateUploadInput {
  /** Total size in bytes (Upload-Length). */
  size: number;
  /** Your own record id; otherwise a UUIDv7 is generated. */
  id?: string;
  metadata?: Record<string, string>;
  /** Origin of the upload URL when no `publicUrl` is configured (see {@link Tus.originFor}). */
  origin?: string;
}

/** What {@link Tus.createUpload} returns: send `headers` with your own response. */
export interface CreatedUpload {
  id: string;
  /** The upload URL: absolute, or a path with the `relativeLocation` option. */
  url: string;
  expiresAt: Date;
  headers: { Location: string; 'Upload-Expires': string; 'Tus-Resumable': string };
  upload: UploadInfo;
}

type NotifyHook = Exclude<keyof TusHooks, 'onMediaDetected' | 'onBeforeCreate' | 'onBeforeFinish'>;

/**
 * The TUS engine: pre-allocates uploads for the host and answers the TUS
 * requests the host's framework hands it. Create it with {@link createTus}.
 */
export class Tus<Ctx = unknown> {
  readonly store: DataStore;
  readonly locker: Locker;
  readonly basePath: string;
  /** Tus-Max-Size: the smaller of the configured and the store's limit. */
  readonly maxSize: number;
  /** What `Tus-Extension` advertises, derived from the store and options. */
  readonly extensions: readonly string[];
  /** The content rule of the first chunk; `false`: no content check. */
  readonly accept: ContentRule | false;
  /** Smallest accepted Upload-Length. */
  readonly minSize: number;
  readonly options: Readonly<TusOptions<Ctx>>;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** Every PATCH in flight, with its upload id: `close` and `stop` ask them to let go. */
  readonly #writers = new Map<(reason: InterruptReason) => void, string>();
  readonly #reaper: NodeJS.Timeout | undefined;
  /** @internal Publishes to the diagnostics channels and the `logger`. */
  readonly diagnostics: DiagnosticsPublisher;

  constructor(options: TusOptions<Ctx>) {
    this.options = options;
    this.diagnostics = new DiagnosticsPublisher(this, options.logger);
    this.store = options.store;
    this.locker = options.locker ?? new MemoryLocker();
    this.basePath = (options.basePath ?? '/').replace(/\/+$/, '');
    this.maxSize = Math.min(options.maxSize ?? DEFAULT_MAX_SIZE, options.store.maxSize ?? Infinity);
    this.accept = options.accept ?? ANY_AUDIO_OR_VIDEO;
    this.minSize = options.minSize ?? (this.accept ? MIN_UPLOAD_SIZE : 0);
    this.extensions = [
      ...(options.creation ? ['creation', 'creation-with-upload'] : []),
      'termination',
      'checksum',
      'checksum-trailer',
      ...(isListableStore(options.store) ? ['expiration'] : []),
    ];
    if (options.reapIntervalMs !== undefined) {
      this.#reaper = setInterval(() => void this.reap().catch((e) => this.reportError(e, 'reaper')), options.reapIntervalMs);
      this.#reaper.unref();
    }
  }

  /**
   * Pre-allocates an upload from the host's own REST handler.
   *
   * @example
   * ```ts
   * const created = await tus.createUpload({ size: 52_428_800, metadata: { name: 'take1.mp4' } });
   * res.set(created.headers).status(201).json({ upload_url: created.url });
   * ```
   */
  async createUpload(input: CreateUploadInput): Promise<CreatedUpload> {
    const { size } = input;
    if (!Number.isSafeInteger(size) || size < 0) throw new TusError('invalid_length');
    if (size < this.minSize) throw new TusError('size_too_small', `Uploads must be at least ${this.minSize} bytes.`);
    if (size > this.maxSize) throw new TusError('size_too_large');
    for (const [key, value] of Object.entries(input.metadata ?? {})) {
      // A key HEAD could not send back in Upload-Metadata would break every later HEAD of the upload.
      if (!isMetadataKey(key) || typeof value !== 'string') {
        throw new TusError('invalid_metadata', `Metadata key ${JSON.stringify(key)} must be visible ASCII without commas, with a string value.`);
      }
    }
    const id = input.id ?? (this.options.generateId ?? uuidv7)();
    if (!this.isValidId(id)) throw new TusError('invalid_id');
    const createdAt = new Date();
    const created = await this.store.create({ id, size, metadata: { ...input.metadata }, createdAt });
    // No PATCH will ever come for an empty upload: it is complete as created.
    if (size === 0) await this.complete(created, undefined);
    const upload = created.info;
    const expiresAt = new Date(createdAt.getTime() + this.uploadTtlMs);
    const url = this.urlFor(id, input.origin);
    const headers = { Location: url, 'Upload-Expires': httpDate(expiresAt), 'Tus-Resumable': TUS_VERSION };
    if (this.diagnostics.wants('tuskit:upload:created')) this.diagnostics.publish('tuskit:upload:created', { id, size, upload });
    return { id, url, expiresAt, headers, upload };
  }

  /**
   * Answers one TUS request; never throws.
   *
   * @example
   * ```ts
   * const response = await tus.handle({ method: 'HEAD', path: '/v1/uploads/abc', header, context: req });
   * ```
   */
  async handle(request: TusRequest<Ctx>): Promise<TusResponse> {
    request = withMethodOverride(request);
    const started = this.diagnostics.wants('tuskit:request:end') ? performance.now() : 0;
    if (this.diagnostics.wants('tuskit:request:start')) {
      this.diagnostics.publish('tuskit:request:start', { request, method: request.method, path: request.path });
    }
    const work = this.#dispatch(request).catch((error: unknown) => this.errorResponse(error));
    this.#inFlight.add(work);
    try {
      const response = this.#decorate(request, await work);
      if (started) this.#publishEnd(request, response, started);
      return response;
    } finally {
      this.#inFlight.delete(work);
    }
  }

  /**
   * Delivers the completion of an upload whose bytes are all stored, again
   * if need be: under the upload's lock, finalizes it (idempotent) and calls
   * `onComplete`. Completion is at-least-once: a process killed between the
   * last byte and the end of `onComplete` leaves an upload the host has not
   * confirmed; call this for each such upload (e.g. at start-up, for your
   * records still waiting for their upload). Resolves false, without a hook
   * call, for an unknown or incomplete upload.
   *
   * @example
   * ```ts
   * for (const id of db.idsWaitingForUpload()) await tus.finishUpload(id);
   * ```
   */
  async finishUpload(id: string): Promise<boolean> {
    if (!this.isValidId(id)) return false;
    // Checked before locking too: asking for the lock would interrupt a PATCH still writing the upload.
    const seen = await this.store.open(id);
    if (!seen || seen.info.offset < seen.info.size) return false;
    return this.withLock(id, () => {}, async () => {
      const upload = await this.store.open(id);
      if (!upload || upload.info.offset < upload.info.size) return false;
      await this.complete(upload, undefined);
      return true;
    });
  }

  /**
   * Removes every expired, incomplete upload that no request holds, telling
   * the host through `onExpired`, and finalizes every complete upload that
   * never was (a process killed between its last byte and finalization),
   * telling the host through `onComplete`. Returns the removed ids.
   *
   * @example
   * ```ts
   * setInterval(() => tus.reap(), 60_000); // or the reapIntervalMs option
   * ```
   */
  async reap(now: Date = new Date()): Promise<string[]> {
    if (!isListableStore(this.store)) return [];
    const started = performance.now();
    const reaped: string[] = [];
    for await (const candidate of this.store.list()) {
      if ('error' in candidate) {
        this.reportError(candidate.error, 'reaper');
        continue;
      }
      if (isUnfinalized(candidate)) {
        await this.#finishUnfinalized(candidate.id);
        continue;
      }
      if (!this.isExpired(candidate, now)) continue;
      const lock = await this.locker
        .lock(candidate.id, { timeoutMs: 0, takeover: false, onReleaseRequested: () => {} })
        .catch(() => undefined);
      if (!lock) continue;
      try {
        const handle = await this.store.open(candidate.id);
        if (!handle || !this.isExpired(handle.info, now)) continue;
        const upload = handle.info;
        await handle.remove();
        reaped.push(upload.id);
        if (this.diagnostics.wants('tuskit:upload:expired')) this.diagnostics.publish('tuskit:upload:expired', { id: upload.id, upload });
        await this.notify('onExpired', { upload, context: undefined });
      } finally {
        await lock.release();
      }
    }
    if (this.diagnostics.wants('tuskit:reaper:run')) {
      this.diagnostics.publish('tuskit:reaper:run', { reaped, durationMs: performance.now() - started });
    }
    return reaped;
  }

  /** Completes an upload left unfinalized, unless a request holds it (that request completes it). */
  async #finishUnfinalized(id: string): Promise<void> {
    const lock = await this.locker.lock(id, { timeoutMs: 0, takeover: false, onReleaseRequested: () => {} }).catch(() => undefined);
    if (!lock) return;
    try {
      const upload = await this.store.open(id);
      if (upload && isUnfinalized(upload.info)) await this.complete(upload, undefined);
    } catch (error) {
      this.reportError(error, 'reaper');
    } finally {
      await lock.release();
    }
  }

  /**
   * Graceful shutdown: stops the reaper, asks every PATCH in flight to persist
   * what it has received, and resolves when all requests have answered and
   * the store (if it is a {@link ClosableStore}) has released what it holds.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', async () => { await tus.close(); server.close(); });
   * ```
   */
  async close(): Promise<void> {
    clearInterval(this.#reaper);
    for (const interrupt of this.#writers.keys()) interrupt('shutdown');
    await Promise.allSettled([...this.#inFlight]);
    if (isClosableStore(this.store)) await this.store.close();
  }

  /**
   * The origin for upload URLs: `publicUrl` if configured, else the
   * forwarded headers when `trustProxy` is on, else `http://` + Host.
   *
   * @example
   * ```ts
   * await tus.createUpload({ size, origin: tus.originFor(req.headers) });
   * ```
   */
  originFor(headers: HeaderReader | Record<string, string | string[] | undefined>): string {
    if (this.options.publicUrl) return this.options.publicUrl.replace(/\/+$/, '');
    const header = typeof headers === 'function' ? headers : headerReader(headers);
    const first = (name: string) => header(name)?.split(',')[0]?.trim();
    const forwarded = this.options.trustProxy ? forwardedOrigin(header('forwarded')) : {};
    const proto = forwarded.proto ?? ((this.options.trustProxy && first('x-forwarded-proto')) || 'http');
    const host = forwarded.host ?? ((this.options.trustProxy && first('x-forwarded-host')) || first('host') || 'localhost');
    if (!/^https?$/.test(proto) || !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) return 'http://localhost';
    return `${proto}://${host}`;
  }

  /**
   * The absolute URL of an upload (its path with `relativeLocation`).
   *
   * @example
   * ```ts
   * tus.urlFor('0190…'); // 'https://api.example.com/v1/uploads/0190…'
   * ```
   */
  urlFor(id: string, origin?: string): string {
    if (this.options.relativeLocation) return `${this.basePath}/${id}`;
    const base = (origin ?? this.options.publicUrl)?.replace(/\/+$/, '');
    if (base === undefined) throw new Error('tuskit: set publicUrl or pass an origin to build upload URLs');
    return `${base}${this.basePath}/${id}`;
  }

  /**
   * True when a request path is the base path or below it: adapters mounted
   * app-wide pass everything else on.
   *
   * @example
   * ```ts
   * if (!tus.handles(req.path)) return next();
   * ```
   */
  handles(path: string): boolean {
    const pathname = path.split('?')[0] ?? '';
    return this.basePath === '' || pathname === this.basePath || pathname.startsWith(`${this.basePath}/`);
  }

  /** When an upload expires; `null` once complete. */
  expiresAt(upload: UploadInfo): Date | null {
    if (upload.offset >= upload.size) return null;
    const from = upload.lastWriteAt ?? upload.createdAt;
    const ttl = upload.lastWriteAt ? this.idleTtlMs : this.uploadTtlMs;
    return new Date(from.getTime() + ttl);
  }

  /** True when an incomplete upload is past its expiry. */
  isExpired(upload: UploadInfo, now: Date = new Date()): boolean {
    const expiresAt = this.expiresAt(upload);
    return expiresAt !== null && expiresAt.getTime() <= now.getTime();
  }

  /** True when `id` is of the accepted form. */
  isValidId(id: string): boolean {
    return (this.options.idPattern ?? /^[A-Za-z0-9_-]{1,128}$/).test(id);
  }

  /** Where PATCH bodies with a checksum wait for their check. */
  get spoolDirectory(): string {
    return this.options.checksumSpoolDirectory ?? tmpdir();
  }

  get uploadTtlMs(): number {
    return this.options.uploadTtlMs ?? 7 * DAY_MS;
  }

  get idleTtlMs(): number {
    return this.options.idleTtlMs ?? 2 * DAY_MS;
  }

  /** @internal Loads an upload that must exist and be live (404 / 410 otherwise). */
  async liveUpload(id: string): Promise<UploadHandle> {
    const upload = await this.store.open(id);
    if (!upload) throw new TusError('not_found');
    if (this.isExpired(upload.info)) throw new TusError('expired');
    return upload;
  }

  /** @internal Runs `work` holding the upload's lock; 423 when it cannot be had in time. */
  async withLock<T>(id: string, onReleaseRequested: () => void, work: () => Promise<T>): Promise<T> {
    const timeoutMs = this.options.lockTimeoutMs ?? 5000;
    const onTakeover = () => {
      if (this.diagnostics.wants('tuskit:lock:takeover')) this.diagnostics.publish('tuskit:lock:takeover', { id });
      onReleaseRequested();
    };
    const lock = await this.locker.lock(id, { timeoutMs, onReleaseRequested: onTakeover });
    try {
      return await work();
    } finally {
      await lock.release().catch((e) => this.reportError(e, 'lock'));
    }
  }

  /** @internal Registers a PATCH so that {@link close} can ask it to stop. */
  trackWriter(id: string, interrupt: (reason: InterruptReason) => void): () => void {
    this.#writers.set(interrupt, id);
    return () => this.#writers.delete(interrupt);
  }

  /**
   * Stops the PATCH of upload `id` running in this process, like tusd's
   * `StopUpload`: it stops reading, the store keeps every byte it received,
   * and the client is answered 400 `upload_stopped` with the stored
   * `Upload-Offset` (so tus clients give up rather than retry). Returns
   * whether a PATCH was running. The upload itself stays: remove it, or
   * refuse its next requests in `authorize`, if it must not resume.
   *
   * @example
   * ```ts
   * if (await quotaExceeded(userId)) tus.stop(uploadId);
   * ```
   */
  stop(id: string): boolean {
    let stopped = false;
    for (const [interrupt, writing] of this.#writers) {
      if (writing !== id) continue;
      interrupt('stopped');
      stopped = true;
    }
    return stopped;
  }

  /** @internal Finalizes a complete upload and tells the host. */
  async complete(upload: UploadHandle, context: Ctx | undefined): Promise<StoredObject> {
    const object = await upload.finalize();
    const info = { ...upload.info, finalized: true };
    if (this.diagnostics.wants('tuskit:upload:completed')) {
      this.diagnostics.publish('tuskit:upload:completed', { id: info.id, size: info.size, upload: info, object });
    }
    await this.notify('onComplete', { upload: info, object, context });
    return object;
  }

  /** @internal The `download` option with its defaults; `undefined` when downloads are off. */
  get downloadOptions(): Required<DownloadOptions> | undefined {
    const option = this.options.download;
    if (!option) return undefined;
    const given = option === true ? {} : option;
    return { redirect: given.redirect ?? true, urlTtlSeconds: given.urlTtlSeconds ?? 900, disposition: given.disposition ?? 'attachment' };
  }

  /** @internal Lets `onBeforeFinish` change the answer of the request that completed an upload. */
  async finishResponse(upload: UploadInfo, object: StoredObject, context: Ctx | undefined, response: TusResponse): Promise<TusResponse> {
    const hook = this.options.hooks?.onBeforeFinish;
    if (!hook) return response;
    let changes: FinishResponse | void;
    try {
      changes = await hook.call(this.options.hooks, { upload: { ...upload, finalized: true }, object, context });
    } catch (error) {
      if (isTusError(error)) return { ...this.errorResponse(error), closeConnection: response.closeConnection };
      this.reportError(error, 'hook');
      return response;
    }
    if (!changes) return response;
    const status = changes.status ?? response.status;
    const headers = { ...response.headers, ...changes.headers };
    return { ...response, status, headers, body: changes.body ?? response.body };
  }

  /** @internal Calls a notification hook; its errors go to `onError`, never to the client. */
  async notify<K extends NotifyHook>(name: K, event: Parameters<NonNullable<TusHooks<Ctx>[K]>>[0]): Promise<void> {
    const hook = this.options.hooks?.[name] as ((e: HookEvent<Ctx>) => unknown) | undefined;
    try {
      await hook?.call(this.options.hooks, event);
    } catch (error) {
      this.reportError(error, 'hook');
    }
  }

  /** @internal Hands an unexpected error to `onError` and the `tuskit:error` channel. */
  reportError(error: unknown, source: TusErrorSource = 'request'): void {
    if (this.diagnostics.wants('tuskit:error')) this.diagnostics.publish('tuskit:error', { error, source });
    try {
      this.options.onError?.(error);
    } catch {
      // a failing logger must not take the request down with it
    }
  }

  /** @internal Renders an error as a response; unexpected errors become a bare 500. */
  errorResponse(error: unknown, extraHeaders: Record<string, string> = {}): TusResponse {
    // The operator must hear of a full disk or a broken record; the client gets the named code.
    if (!isTusError(error) || error.code === 'storage_full' || error.code === 'upload_unreadable') this.reportError(error);
    const { code, message, status } = isTusError(error)
      ? error
      : { code: 'internal_error' as const, ...TUS_ERRORS.internal_error };
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...extraHeaders };
    if (code === 'unsupported_version') headers['Tus-Version'] = TUS_VERSION;
    if (code === 'method_not_allowed') headers.Allow = this.#allowedMethods();
    return { status, headers, body: JSON.stringify({ error: { code, message } }) };
  }

  #publishEnd(request: TusRequest<Ctx>, response: TusResponse, started: number): void {
    let code: string | undefined;
    if (response.status >= 400 && typeof response.body === 'string') {
      try {
        code = (JSON.parse(response.body) as { error?: { code?: string } }).error?.code;
      } catch {
        code = undefined;
      }
    }
    const { method, path } = request;
    const durationMs = performance.now() - started;
    this.diagnostics.publish('tuskit:request:end', { request, method, path, status: response.status, code, durationMs });
  }

  async #dispatch(request: TusRequest<Ctx>): Promise<TusResponse> {
    const method = request.method.toUpperCase();
    const target = this.#route(request.path);
    if (method === 'OPTIONS') return target === undefined ? this.errorResponse(new TusError('not_found')) : handleOptions(this);
    if (this.options.authorize && !(await this.options.authorize(request))) throw new TusError('unauthorized');
    // A download is plain HTTP: browsers and `curl` send no Tus-Resumable.
    const download = method === 'GET' && this.downloadOptions !== undefined;
    if (!download && request.header('tus-resumable') !== TUS_VERSION) throw new TusError('unsupported_version');
    if (target === undefined) throw new TusError('not_found');
    // Extension headers mean something only where bytes or uploads are made; HEAD and DELETE drop nothing.
    if (method === 'POST' || method === 'PATCH') checkExtensionHeaders(this.extensions, request);
    if (target === '') {
      if (method === 'POST' && this.options.creation) return handlePost(this, request);
      throw new TusError('method_not_allowed');
    }
    if (!this.isValidId(target)) throw new TusError('not_found');
    if (method === 'HEAD') return handleHead(this, request, target);
    if (method === 'PATCH') return handlePatch(this, request, target);
    if (method === 'DELETE') return handleDelete(this, request, target);
    if (download) return handleGet(this, request, target);
    throw new TusError('method_not_allowed');
  }

  /** '' for the base path, the raw id segment for an upload, undefined for anything else. */
  #route(path: string): string | undefined {
    const pathname = path.split('?')[0] ?? '';
    // A path outside the base path is taken as relative to a mount point (Express strips the mount).
    const rest = this.handles(pathname) ? pathname.slice(this.basePath.length) : pathname;
    if (rest === '' || rest === '/') return '';
    return /^\/([^/]+)\/?$/.exec(rest)?.[1];
  }

  #decorate(request: TusRequest<Ctx>, response: TusResponse): TusResponse {
    const headers: Record<string, string> = { ...response.headers, 'Tus-Resumable': TUS_VERSION };
    Object.assign(headers, this.#corsHeaders(request));
    const method = request.method.toUpperCase();
    // An offset must never come from a cache, and neither may an error that stands in for one.
    if (method === 'HEAD') headers['Cache-Control'] = 'no-store';
    const hasBody = request.header('transfer-encoding') !== undefined || Number(request.header('content-length') ?? 0) > 0;
    // A body left unread closes the connection; an overridden request's body (e.g. a POST made a DELETE) is never read.
    const readsBody = method === 'PATCH' || method === 'POST' || request.header('x-http-method-override') !== undefined;
    const closeConnection = response.closeConnection ?? (readsBody && hasBody);
    return { ...response, headers, closeConnection };
  }

  #corsHeaders(request: TusRequest<Ctx>): Record<string, string> {
    const origin = request.header('origin');
    const cors = this.options.cors ?? {};
    if (!origin || cors === false) return {};
    const allowed = cors.origin ?? '*';
    const echo = allowed !== '*' || cors.credentials === true;
    // The answer depends on Origin whenever it is not a bare `*`: caches must keep one per origin.
    const headers: Record<string, string> = echo ? { Vary: 'Origin' } : {};
    if (allowed !== '*' && !allowed.includes(origin)) return headers;
    headers['Access-Control-Allow-Origin'] = echo ? origin : '*';
    if (cors.credentials) headers['Access-Control-Allow-Credentials'] = 'true';
    headers['Access-Control-Expose-Headers'] = [...EXPOSED_HEADERS, ...(cors.exposedHeaders ?? [])].join(', ');
    if (request.method.toUpperCase() === 'OPTIONS' && request.header('access-control-request-method')) {
      Object.assign(headers, preflightHeaders(this.#allowedMethods(), cors));
    }
    return headers;
  }

  #allowedMethods(): string {
    return `OPTIONS, HEAD, PATCH, DELETE${this.options.creation ? ', POST' : ''}${this.options.download ? ', GET' : ''}`;
  }
}

/**
 * The request as the method it stands for: TUS core requires that
 * `X-HTTP-Method-Override` replaces the request's own method, for clients
 * (the JDK's `HttpURLConnection`, some proxies) that can only send POST.
 */
function withMethodOverride<Ctx>(request: TusRequest<Ctx>): TusRequest<Ctx> {
  const override = request.header('x-http-method-override')?.trim();
  return override ? { ...request, method: override.toUpperCase() } : request;
}

/**
 * Creates the TUS engine over a store.
 *
 * @example
 * ```ts
 * import { createTus } from '@tuskit/core';
 * import { FileStore } from '@tuskit/store-fs';
 *
 * const tus = createTus({ store: new FileStore({ directory: './uploads' }), basePath: '/v1/uploads',
 *   publicUrl: 'http://localhost:1080' });
 * const { url, headers } = await tus.createUpload({ size: 1_000_000 });
 * ```
 */
export function createTus<Ctx = unknown>(options: TusOptions<Ctx>): Tus<Ctx> {
  return new Tus(options);
}

/** All bytes stored, never finalized: the process stopped between the two. */
function isUnfinalized(upload: UploadInfo): boolean {
  return upload.offset >= upload.size && !upload.finalized;
}
