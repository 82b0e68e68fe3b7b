import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTus, isTusError, type ListableStore } from '@tuskit/core';
import { createTestClient } from '@tuskit/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RobustStore } from './backend.js';

/**
 * A store's client pointed at a fake service, for {@link unavailableCases}.
 *
 * @example
 * ```ts
 * const backend: UnavailableBackend = {
 *   storeAt: (origin) => new GcsStore({ bucket: 'uploads', storage: { apiEndpoint: origin } }),
 *   contentType: 'application/json',
 *   busy: { body: '{"error":{"code":503}}', operation: 'read', requests: 2 },
 *   refused: { body: '{"error":{"code":403}}', error: { code: 403 } },
 * };
 * ```
 */
export interface UnavailableBackend {
  /** A store whose client reaches the service at `origin` and gives up quickly; `requestTimeoutMs` where it takes one. */
  storeAt(origin: string, requestTimeoutMs?: number): RobustStore & ListableStore;
  /** The content type of the service's error answers. */
  contentType: string;
  /** The service's overloaded answer (sent with status 503), the operation tried, and how many requests it makes. */
  busy: { body: string; operation: 'open' | 'read'; requests: number };
  /** The service's answer to a bad credential (sent with status 403), and what the error the store throws carries. */
  refused: { body: string; error: Record<string, unknown> };
  /** Whether `storeAt` honours `requestTimeoutMs`: then a service that never answers is given up on. */
  timesOut?: boolean;
}

const unavailable = (error: unknown) => isTusError(error, 'store_unavailable');

/** Every store operation that reaches the service without a handle, each expected to fail the same way. */
const operations: Array<[string, (store: RobustStore & ListableStore) => Promise<unknown>]> = [
  ['create', (s) => s.create({ id: 'a1', size: 100, metadata: {}, createdAt: new Date() })],
  ['open', (s) => s.open('a1')],
  ['list', async (s) => {
    for await (const upload of s.list()) return upload;
  }],
  ['read', (s) => s.read('a1')],
];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The service refuses connections, is overloaded, never answers, or refuses
 * the credentials: outages become `store_unavailable` (503 over HTTP) within
 * a bounded number of tries and seconds, while a refusal passes through
 * unchanged. Call inside a `describe`; it needs no backend.
 *
 * @example
 * ```ts
 * describe('AzureStore when the service is unavailable', () => unavailableCases(azureUnavailable));
 * ```
 */
export function unavailableCases(backend: UnavailableBackend): void {
  let closedOrigin: string;
  const servers: Server[] = [];
  const start = (handler: RequestListener) => {
    const server = createServer(handler);
    servers.push(server);
    return listen(server);
  };
  beforeAll(async () => {
    const server = createServer();
    closedOrigin = await listen(server);
    await new Promise((resolve) => server.close(resolve));
  });
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it.each(operations)('%s fails with store_unavailable within seconds when the connection is refused', async (_, operation) => {
    const started = performance.now();
    await expect(operation(backend.storeAt(closedOrigin))).rejects.toSatisfy(unavailable);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('answers a PATCH with 503 store_unavailable', async () => {
    const tus = createTus({ store: backend.storeAt(closedOrigin), basePath: '/files' });
    const response = await createTestClient(tus).patch('a1', 0, new Uint8Array(100));
    expect(response.status).toBe(503);
    expect(JSON.parse(String(response.body ?? '{}'))).toMatchObject({ error: { code: 'store_unavailable' } });
  });

  it('maps 503 answers to store_unavailable after a bounded number of tries', async () => {
    let requests = 0;
    const { body, operation } = backend.busy;
    const origin = await start((req, res) => {
      requests++;
      req.resume();
      res.writeHead(503, { 'content-type': backend.contentType }).end(body);
    });
    await expect(backend.storeAt(origin)[operation]('a1')).rejects.toSatisfy(unavailable);
    expect(requests).toBe(backend.busy.requests);
  });

  if (backend.timesOut) it('gives up on a service that never answers within the request timeout', async () => {
    const origin = await start(() => {});
    const started = Date.now();
    await expect(backend.storeAt(origin, 300).open('a1')).rejects.toSatisfy(unavailable);
    expect(Date.now() - started).toBeLessThan(5000);
    });

  it('passes other refusals through unchanged (a misconfiguration is not an outage)', async () => {
    const { body, error } = backend.refused;
    const origin = await start((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': backend.contentType }).end(body);
    });
    const failure = await backend.storeAt(origin).open('a1').catch((thrown: unknown) => thrown);
    expect(isTusError(failure)).toBe(false);
    expect(failure).toMatchObject(error);
  });
}
