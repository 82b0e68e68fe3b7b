import type { Tus } from '@tuskit/core';
import { handleNodeRequest, requestPath } from '@tuskit/core/node';
import type { Request, RequestHandler } from 'express';

/** Options of {@link tusExpress}. */
export interface TusExpressOptions {
  /**
   * Where a body parser that ran before the handler left the bytes it read
   * from a request. Consulted only when the request stream has already been
   * read. Default: `req.body` when it is a Buffer (`express.raw()`).
   */
  parsedBody?: (req: Request) => Uint8Array | undefined;
}

/**
 * Express 5 middleware answering the TUS requests under `tus.basePath`; any
 * other path goes to `next()`. The Express `req` is the context handed to
 * `authorize` and every hook, so `req.user`-style data set by earlier
 * middleware is there. Requests are matched by their full original path, so
 * mount it at `tus.basePath`, in a router, or app-wide.
 *
 * @example
 * ```ts
 * const tus = createTus<express.Request & { user?: User }>({ store, basePath: '/v1/uploads',
 *   authorize: (r) => r.context.user != null });
 * app.use(authenticate); // sets req.user
 * app.use('/v1/uploads', tusExpress(tus));
 * ```
 */
export function tusExpress(tus: Tus<Request>, options: TusExpressOptions = {}): RequestHandler {
  const parsedBody = options.parsedBody ?? ((req: Request) => (Buffer.isBuffer(req.body) ? req.body : undefined));
  return (req, res, next) => {
    // An absolute-form target (`PATCH http://host/v1/uploads/id`) is routed by its path like any other.
    const path = requestPath(req.originalUrl)?.split('?')[0];
    if (path === undefined || !tus.handles(path)) return next();
    return handleNodeRequest(tus, req, res, req, { path, parsedBody: () => parsedBody(req) });
  };
}
