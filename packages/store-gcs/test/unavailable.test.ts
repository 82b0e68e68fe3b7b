import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTus, isTusError } from '@tuskit/core';
import { createTestClient } from '@tuskit/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GcsStore } from '../src/index.js';

/** A store whose client gives up quickly: these tests are about mapping and bounds, not patience. */
function storeAt(endpoint: string, timeout = 2000): GcsStore {
  return new GcsStore({
    bucket: 'uploads',
    storage: {
      apiEndpoint: endpoint,
      projectId: 'test',
      timeout,
      retryOptions: { maxRetries: 1, retryDelayMultiplier: 1, maxRetryDelay: 0.05, totalTimeout: 5 },
    },
  });
}

/** Every store operation that reaches GCS without a handle, each expected to fail the same way. */
const operations: Array<[string, (store: GcsStore) => Promise<unknown>]> = [
  ['create', (s) => s.create({ id: 'a1', size: 100, metadata: {}, createdAt: new Date() })],
  ['open', (s) => s.open('a1')],
  ['list', async (s) => {
    for await (const upload of s.list()) return upload;
  }],
  ['read', (s) => s.read('a1')],
];

const unavailable = (error: unknown) => isTusError(error, 'store_unavailable');

/** Listens on loopback with `handler`; resolves the endpoint. */
async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('GcsStore when GCS is unreachable', () => {
  let closedEndpoint: string;
  beforeAll(async () => {
    const server = createServer();
    closedEndpoint = await listen(server);
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(operations)('%s fails with store_unavailable when the connection is refused', async (_, operation) => {
    await expect(operation(storeAt(closedEndpoint))).rejects.toSatisfy(unavailable);
  });

  it('answers a PATCH with 503 store_unavailable', async () => {
    const tus = createTus({ store: storeAt(closedEndpoint), basePath: '/files' });
    const response = await createTestClient(tus).patch('a1', 0, new Uint8Array(100));
    expect(response.status).toBe(503);
    expect(JSON.parse(String(response.body ?? '{}'))).toMatchObject({ error: { code: 'store_unavailable' } });
  });
});

describe('GcsStore when GCS misbehaves', () => {
  const servers: Server[] = [];
  const start = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    return listen(server);
  };
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('maps 503 answers to store_unavailable after a bounded number of tries', async () => {
    let requests = 0;
    const endpoint = await start((req, res) => {
      requests++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":503,"message":"backend error"}}');
    });
    // `read` makes one request (the object lookup): tried once, retried once, then given up.
    await expect(storeAt(endpoint).read('a1')).rejects.toSatisfy(unavailable);
    expect(requests).toBe(2);
  });

  it('gives up on a server that never answers within the request timeout', async () => {
    const endpoint = await start(() => {});
    const started = Date.now();
    await expect(storeAt(endpoint, 300).open('a1')).rejects.toSatisfy(unavailable);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('passes other refusals through unchanged (a misconfiguration is not an outage)', async () => {
    const endpoint = await start((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":{"code":403,"message":"forbidden"}}');
    });
    const failure = await storeAt(endpoint).open('a1').catch((error: unknown) => error);
    expect(isTusError(failure)).toBe(false);
    expect(failure).toMatchObject({ code: 403 });
  });
});
