import { Engine } from './engine.js';
import { TusError } from './errors.js';
import { handleDelete } from './handlers/delete.js';
import { handleGet } from './handlers/get.js';
import { handleHead } from './handlers/head.js';
import { handleOptions, preflightHeaders } from './handlers/options.js';
import { handlePatch } from './handlers/patch.js';
import { handlePost } from './handlers/post.js';
import { checkExtensionHeaders } from './handlers/unoffered.js';
import type { HeaderReader, TusRequest, TusResponse } from './http.js';
import { TUS_VERSION } from './http.js';
import type { Locker } from './locker.js';
import type { TusOptions } from './options.js';
import { isClosableStore, isListableStore, type ClosableStore, type DataStore } from './store.js';
import { isComplete, type CreatedUpload, type CreateUploadInput, type UploadInfo } from './upload.js';

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

/**
 * The TUS engine: pre-allocates uploads for the host and answers the TUS
 * requests the host's framework hands it. Create it with {@link createTus}.
 *
 * @example
 * ```ts
 * const tus = createTus({ store: new MemoryStore(), basePath: '/v1/uploads', publicUrl: 'http://localhost:1080' });
 * const { url } = await tus.createUpload({ size: 1_000_000 });
 * ```
 */
export class Tus<Ctx = unknown> {
  /** The store uploads live in (`options.store`). */
  readonly store: DataStore;
  /** The locker that serializes requests per upload (`options.locker`, `MemoryLocker` by default). */
  readonly locker: Locker;
  /** The path upload URLs live under, without a trailing slash (`''` for the root). */
  readonly basePath: string;
  /** Tus-Max-Size: the smaller of the configured and the store's limit. */
  readonly maxSize: number;
  /** What `Tus-Extension` advertises, derived from the store and options. */
  readonly extensions: readonly string[];
  /** The options the engine was created with. */
  readonly options: Readonly<TusOptions<Ctx>>;
  /** @internal What the request handlers and the Node bridge share; not part of the API. */
  readonly engine: Engine<Ctx>;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #reaper: NodeJS.Timeout | undefined;

  constructor(options: TusOptions<Ctx>) {
    const engine = new Engine(options, this);
    this.engine = engine;
    ({ store: this.store, locker: this.locker, basePath: this.basePath, maxSize: this.maxSize } = engine);
    ({ extensions: this.extensions, options: this.options } = engine);
    if (options.reapIntervalMs !== undefined) {
      this.#reaper = setInterval(() => void this.reap().catch((e) => engine.reportError(e, 'reaper')), options.reapIntervalMs);
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
  createUpload(input: CreateUploadInput): Promise<CreatedUpload> {
    return this.engine.createUpload(input);
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
    const started = this.engine.diagnostics.wants('tuskit:request:end') ? performance.now() : 0;
    if (this.engine.diagnostics.wants('tuskit:request:start')) {
      this.engine.diagnostics.publish('tuskit:request:start', { request, method: request.method, path: request.path });
    }
    const work = this.#dispatch(request).catch((error: unknown) => this.engine.errorResponse(error));
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
    if (!this.engine.isValidId(id)) return false;
    // Checked before locking too: asking for the lock would interrupt a PATCH still writing the upload.
    const seen = await this.store.open(id);
    if (!seen || !isComplete(seen.info)) return false;
    return this.engine.withLock(id, () => {}, async () => {
      const upload = await this.store.open(id);
      if (!upload || !isComplete(upload.info)) return false;
      await this.engine.complete(upload, undefined);
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
        this.engine.reportError(candidate.error, 'reaper');
        continue;
      }
      if (isUnfinalized(candidate)) {
        await this.#finishUnfinalized(candidate.id);
        continue;
      }
      if (!this.engine.isExpired(candidate, now)) continue;
      const lock = await this.locker
        .lock(candidate.id, { timeoutMs: 0, takeover: false, onReleaseRequested: () => {} })
        .catch(() => undefined);
      if (!lock) continue;
      try {
        const handle = await this.store.open(candidate.id);
        if (!handle || !this.engine.isExpired(handle.info, now)) continue;
        const upload = handle.info;
        await handle.remove();
        reaped.push(upload.id);
        if (this.engine.diagnostics.wants('tuskit:upload:expired')) this.engine.diagnostics.publish('tuskit:upload:expired', { id: upload.id, upload });
        await this.engine.notify('onExpired', { upload, context: undefined });
      } finally {
        await lock.release();
      }
    }
    if (this.engine.diagnostics.wants('tuskit:reaper:run')) {
      this.engine.diagnostics.publish('tuskit:reaper:run', { reaped, durationMs: performance.now() - started });
    }
    return reaped;
  }

  /** Completes an upload left unfinalized, unless a request holds it (that request completes it). */
  async #finishUnfinalized(id: string): Promise<void> {
    const lock = await this.locker.lock(id, { timeoutMs: 0, takeover: false, onReleaseRequested: () => {} }).catch(() => undefined);
    if (!lock) return;
    try {
      const upload = await this.store.open(id);
      if (upload && isUnfinalized(upload.info)) await this.engine.complete(upload, undefined);
    } catch (error) {
      this.engine.reportError(error, 'reaper');
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
    this.engine.interruptWriters('shutdown');
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
    return this.engine.originFor(headers);
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
    return this.engine.urlFor(id, origin);
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
    return this.engine.interruptWriters('stopped', id);
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
    this.engine.diagnostics.publish('tuskit:request:end', { request, method, path, status: response.status, code, durationMs });
  }

  async #dispatch(request: TusRequest<Ctx>): Promise<TusResponse> {
    const { engine } = this;
    const method = request.method.toUpperCase();
    const target = this.#route(request.path);
    if (method === 'OPTIONS') return target === undefined ? engine.errorResponse(new TusError('not_found')) : handleOptions(engine);
    if (this.options.authorize && !(await this.options.authorize(request))) throw new TusError('unauthorized');
    // A download is plain HTTP: browsers and `curl` send no Tus-Resumable.
    const download = method === 'GET' && engine.downloadOptions !== undefined;
    if (!download && request.header('tus-resumable') !== TUS_VERSION) throw new TusError('unsupported_version');
    if (target === undefined) throw new TusError('not_found');
    // Extension headers mean something only where bytes or uploads are made; HEAD and DELETE drop nothing.
    if (method === 'POST' || method === 'PATCH') checkExtensionHeaders(this.extensions, request);
    if (target === '') {
      if (method === 'POST' && this.options.creation) return handlePost(engine, request);
      throw new TusError('method_not_allowed');
    }
    if (!engine.isValidId(target)) throw new TusError('not_found');
    if (method === 'HEAD') return handleHead(engine, request, target);
    if (method === 'PATCH') return handlePatch(engine, request, target);
    if (method === 'DELETE') return handleDelete(engine, request, target);
    if (download) return handleGet(engine, request, target);
    throw new TusError('method_not_allowed');
  }

  /** '' for the base path, the raw id segment for an upload, undefined for anything else. */
  #route(path: string): string | undefined {
    const pathname = path.split('?')[0] ?? '';
    if (!this.handles(pathname)) return undefined;
    const rest = pathname.slice(this.basePath.length);
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
      Object.assign(headers, preflightHeaders(this.engine.allowedMethods(), cors));
    }
    return headers;
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
  return isComplete(upload) && !upload.finalized;
}
