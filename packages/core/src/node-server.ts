import { createServer, type RequestListener, type Server } from 'node:http';
import type { Socket } from 'node:net';

/** Options of {@link createNodeServer}; every bound is also a documented default. */
export interface NodeServerOptions {
  /**
   * Time a client has to send a request line and all its headers, from the
   * first byte of the connection (or of the request on a kept-alive one);
   * then 408 and close. Default 30 s.
   */
  headersTimeoutMs?: number;
  /** How long a kept-alive connection may sit idle between requests. Default 5 s. */
  keepAliveTimeoutMs?: number;
  /** Open connections in total; further ones are closed on arrival. Default 1000. */
  maxConnections?: number;
  /**
   * Open connections from one remote address; further ones are closed on
   * arrival. Behind a reverse proxy every client has the proxy's address:
   * raise it or set 0 (no per-address cap) there. Default 64.
   */
  maxConnectionsPerAddress?: number;
}

/** The defaults of {@link NodeServerOptions}. */
export const NODE_SERVER_DEFAULTS: Readonly<Required<NodeServerOptions>> = Object.freeze({
  headersTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1000,
  maxConnectionsPerAddress: 64,
});

/** Node checks for late headers on this interval (its own default is 30 s, far past a short bound). */
const MAX_CHECK_INTERVAL_MS = 1000;

/**
 * A `node:http` server set up for resumable uploads. Node's default
 * `requestTimeout` (5 min) would cut any upload that lasts longer, and
 * turning it off (0) also turns off the headers timeout, so a client that
 * never finishes its headers would hold its connection forever. This server
 * bounds the headers, idle kept-alive connections and the connection count,
 * and leaves a request body unbounded in total: the TUS engine ends a PATCH
 * whose client stops sending (`idleTimeoutMs`), and a host's own handlers
 * must bound the bodies they read themselves.
 *
 * @example
 * ```ts
 * import { createNodeServer, toNodeHandler } from '@tuskit/core/node';
 * const server = createNodeServer(toNodeHandler(tus), { maxConnectionsPerAddress: 32 });
 * server.listen(1080);
 * ```
 */
export function createNodeServer(listener: RequestListener, options: NodeServerOptions = {}): Server {
  const settings = { ...NODE_SERVER_DEFAULTS, ...withoutUndefined(options) };
  for (const [name, value] of Object.entries(settings)) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`createNodeServer: ${name} must be a non-negative integer`);
  }
  const server = createServer(
    {
      requestTimeout: 0,
      headersTimeout: settings.headersTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(1, Math.min(MAX_CHECK_INTERVAL_MS, settings.headersTimeoutMs)),
    },
    listener,
  );
  if (settings.maxConnections > 0) server.maxConnections = settings.maxConnections;
  if (settings.maxConnectionsPerAddress > 0) capPerAddress(server, settings.maxConnectionsPerAddress);
  return server;
}

/** Closes a connection on arrival when its address already holds `limit` open ones. */
function capPerAddress(server: Server, limit: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= limit) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
