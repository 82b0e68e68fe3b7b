import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServedTus } from './protocol/harness.js';

/**
 * Listens on an ephemeral loopback port and returns the origin and a close
 * function that also ends idle keep-alive connections.
 *
 * @example
 * ```ts
 * const served = await listenOnLoopback(createServer(toNodeHandler(tus)));
 * ```
 */
export async function listenOnLoopback(server: Server): Promise<ServedTus> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
