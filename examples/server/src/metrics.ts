import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { TUS_CHANNELS, type TusChannelName, type TusDiagnostics } from '@tuskit/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestLine } from './logging.js';

/**
 * The server's Prometheus metrics, fed by the TUS engine's diagnostics
 * channels (only those of the engine given to {@link ServerMetrics.watch}:
 * tests run several servers in one process), by every answered request and
 * by every asset that ends `failed`.
 *
 * @example
 * ```ts
 * const metrics = new ServerMetrics();
 * metrics.watch(tus);
 * createServer(observeRequests(app, (line) => metrics.observeRequest(line)));
 * const { contentType, body } = await metrics.render();
 * ```
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #unsubscribe: Array<() => void> = [];
  readonly #requestDuration = new Histogram({
    name: 'tuskit_http_request_duration_seconds',
    help: 'Time to answer a request (REST and TUS), by method and status.',
    labelNames: ['method', 'status'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [this.registry],
  });
  readonly #failed = new Counter({
    name: 'tuskit_uploads_failed_total',
    help: 'Assets this instance moved to failed (first chunk refused, or processing failed), by error code.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Counts one asset that ended `failed`, by its error code. */
  assetFailed(code: string): void {
    this.#failed.inc({ reason: code });
  }

  /** Feeds the counters from the diagnostics channels of `engine`. */
  watch(engine: unknown): void {
    const counter = (name: string, help: string, labelNames: readonly string[] = []) =>
      new Counter({ name, help, labelNames, registers: [this.registry] });
    const started = counter('tuskit_uploads_started_total', 'Uploads created.');
    const completed = counter('tuskit_uploads_completed_total', 'Uploads whose last byte was stored and finalized.');
    const expired = counter('tuskit_uploads_expired_total', 'Incomplete uploads removed by the reaper.');
    const terminated = counter('tuskit_uploads_terminated_total', 'Uploads deleted by a client.');
    const bytes = counter('tuskit_upload_bytes_received_total', 'Bytes of PATCH bodies received.');
    const storeErrors = counter(
      'tuskit_store_errors_total',
      'Requests that failed on the store or locker (unexpected errors and "store unavailable" answers).',
    );
    const inFlight = new Gauge({
      name: 'tuskit_uploads_in_flight',
      help: 'PATCH requests streaming bytes right now.',
      registers: [this.registry],
    });
    const on = <N extends TusChannelName>(name: N, listener: (message: TusDiagnostics[N]) => void) => {
      const mine = (message: unknown) => {
        if ((message as { tus: unknown }).tus === engine) listener(message as TusDiagnostics[N]);
      };
      subscribe(name, mine);
      this.#unsubscribe.push(() => unsubscribe(name, mine));
    };
    on(TUS_CHANNELS.uploadCreated, () => started.inc());
    on(TUS_CHANNELS.uploadCompleted, () => completed.inc());
    on(TUS_CHANNELS.uploadExpired, () => expired.inc());
    on(TUS_CHANNELS.uploadTerminated, () => terminated.inc());
    // Counted as they arrive, so a scrape during a long PATCH sees it move; one PATCH per upload at a time.
    const counted = new Map<string, number>();
    on(TUS_CHANNELS.uploadProgress, ({ id, bytes: received }) => {
      bytes.inc(received - (counted.get(id) ?? 0));
      counted.set(id, received);
    });
    on(TUS_CHANNELS.patchEnd, ({ id }) => counted.delete(id));
    on(TUS_CHANNELS.requestStart, ({ method }) => method.toUpperCase() === 'PATCH' && inFlight.inc());
    on(TUS_CHANNELS.requestEnd, ({ method, code }) => {
      if (method.toUpperCase() === 'PATCH') inFlight.dec();
      if (code === 'store_unavailable') storeErrors.inc();
    });
    on(TUS_CHANNELS.error, ({ source }) => source !== 'hook' && storeErrors.inc());
  }

  /** Records one answered request. */
  observeRequest(line: RequestLine): void {
    this.#requestDuration.observe({ method: line.method, status: String(line.status) }, line.durationMs / 1000);
  }

  /** The metrics in Prometheus' text format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops listening to the engine. */
  close(): void {
    for (const stop of this.#unsubscribe.splice(0)) stop();
  }
}
