import { Readable } from 'node:stream';
import { headerReader, type Tus } from '@tuskit/core';

/** Options of {@link toFetchHandler}. */
export interface FetchHandlerOptions<Ctx> {
  /** Builds the context handed to `authorize` and hooks; default: the `Request` itself. */
  context?: (request: Request) => Ctx;
}

/**
 * A fetch-standard handler: `(request: Request) => Promise<Response>`. The
 * body streams into the store as it arrives (never buffered), and the
 * request's abort signal is the core's dropped-connection signal.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { toFetchHandler } from '@tuskit/fetch';
 *
 * const handle = toFetchHandler(tus);
 * const app = new Hono().all('/v1/uploads/*', (c) => handle(c.req.raw));
 * ```
 */
export function toFetchHandler<Ctx = Request>(
  tus: Tus<Ctx>,
  options: FetchHandlerOptions<Ctx> = {},
): (request: Request) => Promise<Response> {
  const context = options.context ?? ((request: Request) => request as unknown as Ctx);
  return async (request) => {
    const answer = await tus.handle({
      method: request.method,
      path: new URL(request.url).pathname,
      header: headerReader(request.headers),
      body: request.body ?? undefined,
      signal: request.signal,
      context: context(request),
    });
    const body = typeof answer.body === 'object' ? (Readable.toWeb(answer.body) as ReadableStream<Uint8Array>) : answer.body;
    return new Response(body ?? null, { status: answer.status, headers: answer.headers });
  };
}
