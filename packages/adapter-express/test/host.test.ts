import { createServer } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { MemoryStore, createTus, type TusOptions } from '@tuskit/core';
import { sha256, wavFile } from '@tuskit/core/testing';
import express, { type Request, type RequestHandler } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { tusExpress, type TusExpressOptions } from '../src/index.js';
import {
  API_KEY,
  BASE,
  closeHosts,
  embeddingCases,
  expectRestOfAppServed,
  hostTusOptions,
  send,
  serve,
  uploadThroughApp,
  type Host,
} from '@tuskit/testkit/embedding';

/** The request of a host whose auth middleware sets `req.user`. */
type HostRequest = Request & { user?: { id: string } };

interface HostSetup {
  /** Middleware mounted app-wide before everything else. */
  before?: RequestHandler[];
  tus?: Partial<TusOptions<HostRequest>>;
  adapter?: TusExpressOptions;
  /** How the app mounts the handler; default `app.use(BASE, handler)`. */
  mount?: (app: express.Express, handler: RequestHandler) => void;
}

/** An existing Express app embedding the adapter: auth middleware, its own route, TUS, then more routes. */
async function startHost(setup: HostSetup = {}): Promise<Host<HostRequest>> {
  const recorded: Pick<Host<HostRequest>, 'errors' | 'contexts'> = { errors: [], contexts: [] };
  const tus = createTus<HostRequest>({
    store: new MemoryStore(),
    ...hostTusOptions((req: HostRequest) => req.user, recorded),
    ...setup.tus,
  });
  const app = express();
  app.use(...(setup.before ?? []), (req: HostRequest, _res, next) => {
    if (req.get('authorization') === `Bearer ${API_KEY}`) req.user = { id: 'user-1' };
    next();
  });
  app.post('/v1/assets', express.json(), async (req, res) => {
    const created = await tus.createUpload({ size: req.body.size, origin: tus.originFor(req.headers) });
    res.set(created.headers).status(201).json({ id: created.id });
  });
  (setup.mount ?? ((app, handler) => app.use(BASE, handler)))(app, tusExpress(tus, setup.adapter));
  app.get('/health', (_req, res) => void res.send('ok'));
  return { tus, origin: await serve(createServer(app)), ...recorded };
}

afterEach(closeHosts);

embeddingCases<HostRequest>((options) => startHost({ tus: options }), (req) => req.user);

describe('body parsers mounted before the adapter', () => {
  const data = wavFile(1_500_000);

  it('json, urlencoded, raw and text leave PATCH bodies alone: the bytes arrive sha256-exact', async () => {
    const host = await startHost({ before: [express.json(), express.urlencoded(), express.raw(), express.text()] });
    expect(await uploadThroughApp(host, data, 512 * 1024)).toBe(await sha256(data));
  });

  it('a parser that consumed the body (express.raw for */*) hands its buffer on', async () => {
    const host = await startHost({ before: [express.raw({ type: '*/*', limit: '10mb' })] });
    expect(await uploadThroughApp(host, data, 512 * 1024)).toBe(await sha256(data));
  });

  it('a parser that consumed the body and kept no bytes is a clear 500, never a short chunk', async () => {
    const host = await startHost({ before: [express.text({ type: '*/*' })] });
    const created = await host.tus.createUpload({ size: data.length, origin: host.origin });
    const headers = { 'content-type': 'application/offset+octet-stream', 'upload-offset': '0' };
    const response = await send(created.url, 'PATCH', headers, data.subarray(0, 1000));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('body_consumed');
    expect(host.errors).toHaveLength(1);
  });

  it('parsedBody says where a custom reader left the bytes', async () => {
    const readRaw: RequestHandler = async (req, res, next) => {
      res.locals.raw = await buffer(req);
      next();
    };
    const host = await startHost({ before: [readRaw], adapter: { parsedBody: (req) => req.res?.locals.raw } });
    expect(await uploadThroughApp(host, data, 600_000)).toBe(await sha256(data));
  });
});

describe('mounting', () => {
  type Mount = NonNullable<HostSetup['mount']>;
  it.each<[string, Mount]>([
    ['app-wide', (app, handler) => void app.use(handler)],
    ['in a router mounted at /v1', (app, handler) => void app.use('/v1', express.Router().use('/uploads', handler))],
    ['as a route', (app, handler) => void app.all([BASE, `${BASE}/:id`], handler)],
  ])('%s: answers under tus.basePath and passes every other path to the routes after it', async (_, mount) => {
    const host = await startHost({ mount });
    const created = await host.tus.createUpload({ size: 100, origin: host.origin });
    expect((await send(created.url, 'HEAD')).status).toBe(200);
    expect((await send(`${host.origin}${BASE}`, 'OPTIONS')).status).toBe(204);
    await expectRestOfAppServed(host.origin);
  });
});
