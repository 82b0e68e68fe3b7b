import type { IncomingMessage, RequestListener } from 'node:http';
import { createTus, type DataStore, type Tus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import type { ServerConfig, Storage } from './config.js';

/**
 * tuskit as a host would run it, with the standard `creation` extension on so
 * that the load generator creates uploads the same way on every server.
 *
 * @example
 * ```ts
 * await serve(await tuskitListener({ kind: 'tuskit', framework: 'node', basePath: '/files', storage }));
 * ```
 */
export async function tuskitListener(config: Extract<ServerConfig, { kind: 'tuskit' }>): Promise<RequestListener> {
  const store = await tuskitStore(config.storage);
  const options = { store, basePath: config.basePath, creation: true, onError: (e: unknown) => console.error(e) };
  if (config.framework === 'node') return toNodeHandler(createTus<IncomingMessage>(options));
  const [{ default: express }, { tusExpress }] = await Promise.all([import('express'), import('@tuskit/express')]);
  const tus: Tus<import('express').Request> = createTus(options);
  const app = express();
  app.use(config.basePath, tusExpress(tus));
  return app;
}

async function tuskitStore(storage: Storage): Promise<DataStore> {
  switch (storage.backend) {
    case 'fs': {
      const { FileStore } = await import('@tuskit/store-fs');
      return new FileStore({ directory: storage.directory });
    }
    case 's3': {
      const [{ S3Store }, { s3ClientConfig }] = await Promise.all([import('@tuskit/store-s3'), import('./s3-client.js')]);
      const { s3, partSize, queueSize } = storage;
      return new S3Store({ bucket: s3.bucket, client: s3ClientConfig(s3), partSize, partConcurrency: queueSize });
    }
    case 'gcs': {
      const { GcsStore } = await import('@tuskit/store-gcs');
      const { endpoint, projectId, bucket } = storage.gcs;
      return new GcsStore({ bucket, storage: { apiEndpoint: endpoint, projectId } });
    }
  }
}
