import { channel, type Channel } from 'node:diagnostics_channel';
import type { TusRequest } from './http.js';
import type { StoredObject, UploadInfo } from './upload.js';

/**
 * The names of the `node:diagnostics_channel` channels the engine publishes
 * on. Subscribing costs the engine nothing until someone listens: it checks
 * `hasSubscribers` before it builds a message. Every message carries `tus`,
 * the engine that published it, so a process with several engines can tell
 * them apart.
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * import { TUS_CHANNELS, type TusDiagnostics } from '@tuskit/core';
 *
 * subscribe(TUS_CHANNELS.patchEnd, (message) => {
 *   const { id, reason, bytes } = message as TusDiagnostics['tuskit:patch:end'];
 *   console.log(`PATCH ${id} ended (${reason}) after ${bytes} bytes`);
 * });
 * ```
 */
export const TUS_CHANNELS = {
  requestStart: 'tuskit:request:start',
  requestEnd: 'tuskit:request:end',
  uploadCreated: 'tuskit:upload:created',
  uploadProgress: 'tuskit:upload:progress',
  uploadCompleted: 'tuskit:upload:completed',
  uploadRejected: 'tuskit:upload:rejected',
  uploadTerminated: 'tuskit:upload:terminated',
  uploadExpired: 'tuskit:upload:expired',
  lockTakeover: 'tuskit:lock:takeover',
  patchEnd: 'tuskit:patch:end',
  reaperRun: 'tuskit:reaper:run',
  error: 'tuskit:error',
} as const;

/** One of {@link TUS_CHANNELS}. */
export type TusChannelName = (typeof TUS_CHANNELS)[keyof typeof TUS_CHANNELS];

/**
 * Why a PATCH stopped reading its body: `complete` (the body ended),
 * `aborted` (the client went away), `takeover` (a newer request asked for the
 * upload), `idle` (no byte for `idleTimeoutMs`), `shutdown` (`tus.close()`),
 * `stopped` (`tus.stop(id)`), `overflow` (the body went past Upload-Length),
 * `refused` (a header check, the first-chunk check or a store error ended it
 * before or while writing).
 */
export type PatchEndReason = 'complete' | 'aborted' | 'takeover' | 'idle' | 'shutdown' | 'stopped' | 'overflow' | 'refused';

/** Where an unexpected error came from (see `tuskit:error`). */
export type TusErrorSource = 'request' | 'hook' | 'reaper' | 'lock';

/**
 * The message of each channel, by channel name. `tus` is the publishing
 * engine (typed `unknown` so that messages stay independent of its context
 * type).
 *
 * @example
 * ```ts
 * subscribe(TUS_CHANNELS.requestEnd, (m) => {
 *   const { method, status, durationMs } = m as TusDiagnostics['tuskit:request:end'];
 *   histogram.observe({ method, status }, durationMs / 1000);
 * });
 * ```
 */
export interface TusDiagnostics {
  /** A request reached `tus.handle`. `request` is the same object in the matching `request:end`. */
  'tuskit:request:start': { tus: unknown; request: TusRequest<unknown>; method: string; path: string };
  /** A request was answered. `code` is the error code of an error answer. */
  'tuskit:request:end': {
    tus: unknown;
    request: TusRequest<unknown>;
    method: string;
    path: string;
    status: number;
    code: string | undefined;
    durationMs: number;
  };
  /** An upload was created (`createUpload` or a `creation` POST). */
  'tuskit:upload:created': { tus: unknown; id: string; size: number | undefined; upload: UploadInfo };
  /**
   * Bytes of a PATCH body reached the engine: `bytes` so far in this PATCH,
   * `offset` from the start of the upload (received, not yet durable).
   */
  'tuskit:upload:progress': { tus: unknown; id: string; offset: number; bytes: number; size: number | undefined };
  /** The last byte is stored and the store finalized the object. */
  'tuskit:upload:completed': { tus: unknown; id: string; size: number; upload: UploadInfo; object: StoredObject };
  /** The first chunk was not an accepted format; the upload was removed. */
  'tuskit:upload:rejected': { tus: unknown; id: string; mime: string | undefined; upload: UploadInfo };
  /** A DELETE removed an upload. */
  'tuskit:upload:terminated': { tus: unknown; id: string; upload: UploadInfo };
  /** The reaper removed an expired upload. */
  'tuskit:upload:expired': { tus: unknown; id: string; upload: UploadInfo };
  /** A newer request asked the PATCH holding an upload to let go. */
  'tuskit:lock:takeover': { tus: unknown; id: string };
  /**
   * A PATCH ended: `bytes` were stored by it (`offset` is the durable offset
   * after it), `reason` says why it stopped reading.
   */
  'tuskit:patch:end': { tus: unknown; id: string; reason: PatchEndReason; offset: number; bytes: number; durationMs: number };
  /** One run of the reaper: the ids it removed. */
  'tuskit:reaper:run': { tus: unknown; reaped: string[]; durationMs: number };
  /** An unexpected error (a store or locker failure, a throwing hook), also handed to `onError`. */
  'tuskit:error': { tus: unknown; error: unknown; source: TusErrorSource };
}

/**
 * A logger the engine can write to: pino's `Logger` fits, and so does
 * anything with these four methods taking a fields object and a message.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const tus = createTus({ store, logger: pino({ level: 'debug' }) });
 * ```
 */
export interface TusLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

type Level = keyof TusLogger;

const channels = Object.fromEntries(Object.values(TUS_CHANNELS).map((name) => [name, channel(name)])) as Record<
  TusChannelName,
  Channel
>;

/**
 * @internal The engine's side of diagnostics: one publisher per engine,
 * writing each event to its channel and, when a logger is set, to the log.
 */
export class DiagnosticsPublisher {
  readonly #tus: unknown;
  readonly #logger: TusLogger | undefined;

  constructor(tus: unknown, logger: TusLogger | undefined) {
    this.#tus = tus;
    this.#logger = logger;
  }

  /** True when a message on `name` would reach anyone: check it before building one. */
  wants(name: TusChannelName): boolean {
    return this.#logger !== undefined || channels[name].hasSubscribers;
  }

  publish<N extends TusChannelName>(name: N, fields: Omit<TusDiagnostics[N], 'tus'>): void {
    const target = channels[name];
    if (target.hasSubscribers) target.publish({ tus: this.#tus, ...fields });
    if (this.#logger) this.#log(name, fields as Record<string, unknown>);
  }

  #log(name: TusChannelName, fields: Record<string, unknown>): void {
    const line: Record<string, unknown> = { event: name.slice('tuskit:'.length) };
    for (const [key, value] of Object.entries(fields)) {
      if (key === 'error') line.err = value;
      else if (typeof value !== 'object' || Array.isArray(value)) line[key] = value;
    }
    try {
      this.#logger?.[levelOf(name, fields)](line, messageOf(name, fields));
    } catch {
      // a failing logger must not take a request down with it
    }
  }
}

function levelOf(name: TusChannelName, fields: Record<string, unknown>): Level {
  switch (name) {
    case 'tuskit:error':
      return 'error';
    case 'tuskit:request:end':
      return (fields.status as number) >= 500 ? 'warn' : 'debug';
    case 'tuskit:request:start':
    case 'tuskit:upload:progress':
      return 'debug';
    case 'tuskit:patch:end':
      return fields.reason === 'complete' || fields.reason === 'refused' ? 'debug' : 'info';
    case 'tuskit:reaper:run':
      return (fields.reaped as string[]).length > 0 ? 'info' : 'debug';
    default:
      return 'info';
  }
}

function messageOf(name: TusChannelName, fields: Record<string, unknown>): string {
  switch (name) {
    case 'tuskit:request:start':
      return `${fields.method} ${fields.path}`;
    case 'tuskit:request:end':
      return `${fields.method} ${fields.path} ${fields.status}`;
    case 'tuskit:patch:end':
      return `PATCH ${fields.id} ended: ${fields.reason}`;
    case 'tuskit:reaper:run':
      return `reaper removed ${(fields.reaped as string[]).length} expired upload(s)`;
    case 'tuskit:error':
      return `unexpected error (${fields.source})`;
    default:
      return `${name.slice('tuskit:'.length).replace(':', ' ')} ${fields.id}`;
  }
}
