import parseForwarded from 'forwarded-parse';
import { tmpdir } from 'node:os';
import { v7 as uuidv7 } from 'uuid';
import type { InterruptReason } from './body.js';
import { DiagnosticsPublisher, type TusErrorSource } from './diagnostics.js';
import { TusError, TUS_ERRORS, isTusError } from './errors.js';
import type { HeaderReader, TusResponse } from './http.js';
import { TUS_VERSION, headerReader, httpDate, isMetadataKey } from './http.js';
import { MemoryLocker, type Locker } from './locker.js';
import { ANY_AUDIO_OR_VIDEO, type ContentRule } from './media.js';
import type { DownloadOptions, FinishResponse, HookEvent, TusHooks, TusOptions } from './options.js';
import { isConcatenationStore, isLengthDeferringStore, isListableStore, isReadableStore, type DataStore, type UploadHandle } from './store.js';
import {
  DEFAULT_MAX_SIZE,
  MIN_UPLOAD_SIZE,
  isComplete,
  type CreatedUpload,
  type CreateUploadInput,
  type StoredObject,
  type UploadInfo,
} from './upload.js';

const DAY_MS = 24 * 60 * 60 * 1000;

type NotifyHook = Exclude<keyof TusHooks, 'onMediaDetected' | 'onBeforeCreate' | 'onBeforeFinish'>;

/**
 * What the request handlers share: the resolved options, the store and
 * locker, and the steps every handler takes (lock, load, finalize, notify,
 * render errors). Internal: the public face is `Tus`, which owns one.
 */
export class Engine<Ctx> {
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
  /** Publishes to the diagnostics channels and the `logger`. */
  readonly diagnostics: DiagnosticsPublisher;
  /** Every PATCH in flight, with its upload id: shutdown and `stop` ask them to let go. */
  readonly #writers = new Map<(reason: InterruptReason) => void, string>();

  /** `owner` is the object diagnostics messages carry as `tus`. */
  constructor(options: TusOptions<Ctx>, owner: unknown) {
    this.options = options;
    this.diagnostics = new DiagnosticsPublisher(owner, options.logger);
    this.store = options.store;
    this.locker = options.locker ?? new MemoryLocker();
    this.basePath = (options.basePath ?? '/').replace(/\/+$/, '');
    this.maxSize = Math.min(options.maxSize ?? DEFAULT_MAX_SIZE, options.store.maxSize ?? Infinity);
    this.accept = options.accept ?? ANY_AUDIO_OR_VIDEO;
    this.minSize = options.minSize ?? (this.accept ? MIN_UPLOAD_SIZE : 0);
    this.extensions = [
      ...(options.creation ? ['creation', 'creation-with-upload'] : []),
      ...(options.creation && isLengthDeferringStore(options.store) ? ['creation-defer-length'] : []),
      'termination',
      'checksum',
      'checksum-trailer',
      ...(isListableStore(options.store) ? ['expiration'] : []),
      ...(options.creation && offersConcatenation(options.store, this.accept) ? ['concatenation'] : []),
    ];
  }

  /** Pre-allocates an upload (`Tus.createUpload` and the `creation` POST). */
  async createUpload(input: CreateUploadInput): Promise<CreatedUpload> {
    const { size } = input;
    if (size === undefined) {
      if (!isLengthDeferringStore(this.store)) throw new TusError('extension_unsupported', 'This store cannot take an upload of unknown length.');
    } else {
      this.checkSize(size, input.partial);
    }
    for (const [key, value] of Object.entries(input.metadata ?? {})) {
      // A key HEAD could not send back in Upload-Metadata would break every later HEAD of the upload.
      if (!isMetadataKey(key) || typeof value !== 'string') {
        throw new TusError('invalid_metadata', `Metadata key ${JSON.stringify(key)} must be visible ASCII without commas, with a string value.`);
      }
    }
    const id = input.id ?? (this.options.generateId ?? uuidv7)();
    if (!this.isValidId(id)) throw new TusError('invalid_id');
    const createdAt = new Date();
    const concat = input.partial ? { concat: { type: 'partial' } as const } : {};
    const created = await this.store.create({ id, size, metadata: { ...input.metadata }, createdAt, ...concat });
    // No PATCH will ever come for an empty upload: it is complete as created.
    if (size === 0) await this.complete(created, undefined);
    const upload = created.info;
    const expiresAt = new Date(createdAt.getTime() + this.uploadTtlMs);
    const url = this.urlFor(id, input.origin);
    const headers = { Location: url, 'Upload-Expires': httpDate(expiresAt), 'Tus-Resumable': TUS_VERSION };
    if (this.diagnostics.wants('tuskit:upload:created')) this.diagnostics.publish('tuskit:upload:created', { id, size, upload });
    return { id, url, expiresAt, headers, upload };
  }

  /** Refuses an Upload-Length outside the limits (at creation, or when a deferred length is declared). */
  checkSize(size: number, partial = false): void {
    if (!Number.isSafeInteger(size) || size < 0) throw new TusError('invalid_length');
    if (size < this.minSize && !partial) throw new TusError('size_too_small', `Uploads must be at least ${this.minSize} bytes.`);
    if (size > this.maxSize) throw new TusError('size_too_large');
  }

  /** See `Tus.originFor`. */
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

  /** See `Tus.urlFor`. */
  urlFor(id: string, origin?: string): string {
    if (this.options.relativeLocation) return `${this.basePath}/${id}`;
    const base = (origin ?? this.options.publicUrl)?.replace(/\/+$/, '');
    if (base === undefined) throw new Error('tuskit: set publicUrl or pass an origin to build upload URLs');
    return `${base}${this.basePath}/${id}`;
  }

  /** When an upload expires; `null` once complete, except for a partial upload (it waits to be concatenated). */
  expiresAt(upload: UploadInfo): Date | null {
    if (isComplete(upload) && upload.concat?.type !== 'partial') return null;
    const from = upload.lastWriteAt ?? upload.createdAt;
    const ttl = upload.lastWriteAt ? this.idleTtlMs : this.uploadTtlMs;
    return new Date(from.getTime() + ttl);
  }

  /** True when an incomplete (or partial) upload is past its expiry. */
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

  /** The `download` option with its defaults; `undefined` when downloads are off. */
  get downloadOptions(): Required<DownloadOptions> | undefined {
    const option = this.options.download;
    if (!option) return undefined;
    const given = option === true ? {} : option;
    return { redirect: given.redirect ?? true, urlTtlSeconds: given.urlTtlSeconds ?? 900, disposition: given.disposition ?? 'attachment' };
  }

  /** Loads an upload that must exist and be live (404 / 410 otherwise). */
  async liveUpload(id: string): Promise<UploadHandle> {
    const upload = await this.store.open(id);
    if (!upload) throw new TusError('not_found');
    if (this.isExpired(upload.info)) throw new TusError('expired');
    return upload;
  }

  /** Runs `work` holding the upload's lock; 423 when it cannot be had in time. */
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

  /** Registers a PATCH so that a shutdown or `stop` can ask it to stop; returns the unregistration. */
  trackWriter(id: string, interrupt: (reason: InterruptReason) => void): () => void {
    this.#writers.set(interrupt, id);
    return () => this.#writers.delete(interrupt);
  }

  /** Asks every PATCH in flight (of upload `id` only, when given) to stop; true when there was one. */
  interruptWriters(reason: InterruptReason, id?: string): boolean {
    let interrupted = false;
    for (const [interrupt, writing] of this.#writers) {
      if (id !== undefined && writing !== id) continue;
      interrupt(reason);
      interrupted = true;
    }
    return interrupted;
  }

  /** Finalizes a complete upload and tells the host; a partial upload is only a piece of one, not told. */
  async complete(upload: UploadHandle, context: Ctx | undefined): Promise<StoredObject> {
    const object = await upload.finalize();
    const info = { ...upload.info, finalized: true };
    if (info.concat?.type === 'partial') return object;
    if (this.diagnostics.wants('tuskit:upload:completed')) {
      this.diagnostics.publish('tuskit:upload:completed', { id: info.id, size: info.size ?? info.offset, upload: info, object });
    }
    await this.notify('onComplete', { upload: info, object, context });
    return object;
  }

  /** Lets `onBeforeFinish` change the answer of the request that completed an upload. */
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

  /** Calls a notification hook; its errors go to `onError`, never to the client. */
  async notify<K extends NotifyHook>(name: K, event: Parameters<NonNullable<TusHooks<Ctx>[K]>>[0]): Promise<void> {
    const hook = this.options.hooks?.[name] as ((e: HookEvent<Ctx>) => unknown) | undefined;
    try {
      await hook?.call(this.options.hooks, event);
    } catch (error) {
      this.reportError(error, 'hook');
    }
  }

  /** Hands an unexpected error to `onError` and the `tuskit:error` channel. */
  reportError(error: unknown, source: TusErrorSource = 'request'): void {
    if (this.diagnostics.wants('tuskit:error')) this.diagnostics.publish('tuskit:error', { error, source });
    try {
      this.options.onError?.(error);
    } catch {
      // a failing logger must not take the request down with it
    }
  }

  /** Renders an error as a response; unexpected errors become a bare 500. */
  errorResponse(error: unknown, extraHeaders: Record<string, string> = {}): TusResponse {
    // The operator must hear of a full disk or a broken record; the client gets the named code.
    if (!isTusError(error) || error.code === 'storage_full' || error.code === 'upload_unreadable') this.reportError(error);
    const { code, message, status } = isTusError(error)
      ? error
      : { code: 'internal_error' as const, ...TUS_ERRORS.internal_error };
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...extraHeaders };
    if (code === 'unsupported_version') headers['Tus-Version'] = TUS_VERSION;
    if (code === 'method_not_allowed') headers.Allow = this.allowedMethods();
    return { status, headers, body: JSON.stringify({ error: { code, message } }) };
  }

  /** The `Allow` header: the methods this server answers. */
  allowedMethods(): string {
    return `OPTIONS, HEAD, PATCH, DELETE${this.options.creation ? ', POST' : ''}${this.options.download ? ', GET' : ''}`;
  }
}

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

/** Concatenation needs a store that assembles, and one that reads back the final's head when a content rule applies. */
function offersConcatenation(store: DataStore, accept: ContentRule | false): boolean {
  return isConcatenationStore(store) && (accept === false || isReadableStore(store));
}
