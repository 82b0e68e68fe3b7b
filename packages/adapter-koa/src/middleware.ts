import type { Tus } from '@tuskit/core';
import { handleNodeRequest, requestPath } from '@tuskit/core/node';
import type { Context, Middleware } from 'koa';

/** Options of {@link tusKoa}. */
export interface TusKoaOptions {
  /**
   * Where a body parser that ran before the middleware left the bytes it read
   * from a request. Consulted only when the request stream has already been
   * read. Default: `ctx.request.body` when it is a Buffer.
   */
  parsedBody?: (ctx: Context) => Uint8Array | undefined;
}

/**
 * Koa middleware answering the TUS requests under `tus.basePath`; any other
 * path goes to `next()`. The Koa `ctx` is the context handed to `authorize`
 * and every hook, so `ctx.state` set by earlier middleware is there. Requests
 * are matched by their full original path, so it works with `app.use` and
 * under `@koa/router` alike. The core writes the answer to `ctx.res` itself
 * (`ctx.respond = false`) so that PATCH bodies stream from `ctx.req`.
 *
 * @example
 * ```ts
 * const tus = createTus<Koa.Context>({ store, basePath: '/v1/uploads',
 *   authorize: (r) => r.context.state.user != null });
 * app.use(authenticate); // sets ctx.state.user
 * app.use(tusKoa(tus));
 * // or: router.all(['/v1/uploads', '/v1/uploads/:id'], tusKoa(tus));
 * ```
 */
export function tusKoa(tus: Tus<Context>, options: TusKoaOptions = {}): Middleware {
  const parsedBody = options.parsedBody ?? ((ctx: Context) => asBuffer((ctx.request as { body?: unknown }).body));
  return async (ctx, next) => {
    // An absolute-form target (`PATCH http://host/v1/uploads/id`) is routed by its path like any other.
    const path = requestPath(ctx.originalUrl)?.split('?')[0];
    if (path === undefined || !tus.handles(path)) return next();
    ctx.respond = false;
    await handleNodeRequest(tus, ctx.req, ctx.res, ctx, { path, parsedBody: () => parsedBody(ctx) });
  };
}

function asBuffer(value: unknown): Uint8Array | undefined {
  return Buffer.isBuffer(value) ? value : undefined;
}
