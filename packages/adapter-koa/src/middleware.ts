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
    ctx.onerror = keepDisconnectsFromApp(ctx.onerror);
    await handleNodeRequest(tus, ctx.req, ctx.res, ctx, { path, parsedBody: () => parsedBody(ctx) });
  };
}

/** Error codes of a client that went away: a reset, or a body cut short (Node's parser: `HPE_*`). */
const DISCONNECT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

// Koa watches every response and hands errors of its connection to `app.onerror`, which prints a stack trace
// ("Parse Error … socketOnEnd" for each PATCH a client drops). The core already handled those: it kept the
// bytes that arrived and released the lock. Every other error still goes the usual way.
function keepDisconnectsFromApp(onerror: Context['onerror']): Context['onerror'] {
  return function (this: Context, error: Error) {
    const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
    if (code !== undefined && (DISCONNECT_CODES.has(code) || code.startsWith('HPE_'))) return;
    onerror.call(this, error);
  };
}

function asBuffer(value: unknown): Uint8Array | undefined {
  return Buffer.isBuffer(value) ? value : undefined;
}
