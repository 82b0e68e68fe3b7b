import { createServer } from 'node:http';
import { toNodeHandler } from '@tuskit/core/node';
import { describeTusProtocol, listenOnLoopback } from '@tuskit/core/testing';
import { describeWithMinio } from './support/minio.js';

let servers = 0;

await describeWithMinio('S3Store over HTTP', (minio) => {
  describeTusProtocol({
    name: 'node:http with the S3 store',
    // Each server gets a prefix of its own in the file's bucket.
    createStore: () => minio.store({ keyPrefix: `server-${++servers}/`, partSize: 5 * 1024 * 1024 }),
    serve: async (tus) => listenOnLoopback(createServer(toNodeHandler(tus))),
  });
});
