import type { RequestListener } from 'node:http';
import express from 'express';

/**
 * Mounts a raw listener at `basePath` of an Express 5 app, the way the
 * tuskit Express row mounts `tusExpress`: the same server behind Express
 * shows what Express itself costs per request.
 *
 * @example
 * ```ts
 * await serve(behindExpress('/files', miniTus('/files', sink)));
 * ```
 */
export function behindExpress(basePath: string, listener: RequestListener): RequestListener {
  const app = express();
  app.use(basePath, (req, res) => {
    // Express strips the mount path from req.url; the raw servers route on the full path, as tusExpress does.
    req.url = req.originalUrl;
    listener(req, res);
  });
  return app;
}
