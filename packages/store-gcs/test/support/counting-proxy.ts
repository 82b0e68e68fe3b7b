import { createServer, request } from 'node:http';
import { listenOnLoopback } from '@tuskit/core/testing';

/** A loopback HTTP proxy that forwards every request to a backend and records it. */
export interface CountingProxy {
  /** Point a client here instead of at the backend. */
  readonly endpoint: string;
  /** `METHOD path` of every request forwarded so far, without the query. */
  readonly requests: string[];
  close(): Promise<void>;
}

/**
 * Forwards each request to `target` unchanged and streams the answer back,
 * so the backend answers everything: the proxy only counts.
 *
 * @example
 * ```ts
 * const proxy = await countingProxy(gcs.target.endpoint);
 * const store = gcs.store({ storage: { apiEndpoint: proxy.endpoint, projectId } });
 * ```
 */
export async function countingProxy(target: string): Promise<CountingProxy> {
  const requests: string[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${new URL(incoming.url ?? '/', target).pathname}`);
    const { host: _host, ...headers } = incoming.headers;
    const forwarded = request(new URL(incoming.url ?? '/', target), { method: incoming.method, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    incoming.pipe(forwarded);
  });
  const served = await listenOnLoopback(server);
  return { endpoint: served.origin, requests, close: served.close };
}
