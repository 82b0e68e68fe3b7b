import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * Serves on a free loopback port, announces `{"port":N}` on stdout (the
 * parent waits for that line) and exits cleanly on SIGTERM, so that
 * `--cpu-prof` gets to write its profile.
 *
 * @example
 * ```ts
 * await serve(toNodeHandler(tus));
 * ```
 */
export async function serve(
  listener: RequestListener,
  onClose: () => Promise<void> = async () => {},
  { announce = true }: { announce?: boolean } = {},
): Promise<Server> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close();
    void onClose().finally(() => process.exit(0));
  });
  if (announce) process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
  return server;
}
