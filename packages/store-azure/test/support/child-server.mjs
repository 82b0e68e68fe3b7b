// A tus server over the Azure store in its own process, so that a test can SIGKILL it mid-PATCH or watch
// its memory. It reports `listening <port> <rss>` once, then `progress <offset> <rss>` while bodies stream.
import { createServer } from 'node:http';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { AzureStore } from '@tuskit/store-azure';

const { AZURE_CONNECTION_STRING, AZURE_CONTAINER, KEY_PREFIX, BLOCK_SIZE } = process.env;
const store = new AzureStore({
  container: AZURE_CONTAINER,
  connectionString: AZURE_CONNECTION_STRING,
  keyPrefix: KEY_PREFIX ?? '',
  ...(BLOCK_SIZE && { blockSize: Number(BLOCK_SIZE) }),
});
const tus = createTus({
  store,
  basePath: '/files',
  progressIntervalMs: 0,
  hooks: { onProgress: ({ offset }) => console.log(`progress ${offset} ${process.memoryUsage().rss}`) },
});
const server = createServer(toNodeHandler(tus));
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port} ${process.memoryUsage().rss}`));
