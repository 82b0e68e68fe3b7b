import type { RequestListener } from 'node:http';
import { headerReader } from '@tuskit/core';
import { tusKoa } from '@tuskit/koa';
import Koa from 'koa';
import type { AppOptions } from '../api.js';
import { isClientGone } from '../http.js';

/**
 * The server on Koa 3: the TUS middleware (which matches `tus.basePath`
 * itself), then every other request to the framework-agnostic API.
 *
 * @example
 * ```ts
 * createNodeServer(createKoaApp({ tus, api, logger })).listen(1080);
 * ```
 */
export function createKoaApp({ tus, api, logger }: AppOptions<Koa.Context>): RequestListener {
  const app = new Koa();
  app.on('error', (error: unknown) => {
    if (!isClientGone(error)) logger.error('koa error', error);
  });
  app.use(tusKoa(tus));
  app.use(async (ctx) => {
    const answer = await api.handle({ method: ctx.method, url: ctx.originalUrl, header: headerReader(ctx.req.headers), body: ctx.req });
    ctx.status = answer.status;
    ctx.set(answer.headers);
    // Koa would turn an explicitly empty body into a 204, so a HEAD answer leaves it unset.
    if (answer.body !== undefined) ctx.body = answer.body;
  });
  return app.callback();
}
