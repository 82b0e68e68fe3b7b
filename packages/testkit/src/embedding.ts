/*
 * Cases every framework adapter must pass when embedded in a host app, written
 * once for all adapters. They are framework-neutral: each adapter's test
 * supplies `start`, which builds the host app its own way.
 */
import type { Server } from 'node:http';
import { TusError, type MemoryStore, type Tus, type TusOptions } from '@tuskit/core';
import { listenOnLoopback, sha256, wavFile, type ServedTus } from '@tuskit/core/testing';
import { describe, expect, it } from 'vitest';

export const API_KEY = 'host-secret';
export const BASE = '/v1/uploads';

/** A running host app with the adapter mounted at {@link BASE}. */
export interface Host<Ctx> {
  tus: Tus<Ctx>;
  origin: string;
  /** What `onError` received. */
  errors: unknown[];
  /** The contexts `onComplete` received. */
  contexts: Ctx[];
}

/**
 * Starts a host app over an engine of these options: a MemoryStore at
 * {@link BASE}, `authorize` requiring the user the host's auth middleware sets
 * for `Bearer API_KEY`, a route `POST /v1/assets {size}` that answers
 * `createUpload({ size, origin: tus.originFor(headers) })`, and the adapter.
 */
export type StartHost<Ctx> = (options?: Partial<TusOptions<Ctx>>) => Promise<Host<Ctx>>;

const running: ServedTus[] = [];

/** Listens on loopback until {@link closeHosts}. */
export async function serve(server: Server): Promise<string> {
  const served = await listenOnLoopback(server);
  running.push(served);
  return served.origin;
}

/** Closes every server of {@link serve}; call it `afterEach`. */
export async function closeHosts(): Promise<void> {
  await Promise.all(running.splice(0).map((served) => served.close()));
}

/** The options and hooks every host starts with. */
export function hostTusOptions<Ctx>(userOf: (context: Ctx) => unknown, host: Pick<Host<Ctx>, 'errors' | 'contexts'>) {
  return {
    basePath: BASE,
    authorize: (request) => userOf(request.context) != null,
    onError: (error) => host.errors.push(error),
    hooks: { onComplete: ({ context }) => void (context && host.contexts.push(context)) },
  } satisfies Partial<TusOptions<Ctx>>;
}

/** A request with the host's credentials and `Tus-Resumable`. */
export function send(url: string, method: string, headers: Record<string, string> = {}, body?: Uint8Array) {
  const auth = { authorization: `Bearer ${API_KEY}`, 'tus-resumable': '1.0.0' };
  return fetch(url, { method, headers: { ...auth, ...headers }, body });
}

export function patch(url: string, offset: number, bytes: Uint8Array) {
  const headers = { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) };
  return send(url, 'PATCH', headers, bytes);
}

/** Creates an upload, sends `data` in chunks through the app and returns the sha256 of what the store holds. */
export async function uploadThroughApp<Ctx>(host: Host<Ctx>, data: Uint8Array, chunkSize: number): Promise<string> {
  const { id, url } = await host.tus.createUpload({ size: data.length, origin: host.origin });
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    const response = await patch(url, offset, data.subarray(offset, offset + chunkSize));
    expect(response.status).toBe(204);
    expect(response.headers.get('upload-offset')).toBe(String(Math.min(offset + chunkSize, data.length)));
  }
  return sha256(await (host.tus.store as MemoryStore).read(id));
}

/** Upload URLs, auth through the host's own user, and host errors, over a host of `start`. */
export function embeddingCases<Ctx>(start: StartHost<Ctx>, userOf: (context: Ctx) => unknown): void {
  describe('upload URLs', () => {
    const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'uploads.example.com' };
    const asset = new TextEncoder().encode(JSON.stringify({ size: 100 }));

    it.each([
      ['the Host header', {}, (origin: string) => `${origin}${BASE}/`],
      ['publicUrl', { publicUrl: 'https://api.example.com/' }, () => `https://api.example.com${BASE}/`],
      ['X-Forwarded-* behind a trusted proxy', { trustProxy: true }, () => `https://uploads.example.com${BASE}/`],
    ] as const)('honour %s, from the host route and from a creation POST', async (_, options, expected) => {
      const host = await start({ ...options, creation: true });
      const prefix = expected(host.origin).replace(/[.?]/g, '\\$&');
      const headers = { 'content-type': 'application/json', ...forwarded };
      const fromRoute = await send(`${host.origin}/v1/assets`, 'POST', headers, asset);
      const fromPost = await send(`${host.origin}${BASE}`, 'POST', { 'upload-length': '100', ...forwarded });
      for (const response of [fromRoute, fromPost]) {
        expect(response.status).toBe(201);
        expect(response.headers.get('location')).toMatch(new RegExp(`^${prefix}[0-9a-f-]{36}$`));
      }
    });
  });

  describe('auth and host errors', () => {
    it("authorize and hooks see the user the host's middleware set", async () => {
      const host = await start();
      const data = wavFile(1000);
      const created = await host.tus.createUpload({ size: data.length, origin: host.origin });
      expect((await send(created.url, 'HEAD', { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await patch(created.url, 0, data)).status).toBe(204);
      expect(host.contexts.map(userOf)).toEqual([{ id: 'user-1' }]);
    });

    it('authorize throwing is a 500 with a JSON body and no stack', async () => {
      const failure = new Error('database is down');
      const host = await start({ authorize: () => Promise.reject(failure) });
      const head = await send(`${host.origin}${BASE}/some-id`, 'HEAD');
      const deleted = await send(`${host.origin}${BASE}/some-id`, 'DELETE');
      expect(head.status).toBe(500);
      expect(deleted.status).toBe(500);
      expect(deleted.headers.get('content-type')).toBe('application/json');
      const text = await deleted.text();
      expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: 'Internal server error.' } });
      expect(text).not.toMatch(/database|at .*\.ts/);
      expect(host.errors).toContain(failure);
    });

    it.each([
      [new TusError('size_too_large', 'Files over 1 MB need a paid plan.'), 413, 'size_too_large'],
      [new Error('quota service crashed'), 500, 'internal_error'],
    ])('a hook throwing %s maps to %i', async (thrown, status, code) => {
      const host = await start({ hooks: { onMediaDetected: () => Promise.reject(thrown) } });
      const created = await host.tus.createUpload({ size: 1000, origin: host.origin });
      const response = await patch(created.url, 0, wavFile(1000));
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(JSON.stringify(body)).not.toMatch(/crashed|at .*\.ts/);
      expect((await send(created.url, 'HEAD')).headers.get('upload-offset')).toBe('0');
    });
  });
}

/** Asserts that a host answers every path outside {@link BASE} itself, not the TUS core. */
export async function expectRestOfAppServed(origin: string): Promise<void> {
  expect(await (await fetch(`${origin}/health`)).text()).toBe('ok');
  const elsewhere = await send(`${origin}${BASE}-other/x`, 'DELETE');
  expect(elsewhere.status).toBe(404);
  expect(elsewhere.headers.get('tus-resumable')).toBeNull();
}
