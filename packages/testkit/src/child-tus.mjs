// The shared half of a store's `child-server.mjs`: a tus server in its own process, so that a test can
// SIGKILL it mid-PATCH or watch its memory. It reports `listening <port> <rss>` once, then
// `progress <offset> <rss>` while bodies stream; `startChildServer` (child-server.ts) reads these lines.
import { createServer } from 'node:http';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';

/**
 * Serves `store` at `/files` on a free loopback port and reports on stdout.
 *
 * @example
 * serveInChild(new GcsStore({ bucket: process.env.GCS_BUCKET }));
 */
export function serveInChild(store) {
  const tus = createTus({
    store,
    basePath: '/files',
    progressIntervalMs: 0,
    hooks: { onProgress: ({ offset }) => console.log(`progress ${offset} ${process.memoryUsage().rss}`) },
  });
  const server = createServer(toNodeHandler(tus));
  server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port} ${process.memoryUsage().rss}`));
}
