import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { isTusError } from '@tuskit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Store, createS3StoreClient } from '../src/index.js';

const credentials = { accessKeyId: 'tuskit', secretAccessKey: 'tuskit-secret' };

function storeAt(endpoint: string): S3Store {
  const config = { endpoint, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 2 };
  return new S3Store({ bucket: 'uploads', client: createS3StoreClient(config) });
}

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
