import type { RequestListener } from 'node:http';
import type { Server } from '@tus/server';
import type { Storage } from './config.js';

type TusDataStore = ConstructorParameters<typeof Server>[0]['datastore'];

/**
 * The `@tus/server` peer over its own store for the backend.
 *
 * @example
 * ```ts
 * await serve(await tusServerListener('/files', { backend: 'fs', directory }));
 * ```
 */
export async function tusServerListener(basePath: string, storage: Storage): Promise<RequestListener> {
  const { Server } = await import('@tus/server');
  const server = new Server({ path: basePath, datastore: await tusStore(storage) });
  return (req, res) => void server.handle(req, res);
}

async function tusStore(storage: Storage): Promise<TusDataStore> {
  switch (storage.backend) {
    case 'fs': {
      const { FileStore } = await import('@tus/file-store');
      return new FileStore({ directory: storage.directory });
    }
    case 's3': {
      const [{ S3Store }, { s3ClientConfig }] = await Promise.all([import('@tus/s3-store'), import('./s3-client.js')]);
      return new S3Store({
        partSize: storage.partSize,
        s3ClientConfig: { ...s3ClientConfig(storage.s3), bucket: storage.s3.bucket },
      });
    }
    case 'gcs': {
      const [{ GCSStore }, { gcsBucket }, { withStringMetadata }] = await Promise.all([
        import('@tus/gcs-store'),
        import('./gcs-client.js'),
        import('./gcs-compat.js'),
      ]);
      return new GCSStore({ bucket: withStringMetadata(gcsBucket(storage.gcs)) });
    }
    case 'azure': {
      const [{ AzureStore }, { azureContainer }] = await Promise.all([import('@tus/azure-store'), import('./azure-client.js')]);
      return new AzureStore({ client: azureContainer(storage.azure) });
    }
  }
}
