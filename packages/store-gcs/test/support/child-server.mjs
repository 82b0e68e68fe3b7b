// A tus server over the GCS store in its own process, so that a test can SIGKILL it mid-PATCH or watch
// its memory. It reports `listening <port> <rss>` once, then `progress <offset> <rss>` while bodies stream.
import { createServer } from 'node:http';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { GcsStore } from '@tuskit/store-gcs';

const { GCS_ENDPOINT, GCS_PROJECT, GCS_BUCKET, KEY_PREFIX, PART_SIZE } = process.env;
const store = new GcsStore({
  bucket: GCS_BUCKET,
  keyPrefix: KEY_PREFIX ?? '',
  ...(PART_SIZE && { partSize: Number(PART_SIZE) }),
  storage: { apiEndpoint: GCS_ENDPOINT, projectId: GCS_PROJECT },
});
const tus = createTus({
  store,
  basePath: '/files',
  progressIntervalMs: 0,
  hooks: { onProgress: ({ offset }) => console.log(`progress ${offset} ${process.memoryUsage().rss}`) },
});
const server = createServer(toNodeHandler(tus));
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port} ${process.memoryUsage().rss}`));
