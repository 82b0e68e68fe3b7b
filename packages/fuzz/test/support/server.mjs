// @ts-check
// The server under fuzz, run as a child process so that a crash is a real
// process exit and its fds / RSS are its own. Plain ESM because Node 20
// cannot run TypeScript; it is type-checked through `checkJs`.
import { readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { createTus } from '@tuskit/core';
import { toNodeHandler } from '@tuskit/core/node';
import { FileStore } from '@tuskit/store-fs';

/** @type {import('./server-process.js').ServerConfig} */
const config = JSON.parse(process.env.FUZZ_SERVER_CONFIG ?? '{}');

/** @param {string} fd */
function linkOf(fd) {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '';
  }
}

/** @param {import('./server-process.js').ServerMessage} message */
function send(message) {
  process.send?.(message);
}

/** @param {string} kind */
const crash = (kind) => (/** @type {unknown} */ error) => {
  send({ type: 'crash', kind, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(70);
};
process.on('uncaughtException', crash('uncaughtException'));
process.on('unhandledRejection', crash('unhandledRejection'));

const tus = createTus({
  store: new FileStore({ directory: config.storeDir }),
  basePath: config.basePath,
  creation: true,
  authorize: (request) => request.header('authorization') === `Bearer ${config.apiKey}`,
  idleTimeoutMs: config.idleTimeoutMs,
  lockTimeoutMs: config.lockTimeoutMs,
  hooks: {
    onComplete: ({ upload }) => send({ type: 'hook', name: 'onComplete', id: upload.id }),
    onMediaRejected: ({ upload }) => send({ type: 'hook', name: 'onMediaRejected', id: upload.id }),
    onTerminated: ({ upload }) => send({ type: 'hook', name: 'onTerminated', id: upload.id }),
  },
  onError: (error) =>
    send({ type: 'onError', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
});

// Production-like limits: a short headersTimeout stops slowloris clients;
// requestTimeout stays off because a legitimate PATCH may stream for hours,
// and a stalled body is ended by the core's idleTimeoutMs instead.
const server = createServer(
  {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    connectionsCheckingInterval: config.connectionsCheckingIntervalMs,
  },
  toNodeHandler(tus),
);

// Tell the parent when the last connection closes, so it can await quiescence instead of polling.
let connections = 0;
/** @type {number[]} */
let idleWaiters = [];
server.on('connection', (socket) => {
  connections += 1;
  socket.once('close', () => {
    connections -= 1;
    if (connections === 0) for (const id of idleWaiters.splice(0)) send({ type: 'idle', id });
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  send({ type: 'listening', port: typeof address === 'object' && address ? address.port : 0 });
});

process.on('message', (/** @type {import('./server-process.js').ParentMessage} */ message) => {
  if (message.type === 'stats') {
    // Collect first, so that the heap figure is what is really retained (the child runs with --expose-gc).
    /** @type {{ gc?: () => void }} */ (globalThis).gc?.();
    server.getConnections((_, connections) => {
      send({
        type: 'stats',
        id: message.id,
        connections,
        fds: readdirSync('/proc/self/fd').length,
        storeFds: readdirSync('/proc/self/fd').filter((fd) => linkOf(fd).startsWith(`${config.storeDir}/`)).length,
        rss: process.memoryUsage().rss,
        heapUsed: process.memoryUsage().heapUsed,
        resources: process.getActiveResourcesInfo(),
      });
    });
  }
  if (message.type === 'idle') {
    if (connections === 0) send({ type: 'idle', id: message.id });
    else idleWaiters.push(message.id);
  }
  if (message.type === 'shutdown') {
    void tus.close().then(() => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    });
  }
});
