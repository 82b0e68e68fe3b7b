// Entry point of every Node server child: reads its ServerConfig, serves, announces its port.
import type { RequestListener } from 'node:http';
import { SERVER_CONFIG_ENV, type RawServerConfig, type ServerConfig } from './servers/config.js';
import { HOST_HEAP_ENV, retainHostHeap } from './servers/host-heap.js';
import { serve } from './servers/listen.js';
import { miniTus, type RawSink } from './servers/mini-tus.js';

const config = JSON.parse(process.env[SERVER_CONFIG_ENV] ?? 'null') as ServerConfig | null;
if (!config) throw new Error(`${SERVER_CONFIG_ENV} is not set`);
retainHostHeap(Number(process.env[HOST_HEAP_ENV] ?? 0));
if (config.kind === 'tuskit' && config.workers !== undefined) {
  const { serveWorkers } = await import('./servers/workers.js');
  await serveWorkers(config.workers, () => listener(config));
} else {
  await serve(await listener(config));
}

async function listener(config: ServerConfig): Promise<RequestListener> {
  switch (config.kind) {
    case 'raw': {
      const raw = miniTus(config.basePath, await rawSink(config));
      return config.behindExpress ? (await import('./servers/behind-express.js')).behindExpress(config.basePath, raw) : raw;
    }
    case 'tuskit':
      return (await import('./servers/tuskit.js')).tuskitListener(config);
    case 'tus-server':
      return (await import('./servers/tus-server.js')).tusServerListener(config.basePath, config.storage);
  }
}

async function rawSink({ storage, fsyncOnComplete = false, freeChunks = false }: RawServerConfig): Promise<RawSink> {
  switch (storage.backend) {
    case 'fs':
      return (await import('./servers/raw-fs.js')).fsSink(storage.directory, { fsyncOnComplete, freeChunks });
    case 's3':
      return (await import('./servers/raw-s3.js')).s3Sink(storage.s3, storage.partSize, storage.queueSize);
    case 'gcs':
      return (await import('./servers/raw-gcs.js')).gcsSink(storage.gcs);
    case 'azure':
      return (await import('./servers/raw-azure.js')).azureSink(storage.azure);
  }
}
