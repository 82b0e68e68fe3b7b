import { createAzuriteContainer, startAzurite } from '@tuskit/testkit';
import { azureContainer } from '../servers/azure-client.js';
import { digestOf, storageOf, type Bed } from './bed.js';

/**
 * One Azurite (the npm package, in memory, through `@tuskit/testkit`), one
 * container per target.
 *
 * @example
 * ```ts
 * const bed = await azureBed();
 * ```
 */
export async function azureBed(): Promise<Bed> {
  const azurite = await startAzurite();
  return {
    backend: 'azure',
    description: `Azurite (npm package, in memory) at ${azurite.blobEndpoint}`,
    async prepare(targetId) {
      const container = await createAzuriteContainer(azurite, `bench-${targetId}-${Date.now().toString(36)}`);
      return { backend: 'azure', azure: { connectionString: azurite.connectionString, container } };
    },
    async digest(storage, key) {
      const download = await azureContainer(storageOf(storage, 'azure').azure).getBlobClient(key).download();
      return digestOf(download.readableStreamBody as NodeJS.ReadableStream & AsyncIterable<Uint8Array>);
    },
    async clear(storage) {
      const container = azureContainer(storageOf(storage, 'azure').azure);
      for await (const blob of container.listBlobsFlat()) await container.deleteBlob(blob.name, { deleteSnapshots: 'include' });
    },
    close: () => azurite.stop(),
  };
}
