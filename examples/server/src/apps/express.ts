import type { RequestListener } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { headerReader } from '@tuskit/core';
import { tusExpress } from '@tuskit/express';
import express from 'express';
import type { AppOptions } from '../api.js';
import { errorResponse, isClientGone } from '../http.js';

/**
 * The server on Express 5: the TUS adapter under `tus.basePath`, every other
 * request to the framework-agnostic API.
 *
 * @example
 * ```ts
 * createNodeServer(createExpressApp({ tus, api, logger })).listen(1080);
 * ```
 */
export function createExpressApp({ tus, api, logger }: AppOptions<express.Request>): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(tus.basePath, tusExpress(tus));
  app.use(async (req, res) => {
    const answer = await api.handle({ method: req.method, url: req.originalUrl, header: headerReader(req.headers), body: req });
    res.status(answer.status).set(answer.headers);
    if (typeof answer.body !== 'object') return void res.end(answer.body);
    await pipeline(answer.body, res);
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (!isClientGone(error)) logger.error('express error', error);
    if (res.headersSent) return void res.destroy();
    const { status, headers, body } = errorResponse(error);
    res.status(status).set(headers).end(body);
  });
  return app;
}
