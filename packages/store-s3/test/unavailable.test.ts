import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createTus, isTusError } from '@tuskit/core';
import { freePort } from '@tuskit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store, createS3StoreClient } from '../src/index.js';

const credentials = { accessKeyId: 'tuskit', secretAccessKey: 'tuskit-secret' };

function storeAt(endpoint: string, socketTimeoutMs?: number): S3Store {
  const config = { endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 2 };
  return new S3Store({ bucket: 'uploads', client: createS3StoreClient(config, { socketTimeoutMs }) });
}

const isUnavailable = (error: unknown) => isTusError(error, 'store_unavailable');

describe('S3Store when S3 cannot be reached', () => {
  let blackHole: Server;
  const sockets = new Set<Socket>();
  let silentEndpoint = '';

  beforeAll(async () => {
    // Accepts connections and never answers.
    blackHole = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const address = blackHole.address();
    silentEndpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => blackHole.close(resolve));
  });

  it('fails with store_unavailable when nothing listens', async () => {
    const store = storeAt(`http://127.0.0.1:${await freePort()}`);
    await expect(store.open('a1')).rejects.toSatisfy(isUnavailable);
    const created = store.create({ id: 'a1', size: 100, metadata: {}, createdAt: new Date() });
    await expect(created).rejects.toSatisfy(isUnavailable);
  });

  it('fails with store_unavailable instead of hanging when S3 stops answering', async () => {
    const store = storeAt(silentEndpoint, 300);
    const started = Date.now();
    await expect(store.open('a1')).rejects.toSatisfy(isUnavailable);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers 503 over the protocol', async () => {
    const tus = createTus({ store: storeAt(`http://127.0.0.1:${await freePort()}`), basePath: '/uploads' });
    const response = await tus.handle({
      method: 'HEAD',
      path: '/uploads/a1',
      header: (name) => (name === 'tus-resumable' ? '1.0.0' : undefined),
      context: undefined,
    });
    expect(response.status).toBe(503);
    expect(JSON.parse(String(response.body))).toMatchObject({ error: { code: 'store_unavailable' } });
  });
});

describe('S3Store when the backend is full', () => {
  let full: HttpServer;
  let endpoint = '';

  beforeAll(async () => {
    // Answers every request the way MinIO does once its drives pass their free-space threshold.
    full = createHttpServer((req, res) => {
      req.resume();
      const body =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>XMinioStorageFull</Code>' +
        '<Message>Storage backend has reached its minimum free drive threshold. Please delete a few objects to proceed.</Message></Error>';
      res.writeHead(507, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => full.listen(0, '127.0.0.1', resolve));
    const address = full.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    full.closeAllConnections();
    await new Promise((resolve) => full.close(resolve));
  });

  it('fails with storage_full (507), with the SDK error as cause', async () => {
    const store = storeAt(endpoint);
    const created = store.create({ id: 'a1', size: 100, metadata: {}, createdAt: new Date() });
    await expect(created).rejects.toSatisfy((error) => isTusError(error, 'storage_full') && (error as Error).cause !== undefined);
  });
});
