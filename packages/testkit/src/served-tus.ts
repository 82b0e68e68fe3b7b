import { createServer } from 'node:http';
import { createTus, type DataStore, type Tus, type TusOptions } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { listenOnLoopback } from '@tuskit/core/testing';
import { afterAll, beforeAll } from 'vitest';

/** A hook call recorded by {@link serveTus}. */
export interface HookCall {
  hook: string;
  id: string;
  offset?: number;
}

/** An engine over a store, served by `node:http` on loopback. */
export interface ServedTus {
  readonly tus: Tus<unknown>;
  readonly origin: string;
  readonly calls: HookCall[];
  /** Pre-allocates an upload as a host would; returns its id and URL. */
  create(size: number): Promise<{ id: string; url: string }>;
  /** Resolves once a hook call matching `predicate` was recorded. */
  waitFor(predicate: (call: HookCall) => boolean): Promise<HookCall>;
  close(): Promise<void>;
}

/**
 * Serves a TUS engine over `store` at `/files` with every hook recorded.
 *
 * @example
 * ```ts
 * const served = await serveTus(store);
 * const { url } = await served.create(1000);
 * ```
 */
export async function serveTus(store: DataStore, options: Partial<TusOptions<unknown>> = {}): Promise<ServedTus> {
  const calls: HookCall[] = [];
  const waiters = new Set<() => void>();
  const record =
    (hook: string) =>
    ({ upload, offset }: { upload: { id: string }; offset?: number }) => {
      calls.push({ hook, id: upload.id, ...(offset !== undefined && { offset }) });
      for (const wake of waiters) wake();
    };
  const tus = createTus<unknown>({
    store,
    basePath: '/files',
    progressIntervalMs: 0,
    hooks: {
      onProgress: record('onProgress'),
      onComplete: record('onComplete'),
      onMediaRejected: record('onMediaRejected'),
      onTerminated: record('onTerminated'),
      onExpired: record('onExpired'),
    },
    ...options,
  });
  const served = await listenOnLoopback(createServer(toNodeHandler(tus)));
  return {
    tus,
    origin: served.origin,
    calls,
    create: async (size) => {
      const { id, url } = await tus.createUpload({ size, origin: served.origin });
      return { id, url };
    },
    waitFor: async (predicate) => {
      for (;;) {
        const found = calls.find(predicate);
        if (found) return found;
        await new Promise<void>((resolve) => {
          const wake = () => (waiters.delete(wake), resolve());
          waiters.add(wake);
        });
      }
    },
    close: async () => {
      await tus.close();
      await served.close();
    },
  };
}

/**
 * Serves the store at `/files` (every hook recorded) for the tests of the
 * calling `describe`; the getter is valid inside tests.
 *
 * @example
 * ```ts
 * const served = serveDuringSuite(() => gcs.store({ keyPrefix: 'http/', partSize: 64 * 1024 }));
 * it('creates', async () => expect((await served().create(10)).id).toBeTruthy());
 * ```
 */
export function serveDuringSuite(store: () => DataStore, options: Partial<TusOptions<unknown>> = {}): () => ServedTus {
  let served: ServedTus | undefined;
  beforeAll(async () => {
    served = await serveTus(store(), options);
  });
  afterAll(() => served?.close());
  return () => {
    if (!served) throw new Error('the server is not started yet (use it inside tests)');
    return served;
  };
}
