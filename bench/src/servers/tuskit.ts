import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, RequestListener } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TUS_CHANNELS, type DataStore, type Tus } from '@tuskit/core';
import type { ServerConfig, Storage } from './config.js';

type TuskitConfig = Extract<ServerConfig, { kind: 'tuskit' }>;

/**
 * tuskit as a host would run it, with the standard `creation` extension on so
 * that the load generator creates uploads the same way on every server.
 * With `packagesDir`, core and stores come from that other checkout.
 *
 * @example
 * ```ts
 * await serve(await tuskitListener({ kind: 'tuskit', framework: 'node', basePath: '/files', storage }));
 * ```
 */
export async function tuskitListener(config: TuskitConfig): Promise<RequestListener> {
  const load = packageLoader(config.packagesDir);
  const [{ createTus }, { toNodeHandler }] = await Promise.all([
    load<typeof import('@tuskit/core')>('@tuskit/core', 'core'),
    load<typeof import('@tuskit/core/node')>('@tuskit/core/node', 'core', 'node.js'),
  ]);
  const store = await tuskitStore(config.storage, load);
  const locker = config.workers === undefined ? undefined : await (await import('./workers.js')).workerLocker();
  const options = { store, basePath: config.basePath, creation: true, locker, onError: (e: unknown) => console.error(e) };
  if (config.framework === 'node') return toNodeHandler(withDiagnostics(createTus<IncomingMessage>(options), config.diagnostics));
  const [{ default: express }, { tusExpress }] = await Promise.all([import('express'), import('@tuskit/express')]);
  const tus: Tus<import('express').Request> = createTus(options);
  const app = express();
  app.use(config.basePath, tusExpress(tus));
  return app;
}

/** Counted by the `subscribed` listener, so that its work is not optimised away. */
let heard = 0;

/** The engine with the diagnostics set-up of {@link TuskitConfig.diagnostics}. */
function withDiagnostics<T extends Tus<IncomingMessage>>(tus: T, diagnostics: TuskitConfig['diagnostics']): T {
  if (diagnostics === 'subscribed') {
    for (const name of Object.values(TUS_CHANNELS)) subscribe(name, () => void heard++);
  }
  if (diagnostics === 'absent') {
    // The engine's internal publisher: a row that silently measured nothing different would be worse than none.
    const engine = (tus as unknown as { engine?: { diagnostics?: unknown } }).engine;
    if (engine?.diagnostics === undefined) throw new Error('this @tuskit/core has no engine.diagnostics to swap out');
    Object.defineProperty(engine, 'diagnostics', { value: { wants: () => false, publish: () => undefined } });
  }
  return tus;
}

type Loader = <T>(name: string, directory: string, file?: string) => Promise<T>;

/** Imports a workspace package by name, or from `packagesDir/<directory>/dist/<file>`. */
function packageLoader(packagesDir: string | undefined): Loader {
  return async <T>(name: string, directory: string, file = 'index.js') =>
    (packagesDir ? import(pathToFileURL(join(packagesDir, directory, 'dist', file)).href) : import(name)) as Promise<T>;
}

async function tuskitStore(storage: Storage, load: Loader): Promise<DataStore> {
  switch (storage.backend) {
    case 'fs': {
      const { FileStore } = await load<typeof import('@tuskit/store-fs')>('@tuskit/store-fs', 'store-fs');
      return new FileStore({ directory: storage.directory });
    }
    case 's3': {
      const [{ S3Store }, { s3ClientConfig }] = await Promise.all([
        load<typeof import('@tuskit/store-s3')>('@tuskit/store-s3', 'store-s3'),
        import('./s3-client.js'),
      ]);
      const { s3, partSize, queueSize } = storage;
      return new S3Store({ bucket: s3.bucket, client: s3ClientConfig(s3), partSize, partConcurrency: queueSize });
    }
    case 'gcs': {
      const { GcsStore } = await load<typeof import('@tuskit/store-gcs')>('@tuskit/store-gcs', 'store-gcs');
      const { endpoint, projectId, bucket } = storage.gcs;
      return new GcsStore({ bucket, storage: { apiEndpoint: endpoint, projectId } });
    }
    case 'azure': {
      const { AzureStore } = await load<typeof import('@tuskit/store-azure')>('@tuskit/store-azure', 'store-azure');
      const { connectionString, container } = storage.azure;
      return new AzureStore({ container, connectionString });
    }
  }
}
