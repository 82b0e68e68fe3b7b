import { AZURITE_ACCOUNT } from '@tuskit/testkit';
import { startChildServer } from '@tuskit/testkit/child-server';
import type { RobustnessBackend, UnavailableBackend } from '@tuskit/testkit/robustness';
import { blockId } from '../../src/blocks.js';
import { AzureStore, DEFAULT_BLOCK_CONCURRENCY, DEFAULT_BLOCK_SIZE } from '../../src/index.js';
import type { Azurite } from './azurite.js';

/**
 * The Azure store over Azurite, for the shared robustness cases. Its child
 * server (`child-server.mjs`) imports the built package.
 *
 * @example
 * ```ts
 * describeWithAzurite('AzureStore memory use', (azure) => boundedMemoryCases(azureBackend(azure)));
 * ```
 */
export function azureBackend(azure: Azurite): RobustnessBackend {
  const blob = (id: string, keyPrefix: string) => azure.container.getBlockBlobClient(`${keyPrefix}${id}`);
  return {
    store: ({ keyPrefix, partSize }) => azure.store({ keyPrefix, ...(partSize && { blockSize: partSize }) }),
    startChild: ({ keyPrefix, partSize }) =>
      startChildServer({
        script: new URL('./child-server.mjs', import.meta.url),
        env: {
          AZURE_CONNECTION_STRING: azure.target.connectionString,
          AZURE_CONTAINER: azure.name,
          KEY_PREFIX: keyPrefix,
          ...(partSize && { BLOCK_SIZE: String(partSize) }),
        },
      }),
    leftovers: (id, keyPrefix) => azure.leftovers(id, keyPrefix),
    createdObjects: (id, keyPrefix) => [`${keyPrefix}${id}`],
    finishedObject: (id, keyPrefix) => `${keyPrefix}${id}`,
    describeObject: async (name) => {
      const properties = await azure.container.getBlockBlobClient(name).getProperties();
      return { size: properties.contentLength ?? -1, contentType: properties.contentType };
    },
    defaultPartSize: DEFAULT_BLOCK_SIZE,
    // The blocks staging side by side and the one filling.
    partsLostOnCrash: DEFAULT_BLOCK_CONCURRENCY + 1,
    storedBytes: async (id, keyPrefix) => {
      const { committedBlocks } = await blob(id, keyPrefix).getBlockList('committed');
      return (committedBlocks ?? []).reduce((sum, block) => sum + block.size, 0);
    },
    // A block staged by a PATCH that never got to commit it (a crash between the two).
    strand: async (id, keyPrefix) => {
      await blob(id, keyPrefix).stageBlock(blockId(0, 5), 'stray', 5);
      return `${keyPrefix}${id} (uncommitted blocks)`;
    },
  };
}

/**
 * An Azure store pointed at a fake service through a connection string, with
 * the client defaults the store applies (3 tries).
 *
 * @example
 * ```ts
 * describe('AzureStore when the service is unavailable', () => unavailableCases(azureUnavailable));
 * ```
 */
export const azureUnavailable: UnavailableBackend = {
  storeAt: (origin) => {
    const connectionString =
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT.name};AccountKey=${AZURITE_ACCOUNT.key};` +
      `BlobEndpoint=${origin}/${AZURITE_ACCOUNT.name};`;
    return new AzureStore({ container: 'uploads', connectionString });
  },
  contentType: 'application/xml',
  // One property lookup: tried, then retried twice (clientDefaults: 3 tries).
  busy: { body: '<?xml version="1.0"?><Error><Code>ServerBusy</Code></Error>', operation: 'open', requests: 3 },
  refused: { body: '<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code></Error>', error: { statusCode: 403 } },
};
