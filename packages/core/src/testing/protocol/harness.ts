import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import { MemoryStore } from '../../memory-store.js';
import type { TusOptions } from '../../options.js';
import type { Locker } from '../../locker.js';
import type { DataStore } from '../../store.js';
import { Tus } from '../../tus.js';

/** Serves an engine on a real HTTP server, mounted at `tus.basePath`. */
export type ServeTus = (tus: Tus<any>) => Promise<ServedTus>;

/** A running server of {@link ServeTus}. */
export interface ServedTus {
  /** e.g. `http://127.0.0.1:40123` */
  origin: string;
  close(): Promise<void>;
}

/** Options of `describeTusProtocol`. */
export interface ProtocolSuiteOptions {
  /** e.g. `'express'` */
  name: string;
  serve: ServeTus;
  /** A folder with `media/` and `not-media/` files to upload; default the fixtures shipped in this package ({@link FIXTURES_DIR}). */
  fixturesDir?: string;
  /** Store under test; default a fresh {@link MemoryStore} per server. */
  createStore?: () => DataStore | Promise<DataStore>;
  /** Locker under test; default the engine's in-process one. */
  createLocker?: () => Locker | Promise<Locker>;
  /**
   * False for a store whose `downloadUrl()` cannot sign here (an emulator
   * without credentials): the redirect case of downloads is skipped. Default true.
   */
  signsDownloadUrls?: boolean;
  /** False for a store without the concatenation capability: the suite checks that it is refused instead. Default true. */
  concatenation?: boolean;
  /** False for a framework that cannot read request trailers (the Fetch API); default true. */
  readsTrailers?: boolean;
  /**
   * False for a server that answers bytes trailing a complete request (a
   * parse error) before the request itself, as Node's default `clientError`
   * does: only the Node bridge (`@tuskit/core/node`) holds that answer back. Default true.
   */
  answersBeforeParseErrors?: boolean;
  /** Asserts that hooks received the framework's own request context. */
  expectContext?: (context: unknown) => void;
}

/** A recorded hook call. */
export interface HookCall {
  hook: string;
  event: Record<string, unknown>;
}

export const API_KEY = 'conformance-secret';
export const BASE_PATH = '/v1/uploads';

/** One running engine + server, with request helpers. */
export class Harness {
  readonly calls: HookCall[] = [];
  tus!: Tus<unknown>;
  url = '';
  #served: ServedTus | undefined;
  #waiters: Array<() => void> = [];

  constructor(readonly suite: ProtocolSuiteOptions) {}

  async start(overrides: Partial<TusOptions<unknown>> = {}): Promise<this> {
    const store = overrides.store ?? (await (this.suite.createStore?.() ?? new MemoryStore()));
    const locker = await this.suite.createLocker?.();
    const record = (hook: string) => (event: object) => {
      this.calls.push({ hook, event: event as Record<string, unknown> });
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.tus = new Tus<unknown>({
      basePath: BASE_PATH,
      authorize: (req) => req.header('authorization') === `Bearer ${API_KEY}`,
      lockTimeoutMs: 3000,
      progressIntervalMs: 0,
      hooks: {
        onMediaDetected: record('onMediaDetected'),
        onMediaRejected: record('onMediaRejected'),
        onProgress: record('onProgress'),
        onComplete: record('onComplete'),
        onTerminated: record('onTerminated'),
        onExpired: record('onExpired'),
      },
      ...(locker && { locker }),
      ...overrides,
      store,
    });
    this.#served = await this.suite.serve(this.tus);
    this.url = `${this.#served.origin}${BASE_PATH}`;
    return this;
  }

  async stop(): Promise<void> {
    await this.tus.close();
    await this.#served?.close();
  }

  /** Resolves when a hook call matching `predicate` has been recorded. */
  async waitFor(predicate: (call: HookCall) => boolean): Promise<HookCall> {
    for (;;) {
      const found = this.calls.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Pre-allocates an upload the way a host's REST handler would. */
  async create(size: number, metadata?: Record<string, string>): Promise<{ id: string; url: string }> {
    const created = await this.tus.createUpload({ size, origin: new URL(this.url).origin, ...(metadata && { metadata }) });
    return { id: created.id, url: created.url };
  }

  /** A request with auth and Tus-Resumable unless overridden (`null` removes a header). */
  async fetch(
    path: string,
    init: { method: string; headers?: Record<string, string | null>; body?: Uint8Array | ReadableStream },
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    const merged = { authorization: `Bearer ${API_KEY}`, 'tus-resumable': '1.0.0', ...init.headers };
    for (const [k, v] of Object.entries(merged)) if (v !== null) headers[k] = v;
    const response = await fetch(path.startsWith('http') ? path : `${this.url}${path}`, {
      method: init.method,
      headers,
      body: init.body,
      ...(init.body instanceof ReadableStream && { duplex: 'half' }),
    } as RequestInit);
    expect(response.headers.get('tus-resumable')).toBe('1.0.0');
    return response;
  }

  patch(id: string, offset: number | string, body: Uint8Array, headers: Record<string, string | null> = {}) {
    return this.fetch(`/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset), ...headers },
      body,
    });
  }

  head(id: string) {
    return this.fetch(`/${id}`, { method: 'HEAD' });
  }

  /** Uploads bytes in chunks; returns the last PATCH answer. */
  async upload(id: string, bytes: Uint8Array, chunkSize = bytes.length): Promise<Response> {
    let response!: Response;
    for (let offset = 0; offset < bytes.length; offset += chunkSize) {
      response = await this.patch(id, offset, bytes.subarray(offset, offset + chunkSize));
      expect(response.status).toBe(204);
    }
    return response;
  }

  /**
   * A PATCH whose body the test writes by hand over a raw socket, to drop the
   * connection or stall midway.
   */
  rawPatch(id: string, offset: number, contentLength?: number, extraHeaders: Record<string, string> = {}) {
    const url = new URL(`${this.url}/${id}`);
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PATCH',
      agent: false,
      headers: {
        authorization: `Bearer ${API_KEY}`,
        'tus-resumable': '1.0.0',
        'content-type': 'application/offset+octet-stream',
        'upload-offset': String(offset),
        ...(contentLength !== undefined && { 'content-length': String(contentLength) }),
        ...extraHeaders,
      },
    });
    const response = new Promise<{ status: number; headers: Record<string, unknown> } | Error>((resolve) => {
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.on('error', (error) => resolve(error));
    });
    return { req, response };
  }
}

/** Reads an error body and checks its shape. */
export async function expectError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(await response.json()).toEqual({ error: { code, message: expect.any(String) } });
}
