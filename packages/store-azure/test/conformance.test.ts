import { describeStoreConformance } from '@tuskit/core/testing';
import { describeWithAzurite } from './support/azurite.js';

describeWithAzurite('AzureStore against Azurite', (azure) => {
  describeStoreConformance({
    name: 'AzureStore',
    createStore: () => azure.store({ keyPrefix: 'default-blocks/' }),
    leftovers: (id) => azure.leftovers(id, 'default-blocks/'),
    freesChunks: true,
    concatenation: false,
  });

  // 64 KiB blocks: the many-small-writes case runs past 32 short blocks, so merging is under test too.
  describeStoreConformance({
    name: 'AzureStore with 64 KiB blocks',
    createStore: () => azure.store({ keyPrefix: 'small-blocks/', blockSize: 64 * 1024 }),
    leftovers: (id) => azure.leftovers(id, 'small-blocks/'),
    freesChunks: true,
    concatenation: false,
  });
});
