// A minimal tus server over the fs store, run as a child process so a test can SIGKILL it mid-PATCH
// or watch its memory (each progress line carries the process's RSS).
import { createServer } from 'node:http';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { FileStore } from '@tuskit/store-fs';

const tus = createTus({
  store: new FileStore({ directory: process.env.DATA_DIR }),
  basePath: '/files',
  progressIntervalMs: Number(process.env.PROGRESS_INTERVAL_MS ?? 0),
  hooks: { onProgress: ({ offset }) => console.log(`progress ${offset} ${process.memoryUsage().rss}`) },
});
const server = createServer(toNodeHandler(tus));
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
