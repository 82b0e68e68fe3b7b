import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isTusError } from '@tuskit/core';
import { AZURITE_ACCOUNT } from '@tuskit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AzureStore } from '../src/index.js';

/** A store on `origin` through a connection string, with the client defaults the store applies. */
function storeAt(origin: string): AzureStore {
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT.name};AccountKey=${AZURITE_ACCOUNT.key};` +
    `BlobEndpoint=${origin}/${AZURITE_ACCOUNT.name};`;
  return new AzureStore({ container: 'uploads', connectionString });
}

/** Every store operation that reaches the service, each expected to fail the same way. */
const operations: Array<[string, (store: AzureStore) => Promise<unknown>]> = [
  ['create', (s) => s.create({ id: 'a1', size: 100, metadata: {}, createdAt: new Date() })],
  ['open', (s) => s.open('a1')],
  ['list', async (s) => {
    for await (const upload of s.list()) return upload;
  }],
  ['read', (s) => s.read('a1')],
];

const unavailable = (error: unknown) => isTusError(error, 'store_unavailable');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('AzureStore when the service is unreachable', () => {
  let closedOrigin: string;
  beforeAll(async () => {
    const server = createServer();
    closedOrigin = await listen(server);
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(operations)('%s fails with store_unavailable within seconds when the connection is refused', async (_, operation) => {
    const started = performance.now();
    await expect(operation(storeAt(closedOrigin))).rejects.toSatisfy(unavailable);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('AzureStore when the service misbehaves', () => {
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
    const origin = await start((req, res) => {
      requests++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>ServerBusy</Code></Error>');
    });
    await expect(storeAt(origin).open('a1')).rejects.toSatisfy(unavailable);
    // One property lookup: tried, then retried twice (clientDefaults: 3 tries).
    expect(requests).toBe(3);
  });

  it('passes other refusals through unchanged (a misconfiguration is not an outage)', async () => {
    const origin = await start((req, res) => {
      req.resume();
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code></Error>');
    });
    const failure = await storeAt(origin).open('a1').catch((error: unknown) => error);
    expect(isTusError(failure)).toBe(false);
    expect(failure).toMatchObject({ statusCode: 403 });
  });
});
