// The Azure store behind the shared child tus server (see `child-server.ts`).
import { AzureStore } from '@tuskit/store-azure';
import { serveInChild } from '@tuskit/testkit/child-tus';

const { AZURE_CONNECTION_STRING, AZURE_CONTAINER, KEY_PREFIX, BLOCK_SIZE } = process.env;
serveInChild(
  new AzureStore({
    container: AZURE_CONTAINER,
    connectionString: AZURE_CONNECTION_STRING,
    keyPrefix: KEY_PREFIX ?? '',
    ...(BLOCK_SIZE && { blockSize: Number(BLOCK_SIZE) }),
  }),
);
