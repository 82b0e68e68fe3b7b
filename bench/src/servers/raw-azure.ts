import type { RawSink } from './mini-tus.js';
import { azureContainer } from './azure-client.js';
import type { AzureSettings } from './config.js';
import { objectBody, streamingSink } from './streaming-sink.js';

const MiB = 1024 * 1024;

/**
 * The Azure raw limit: the SDK's `uploadStream` per upload (8 MiB blocks,
 * 2 staging at once, as tuskit's store), fed by every PATCH body in turn and
 * committed once by the last one.
 *
 * @example
 * ```ts
 * await serve(miniTus('/files', azureSink(settings)));
 * ```
 */
export function azureSink(settings: AzureSettings): RawSink {
  const container = azureContainer(settings);
  return streamingSink((id) => {
    const body = objectBody();
    return { body, done: container.getBlockBlobClient(id).uploadStream(body, 8 * MiB, 2).then(() => undefined) };
  });
}
