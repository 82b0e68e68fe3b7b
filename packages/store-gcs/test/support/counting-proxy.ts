import { once } from 'node:events';
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

/** A request as an {@link Intercept} sees it: its decoded URL (with the query) and its whole body. */
export interface InterceptedRequest {
  url: string;
  body: Buffer;
}

/**
 * Decides a request's fate: a status to answer with instead of the backend,
 * or `undefined` to forward it. `forward` forwards it at once and resolves
 * when the backend's answer has been relayed.
 */
export type Intercept = (request: InterceptedRequest, forward: () => Promise<void>) => Promise<number | undefined>;

/**
 * Forwards each request to `target` unchanged and streams the answer back,
 * so the backend answers everything: the proxy only counts. With `intercept`,
 * each request body is read first and may be answered by the proxy instead.
 *
 * @example
 * ```ts
 * const proxy = await countingProxy(gcs.target.endpoint);
 * const store = gcs.store({ storage: { apiEndpoint: proxy.endpoint, projectId } });
 * ```
 */
export async function countingProxy(target: string, intercept?: Intercept): Promise<CountingProxy> {
  const requests: string[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${new URL(incoming.url ?? '/', target).pathname}`);
    const { host: _host, ...headers } = incoming.headers;
    const forwarded = request(new URL(incoming.url ?? '/', target), { method: incoming.method, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forwarded.on('error', () => outgoing.destroy());
    if (!intercept) {
      incoming.pipe(forwarded);
      return;
    }
    void (async () => {
      const body = Buffer.concat(await incoming.toArray());
      let relayed: Promise<void> | undefined;
      const forward = () => (relayed ??= (forwarded.end(body), once(outgoing, 'close').then(() => {})));
      const status = await intercept({ url: decodeURIComponent(incoming.url ?? '/'), body }, forward);
      if (status === undefined) return void forward();
      forwarded.destroy();
      outgoing.writeHead(status, { 'content-type': 'application/json' }).end(`{"error":{"code":${status}}}`);
    })();
  });
  const served = await listenOnLoopback(server);
  return { endpoint: served.origin, requests, close: served.close };
}
